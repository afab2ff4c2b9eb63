import type { Kysely } from 'kysely';
import { recordAudit } from '../audit/audit.repository';
import {
  AGE_BANDS, CASE_STATUSES, CATEGORIES, CHANNELS, FORCED_LABOUR_INDICATORS, GENDERS, LANGUAGES, OUTCOMES, SECTORS,
} from '../cases/case.vocabulary';
import { postgresErrorCode } from '../db/errors';
import type { Database } from '../db/schema';
import type { Principal } from '../http/access';
import { errors } from '../http/errors';
import { COUNTRIES, PROVINCES } from '../places/places';
import type { PersonalDataCipher } from '../privacy/personal-data';
import { openerFor, type PersonOpener } from '../privacy/person-keys';
import {
  cellKeyOf, entryKey, MEASURE_KEY_OFFSETS, offsetKey, perturbedCount, perturbedMagnitude, rollUpSmallProvinces, type RollableEntry,
} from './stats.disclosure';
import { addHistograms, histogramMedian, histogramSize } from './stats.histogram';
import { aggregateCases, countCasesByEmployer, type AggregateRow } from './stats.repository';
import type { CaseStatsQuery, Dimension, EmployerStatsQuery, StatsFilters } from './stats.schema';

// Anonymised statistics: the repository's sums, put together into one table per query, rolled up,
// then perturbed and suppressed by their cell keys (stats.disclosure.ts) into the published
// measures. Only codes from the vocabularies, month strings and numbers leave: no free text,
// identifier or exact date.

/** The sums behind one entry; every one of them adds up across entries. */
export interface Aggregate {
  cases: number;
  workers: number;
  resolved: number;
  /** Amount recovered per currency, as decimal strings. */
  amounts: Readonly<Record<string, string>>;
  /** Cases that recovered an amount, per currency. */
  amountCases: Readonly<Record<string, number>>;
  /** Sum of the record keys of those cases, per currency (modulo 2^20). */
  amountKeys: Readonly<Record<string, number>>;
  responseHistogram: number[];
  resolutionHistogram: number[];
  /** Sum of the record keys of the cases (modulo 2^20): the entry's cell key. */
  keySum: number;
}

/** A cell or a marginal total, before it is published. */
export interface TableEntry extends RollableEntry {
  aggregate: Aggregate;
}

/** The measures of a published entry: counts perturbed by the entry's cell key. */
export interface Measures {
  cases: number;
  workersAffected: number;
  /** Null when fewer than k cases had a first response. */
  medianDaysToFirstResponse: number | null;
  /** Null when fewer than k cases were resolved. */
  medianDaysToResolution: number | null;
  /** Cases resolved or closed (perturbed), as a share of the published cases. */
  shareResolved: number;
  /** Per currency, to 2 significant figures; null where the perturbed count of cases behind it is below k. */
  amountsRecovered: Readonly<Record<string, string | null>>;
}

/** `*` stands for "all values": the entry is a total over that dimension. */
export const ALL_VALUES = '*';

/** One row of a published table. */
export interface StatsRow {
  values: Readonly<Partial<Record<Dimension, string | null>>>;
  /** True for a marginal total (some values are `*`). */
  isTotal: boolean;
  suppressed: boolean;
  rolledUp: boolean;
  /** Null when suppressed. */
  measures: Measures | null;
}

/** A published table: its cells, then its marginal totals down to the grand total. */
export interface StatsTable {
  k: number;
  /** Always true: counts are perturbed by cell key, and totals are perturbed on their own. */
  perturbed: true;
  groupBy: readonly Dimension[];
  filters: StatsFilters;
  cells: StatsRow[];
  totals: StatsRow[];
  /** Every currency any row recovered an amount in, sorted. */
  currencies: string[];
}

/** A named employer or agency and its complaints (perturbed like any published count). */
export interface EmployerRow {
  name: string;
  cases: number;
}

/** What the statistics service works with. */
export interface StatsServiceDeps {
  db: Kysely<Database>;
  statsMinCell: number;
  cipher: PersonalDataCipher;
}

/** The filters of a validated query. */
export function filtersOf(query: EmployerStatsQuery): StatsFilters {
  return {
    from: query.from,
    to: query.to,
    origin_country: query.origin_country,
    destination_country: query.destination_country,
    category: query.category,
    sector: query.sector,
  };
}

