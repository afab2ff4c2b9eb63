import { type Kysely, type RawBuilder, sql, type Transaction } from 'kysely';
import type { Database } from '../db/schema';
import { CELL_KEY_RANGE } from './stats.disclosure';
import { DURATION_BUCKETS, DURATION_EDGES_DAYS } from './stats.histogram';
import { MULTI_VALUED_DIMENSIONS, type Dimension, type StatsFilters } from './stats.schema';

// Every statistics query. The grouping sets (the breakdown the caller asked for and each of its
// marginal totals) that need the same unnesting of categories or indicators form one query, all
// split by the currency of any amount recovered (the service adds the currencies up). Sums are
// cast to float8 so that they arrive as numbers.
//
// Two sources answer the same question with the same numbers: `cases` itself (any breakdown), and
// the rollup `stats_case_month` (kept by triggers; month, category, corridor and sector), which is
// two orders of magnitude smaller. Durations are bucketed the same way in both.
//
// Each group also carries the sum of its cases' record keys modulo 2^20 (exact: integers summed
// as numeric), from which the service takes the cell key that perturbs the group's counts. A case
// is in a group exactly when it is counted in it, so the key always matches the count it perturbs.

/** What to count: each grouping set is a list of dimensions (the empty one is the grand total). */
export interface AggregatePlan {
  sets: readonly (readonly Dimension[])[];
  filters: StatsFilters;
}

/** The sums of one grouping set's group, for one currency (null: nothing recovered). */
export interface AggregateRow {
  set: readonly Dimension[];
  values: Partial<Record<Dimension, string | null>>;
  currency: string | null;
  cases: number;
  workers: number;
  resolved: number;
  /** Sum of the amounts recovered in `currency`, a decimal string. */
  amount: string;
  responseHistogram: number[];
  resolutionHistogram: number[];
  /** Sum of the record keys of the cases counted, modulo 2^20. */
  keySum: number;
}

/** Where the sums come from: the cases themselves, or the rollup kept beside them. */
export type AggregateSource = 'cases' | 'rollup';

/** Breakdowns the rollup holds. */
const ROLLUP_DIMENSIONS: readonly Dimension[] = ['month', 'quarter', 'year', 'category', 'origin_country', 'destination_country', 'sector'];

/**
 * True when the rollup can answer the plan. Filtering on several categories needs the cases
 * themselves: a case with two of them must count once in a total, and the rollup cannot tell.
 */
export function rollupCovers(plan: AggregatePlan): boolean {
  return plan.sets.every((set) => set.every((dimension) => ROLLUP_DIMENSIONS.includes(dimension))) && plan.filters.category.length <= 1;
}

/** Sums per grouping set, from the rollup when it covers the plan (or as `source` says). */
export async function aggregateCases(db: Kysely<Database>, plan: AggregatePlan, source?: AggregateSource): Promise<AggregateRow[]> {
  const from = source ?? (rollupCovers(plan) ? 'rollup' : 'cases');
  if (from === 'rollup' && !rollupCovers(plan)) throw new Error('the statistics rollup does not hold this breakdown');
  const families = groupFamilies(plan.sets, from === 'rollup' ? ['category'] : MULTI_VALUED_DIMENSIONS);
  return inOneSnapshot(db, async (trx) => {
    const rows: AggregateRow[] = [];
    for (const sets of families) {
      const { rows: found } = await (from === 'rollup' ? rollupQuery(sets, plan.filters) : casesQuery(sets, plan.filters)).execute(trx);
      rows.push(...found.map((row) => toAggregateRow(row, dimensionsOf(sets))));
    }
    return rows;
  });
}

/** How long one statistics query may run: a breakdown the rollup does not hold reads every case. */
export const STATS_STATEMENT_TIMEOUT_MS = 30_000;

/**
 * Runs a table's queries in one read-only snapshot, so that its cells and its totals count the
 * same cases (a case stored between two queries would otherwise show as a difference), without JIT
 * compilation (which costs seconds on these wide aggregates and saves nothing), and with a time limit.
 */
async function inOneSnapshot<T>(db: Kysely<Database>, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
      await sql`set local jit = off`.execute(trx);
      await sql.raw(`set local statement_timeout = ${STATS_STATEMENT_TIMEOUT_MS}`).execute(trx);
      return work(trx);
    });
}

