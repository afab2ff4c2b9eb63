import fc from 'fast-check';
import { sql } from 'kysely';
import { EDGES_DAYS as ROLLUP_EDGES_DAYS } from '../../migrations/20261127_0003_stats_rollup';
import type { DatabaseHandle } from '../../src/db/database';
import { DURATION_EDGES_DAYS } from '../../src/stats/stats.histogram';
import { aggregateCases, rollupCovers, type AggregatePlan, type AggregateRow } from '../../src/stats/stats.repository';
import type { Dimension, StatsFilters } from '../../src/stats/stats.schema';
import { groupingSets } from '../../src/stats/stats.service';
import { openTestDatabase } from '../support/database';
import { storeCases, SYNTHETIC_MONTHS, syntheticCases, type SyntheticCase } from '../support/stats';

// The statistics queries on the migrated database: the rollup kept by triggers gives exactly the
// sums that a query over `cases` gives, and both give what counting the cases by hand gives.

const RUNS = 30;
const NO_FILTERS: StatsFilters = { origin_country: [], destination_country: [], category: [], sector: [] };

function canonical(rows: readonly AggregateRow[]): string[] {
  return rows
    .map((row) => JSON.stringify([[...row.set].sort(), Object.entries(row.values).sort(), row.currency, row.cases, row.workers, row.resolved, row.amount, row.responseHistogram, row.resolutionHistogram, row.keySum]))
    .sort();
}

const rollupBreakdown = fc.subarray<Dimension>(['month', 'category', 'origin_country', 'destination_country', 'sector'], { maxLength: 3 });
const anyBreakdown = fc.subarray<Dimension>(
  ['quarter', 'category', 'forced_labour_indicator', 'sector', 'origin_country', 'destination_province', 'channel', 'status', 'outcome'],
  { maxLength: 3 },
);

const filters: fc.Arbitrary<StatsFilters> = fc.record({
  from: fc.option(fc.constantFrom(...SYNTHETIC_MONTHS), { nil: undefined }),
  to: fc.option(fc.constantFrom(...SYNTHETIC_MONTHS), { nil: undefined }),
  origin_country: fc.subarray(['MM', 'KH']),
  destination_country: fc.subarray(['TH']),
  category: fc.subarray(['wages', 'injury'], { maxLength: 1 }),
  sector: fc.subarray(['fishing', 'construction']),
});

/** The cases a filter keeps, counted by hand. */
function kept(items: readonly SyntheticCase[], filter: StatsFilters): SyntheticCase[] {
  const month = (item: SyntheticCase) => item.createdAt.toISOString().slice(0, 7);
  const within = (list: readonly string[], value: string | null) => list.length === 0 || (value !== null && list.includes(value));
  return items.filter(
    (item) =>
      (!filter.from || month(item) >= filter.from) &&
      (!filter.to || month(item) <= filter.to) &&
      within(filter.origin_country, item.origin) &&
      within(filter.destination_country, item.destination) &&
      within(filter.sector, item.sector) &&
      (filter.category.length === 0 || item.categories.some((category) => filter.category.includes(category))),
  );
}

/** The values of one case on a dimension: several for categories, one for everything else. */
function valuesOf(item: SyntheticCase, dimension: Dimension, filter: StatsFilters): (string | null)[] {
  switch (dimension) {
    case 'month':
      return [item.createdAt.toISOString().slice(0, 7)];
    case 'category': {
      const categories = filter.category.length > 0 ? item.categories.filter((category) => filter.category.includes(category)) : item.categories;
      return item.categories.length === 0 ? [null] : categories;
    }
    case 'origin_country':
      return [item.origin];
    case 'destination_country':
      return [item.destination];
    case 'sector':
      return [item.sector];
    default:
      throw new Error(`no hand count for ${dimension}`);
  }
}

/** Cases per group of one grouping set, counted by hand. */
function countByHand(items: readonly SyntheticCase[], set: readonly Dimension[], filter: StatsFilters): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of kept(items, filter)) {
    let keys: (string | null)[][] = [[]];
    for (const dimension of set) keys = keys.flatMap((key) => valuesOf(item, dimension, filter).map((value) => [...key, value]));
    for (const key of keys) counts.set(JSON.stringify(key), (counts.get(JSON.stringify(key)) ?? 0) + 1);
  }
  return counts;
}