/** Every subset of the breakdown, each in the breakdown's order: the cells and all their totals. */
export function groupingSets(groupBy: readonly Dimension[]): Dimension[][] {
  return groupBy.reduce<Dimension[][]>((sets, dimension) => [...sets, ...sets.map((set) => [...set, dimension])], [[]]);
}

/** Anonymised case statistics for one query. */
export async function caseStatistics(deps: StatsServiceDeps, query: CaseStatsQuery): Promise<StatsTable> {
  const filters = filtersOf(query);
  const rows = await withinTimeLimit(() => aggregateCases(deps.db, { sets: groupingSets(query.group_by), filters }));
  return publishTable(rows, query.group_by, filters, deps.statsMinCell);
}

/** A query cancelled by its time limit is a 503 to try later, not a 500. */
async function withinTimeLimit<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (postgresErrorCode(error) === QUERY_CANCELED) throw errors.unavailable(60);
    throw error;
  }
}

/** The table's entries before suppression: one per grouping set and values, small provinces rolled up. */
export function tableEntries(rows: readonly AggregateRow[], groupBy: readonly Dimension[], k: number): TableEntry[] {
  return rollUpSmallProvinces(mergeCurrencies(rows, groupBy), k, KNOWN_PROVINCES, mergeEntries);
}

/** From the repository's rows to the published table: merged, rolled up, perturbed, measured. */
export function publishTable(rows: readonly AggregateRow[], groupBy: readonly Dimension[], filters: StatsFilters, k: number): StatsTable {
  const published = sortEntries(tableEntries(rows, groupBy, k), groupBy).map((entry) => toRow(entry, groupBy, k));
  return {
    k,
    perturbed: true,
    groupBy,
    filters,
    cells: published.filter((row) => !row.isTotal),
    totals: published.filter((row) => row.isTotal),
    currencies: [...new Set(published.flatMap((row) => Object.keys(row.measures?.amountsRecovered ?? {})))].sort(),
  };
}

/**
 * Complaints per named employer or agency, only names in at least k cases; reading them is
 * audited. The counts are perturbed like every other published count (the same ptable, keyed by
 * the employer's cases), so that two periods or corridors subtracted do not single a case out.
 */
export async function employerStatistics(
  deps: StatsServiceDeps,
  query: EmployerStatsQuery,
  principal: Principal,
): Promise<{ k: number; filters: StatsFilters; employers: EmployerRow[] }> {
  const filters = filtersOf(query);
  const counts = await withinTimeLimit(() => countCasesByEmployer(deps.db, filters, deps.statsMinCell));
  const opener = await openerFor(deps.db, deps.cipher, counts.map((count) => count.sealedName));
  const employers = counts
    .flatMap((count) => {
      const name = openName(opener, count.sealedName);
      return name === undefined ? [] : [{ name, cases: perturbedCount(count.cases, cellKeyOf(count.keySum), deps.statsMinCell) }];
    })
    .sort((a, b) => b.cases - a.cases || compareText(a.name, b.name));
  await recordAudit(deps.db, {
    actorKind: principal.kind,
    actorUserId: principal.userId,
    action: 'stats.employers_read',
    subjectType: 'statistics',
    details: { employers: employers.length },
  });
  return { k: deps.statsMinCell, filters, employers };
}

/** A name sealed under a key no longer configured (or an erased person's) cannot be shown; it is left out, not guessed. */
function openName(opener: PersonOpener, sealed: string): string | undefined {
  try {
    return opener.openOrErased(sealed)?.trim() || undefined;
  } catch {
    return undefined;
  }
}

// --- from rows to entries -----------------------------------------------------------------------

/** SQLSTATE of a statement cancelled by statement_timeout. */
const QUERY_CANCELED = '57014';

const KNOWN_PROVINCES: ReadonlySet<string> = new Set(PROVINCES.map((province) => province.code));

