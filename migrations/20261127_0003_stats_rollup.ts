import { type Kysely, sql } from 'kysely';

// Statistics rollup: the cases, counted by month, category, corridor, sector and the currency of
// any amount recovered. Every measure is a sum (durations are kept as histograms), so rows can be
// added and subtracted: statement triggers on `cases` add each statement's rows and take away what
// they replace, in one set-based upsert per statement (cheap for one case, fast for a bulk load).
//
// Frozen once landed: the histogram edges are written out here; src/stats/stats.histogram.ts holds
// the same list for the queries that read `cases` directly, and a test checks both give one answer.

/** Lower edges of the duration buckets, in days; the last bucket is open (a year or more). */
export const EDGES_DAYS = [
  0, 1 / 24, 2 / 24, 4 / 24, 8 / 24, 12 / 24, 1, 1.5, 2, 3, 5, 7, 10, 14, 21, 30, 45, 60, 90, 120, 180, 365,
];
const BUCKETS = EDGES_DAYS.length;
const KEY = ['month', 'category', 'origin_country', 'destination_country', 'sector', 'currency'] as const;
/** The columns whose change moves a case between rollup rows or changes its measures. */
const TRACKED = [
  'created_at', 'categories', 'origin_country', 'destination_country', 'sector', 'recovered_currency',
  'amount_recovered', 'workers_affected', 'status', 'first_response_at', 'resolved_at',
];

const edges = `array[${EDGES_DAYS.map((edge) => edge.toString()).join(', ')}]::float8[]`;

function bucket(later: string): string {
  return `greatest(1, width_bucket((extract(epoch from (x.${later} - x.created_at)) / 86400)::float8, ${edges}))`;
}

function histogram(column: string): string {
  const counts = Array.from({ length: BUCKETS }, (_, index) => `coalesce(sum(g.sign) filter (where g.${column} = ${index + 1}), 0)`);
  return `array[${counts.join(', ')}]::integer[]`;
}

function addArrays(column: string): string {
  return `(select array_agg(a + b order by i) from unnest(r.${column}, excluded.${column}) with ordinality as u(a, b, i))`;
}

/**
 * The upsert that adds `contributions` (rows shaped like `cases` with a `sign` of +1 or -1) to the
 * rollup. Each case counts once in the '*' row and once per category ('' when it has none). Rows
 * are written in key order, so concurrent statements lock rollup rows in the same order.
 */
function upsert(contributions: string): string {
  return `
    insert into stats_case_month as r (${KEY.join(', ')}, cases, workers, resolved, amount, response_histogram, resolution_histogram)
    select ${KEY.map((column) => `g.${column}`).join(', ')},
      sum(g.sign)::integer, sum(g.sign * g.workers_affected)::bigint,
      coalesce(sum(g.sign) filter (where g.status in ('resolved', 'closed')), 0)::integer,
      coalesce(sum(g.sign * g.amount_recovered), 0),
      ${histogram('response_bucket')}, ${histogram('resolution_bucket')}
    from (
      select x.sign, date_trunc('month', x.created_at at time zone 'UTC')::date as month, category,
        coalesce(x.origin_country, '') as origin_country, coalesce(x.destination_country, '') as destination_country,
        coalesce(x.sector, '') as sector, coalesce(x.recovered_currency, '') as currency,
        x.workers_affected, x.status, x.amount_recovered,
        case when x.first_response_at is not null then ${bucket('first_response_at')} end as response_bucket,
        case when x.resolved_at is not null then ${bucket('resolved_at')} end as resolution_bucket
      from (${contributions}) as x
      cross join lateral unnest(
        case when cardinality(x.categories) = 0 then array['', '*'] else x.categories || '*'::text end
      ) as category
    ) as g
    group by ${KEY.map((column) => `g.${column}`).join(', ')}
    order by ${KEY.map((column) => `g.${column}`).join(', ')}
    on conflict (${KEY.join(', ')}) do update set
      cases = r.cases + excluded.cases,
      workers = r.workers + excluded.workers,
      resolved = r.resolved + excluded.resolved,
      amount = r.amount + excluded.amount,
      response_histogram = ${addArrays('response_histogram')},
      resolution_histogram = ${addArrays('resolution_histogram')}`;
}

const changed = TRACKED.map((column) => `o.${column}`).join(', ');
const changedNew = TRACKED.map((column) => `n.${column}`).join(', ');

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('stats_case_month')
    .addColumn('month', 'date', (col) => col.notNull())
    .addColumn('category', 'text', (col) => col.notNull())
    .addColumn('origin_country', 'text', (col) => col.notNull())
    .addColumn('destination_country', 'text', (col) => col.notNull())
    .addColumn('sector', 'text', (col) => col.notNull())
    .addColumn('currency', 'text', (col) => col.notNull())
    .addColumn('cases', 'integer', (col) => col.notNull())
    .addColumn('workers', 'bigint', (col) => col.notNull())
    .addColumn('resolved', 'integer', (col) => col.notNull())
    .addColumn('amount', 'numeric(16, 2)', (col) => col.notNull())
    .addColumn('response_histogram', sql`integer[]`, (col) => col.notNull())
    .addColumn('resolution_histogram', sql`integer[]`, (col) => col.notNull())
    .addPrimaryKeyConstraint('stats_case_month_pkey', [...KEY])
    .execute();
  await sql`comment on table stats_case_month is 'statistics rollup of cases, kept by triggers on cases; no personal data'`.execute(db);

  await sql
    .raw(
      `create function stats_case_month_apply() returns trigger language plpgsql as $$
      begin
        if tg_op = 'INSERT' then
          ${upsert('select 1 as sign, n.* from new_rows n')};
        elsif tg_op = 'DELETE' then
          ${upsert('select -1 as sign, o.* from old_rows o')};
        else
          ${upsert(`select 1 as sign, n.* from new_rows n join old_rows o using (id) where (${changed}) is distinct from (${changedNew})
            union all
            select -1 as sign, o.* from old_rows o join new_rows n using (id) where (${changed}) is distinct from (${changedNew})`)};
        end if;
        return null;
      end;
      $$`,
    )
    .execute(db);
  await sql`create function stats_case_month_reset() returns trigger language plpgsql as $$
    begin
      truncate stats_case_month;
      return null;
    end;
    $$`.execute(db);
  await sql`create trigger stats_case_month_insert after insert on cases referencing new table as new_rows
    for each statement execute function stats_case_month_apply()`.execute(db);
  await sql`create trigger stats_case_month_update after update on cases referencing old table as old_rows new table as new_rows
    for each statement execute function stats_case_month_apply()`.execute(db);
  await sql`create trigger stats_case_month_delete after delete on cases referencing old table as old_rows
    for each statement execute function stats_case_month_apply()`.execute(db);
  await sql`create trigger stats_case_month_truncate after truncate on cases
    for each statement execute function stats_case_month_reset()`.execute(db);
  // Cases stored before this migration.
  await sql.raw(upsert('select 1 as sign, c.* from cases c')).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const trigger of ['truncate', 'delete', 'update', 'insert']) {
    await sql.raw(`drop trigger stats_case_month_${trigger} on cases`).execute(db);
  }
  await sql`drop function stats_case_month_reset()`.execute(db);
  await sql`drop function stats_case_month_apply()`.execute(db);
  await db.schema.dropTable('stats_case_month').execute();
}
