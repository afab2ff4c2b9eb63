import fc from 'fast-check';
import type { DatabaseHandle } from '../../src/db/database';
import { createPersonalDataCipher, generateKey } from '../../src/privacy/personal-data';
import { caseStatsQuerySchema } from '../../src/stats/stats.schema';
import { caseStatistics } from '../../src/stats/stats.service';
import {
  ATTACK_DIMENSIONS, attack, attackQueries, collectSightings, describeFigures, noFigures, type AttackFigures,
} from '../support/differencing';
import { openTestDatabase } from '../support/database';
import { storeCases, syntheticCase } from '../support/stats';

// Issue #11: a reader who asks overlapping questions and subtracts the answers must not get the
// hidden counts back. Random data sets (fast-check, fixed seed), every question of the attack
// through the real repository and service, then every subtraction the answers allow
// (tests/support/differencing.ts). The figures printed here are the ones in docs/benchmarks.md.

const K = 10;
const DATA_SETS = 4;
const SEED = 20261202;

describe('the differencing attack on published statistics', () => {
  let handle: DatabaseHandle;
  const figures: AttackFigures = noFigures();
  const cipher = createPersonalDataCipher({ current: generateKey() });

  beforeAll(async () => {
    handle = await openTestDatabase();
    const dataSets = fc.sample(fc.array(syntheticCase(), { minLength: 300, maxLength: 700 }), { numRuns: DATA_SETS, seed: SEED });
    for (const items of dataSets) {
      await storeCases(handle.db, items);
      for (const x of ATTACK_DIMENSIONS) {
        const answers = [];
        for (const query of attackQueries(x)) {
          // Parsed as the API parses a query string.
          const request = caseStatsQuerySchema.parse({
            group_by: query.groupBy.join(','), from: query.filters.from, to: query.filters.to, origin_country: query.filters.origin_country.join(','),
          });
          const table = await caseStatistics({ db: handle.db, statsMinCell: K, cipher }, request);
          answers.push({ query, table });
        }
        attack(figures, items, collectSightings(answers, x), x, K - 1);
      }
    }
    process.stdout.write(`differencing attack, k = ${K}, ${DATA_SETS} data sets: ${describeFigures(figures)}\n`);
  }, 300_000);
  afterAll(async () => {
    await handle.close();
  });

  it('attacks enough hidden counts for the figures to mean something', () => {
    expect(figures.hidden).toBeGreaterThan(200);
    expect(figures.reachable / figures.hidden).toBeGreaterThan(0.8);
  });

  it('recovers at most a quarter of the hidden counts exactly', () => {
    expect(figures.recovered / figures.hidden).toBeLessThanOrEqual(0.25);
  });

  it('makes most subtractions come out wrong or impossible, so that no recovered count is certain', () => {
    expect((figures.differences - figures.exact) / figures.differences).toBeGreaterThanOrEqual(0.75);
  });

  it('gives the same cell the same value in every answer it appears in', () => {
    expect(figures.inconsistent).toBe(0);
  });

  it('keeps published counts close to the truth: mean absolute error at most 1.5, counts of 50 or more within 3%', () => {
    const mae = figures.absoluteErrors.reduce((sum, error) => sum + error, 0) / figures.absoluteErrors.length;
    expect(mae).toBeLessThanOrEqual(1.5);
    expect(figures.largeRelativeErrors.length).toBeGreaterThan(100);
    expect(Math.max(...figures.largeRelativeErrors)).toBeLessThanOrEqual(0.03);
  });
});