/** Grouping sets that need the same unnesting of multi-valued columns go in one query. */
function groupFamilies(sets: AggregatePlan['sets'], unnested: readonly Dimension[]): (readonly Dimension[])[][] {
  const families = new Map<string, (readonly Dimension[])[]>();
  for (const set of sets) {
    const key = unnested.filter((dimension) => set.includes(dimension)).join(',');
    families.set(key, [...(families.get(key) ?? []), set]);
  }
  return [...families.keys()].sort().map((key) => families.get(key) ?? []);
}

/** The dimensions any set of a family uses, in a fixed order (the order `grouping()` reports). */
function dimensionsOf(sets: readonly (readonly Dimension[])[]): Dimension[] {
  const used = new Set(sets.flat());
  return [...used].sort();
}

// --- shared pieces -------------------------------------------------------------------------------

/** A row as SQL returns it: `d_<dimension>` for each dimension of its query. */
type RawAggregateRow = Record<string, unknown> & {
  grouping_id: number;
  currency: string | null;
  cases: number;
  workers: number;
  resolved: number;
  amount: string;
  response_histogram: number[];
  resolution_histogram: number[];
  key_sum: number;
};

const ALIAS = (dimension: Dimension) => `d_${dimension}`;

function selectDimensions(dimensions: readonly Dimension[], expression: (dimension: Dimension) => string) {
  return sql.raw(dimensions.map((dimension) => `${expression(dimension)} as ${ALIAS(dimension)}, `).join(''));
}

/** `grouping()` sets a bit for each argument a row is NOT grouped by; the last argument is bit 0. */
function groupingId(dimensions: readonly Dimension[], expression: (dimension: Dimension) => string) {
  return sql.raw(dimensions.length === 0 ? '0' : `grouping(${dimensions.map(expression).join(', ')})`);
}

function groupingSets(sets: readonly (readonly Dimension[])[], expression: (dimension: Dimension) => string, currency: string) {
  return sql.raw(sets.map((set) => `(${[...set.map(expression), currency].join(', ')})`).join(', '));
}

function histogramOf(bucket: (index: number) => string) {
  return sql.raw(`array[${Array.from({ length: DURATION_BUCKETS }, (_, index) => bucket(index + 1)).join(', ')}]::float8[]`);
}

/** First instant of a `YYYY-MM` month, UTC. */
function monthStart(month: string): string {
  return `${month}-01T00:00:00Z`;
}

/** First instant after a `YYYY-MM` month, UTC. */
function monthAfter(month: string): string {
  const [year = 0, number = 1] = month.split('-').map(Number);
  const next = new Date(Date.UTC(year, number, 1));
  return next.toISOString();
}

function listFilter(column: string, values: readonly string[]) {
  return values.length === 0 ? sql`true` : sql`${sql.raw(column)} = any(${[...values]}::text[])`;
}

function corridorFilters(alias: string, filters: StatsFilters) {
  return sql.join([
    listFilter(`${alias}.origin_country`, filters.origin_country),
    listFilter(`${alias}.destination_country`, filters.destination_country),
    listFilter(`${alias}.sector`, filters.sector),
  ], sql` and `);
}

function toAggregateRow(row: RawAggregateRow, dimensions: readonly Dimension[]): AggregateRow {
  const grouped = dimensions.filter((_, index) => (row.grouping_id & (1 << (dimensions.length - 1 - index))) === 0);
  const values: Partial<Record<Dimension, string | null>> = {};
  for (const dimension of grouped) {
    const value = row[ALIAS(dimension)];
    values[dimension] = typeof value === 'string' ? value : null;
  }
  return {
    set: grouped,
    values,
    currency: row.currency,
    cases: Number(row.cases),
    workers: Number(row.workers),
    resolved: Number(row.resolved),
    amount: row.amount,
    responseHistogram: row.response_histogram.map(Number),
    resolutionHistogram: row.resolution_histogram.map(Number),
    keySum: Number(row.key_sum),
  };
}

/**
 * The grouping sets over a query's finest groups: `finest` sums every measure per value of each
 * dimension of the family (and currency); this adds those sums up into each grouping set. Every
 * measure is a sum, so two steps give what one would, and the grouping sets (sorts, for the most
 * part) run over a few thousand groups instead of every case.
 */
