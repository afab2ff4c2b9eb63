import fc from 'fast-check';
import { addHistograms, DURATION_BUCKETS, DURATION_EDGES_DAYS, emptyHistogram, histogramMedian } from './stats.histogram';

function withCounts(counts: Record<number, number>): number[] {
  const histogram = emptyHistogram();
  for (const [bucket, count] of Object.entries(counts)) histogram[Number(bucket)] = count;
  return histogram;
}

describe('duration histograms', () => {
  it('have no median when empty', () => {
    expect(histogramMedian(emptyHistogram())).toBeNull();
  });

  it('interpolate the median inside the middle bucket', () => {
    // Bucket 6 runs from 1 to 1.5 days: ten durations there put the median half way, at 1.25.
    expect(DURATION_EDGES_DAYS[6]).toBe(1);
    expect(histogramMedian(withCounts({ 6: 10 }))).toBeCloseTo(1.25);
    // Four in the first hour: the median is at half an hour.
    expect(histogramMedian(withCounts({ 0: 4 }))).toBeCloseTo(1 / 48);
    // Two short, two long: the middle falls at the top of the short ones' bucket.
    expect(histogramMedian(withCounts({ 0: 2, 10: 2 }))).toBeCloseTo(1 / 24);
  });

  it('take the lower edge of the open last bucket', () => {
    expect(histogramMedian(withCounts({ [DURATION_BUCKETS - 1]: 3 }))).toBe(365);
  });

  it('add up bucket by bucket', () => {
    expect(addHistograms(withCounts({ 1: 2, 3: 1 }), withCounts({ 3: 4 }))).toEqual(withCounts({ 1: 2, 3: 5 }));
  });

  it('give a median between the smallest and the largest bucket used, that grows when longer durations are added', () => {
    const histogram = fc.array(fc.nat(20), { minLength: DURATION_BUCKETS, maxLength: DURATION_BUCKETS });
    fc.assert(
      fc.property(histogram, fc.nat(30), (counts, extra) => {
        const used = counts.map((count, index) => (count > 0 ? index : -1)).filter((index) => index >= 0);
        fc.pre(used.length > 0);
        const median = histogramMedian(counts) ?? Number.NaN;
        const first = used[0] ?? 0;
        const last = used[used.length - 1] ?? 0;
        expect(median).toBeGreaterThanOrEqual(DURATION_EDGES_DAYS[first] ?? 0);
        expect(median).toBeLessThanOrEqual(DURATION_EDGES_DAYS[last + 1] ?? 365);
        const longer = withCounts({ [DURATION_BUCKETS - 1]: extra });
        expect(histogramMedian(addHistograms(counts, longer)) ?? 0).toBeGreaterThanOrEqual(median);
      }),
      { numRuns: 300 },
    );
  });
});
