import fc from 'fast-check';
import type { DatabaseHandle } from '../../src/db/database';
import { createPersonalDataCipher, generateKey } from '../../src/privacy/personal-data';
import { aggregateCases } from '../../src/stats/stats.repository';
import { cellKeyOf, perturbedCount } from '../../src/stats/stats.disclosure';
import type { Dimension, StatsFilters } from '../../src/stats/stats.schema';
import { ALL_VALUES, caseStatistics, groupingSets, publishTable, tableEntries, type StatsRow, type TableEntry } from '../../src/stats/stats.service';
import { openTestDatabase } from '../support/database';
import { storeCases, syntheticCases } from '../support/stats';

// End to end through the repository and the service on random data sets: what a reader gets,
// checked against the true counts behind it and the perturbation table.

const RUNS = 40;
const NO_FILTERS: StatsFilters = { origin_country: [], destination_country: [], category: [], sector: [] };
const breakdown = fc.subarray<Dimension>(
  ['month', 'category', 'forced_labour_indicator', 'sector', 'origin_country', 'destination_country', 'destination_province', 'status'],
  { minLength: 1, maxLength: 3 },
);

function keyOf(values: StatsRow['values'], groupBy: readonly Dimension[]): string {
  return JSON.stringify(groupBy.map((dimension) => values[dimension] ?? null));
}

/** An entry's values as its published row has them: `*` for the dimensions it totals over. */
function valuesOf(entry: TableEntry, groupBy: readonly Dimension[]): StatsRow['values'] {
  return Object.fromEntries(groupBy.map((dimension) => [dimension, entry.by.includes(dimension) ? (entry.values[dimension] ?? null) : ALL_VALUES]));
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

  it('never publish a count from 1 to k-1, and publish every other count as the ptable says, within 2 of the truth', async () => {
    await fc.assert(
      fc.asyncProperty(syntheticCases(), breakdown, fc.integer({ min: 2, max: 10 }), async (items, groupBy, k) => {
        await storeCases(handle.db, items);
        const rows = await aggregateCases(handle.db, { sets: groupingSets(groupBy), filters: NO_FILTERS });
        const truth = new Map(tableEntries(rows, groupBy, k).map((entry) => [keyOf(valuesOf(entry, groupBy), groupBy), entry]));
        const table = publishTable(rows, groupBy, NO_FILTERS, k);
        expect(table.perturbed).toBe(true);
        for (const row of [...table.cells, ...table.totals]) {
          const entry = truth.get(keyOf(row.values, groupBy));
          expect(entry).toBeDefined();
          const count = entry?.count ?? 0;
          if (row.suppressed) {
            expect(row.measures).toBeNull();
            expect(count).toBeLessThan(k);
          } else {
            expect(row.measures?.cases).toBe(perturbedCount(count, cellKeyOf(entry?.aggregate.keySum ?? 0), k));
            expect(row.measures?.cases ?? 0).toBeGreaterThanOrEqual(k);
            expect(Math.abs((row.measures?.cases ?? 0) - count)).toBeLessThanOrEqual(2);
            expect(Math.abs((row.measures?.workersAffected ?? 0) - (entry?.aggregate.workers ?? 0))).toBeLessThanOrEqual(2);
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('give the same cases the same published count in every breakdown, whatever else the table holds', async () => {
    await fc.assert(
      fc.asyncProperty(syntheticCases(), breakdown.filter((groupBy) => groupBy.length >= 2), async (items, groupBy) => {
        await storeCases(handle.db, items);
        const deps = { db: handle.db, statsMinCell: 5, cipher };
        const query = (dimensions: Dimension[]) => ({ group_by: dimensions, origin_country: [], destination_country: [], category: [], sector: [] });
        const fine = await caseStatistics(deps, query(groupBy));
        const coarse = await caseStatistics(deps, query(groupBy.slice(0, 1)));
        const [first = 'month'] = groupBy;
        for (const row of coarse.cells) {
          // The same cases: the fine table's total over every other dimension for this value.
          const same = fine.totals.find((total) => total.values[first] === row.values[first] && groupBy.slice(1).every((dimension) => total.values[dimension] === ALL_VALUES));
          expect(same?.suppressed).toBe(row.suppressed);
          expect(same?.measures).toEqual(row.measures);
        }
      }),
      { numRuns: 15 },
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
