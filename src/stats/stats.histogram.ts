// Durations (days to first response, days to resolution) are counted in buckets, never kept
// exactly: sums of bucket counts add up across rollup rows, months and provinces, which medians of
// raw values do not, and no exact time leaves the database. The median is the grouped-data median:
// linear interpolation inside the bucket that holds the middle case.

/**
 * Lower edges of the buckets, in days; bucket i (1-based, as SQL's width_bucket numbers them) runs
 * from edge i to edge i+1, the last is open. migrations/20261127_0003_stats_rollup.ts holds the same
 * list for the rollup; tests/integration/stats-repository.test.ts checks that both give one answer.
 */
export const DURATION_EDGES_DAYS: readonly number[] = [
  0, 1 / 24, 2 / 24, 4 / 24, 8 / 24, 12 / 24, 1, 1.5, 2, 3, 5, 7, 10, 14, 21, 30, 45, 60, 90, 120, 180, 365,
];

/** How many buckets a duration histogram has. */
export const DURATION_BUCKETS = DURATION_EDGES_DAYS.length;

/** A histogram with every bucket at zero. */
export function emptyHistogram(): number[] {
  return new Array<number>(DURATION_BUCKETS).fill(0);
}

/** Bucket-by-bucket sum of two histograms. */
export function addHistograms(a: readonly number[], b: readonly number[]): number[] {
  const sum = new Array<number>(DURATION_BUCKETS);
  for (let index = 0; index < DURATION_BUCKETS; index += 1) sum[index] = (a[index] ?? 0) + (b[index] ?? 0);
  return sum;
}

/** How many durations a histogram holds. */
export function histogramSize(histogram: readonly number[]): number {
  return histogram.reduce((sum, count) => sum + count, 0);
}

/**
 * The median of a histogram, in days, or null when it is empty. Inside the middle bucket the
 * durations are taken as evenly spread; in the open last bucket the median is its lower edge.
 */
export function histogramMedian(histogram: readonly number[]): number | null {
  const size = histogramSize(histogram);
  if (size === 0) return null;
  const middle = size / 2;
  let below = 0;
  for (let index = 0; index < DURATION_BUCKETS; index += 1) {
    const count = histogram[index] ?? 0;
    const lower = DURATION_EDGES_DAYS[index] ?? 0;
    if (count > 0 && below + count >= middle) {
      const upper = DURATION_EDGES_DAYS[index + 1];
      if (upper === undefined) return lower;
      return lower + ((middle - below) / count) * (upper - lower);
    }
    below += count;
  }
  return null;
}
