import type { Dimension } from './stats.schema';

// Statistical disclosure control of the published tables: cell-key perturbation (issue #11), the
// method of the statistics offices for query tools (ABS TableBuilder; ONS, 2021 census). Pure
// functions; nothing here reads the database.
//
// Why. Suppression inside one table cannot stop differencing: answers take overlapping periods,
// comma lists and breakdowns, so two published totals that differ by one hidden cell gave that cell
// back exactly (the attack suite, tests/integration/stats-differencing.test.ts, recovered 98% of
// the hidden counts from the old answers).
//
// How. Every case has a permanent random record key, an integer in [0, 2^20) (`cases.record_key`,
// never published; the statistics offices' uniform [0, 1) key scaled by 2^20, so that sums are
// exact integers whatever order they are added in). The cell key of a published count is the sum of
// the record keys of the cases it counts, modulo 2^20: the same cases give the same key in any query,
// and the count and its key come from the same rows, so a multi-valued total (a case counted once
// across its categories) has the key of the cases it counts once. The perturbation table (ptable)
// below maps (true count, cell key) to the published count:
//
//   true count n            published
//   0                       nothing (empty cells are not published)
//   1 .. k-1                0, shown as suppressed (primary suppression)
//   k, k+1, k+2 ...         n + noise, noise in -s..s, never below k, where
//                           s = min(2, n - k, and 1 for 50 <= n < 67 so a count of 50 or more moves 3% at most)
//
// The noise is read from the cell key as ABS does: the key's top 8 bits pick one of 256 columns,
// and the noise values -s..s own consecutive columns in proportion to their weights (s = 2: 51, 51,
// 52, 51, 51; s = 1: 85, 86, 85; s = 0: all 256). Each row is symmetric, so its mean is exactly 0;
// its variance is 2.0 (s = 2), 0.66 (s = 1), 0 (s = 0). No seed, no state: a pure function.
//
// Totals are perturbed as cells of their own, so a table need not add up: its cells minus its total
// give the sum of their noises, not a hidden cell. The same set of cases, asked in any query, gets
// the same value, so asking again gains nothing. Subtracting two published counts gives the cases
// between them plus the difference of two noises; because the noise follows the cell key in order,
// and the key of the larger set is the key of the smaller plus the key of the difference, the
// subtractions aiming at one hidden count err in a way that depends on that count's own key, so
// averaging many of them does not wash the noise out.
//
// Measured by the attack suite (docs/benchmarks.md has the figures): the share of hidden counts the
// attacker's best guess gets right falls from 98% to 21%, four subtractions in five come out wrong
// or impossible, the mean absolute error of published counts is 1.08, and no count of 50 or more
// moves more than 3%.
//
// Primary suppression stays: a count of 1..k-1 is never published, not even perturbed, so small
// groups are never named. Secondary suppression is gone: it existed so that a published total minus
// its published cells would not give a hidden cell, and now total and cells carry their own noise.
// Measured with the attack suite on the same data: keeping it on top of perturbation hid 21% more
// cells, left the number of small counts recovered where it was (331 against 325 of about 1,470),
// and made 164 cells published in one answer and hidden in another, which is a leak of its own.
//
// Amounts recovered are published only where the perturbed count of cases that recovered one (in
// that currency) is at least k, rounded to 2 significant figures. Workers affected and the cases
// resolved (behind the share resolved) carry the same bounded noise, read from the cell key turned
// by a fixed offset, so that no measure gives the true count back. Medians keep their k rule. The
// province roll-up still decides on true counts below k, which says nothing the suppressed flag
// does not: the ptable never takes a count of k or more below k.
//
// What this does not do: noise is bounded, so an attacker who finds many independent routes to one
// count (long chains of subtractions across several published counts) narrows it down; the noise
// makes each route wrong most of the time, it cannot make every combination of routes useless.

/** Record keys are integers in [0, 2^20); cell keys are sums of them modulo 2^20. */
export const CELL_KEY_RANGE = 2 ** 20;

/** Columns of the ptable: the top 8 bits of a cell key. */
const PTABLE_COLUMNS = 256;

/** How far the noise of one count may go either way. */
export type NoiseSpread = 0 | 1 | 2;

/** Weights (out of 256 columns) of the noise -s..s, in order. Symmetric: the mean is exactly 0. */
export const NOISE_WEIGHTS: Readonly<Record<NoiseSpread, readonly number[]>> = {
  0: [256],
  1: [85, 86, 85],
  2: [51, 51, 52, 51, 51],
};

