import fc from 'fast-check';
import type { DatabaseHandle } from '../../src/db/database';
import { createPersonalDataCipher, generateKey } from '../../src/privacy/personal-data';
import { aggregateCases } from '../../src/stats/stats.repository';
import { MULTI_VALUED_DIMENSIONS, type Dimension, type StatsFilters } from '../../src/stats/stats.schema';
import { ALL_VALUES, caseStatistics, groupingSets, publishTable, tableEntries, type StatsRow } from '../../src/stats/stats.service';
import { openTestDatabase } from '../support/database';
import { storeCases, syntheticCases } from '../support/stats';

// End to end through the repository and the service on random data sets: what a reader gets,
// checked against the true counts behind it.

const RUNS = 40;
const NO_FILTERS: StatsFilters = { origin_country: [], destination_country: [], category: [], sector: [] };
const breakdown = fc.subarray<Dimension>(
  ['month', 'category', 'forced_labour_indicator', 'sector', 'origin_country', 'destination_country', 'destination_province', 'status'],
  { minLength: 1, maxLength: 3 },
);

function keyOf(values: StatsRow['values'], groupBy: readonly Dimension[]): string {
  return JSON.stringify(groupBy.map((dimension) => values[dimension] ?? null));
}

describe('published statistics', () => {
  let handle: DatabaseHandle;
  const cipher = createPersonalDataCipher({ current: generateKey() });

  beforeAll(async () => {
    handle = await openTestDatabase();
  });
  afterAll(async () => {
    await handle.close();
  });

  it('never publish a count from 1 to k-1, and publish every other count as it is', async () => {
    await fc.assert(
      fc.asyncProperty(syntheticCases(), breakdown, fc.integer({ min: 2, max: 10 }), async (items, groupBy, k) => {
        await storeCases(handle.db, items);
        const rows = await aggregateCases(handle.db, { sets: groupingSets(groupBy), filters: NO_FILTERS });
        const truth = new Map(tableEntries(rows, groupBy, k).map((entry) => [keyOf(Object.fromEntries(groupBy.map((dimension) => [dimension, entry.by.includes(dimension) ? (entry.values[dimension] ?? null) : ALL_VALUES])), groupBy), entry.count]));
        const table = publishTable(rows, groupBy, NO_FILTERS, k);
        for (const row of [...table.cells, ...table.totals]) {
          const count = truth.get(keyOf(row.values, groupBy));
          expect(count).toBeDefined();
          if (row.suppressed) {
            expect(row.measures).toBeNull();
          } else {
            expect(row.measures?.cases).toBe(count);
            expect((count ?? 0) >= k).toBe(true);
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('leave no hidden count that a published total minus the published cells of its line gives back', async () => {
    await fc.assert(
      fc.asyncProperty(syntheticCases(), breakdown, fc.integer({ min: 2, max: 10 }), async (items, groupBy, k) => {
        await storeCases(handle.db, items);
        const rows = await aggregateCases(handle.db, { sets: groupingSets(groupBy), filters: NO_FILTERS });
        const truth = new Map(tableEntries(rows, groupBy, k).map((entry) => [keyOf(Object.fromEntries(groupBy.map((dimension) => [dimension, entry.by.includes(dimension) ? (entry.values[dimension] ?? null) : ALL_VALUES])), groupBy), entry.count]));
        const table = publishTable(rows, groupBy, NO_FILTERS, k);
        const published = [...table.cells, ...table.totals];
        const byKey = new Map(published.map((row) => [keyOf(row.values, groupBy), row]));
        for (const dimension of groupBy) {
          const lines = new Map<string, StatsRow[]>();
          for (const row of published.filter((candidate) => candidate.values[dimension] !== ALL_VALUES)) {
            const totalKey = keyOf({ ...row.values, [dimension]: ALL_VALUES }, groupBy);
            lines.set(totalKey, [...(lines.get(totalKey) ?? []), row]);
          }
          for (const [totalKey, members] of lines) {
            const total = byKey.get(totalKey);
            expect(total).toBeDefined();
            const hidden = members.filter((member) => member.suppressed);
            if (total && !total.suppressed) {
              const remainder = (total.measures?.cases ?? 0) - members.reduce((sum, member) => sum + (member.measures?.cases ?? 0), 0);
              for (const member of hidden) {
                const alone = remainder === truth.get(keyOf(member.values, groupBy));
                // Along a category, a case may sit in several cells, so the remainder is no sum at all.
                if (!MULTI_VALUED_DIMENSIONS.includes(dimension)) expect({ dimension, alone }).toEqual({ dimension, alone: false });
              }
              expect(hidden.length).not.toBe(1);
            } else {
              expect(hidden.length).not.toBe(0);
            }
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('give identical answers to identical queries', async () => {
    await fc.assert(
      fc.asyncProperty(syntheticCases(), breakdown, async (items, groupBy) => {
        await storeCases(handle.db, items);
        const deps = { db: handle.db, statsMinCell: 5, cipher };
        const query = { group_by: groupBy, origin_country: [], destination_country: [], category: [], sector: [] };
        expect(await caseStatistics(deps, query)).toEqual(await caseStatistics(deps, query));
      }),
      { numRuns: 15 },
    );
  });
});