/** Sums two aggregates, every measure. */
export function addAggregates(a: Aggregate, b: Aggregate): Aggregate {
  const amounts: Record<string, string> = { ...a.amounts };
  for (const [currency, amount] of Object.entries(b.amounts)) {
    amounts[currency] = addDecimals(amounts[currency] ?? '0', amount);
  }
  const amountCases: Record<string, number> = { ...a.amountCases };
  for (const [currency, cases] of Object.entries(b.amountCases)) amountCases[currency] = (amountCases[currency] ?? 0) + cases;
  const amountKeys: Record<string, number> = { ...a.amountKeys };
  for (const [currency, keys] of Object.entries(b.amountKeys)) amountKeys[currency] = cellKeyOf((amountKeys[currency] ?? 0) + keys);
  return {
    cases: a.cases + b.cases,
    workers: a.workers + b.workers,
    resolved: a.resolved + b.resolved,
    amounts,
    amountCases,
    amountKeys,
    responseHistogram: addHistograms(a.responseHistogram, b.responseHistogram),
    resolutionHistogram: addHistograms(a.resolutionHistogram, b.resolutionHistogram),
    keySum: cellKeyOf(a.keySum + b.keySum),
  };
}

function mergeEntries(a: TableEntry, b: TableEntry): TableEntry {
  const aggregate = addAggregates(a.aggregate, b.aggregate);
  return { ...a, aggregate, count: aggregate.cases };
}

function aggregateOf(row: AggregateRow): Aggregate {
  return {
    cases: row.cases,
    workers: row.workers,
    resolved: row.resolved,
    amounts: row.currency === null ? {} : { [row.currency]: row.amount },
    amountCases: row.currency === null ? {} : { [row.currency]: row.cases },
    amountKeys: row.currency === null ? {} : { [row.currency]: row.keySum },
    responseHistogram: row.responseHistogram,
    resolutionHistogram: row.resolutionHistogram,
    keySum: row.keySum,
  };
}

/** One entry per grouping set and values: the repository splits each by currency. */
function mergeCurrencies(rows: readonly AggregateRow[], groupBy: readonly Dimension[]): TableEntry[] {
  const entries = new Map<string, TableEntry>();
  for (const row of rows) {
    const by = groupBy.filter((dimension) => row.set.includes(dimension));
    const key = entryKey(by, row.values);
    const earlier = entries.get(key);
    const aggregate = earlier ? addAggregates(earlier.aggregate, aggregateOf(row)) : aggregateOf(row);
    entries.set(key, { by, values: row.values, count: aggregate.cases, suppressed: false, rolledUp: false, aggregate });
  }
  return [...entries.values()];
}

// --- decimals -----------------------------------------------------------------------------------

/** A decimal string with at most two decimals, in hundredths. */
function toHundredths(decimal: string): bigint {
  const negative = decimal.trim().startsWith('-');
  const [whole = '0', fraction = ''] = decimal.trim().replace(/^[-+]/, '').split('.');
  const hundredths = BigInt(whole || '0') * 100n + BigInt((fraction + '00').slice(0, 2));
  return negative ? -hundredths : hundredths;
}

function fromHundredths(value: bigint): string {
  const sign = value < 0n ? '-' : '';
  const absolute = value < 0n ? -value : value;
  return `${sign}${absolute / 100n}.${(absolute % 100n).toString().padStart(2, '0')}`;
}

/** Adds two decimal amounts exactly (amounts are numeric(14,2) in the database). */
export function addDecimals(a: string, b: string): string {
  return fromHundredths(toHundredths(a) + toHundredths(b));
}

/** A decimal amount rounded to `figures` significant figures (half away from zero), two decimals kept. */
export function roundToSignificant(decimal: string, figures: number): string {
  const hundredths = toHundredths(decimal);
  const absolute = hundredths < 0n ? -hundredths : hundredths;
  const digits = absolute.toString().length;
  if (digits <= figures) return fromHundredths(hundredths);
  const unit = 10n ** BigInt(digits - figures);
  const rounded = ((absolute + unit / 2n) / unit) * unit;
  return fromHundredths(hundredths < 0n ? -rounded : rounded);
}

// --- publishing ---------------------------------------------------------------------------------

const ORDERS: Partial<Record<Dimension, readonly string[]>> = {
  category: CATEGORIES,
  forced_labour_indicator: FORCED_LABOUR_INDICATORS,
  sector: SECTORS,
  origin_country: COUNTRIES,
  destination_country: COUNTRIES,
  destination_province: [...PROVINCES.map((province) => province.code), ...COUNTRIES],
  channel: CHANNELS,
  language: LANGUAGES,
  gender: GENDERS,
  age_band: AGE_BANDS,
  status: CASE_STATUSES,
  outcome: OUTCOMES,
};

