import fc from 'fast-check';
import type { Kysely } from 'kysely';
import { REFERENCE_ALPHABET } from '../../src/cases/case-reference';
import type { Database, NewCase } from '../../src/db/schema';
import { CELL_KEY_RANGE } from '../../src/stats/stats.disclosure';

// Synthetic cases for the statistics tests: drawn by fast-check from small vocabularies, so that
// random tables have both small and large cells, and stored straight into `cases`.

/** A case as the statistics see it; everything else is left empty. */
export interface SyntheticCase {
  createdAt: Date;
  categories: string[];
  indicators: string[];
  sector: string | null;
  origin: string | null;
  destination: string | null;
  province: string | null;
  channel: string;
  status: string;
  outcome: string | null;
  workers: number;
  recovered: { amount: string; currency: string } | null;
  /** Hours from creation to the first response, if any. */
  responseHours: number | null;
  /** Days from creation to resolution, if resolved. */
  resolutionDays: number | null;
  /** The statistics record key, in [0, 2^20): drawn here so that a seed gives the same answers. */
  recordKey: number;
}

const HOUR = 3_600_000;

/** Months the synthetic cases fall in: 2025-11 to 2026-04, UTC. */
export const SYNTHETIC_MONTHS = ['2025-11', '2025-12', '2026-01', '2026-02', '2026-03', '2026-04'];

const PROVINCES_OF: Record<string, string[]> = { TH: ['TH-10', 'TH-63', 'TH-74'], MY: ['MY-14', 'MY-10'] };

function placeOf(): fc.Arbitrary<Pick<SyntheticCase, 'origin' | 'destination' | 'province'>> {
  return fc
    .record({
      origin: fc.constantFrom('MM', 'MM', 'KH', 'LA', null),
      destination: fc.constantFrom('TH', 'TH', 'MY', null),
      pick: fc.nat(10),
      unknown: fc.boolean(),
    })
    .map(({ origin, destination, pick, unknown }) => {
      const provinces = destination ? (PROVINCES_OF[destination] ?? []) : [];
      const province = provinces.length === 0 || pick === 10 ? null : unknown && pick === 0 ? 'Somewhere near the river' : (provinces[pick % provinces.length] ?? null);
      return { origin, destination, province };
    });
}

/** One synthetic case. */
export function syntheticCase(): fc.Arbitrary<SyntheticCase> {
  return fc
    .record({
      month: fc.integer({ min: 0, max: SYNTHETIC_MONTHS.length - 1 }),
      day: fc.integer({ min: 0, max: 27 }),
      hour: fc.integer({ min: 0, max: 23 }),
      categories: fc.uniqueArray(fc.constantFrom('wages', 'documents', 'recruitment', 'injury'), { maxLength: 3 }),
      indicators: fc.uniqueArray(fc.constantFrom('deception', 'withholding_of_wages', 'debt_bondage'), { maxLength: 2 }),
      sector: fc.constantFrom('fishing', 'construction', 'domestic_work', null),
      place: placeOf(),
      channel: fc.constantFrom('sms', 'whatsapp', 'web'),
      status: fc.constantFrom('new', 'open', 'resolved', 'closed'),
      outcome: fc.constantFrom('wages_recovered', 'advice_given', null),
      workers: fc.oneof(fc.constant(1), fc.integer({ min: 2, max: 40 })),
      amount: fc.option(fc.record({ cents: fc.integer({ min: 0, max: 5_000_000 }), currency: fc.constantFrom('THB', 'MYR') }), { nil: null }),
      responseHours: fc.option(fc.double({ min: 0, max: 24 * 400, noNaN: true }), { nil: null }),
      resolutionDays: fc.option(fc.double({ min: 0.5, max: 400, noNaN: true }), { nil: null }),
      recordKey: fc.integer({ min: 0, max: CELL_KEY_RANGE - 1 }),
    })
    .map((drawn) => {
      const [year = '2026', month = '01'] = (SYNTHETIC_MONTHS[drawn.month] ?? '2026-01').split('-');
      return {
        createdAt: new Date(Date.UTC(Number(year), Number(month) - 1, drawn.day + 1, drawn.hour)),
        categories: drawn.categories,
        indicators: drawn.indicators,
        sector: drawn.sector,
        ...drawn.place,
        channel: drawn.channel,
        status: drawn.status,
        outcome: drawn.outcome,
        workers: drawn.workers,
        recovered: drawn.amount ? { amount: (drawn.amount.cents / 100).toFixed(2), currency: drawn.amount.currency } : null,
        responseHours: drawn.responseHours,
        resolutionDays: drawn.resolutionDays,
        recordKey: drawn.recordKey,
      };
    });
}

/** A data set: mostly tens of cases, so that tables have small and large cells side by side. */
export function syntheticCases(maxLength = 120): fc.Arbitrary<SyntheticCase[]> {
  return fc.array(syntheticCase(), { minLength: 0, maxLength, size: 'max' });
}

let serial = 0;

/** A unique, valid reference for the n-th case stored by this process. */
export function nextReference(): string {
  serial += 1;
  const digits: string[] = [];
  let rest = serial;
  for (let index = 0; index < 6; index += 1) {
    digits.push(REFERENCE_ALPHABET[rest % REFERENCE_ALPHABET.length] ?? '2');
    rest = Math.floor(rest / REFERENCE_ALPHABET.length);
  }
  return `${digits.slice(0, 3).join('')}-${digits.slice(3).join('')}`;
}

/** The row `cases` would hold for a synthetic case. */
export function caseRow(item: SyntheticCase, extra: Partial<NewCase> = {}): NewCase {
  const created = item.createdAt.getTime();
  return {
    reference: nextReference(),
    channel: item.channel,
    language: 'my',
    status: item.status,
    categories: item.categories,
    forced_labour_indicators: item.indicators,
    sector: item.sector,
    origin_country: item.origin,
    destination_country: item.destination,
    destination_province: item.province,
    workers_affected: item.workers,
    outcome: item.outcome,
    amount_recovered: item.recovered?.amount ?? null,
    recovered_currency: item.recovered?.currency ?? null,
    first_response_at: item.responseHours === null ? null : new Date(created + item.responseHours * HOUR),
    resolved_at: item.resolutionDays === null ? null : new Date(created + item.resolutionDays * 24 * HOUR),
    created_at: item.createdAt,
    record_key: item.recordKey,
    ...extra,
  };
}

/** Replaces every case with these (the rollup follows through its triggers). */
export async function storeCases(db: Kysely<Database>, items: readonly SyntheticCase[]): Promise<void> {
  await db.deleteFrom('cases').execute();
  if (items.length > 0) await db.insertInto('cases').values(items.map((item) => caseRow(item))).execute();
}
