import { type Kysely, sql } from 'kysely';

// Cell-key perturbation of the statistics (issue #11): every case gets a permanent random record
// key, an integer in [0, 2^20) (the uniform [0, 1) key of the statistics offices, scaled, so that
// sums are exact and do not depend on the order they are added in), and the rollup keeps the sum of
// its cases' keys beside its counts, so that any cell read from it has its cell key:
// (sum of the keys) mod 2^20. The key never leaves the database.
//
// The rollup's trigger function is replaced by the same upsert as 20261127_0003 plus the key sum;
// `record_key` joins the tracked columns. Frozen once landed: the histogram edges and the upsert
// are written out here again rather than imported, so that later changes elsewhere cannot alter it.

/** Record keys are integers in [0, 2^20). */
const RECORD_KEY_RANGE = 1_048_576;

const EDGES_DAYS = [
  0, 1 / 24, 2 / 24, 4 / 24, 8 / 24, 12 / 24, 1, 1.5, 2, 3, 5, 7, 10, 14, 21, 30, 45, 60, 90, 120, 180, 365,
];
const BUCKETS = EDGES_DAYS.length;
const KEY = ['month', 'category', 'origin_country', 'destination_country', 'sector', 'currency'] as const;
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

/** The rollup upsert of 20261127_0003, with the sum of record keys when `withKeys`. */
function upsert(contributions: string, withKeys: boolean): string {
  return `
    insert into stats_case_month as r (${KEY.join(', ')}, cases, workers, resolved, amount, response_histogram, resolution_histogram${withKeys ? ', key_sum' : ''})
    select ${KEY.map((column) => `g.${column}`).join(', ')},
      sum(g.sign)::integer, sum(g.sign * g.workers_affected)::bigint,
      coalesce(sum(g.sign) filter (where g.status in ('resolved', 'closed')), 0)::integer,
      coalesce(sum(g.sign * g.amount_recovered), 0),
      ${histogram('response_bucket')}, ${histogram('resolution_bucket')}${withKeys ? ', sum(g.sign * g.record_key)::bigint' : ''}
    from (
      select x.sign, date_trunc('month', x.created_at at time zone 'UTC')::date as month, category,
        coalesce(x.origin_country, '') as origin_country, coalesce(x.destination_country, '') as destination_country,
        coalesce(x.sector, '') as sector, coalesce(x.recovered_currency, '') as currency,
        x.workers_affected, x.status, x.amount_recovered,${withKeys ? ' x.record_key,' : ''}
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
      resolution_histogram = ${addArrays('resolution_histogram')}${withKeys ? ',\n      key_sum = r.key_sum + excluded.key_sum' : ''}`;
}

function applyFunction(withKeys: boolean): string {
  const tracked = withKeys ? [...TRACKED, 'record_key'] : TRACKED;
  const changed = tracked.map((column) => `o.${column}`).join(', ');
  const changedNew = tracked.map((column) => `n.${column}`).join(', ');
  return `create or replace function stats_case_month_apply() returns trigger language plpgsql as $$
      begin
        if tg_op = 'INSERT' then
          ${upsert('select 1 as sign, n.* from new_rows n', withKeys)};
        elsif tg_op = 'DELETE' then
          ${upsert('select -1 as sign, o.* from old_rows o', withKeys)};
        else
          ${upsert(`select 1 as sign, n.* from new_rows n join old_rows o using (id) where (${changed}) is distinct from (${changedNew})
            union all
            select -1 as sign, o.* from old_rows o join new_rows n using (id) where (${changed}) is distinct from (${changedNew})`, withKeys)};
        end if;
        return null;
      end;
      $$`;
}

export async function up(db: Kysely<unknown>): Promise<void> {
  // A volatile default is evaluated for each existing row: every stored case gets its own key.
  await sql
    .raw(`alter table cases add column record_key integer not null default floor(random() * ${RECORD_KEY_RANGE})::integer
      constraint cases_record_key_range check (record_key >= 0 and record_key < ${RECORD_KEY_RANGE})`)
    .execute(db);
  await sql`comment on column cases.record_key is 'statistics record key for cell-key perturbation; never published'`.execute(db);
  await sql`alter table stats_case_month add column key_sum bigint not null default 0`.execute(db);
  await sql.raw(applyFunction(true)).execute(db);
  // The rollup again from the cases, now with their keys.
  await sql`delete from stats_case_month`.execute(db);
  await sql.raw(upsert('select 1 as sign, c.* from cases c', true)).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(applyFunction(false)).execute(db);
  await sql`alter table stats_case_month drop column key_sum`.execute(db);
  await sql`alter table cases drop column record_key`.execute(db);
}
