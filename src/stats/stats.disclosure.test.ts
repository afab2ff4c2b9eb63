import fc from 'fast-check';
import {
  CELL_KEY_RANGE, cellKeyOf, countryOfProvince, NOISE_WEIGHTS, offsetKey, perturbedCount, perturbedMagnitude, ptableNoise,
  rollUpSmallProvinces, type RollableEntry,
} from './stats.disclosure';
import type { Dimension } from './stats.schema';

// Cell-key perturbation: the perturbation table checked over every cell key and random counts,
// and the province roll-up. The attack it answers is tests/integration/stats-differencing.test.ts.

const RUNS = 2000;
const cellKey = fc.integer({ min: 0, max: CELL_KEY_RANGE - 1 });
const k = fc.integer({ min: 2, max: 20 });
/** One cell key in each of the ptable's 256 columns, and the first and last of each. */
const EVERY_COLUMN = Array.from({ length: 256 }, (_, column) => column * (CELL_KEY_RANGE / 256));

describe('the perturbation table', () => {
  it('never publishes a count from 1 to k-1: small counts become 0 (suppressed), others stay at k or more', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5000 }), cellKey, k, (count, key, smallest) => {
        const published = perturbedCount(count, key, smallest);
        if (count < smallest) expect(published).toBe(0);
        else expect(published).toBeGreaterThanOrEqual(smallest);
      }),
      { numRuns: RUNS },
    );
  });

  it('moves a count by at most 2, and a count of 50 or more by at most 3%', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), cellKey, k, (count, key, smallest) => {
        if (count < smallest) return;
        const noise = perturbedCount(count, key, smallest) - count;
        expect(Math.abs(noise)).toBeLessThanOrEqual(2);
        if (count >= 50) expect(Math.abs(noise) / count).toBeLessThanOrEqual(0.03);
      }),
      { numRuns: RUNS },
    );
  });

  it('has mean noise exactly 0 over the cell keys for every count it publishes', () => {
    for (const smallest of [2, 5, 10, 20]) {
      for (let count = smallest; count < 200; count += 1) {
        const total = EVERY_COLUMN.reduce((sum, key) => sum + perturbedCount(count, key, smallest) - count, 0);
        expect({ smallest, count, total }).toEqual({ smallest, count, total: 0 });
      }
    }
  });

  it('gives each noise its share of the cell keys, as the table in stats.disclosure.ts says', () => {
    for (const [spread, weights] of Object.entries(NOISE_WEIGHTS)) {
      const s = Number(spread) as 0 | 1 | 2;
      const shares = weights.map((_, index) => EVERY_COLUMN.filter((key) => ptableNoise(s, key) === index - s).length);
      expect(shares).toEqual([...weights]);
      expect(weights.reduce((sum, weight) => sum + weight, 0)).toBe(256);
    }
  });

  it('reads the noise from the cell key in order, the same each time, whatever the other bits of the key', () => {
    fc.assert(
      fc.property(fc.integer({ min: 12, max: 1000 }), cellKey, cellKey, (count, a, b) => {
        const [low, high] = a <= b ? [a, b] : [b, a];
        expect(perturbedCount(count, low, 10)).toBeLessThanOrEqual(perturbedCount(count, high, 10));
        expect(perturbedCount(count, a, 10)).toBe(perturbedCount(count, a, 10));
        expect(perturbedCount(count, (a & ~0xfff) | (b & 0xfff), 10)).toBe(perturbedCount(count, a & ~0xfff, 10));
      }),
      { numRuns: RUNS },
    );
  });

  it('takes cell keys modulo 2^20, negative sums and sums past 2^20 included', () => {
    expect(cellKeyOf(CELL_KEY_RANGE + 5)).toBe(5);
    expect(cellKeyOf(-1)).toBe(CELL_KEY_RANGE - 1);
    expect(cellKeyOf(3 * CELL_KEY_RANGE)).toBe(0);
    expect(offsetKey(CELL_KEY_RANGE - 1, 2)).toBe(1);
  });

  it('moves other measures (workers, cases resolved) by at most 2 and never below 0', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), cellKey, (value, key) => {
        const published = perturbedMagnitude(value, key);
        expect(published).toBeGreaterThanOrEqual(0);
        expect(Math.abs(published - value)).toBeLessThanOrEqual(2);
        if (value >= 50) expect(Math.abs(published - value) / value).toBeLessThanOrEqual(0.03);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('province roll-up', () => {
  const province = (value: string | null, count: number, by: Dimension[] = ['destination_province']): RollableEntry & { sum: number } => ({
    by,
    values: by.length > 0 ? { destination_province: value } : {},
    count,
    suppressed: false,
    rolledUp: false,
    sum: count,
  });
  const merge = <E extends RollableEntry & { sum: number }>(a: E, b: E): E => ({ ...a, count: a.count + b.count, sum: a.sum + b.sum });
  const known = new Set(['TH-10', 'TH-63', 'TH-74', 'MY-14']);

  it('counts provinces with fewer than k cases, and unknown ones, under their country', () => {
    const rolled = rollUpSmallProvinces(
      [province('TH-10', 50), province('TH-63', 4), province('TH-74', 3), province('MY-14', 2), province('Near the river', 12), province(null, 5), province(null, 76, [])],
      10,
      known,
      merge,
    );
    expect(rolled.map((entry) => [entry.values.destination_province ?? null, entry.count, entry.rolledUp])).toEqual([
      ['TH-10', 50, false],
      ['TH', 7, true],
      ['MY', 2, true],
      [null, 17, true],
      [null, 76, false],
    ]);
  });

  it('reads the country of a province code only', () => {
    expect(countryOfProvince('TH-10')).toBe('TH');
    expect(countryOfProvince('LA-VT')).toBe('LA');
    expect(countryOfProvince('Mae Sot')).toBeNull();
    expect(countryOfProvince('TH-10; drop table')).toBeNull();
  });
});