/** Offsets of the cell key for the other measures, so that their noise is not the count's. */
export const MEASURE_KEY_OFFSETS = { workers: CELL_KEY_RANGE / 2, resolved: CELL_KEY_RANGE / 4 } as const;

/** A cell key from a sum of record keys (any integer): the sum modulo 2^20. */
export function cellKeyOf(keySum: number): number {
  return ((keySum % CELL_KEY_RANGE) + CELL_KEY_RANGE) % CELL_KEY_RANGE;
}

/** The cell key turned by a fixed offset, for a measure other than the count. */
export function offsetKey(cellKey: number, offset: number): number {
  return cellKeyOf(cellKey + offset);
}

/** The largest noise of a value: 2, less near the floor, and 1 where 2 would be more than 3%. */
function spreadOf(value: number, floor: number): NoiseSpread {
  const room = value - floor;
  if (room <= 0) return 0;
  if (room === 1 || (value >= 50 && value < 67)) return 1;
  return 2;
}

/** The noise the ptable holds for a spread at a cell key. */
export function ptableNoise(spread: NoiseSpread, cellKey: number): number {
  const column = Math.floor((cellKeyOf(cellKey) * PTABLE_COLUMNS) / CELL_KEY_RANGE);
  let reached = 0;
  const weights = NOISE_WEIGHTS[spread];
  for (const [index, weight] of weights.entries()) {
    reached += weight;
    if (column < reached) return index - spread;
  }
  return 0;
}

/** The published count of a true count at a cell key: 0 (suppressed) below k, else within 2 and at least k. */
export function perturbedCount(count: number, cellKey: number, k: number): number {
  if (count < k || count <= 0) return 0;
  return count + ptableNoise(spreadOf(count, k), cellKey);
}

/** A perturbed measure other than a count of cases (workers, cases resolved): within 2, never below 0. */
export function perturbedMagnitude(value: number, cellKey: number): number {
  if (value <= 0) return value;
  return value + ptableNoise(spreadOf(value, 0), cellKey);
}

/** A stable key for an entry: its dimensions and their values (quoted, so no value can fake another). */
export function entryKey(by: readonly Dimension[], values: Readonly<Partial<Record<Dimension, string | null>>>): string {
  let key = '';
  for (const dimension of by) {
    const value = values[dimension];
    key += `${dimension}=${value === null || value === undefined ? '-' : JSON.stringify(value)};`;
  }
  return key;
}

/** What disclosure control needs to know of an entry (a cell or a marginal total). */
export interface DisclosureEntry {
  /** The dimensions the entry is broken down by, in the order of the breakdown. */
  by: readonly Dimension[];
  values: Readonly<Partial<Record<Dimension, string | null>>>;
  /** Cases counted in the entry. */
  count: number;
  suppressed: boolean;
}

/** The country part of an ISO 3166-2 province code (`TH` of `TH-10`), or null. */
export function countryOfProvince(province: string): string | null {
  return /^([A-Z]{2})-[A-Z0-9]{1,3}$/.exec(province)?.[1] ?? null;
}

/** An entry that can be merged with another of the same key. */
export interface RollableEntry extends DisclosureEntry {
  rolledUp: boolean;
}

/**
 * Rolls small provinces up to their country: a destination province with fewer than k cases in
 * the table (or one the hotline does not know, which may be free text) is replaced by its country
 * code, marked `rolledUp`, and merged with the other provinces so replaced. `merge` adds two
 * entries' measures up; provinces are single-valued, so every measure adds up exactly.
 */
export function rollUpSmallProvinces<E extends RollableEntry>(
  entries: readonly E[],
  k: number,
  knownProvinces: ReadonlySet<string>,
  merge: (a: E, b: E) => E,
): E[] {
  const provinceTotals = new Map<string, number>();
  for (const entry of entries) {
    const value = entry.values.destination_province;
    if (entry.by.length === 1 && entry.by[0] === 'destination_province' && typeof value === 'string') {
      provinceTotals.set(value, entry.count);
    }
  }
  const isSmall = (province: string) => !knownProvinces.has(province) || (provinceTotals.get(province) ?? 0) < k;
  const merged = new Map<string, E>();
  for (const entry of entries) {
    const province = entry.values.destination_province;
    const rolled = typeof province === 'string' && isSmall(province)
      ? { ...entry, values: { ...entry.values, destination_province: countryOfProvince(province) }, rolledUp: true }
      : entry;
    const key = entryKey(rolled.by, rolled.values);
    const earlier = merged.get(key);
    merged.set(key, earlier ? { ...merge(earlier, rolled), rolledUp: earlier.rolledUp || rolled.rolledUp } : rolled);
  }
  return [...merged.values()];
}