/** Code-point order, the same on every machine (never the locale's collation). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Order of two values of one dimension: vocabulary order, then unknown values, then null. */
export function compareValues(dimension: Dimension, a: string | null | undefined, b: string | null | undefined): number {
  const rank = (value: string | null | undefined): number => {
    if (value === null || value === undefined) return Number.MAX_SAFE_INTEGER;
    const position = ORDERS[dimension]?.indexOf(value) ?? -1;
    return position >= 0 ? position : Number.MAX_SAFE_INTEGER - 1;
  };
  return rank(a) - rank(b) || compareText(a ?? '', b ?? '');
}

/** Cells first, then totals from the most to the least detailed; within each, by value. */
function sortEntries<E extends TableEntry>(entries: readonly E[], groupBy: readonly Dimension[]): E[] {
  const setRank = (entry: E) => groupBy.reduce((rank, dimension, index) => rank + (entry.by.includes(dimension) ? 0 : 2 ** (groupBy.length - 1 - index)), 0);
  return [...entries].sort((a, b) => {
    const bySize = b.by.length - a.by.length || setRank(a) - setRank(b);
    if (bySize !== 0) return bySize;
    for (const dimension of a.by) {
      const order = compareValues(dimension, a.values[dimension], b.values[dimension]);
      if (order !== 0) return order;
    }
    return 0;
  });
}

function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

/** A median over fewer than k durations would say too much about single cases. */
function publishedMedian(histogram: readonly number[], k: number): number | null {
  if (histogramSize(histogram) < k) return null;
  const median = histogramMedian(histogram);
  return median === null ? null : round(median, 1);
}

/** Significant figures of a published amount: a sum of money can single a case out as a count can. */
const AMOUNT_FIGURES = 2;

/** An amount is published where the perturbed count of cases that recovered one is at least k. */
function publishedAmount(aggregate: Aggregate, currency: string, amount: string, k: number): string | null {
  const cases = perturbedCount(aggregate.amountCases[currency] ?? 0, cellKeyOf(aggregate.amountKeys[currency] ?? 0), k);
  return cases >= k ? roundToSignificant(amount, AMOUNT_FIGURES) : null;
}

/**
 * The published measures of an aggregate whose perturbed count of cases is `cases` (at least k):
 * the other counts perturbed by the same cell key turned by a fixed offset, amounts rounded.
 */
export function measuresOf(aggregate: Aggregate, k: number, cases: number): Measures {
  const cellKey = cellKeyOf(aggregate.keySum);
  const resolved = perturbedMagnitude(aggregate.resolved, offsetKey(cellKey, MEASURE_KEY_OFFSETS.resolved));
  return {
    cases,
    workersAffected: perturbedMagnitude(aggregate.workers, offsetKey(cellKey, MEASURE_KEY_OFFSETS.workers)),
    medianDaysToFirstResponse: publishedMedian(aggregate.responseHistogram, k),
    medianDaysToResolution: publishedMedian(aggregate.resolutionHistogram, k),
    shareResolved: cases === 0 ? 0 : round(Math.min(1, Math.max(0, resolved / cases)), 3),
    amountsRecovered: Object.fromEntries(
      Object.entries(aggregate.amounts)
        .sort(([a], [b]) => compareText(a, b))
        .map(([currency, amount]) => [currency, publishedAmount(aggregate, currency, amount, k)]),
    ),
  };
}

function toRow(entry: TableEntry, groupBy: readonly Dimension[], k: number): StatsRow {
  const values: Partial<Record<Dimension, string | null>> = {};
  for (const dimension of groupBy) {
    values[dimension] = entry.by.includes(dimension) ? (entry.values[dimension] ?? null) : ALL_VALUES;
  }
  const cases = perturbedCount(entry.count, cellKeyOf(entry.aggregate.keySum), k);
  const suppressed = entry.suppressed || cases === 0;
  return {
    values,
    isTotal: entry.by.length < groupBy.length,
    suppressed,
    rolledUp: entry.rolledUp,
    measures: suppressed ? null : measuresOf(entry.aggregate, k, cases),
  };
}