function countsOf(rows: readonly AggregateRow[], set: readonly Dimension[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const row of rows.filter((candidate) => candidate.set.length === set.length && set.every((dimension) => candidate.set.includes(dimension)))) {
    const key = JSON.stringify(set.map((dimension) => row.values[dimension] ?? null));
    counts.set(key, (counts.get(key) ?? 0) + row.cases);
  }
  return counts;
}

describe('the statistics repository', () => {
  let handle: DatabaseHandle;

  beforeAll(async () => {
    handle = await openTestDatabase();
  });
  afterAll(async () => {
    await handle.close();
  });

  it('buckets durations with the same edges as the rollup migration', () => {
    expect([...ROLLUP_EDGES_DAYS]).toEqual([...DURATION_EDGES_DAYS]);
  });

  it('gives the same sums from the rollup as from the cases, for any data and breakdown it holds', async () => {
    await fc.assert(
      fc.asyncProperty(syntheticCases(), rollupBreakdown, filters, async (items, groupBy, filter) => {
        await storeCases(handle.db, items);
        const plan: AggregatePlan = { sets: groupingSets(groupBy), filters: filter };
        expect(rollupCovers(plan)).toBe(true);
        const [fromRollup, fromCases] = [await aggregateCases(handle.db, plan, 'rollup'), await aggregateCases(handle.db, plan, 'cases')];
        expect(canonical(fromRollup)).toEqual(canonical(fromCases));
      }),
      { numRuns: RUNS },
    );
  });

  it('counts each case once in a total and once per category in a cell, as counting by hand does', async () => {
    await fc.assert(
      fc.asyncProperty(syntheticCases(), rollupBreakdown, filters, async (items, groupBy, filter) => {
        await storeCases(handle.db, items);
        const sets = groupingSets(groupBy);
        const rows = await aggregateCases(handle.db, { sets, filters: filter });
        for (const set of sets) expect(countsOf(rows, set)).toEqual(countByHand(items, set, filter));
      }),
      { numRuns: RUNS },
    );
  });

  it('answers any breakdown from the cases, every grouping set adding up to the cases kept', async () => {
    await fc.assert(
      fc.asyncProperty(syntheticCases(60), anyBreakdown, async (items, groupBy) => {
        await storeCases(handle.db, items);
        const rows = await aggregateCases(handle.db, { sets: groupingSets(groupBy), filters: NO_FILTERS });
        const grand = rows.filter((row) => row.set.length === 0).reduce((sum, row) => sum + row.cases, 0);
        expect(grand).toBe(items.length);
        for (const dimension of groupBy.filter((candidate) => candidate !== 'category' && candidate !== 'forced_labour_indicator')) {
          const single = rows.filter((row) => row.set.length === 1 && row.set[0] === dimension).reduce((sum, row) => sum + row.cases, 0);
          expect({ dimension, cases: single }).toEqual({ dimension, cases: items.length });
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('keeps the rollup right through updates and deletes of cases', async () => {
    await fc.assert(
      fc.asyncProperty(syntheticCases(40), fc.constantFrom('resolved', 'open'), fc.constantFrom('wages', 'injury'), async (items, status, category) => {
        await storeCases(handle.db, items);
        await handle.db.updateTable('cases').set({ status, categories: [category], updated_at: new Date() }).where('sector', '=', 'fishing').execute();
        await handle.db.deleteFrom('cases').where('origin_country', '=', 'KH').execute();
        const plan: AggregatePlan = { sets: groupingSets(['month', 'category']), filters: NO_FILTERS };
        expect(canonical(await aggregateCases(handle.db, plan, 'rollup'))).toEqual(canonical(await aggregateCases(handle.db, plan, 'cases')));
      }),
      { numRuns: 15 },
    );
  });

  it('empties the rollup when the cases are truncated', async () => {
    await storeCases(handle.db, fc.sample(syntheticCases(30), { numRuns: 1, seed: 7 })[0] ?? []);
    expect((await handle.db.selectFrom('stats_case_month').select('cases').execute()).length).toBeGreaterThan(0);
    await sql`truncate cases cascade`.execute(handle.db);
    const rows = await handle.db.selectFrom('stats_case_month').select('cases').execute();
    expect(rows).toEqual([]);
  });
});