function groupingSetsOver(finest: RawBuilder<unknown>, sets: readonly (readonly Dimension[])[]) {
  const dimensions = dimensionsOf(sets);
  const column = (dimension: Dimension) => `g.${ALIAS(dimension)}`;
  return sql<RawAggregateRow>`
    select ${selectDimensions(dimensions, column)} g.currency,
      ${groupingId(dimensions, column)} as grouping_id,
      sum(g.cases)::float8 as cases,
      sum(g.workers)::float8 as workers,
      sum(g.resolved)::float8 as resolved,
      sum(g.amount)::numeric(20, 2)::text as amount,
      ${histogramOf((index) => `sum(g.response_histogram[${index}])`)} as response_histogram,
      ${histogramOf((index) => `sum(g.resolution_histogram[${index}])`)} as resolution_histogram,
      (sum(g.key_sum) % ${sql.raw(String(CELL_KEY_RANGE))})::float8 as key_sum
    from (${finest}) as g
    group by grouping sets (${groupingSets(sets, column, 'g.currency')})`;
}

function histogramArray(bucket: (index: number) => string) {
  return sql.raw(`array[${Array.from({ length: DURATION_BUCKETS }, (_, index) => bucket(index + 1)).join(', ')}]`);
}

// --- the query over `cases` ---------------------------------------------------------------------

const EDGES = `array[${DURATION_EDGES_DAYS.map((edge) => edge.toString()).join(', ')}]::float8[]`;

const CASE_COLUMNS: Partial<Record<Dimension, string>> = {
  sector: 'c.sector',
  origin_country: 'c.origin_country',
  destination_country: 'c.destination_country',
  destination_province: 'c.destination_province',
  channel: 'c.channel',
  language: 'c.language',
  gender: 'c.gender',
  age_band: 'c.age_band',
  status: 'c.status',
  outcome: 'c.outcome',
  category: 'category.value',
  forced_labour_indicator: 'indicator.value',
};

/** Calendar months in UTC, so that an answer does not depend on the server's time zone. */
const TIME_FORMATS: Partial<Record<Dimension, string>> = { month: 'YYYY-MM', quarter: 'YYYY-"Q"Q', year: 'YYYY' };

function caseExpression(dimension: Dimension): string {
  const format = TIME_FORMATS[dimension];
  if (format) return `to_char(c.created_at at time zone 'UTC', '${format}')`;
  return CASE_COLUMNS[dimension] ?? 'null';
}

function bucketOf(later: 'first_response_at' | 'resolved_at'): string {
  return `case when c.${later} is not null
    then greatest(1, width_bucket((extract(epoch from (c.${later} - c.created_at)) / 86400)::float8, ${EDGES})) end`;
}

/** A case with no category (or indicator) counts once, under "not recorded" (null). */
function unnestOf(column: string, alias: string) {
  return sql.raw(`cross join lateral unnest(case when cardinality(c.${column}) = 0 then array[null::text] else c.${column} end) as ${alias}(value)`);
}

function caseConditions(filters: StatsFilters) {
  return sql.join([
    filters.from ? sql`c.created_at >= ${monthStart(filters.from)}::timestamptz` : sql`true`,
    filters.to ? sql`c.created_at < ${monthAfter(filters.to)}::timestamptz` : sql`true`,
    corridorFilters('c', filters),
    filters.category.length === 0 ? sql`true` : sql`c.categories && ${[...filters.category]}::text[]`,
  ], sql` and `);
}

function casesQuery(sets: readonly (readonly Dimension[])[], filters: StatsFilters) {
  const dimensions = dimensionsOf(sets);
  const byCategory = dimensions.includes('category');
  const finest = sql`
    select ${selectDimensions(dimensions, caseExpression)} c.recovered_currency as currency,
      count(*) as cases,
      sum(c.workers_affected) as workers,
      count(*) filter (where c.status in ('resolved', 'closed')) as resolved,
      coalesce(sum(c.amount_recovered), 0) as amount,
      ${histogramArray((index) => `count(*) filter (where c.response_bucket = ${index})`)} as response_histogram,
      ${histogramArray((index) => `count(*) filter (where c.resolution_bucket = ${index})`)} as resolution_histogram,
      sum(c.record_key) as key_sum
    from (
      select c.created_at, c.categories, c.forced_labour_indicators, c.sector, c.origin_country,
        c.destination_country, c.destination_province, c.channel, c.language, c.gender, c.age_band, c.status,
        c.outcome, c.workers_affected, c.amount_recovered, c.recovered_currency, c.record_key,
        ${sql.raw(bucketOf('first_response_at'))} as response_bucket,
        ${sql.raw(bucketOf('resolved_at'))} as resolution_bucket
      from cases c
      where ${caseConditions(filters)}
      offset 0 -- keeps the planner from inlining the buckets into each of the counts below
    ) as c
    ${byCategory ? unnestOf('categories', 'category') : sql``}
    ${dimensions.includes('forced_labour_indicator') ? unnestOf('forced_labour_indicators', 'indicator') : sql``}
    where ${byCategory && filters.category.length > 0 ? sql`category.value = any(${[...filters.category]}::text[])` : sql`true`}
    group by ${sql.raw([...dimensions.map(caseExpression), 'c.recovered_currency'].join(', '))}`;
  return groupingSetsOver(finest, sets);
}

// --- the query over the rollup ------------------------------------------------------------------

function rollupExpression(dimension: Dimension): string {
  const format = TIME_FORMATS[dimension];
  if (format) return `to_char(r.month, '${format}')`;
  return `nullif(r.${dimension}, '')`;
}

/** Each case is in the '*' rows once and in one row per category: a family reads one or the other. */
function categoryRows(byCategory: boolean, filters: StatsFilters) {
  const [only] = filters.category;
  if (only !== undefined) return sql`r.category = ${only}`;
  return byCategory ? sql`r.category <> '*'` : sql`r.category = '*'`;
}

function rollupQuery(sets: readonly (readonly Dimension[])[], filters: StatsFilters) {
  const dimensions = dimensionsOf(sets);
  // Grouped by the stored columns (month rather than its text), which hash faster; the text
  // forms are taken once per group.
  const stored = dimensions.map((dimension) => (TIME_FORMATS[dimension] ? 'r.month' : `r.${dimension}`));
  const finest = sql`
    select ${selectDimensions(dimensions, rollupExpression)} nullif(r.currency, '') as currency,
      sum(r.cases) as cases,
      sum(r.workers) as workers,
      sum(r.resolved) as resolved,
      sum(r.amount) as amount,
      ${histogramArray((index) => `sum(r.response_histogram[${index}])`)} as response_histogram,
      ${histogramArray((index) => `sum(r.resolution_histogram[${index}])`)} as resolution_histogram,
      sum(r.key_sum) as key_sum
    from stats_case_month r
    where ${filters.from ? sql`r.month >= ${`${filters.from}-01`}::date` : sql`true`}
      and ${filters.to ? sql`r.month < ${monthAfter(filters.to).slice(0, 10)}::date` : sql`true`}
      and ${corridorFilters('r', filters)}
      and ${categoryRows(dimensions.includes('category'), filters)}
    group by ${sql.raw([...new Set([...stored, 'r.currency'])].join(', '))}
    having sum(r.cases) > 0`;
  return groupingSetsOver(finest, sets);
}

// --- employers ----------------------------------------------------------------------------------

/** An employer or agency named in at least `minimum` cases: its sealed name, from one of them. */
export interface EmployerCount {
  sealedName: string;
  cases: number;
  /** Sum of the record keys of its cases, modulo 2^20. */
  keySum: number;
}

/** Cases per employer key, only keys with at least `minimum` cases, most cases first. */
export async function countCasesByEmployer(db: Kysely<Database>, filters: StatsFilters, minimum: number): Promise<EmployerCount[]> {
  const { rows } = await inOneSnapshot(db, (trx) =>
    sql<{ sealed_name: string; cases: number; key_sum: number }>`
      select min(c.employer_encrypted) as sealed_name, count(*)::float8 as cases,
        (sum(c.record_key) % ${sql.raw(String(CELL_KEY_RANGE))})::float8 as key_sum
      from cases c
      where c.employer_key is not null and c.employer_encrypted is not null and ${caseConditions(filters)}
      group by c.employer_key
      having count(*) >= ${minimum}
      order by count(*) desc, c.employer_key`.execute(trx),
  );
  return rows.map((row) => ({ sealedName: row.sealed_name, cases: Number(row.cases), keySum: Number(row.key_sum) }));
}

