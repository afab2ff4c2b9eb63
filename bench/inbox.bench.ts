import os from 'node:os';
import {
  CompiledQuery,
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  sql,
  type LogEvent,
} from 'kysely';
import { countCasesByStatus, findCaseInScope, listCases, type CaseFilters, type Cursor } from '../src/cases/case-query.repository';
import type { CaseScope } from '../src/cases/case.policy';
import { REFERENCE_ALPHABET } from '../src/cases/case-reference';
import { AGE_BANDS, CATEGORIES, GENDERS, OUTCOMES, SECTORS } from '../src/cases/case.vocabulary';
import { openDatabase } from '../src/db/database';
import { migrateToLatest } from '../src/db/migrator';
import type { Database } from '../src/db/schema';
import { PROVINCES } from '../src/places/places';
import { median } from './process-probe';
import { freshBenchDatabase } from './bench-database';

// The case inbox's real queries (src/cases/case-query.repository.ts) on a million synthetic cases
// in a fresh PostgreSQL database, against a baseline measured in the same run: the same SQL, with
// the same parameters, on a copy of the cases table that keeps its primary key and nothing else.

const CASES = Number(process.env['BENCH_CASES'] ?? 1_000_000);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 50);
const WARM_UP = 5;
const BATCH = 50_000;
const ORGANISATIONS = 20;
const CASEWORKERS_PER_ORGANISATION = 3;
const PAGE = 25;
const TARGET_P95_MS = 50;
const ACTIVE = ['new', 'open', 'waiting', 'referred'];
/** References are a bijection of the series number: n × a unit modulo 31^6, written in base 31. */
const REFERENCE_SPACE = REFERENCE_ALPHABET.length ** 6;
const REFERENCE_MULTIPLIER = 387_420_489; // 3^18, coprime with 31

type Db = Kysely<Database>;

interface Scenario {
  label: string;
  /** One call of the repository; `run` varies the input where the real inbox would (references). */
  call: (db: Db, run: number) => Promise<unknown>;
}

interface Timing {
  p50: number;
  p95: number;
}

/** The reference the generator gives to case number `n` (the same arithmetic as its SQL). */
function referenceOf(n: number): string {
  let k = (BigInt(n) * BigInt(REFERENCE_MULTIPLIER)) % BigInt(REFERENCE_SPACE);
  const digits: string[] = [];
  for (let place = 0; place < 6; place += 1) {
    digits.unshift(REFERENCE_ALPHABET.charAt(Number(k % 31n)));
    k /= 31n;
  }
  return `${digits.slice(0, 3).join('')}-${digits.slice(3).join('')}`;
}

/** The same reference as a SQL expression over the column `k`. */
function referenceSql(): string {
  const digit = (place: number) => `substr('${REFERENCE_ALPHABET}', ((k / ${31 ** place}) % 31)::int + 1, 1)`;
  return [digit(5), digit(4), digit(3), `'-'`, digit(2), digit(1), digit(0)].join(' || ');
}

/** A uniform number in [0, 1) drawn from the series number, reproducible from run to run. */
function uniform(salt: number, of = 'n'): string {
  return `((hashint8extended(${of}, ${salt}) & 2147483647)::float8 / 2147483648.0)`;
}

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(fraction * sorted.length) - 1)] ?? Number.NaN;
}

const count = (value: number) => value.toLocaleString('en-US');
const ms = (value: number) => (value < 10 ? value.toFixed(2) : value.toFixed(1));
const seconds = (from: number) => ((performance.now() - from) / 1000).toFixed(1);


function progress(done: number, total: number): void {
  const width = 30;
  const filled = Math.round((done / total) * width);
  const percent = Math.floor((done / total) * 100);
  process.stderr.write(`\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${percent}% ${count(done)} cases`);
}

async function insertOrganisations(db: Db): Promise<{ organisations: string[]; users: string[] }> {
  const organisations: string[] = [];
  for (let index = 0; index < ORGANISATIONS; index += 1) {
    const slug = `bench-org-${String(index + 1).padStart(2, '0')}`;
    const row = await db
      .insertInto('organisations')
      .values({ slug, name: `Bench organisation ${index + 1}`, kind: index % 5 === 4 ? 'union' : 'ngo', country: index % 4 === 3 ? 'MY' : 'TH' })
      .returning('id')
      .executeTakeFirstOrThrow();
    organisations.push(row.id);
  }
  const users: string[] = [];
  for (const [index, organisationId] of organisations.entries()) {
    for (let worker = 0; worker < CASEWORKERS_PER_ORGANISATION; worker += 1) {
      const row = await db
        .insertInto('users')
        .values({ organisation_id: organisationId, email: `caseworker${worker + 1}@org${index + 1}.bench.example`, display_name: `Caseworker ${worker + 1}`, role: 'caseworker' })
        .returning('id')
        .executeTakeFirstOrThrow();
      users.push(row.id);
    }
  }
  return { organisations, users };
}

/**
 * One batch of cases and their referrals, in one statement. Distributions: created over the last
 * two years, oldest first; 80% of cases younger than 30 days still active, 3% of older ones; organisations of
 * skewed size; 1–2 categories; destination Thailand 70%, Malaysia 30%.
 */
async function insertBatch(db: Db, from: number, to: number, now: Date, organisations: string[], users: string[]): Promise<void> {
  const thailand = PROVINCES.filter((province) => province.country === 'TH').map((province) => province.code);
  const malaysia = PROVINCES.filter((province) => province.country === 'MY').map((province) => province.code);
  const pick = (list: readonly string[], u: string) => `(array[${list.map((value) => `'${value}'`).join(', ')}])[floor(${list.length} * ${u})::int + 1]`;
  // Rows in order of creation, as the table grows in production: case n is (N − n) / N of two years old.
  const ageDays = `((${CASES}::float8 - n + ${uniform(1)}) / ${CASES}::float8 * 730)`;
  await sql`
    with g as (
      select n, (n * ${sql.raw(String(REFERENCE_MULTIPLIER))}::bigint) % ${sql.raw(String(REFERENCE_SPACE))} as k,
        ${sql.raw(ageDays)} as age_days, ${sql.raw(uniform(2))} as u_status, ${sql.raw(uniform(3))} as u_time,
        floor(${ORGANISATIONS}::int * power(${sql.raw(uniform(4))}, 1.3))::int as org, ${sql.raw(uniform(5))} as u_unrouted,
        ${sql.raw(uniform(6))} as u_assign, floor(15 * power(${sql.raw(uniform(7))}, 2))::int as cat1, ${sql.raw(uniform(8))} as u_cat2,
        ${sql.raw(uniform(9))} as u_two, ${sql.raw(uniform(10))} as u_dest, ${sql.raw(uniform(11))} as u_province,
        ${sql.raw(uniform(12))} as u_origin, ${sql.raw(uniform(13))} as u_language, ${sql.raw(uniform(14))} as u_channel,
        ${sql.raw(uniform(15))} as u_urgency, ${sql.raw(uniform(16))} as u_misc, ${sql.raw(uniform(17))} as u_reply
      from generate_series(${from}::bigint, ${to}::bigint) as n
    ), s as (
      select g.*, ${now}::timestamptz - make_interval(secs => age_days * 86400) as created_at,
        case when age_days < 30 then
          case when u_status < 0.15 then 'new' when u_status < 0.50 then 'open' when u_status < 0.70 then 'waiting'
               when u_status < 0.80 then 'referred' when u_status < 0.95 then 'resolved' else 'closed' end
        else
          case when u_status < 0.005 then 'new' when u_status < 0.015 then 'open' when u_status < 0.025 then 'waiting'
               when u_status < 0.030 then 'referred' when u_status < 0.60 then 'resolved' else 'closed' end
        end as status,
        case when u_origin < 0.55 then 'MM' when u_origin < 0.75 then 'KH' when u_origin < 0.87 then 'LA' else 'VN' end as origin
      from g
    ), c as (
      select s.*,
        case when status in ('resolved', 'closed') then created_at + least(${now}::timestamptz - created_at, interval '90 days') * u_time
             else created_at + (${now}::timestamptz - created_at) * u_time end as updated_at
      from s
    ), inserted as (
      insert into cases (
        reference, channel, language, status, urgency, intake_complete, categories, sector, origin_country,
        destination_country, destination_province, gender, age_band, outcome, owner_organisation_id, assigned_user_id,
        first_response_at, resolved_at, last_worker_message_at, last_staff_message_at, created_at, updated_at
      )
      select
        ${sql.raw(referenceSql())},
        case when u_channel < 0.55 then 'sms' when u_channel < 0.85 then 'whatsapp' when u_channel < 0.99 then 'web' else 'console' end,
        case when u_language < 0.10 then 'en' when u_language < 0.15 then 'th'
             else (case origin when 'MM' then 'my' when 'KH' then 'km' when 'LA' then 'lo' else 'vi' end) end,
        status,
        case when u_urgency < 0.10 then 'low' when u_urgency < 0.80 then 'normal' when u_urgency < 0.97 then 'high' else 'emergency' end,
        status <> 'new' or u_misc < 0.5,
        case when u_two < 0.35
          then array[((${CATEGORIES})::text[])[cat1 + 1], ((${CATEGORIES})::text[])[(cat1 + 1 + floor(u_cat2 * 14)::int) % 15 + 1]]
          else array[((${CATEGORIES})::text[])[cat1 + 1]] end,
        ${sql.raw(pick(SECTORS, 'u_misc'))},
        origin,
        case when u_dest < 0.70 then 'TH' else 'MY' end,
        case when u_province < 0.10 then null when u_dest < 0.70 then ${sql.raw(pick(thailand, 'u_province'))}
             else ${sql.raw(pick(malaysia, 'u_province'))} end,
        ${sql.raw(pick(GENDERS, 'u_two'))},
        ${sql.raw(pick(AGE_BANDS, 'u_cat2'))},
        case when status in ('resolved', 'closed') then ${sql.raw(pick(OUTCOMES, 'u_reply'))} end,
        case when status = 'new' and u_unrouted < 0.3 then null else (${organisations}::uuid[])[org + 1] end,
        case when status <> 'new' and u_assign < 0.8
          then (${users}::uuid[])[org * ${CASEWORKERS_PER_ORGANISATION}::int + floor(u_assign / 0.8 * ${CASEWORKERS_PER_ORGANISATION}::int)::int + 1] end,
        case when status <> 'new' then created_at + (updated_at - created_at) * (u_reply * 0.2) end,
        case when status in ('resolved', 'closed') then updated_at end,
        created_at + (updated_at - created_at) * u_reply,
        case when status not in ('new', 'waiting') then updated_at end,
        created_at, updated_at
      from c
      returning id, reference, status, owner_organisation_id, updated_at
    )
    insert into referrals (case_id, from_organisation_id, to_organisation_id, status, due_at, responded_at, completed_at, created_at, updated_at)
    select i.id, i.owner_organisation_id,
      (${organisations}::uuid[])[(array_position(${organisations}::uuid[], i.owner_organisation_id) + floor(${sql.raw(uniform(21, 'hashtextextended(i.reference, 0)'))} * ${ORGANISATIONS - 1}::int)::int) % ${ORGANISATIONS}::int + 1],
      case i.status when 'referred' then 'pending' when 'resolved' then 'completed' when 'closed' then 'completed' else 'accepted' end,
      i.updated_at + interval '48 hours',
      case when i.status <> 'referred' then i.updated_at end,
      case when i.status in ('resolved', 'closed') then i.updated_at end,
      i.updated_at - interval '1 day', i.updated_at
    from inserted i
    where i.owner_organisation_id is not null and (
      i.status = 'referred'
      or (i.status in ('open', 'waiting') and ${sql.raw(uniform(22, 'hashtextextended(i.reference, 0)'))} < 0.15)
      or (i.status in ('resolved', 'closed') and ${sql.raw(uniform(23, 'hashtextextended(i.reference, 0)'))} < 0.05))
  `.execute(db);
}

/** How many synthetic cases the benchmarks build (BENCH_CASES, a million by default). */
export const BENCH_CASE_COUNT = CASES;

/**
 * The synthetic network of the benchmarks on an empty, migrated database: organisations, their
 * caseworkers, BENCH_CASES cases and their referrals, then VACUUM ANALYZE. The console benchmark
 * builds on the same data.
 */
export async function insertBenchCases(db: Db, now: Date): Promise<{ organisations: string[]; users: string[]; insertSeconds: string; analyseSeconds: string }> {
  if (!Number.isInteger(CASES) || CASES < 1000 || CASES >= REFERENCE_SPACE) throw new Error(`BENCH_CASES must be an integer from 1,000 to ${count(REFERENCE_SPACE - 1)}`);
  const generationStarted = performance.now();
  const { organisations, users } = await insertOrganisations(db);
  progress(0, CASES);
  for (let from = 1; from <= CASES; from += BATCH) {
    const to = Math.min(CASES, from + BATCH - 1);
    await insertBatch(db, from, to, now, organisations, users);
    progress(to, CASES);
  }
  process.stderr.write('\n');
  const insertSeconds = seconds(generationStarted);
  const analyseStarted = performance.now();
  // VACUUM as well as ANALYZE: the visibility map and hint bits a table has in production, and
  // no autovacuum of the fresh rows in the middle of the measurements.
  await sql`vacuum analyze cases`.execute(db);
  await sql`vacuum analyze referrals`.execute(db);
  return { organisations, users, insertSeconds, analyseSeconds: seconds(analyseStarted) };
}

/** A Kysely that executes nothing and hands back the SQL and parameters of the one query it is given. */
function sqlCapturer(): (call: (db: Db) => Promise<unknown>) => Promise<CompiledQuery> {
  let captured: CompiledQuery | undefined;
  const capture = new Kysely<Database>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
    log: (event: LogEvent) => {
      if (event.level === 'query') captured = event.query;
    },
  });
  return async (call) => {
    captured = undefined;
    await call(capture);
    if (!captured) throw new Error('the repository call issued no query');
    return captured;
  };
}

/** The captured query pointed at another table (every `"cases"` identifier, whether table or qualifier). */
function onTable(query: CompiledQuery, table: string): CompiledQuery {
  return CompiledQuery.raw(query.sql.replaceAll('"cases"', `"${table}"`), [...query.parameters]);
}

async function time(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

async function measure(runs: number, prepare: (run: number) => Promise<() => Promise<unknown>>): Promise<Timing> {
  for (let run = 0; run < WARM_UP; run += 1) await (await prepare(run))();
  const samples: number[] = [];
  for (let run = 0; run < runs; run += 1) samples.push(await time(await prepare(WARM_UP + run)));
  return { p50: median(samples), p95: percentile(samples, 0.95) };
}

const sortedJson = (rows: readonly unknown[]) => rows.map((row) => JSON.stringify(row)).sort().join('\n');

/** Runs the case inbox benchmark and prints a Markdown table. */
export async function runInboxBenchmark(): Promise<void> {
  const serverUrl = process.env['BENCH_DATABASE_URL'] ?? process.env['DATABASE_URL'];
  if (!serverUrl) throw new Error('the inbox benchmark needs BENCH_DATABASE_URL (a PostgreSQL server it may create databases on)');
  if (!Number.isInteger(CASES) || CASES < 1000 || CASES >= REFERENCE_SPACE) throw new Error(`BENCH_CASES must be an integer from 1,000 to ${count(REFERENCE_SPACE - 1)}`);
  const database = await freshBenchDatabase(serverUrl, 'inbox');
  const handle = await openDatabase({ databaseUrl: database.url, poolSize: 2 });
  const db = handle.db;
  try {
    await migrateToLatest(db);
    const now = new Date();

    const { insertSeconds, analyseSeconds } = await insertBenchCases(db, now);

    const copyStarted = performance.now();
    await sql`create table cases_noindex (like cases including defaults)`.execute(db);
    await sql`insert into cases_noindex select * from cases`.execute(db);
    await sql`alter table cases_noindex add primary key (id)`.execute(db);
    await sql`vacuum analyze cases_noindex`.execute(db);
    const copySeconds = seconds(copyStarted);

    const sizes = (
      await sql<{ status: string; count: string }>`select status, count(*) as count from cases group by status order by status`.execute(db)
    ).rows;
    const largest = await db
      .selectFrom('cases')
      .select(['owner_organisation_id', (eb) => eb.fn.countAll<string>().as('count')])
      .where('owner_organisation_id', 'is not', null)
      .groupBy('owner_organisation_id')
      .orderBy('count', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    const organisationId = largest.owner_organisation_id ?? '';
    const caseworker: CaseScope = { kind: 'organisation', organisationId };
    const network: CaseScope = { kind: 'network' };
    const inbox: CaseFilters = { status: ACTIVE };
    const countryView: CaseFilters = { status: ACTIVE, country: ['TH'] };
    const visible = Object.values(await countCasesByStatus(db, caseworker, inbox)).reduce((sum, value) => sum + value, 0);
    const referralCount = (await sql<{ count: string }>`select count(*) as count from referrals`.execute(db)).rows[0]?.count ?? '0';

    // The cursor of page 5, as the service makes it from the last row shown on page 4.
    let after: Cursor | undefined;
    for (let page = 1; page <= 4; page += 1) {
      const rows = await listCases(db, caseworker, inbox, { limit: PAGE, after });
      const last = rows[PAGE - 1];
      if (!last) throw new Error(`the caseworker's inbox has fewer than ${page * PAGE} cases`);
      after = { updatedAt: new Date(last.updated_at).toISOString(), id: last.id };
    }
    const page5 = after;
    const searched = Array.from({ length: WARM_UP + RUNS }, (_, run) => referenceOf(1 + ((run * 7919 + 13) % CASES)));

    const scenarios: Scenario[] = [
      { label: "caseworker's inbox, first page (largest organisation, active statuses)", call: (d) => listCases(d, caseworker, inbox, { limit: PAGE }) },
      { label: "coordinator's network-wide first page (active statuses, destination TH)", call: (d) => listCases(d, network, countryView, { limit: PAGE }) },
      { label: "caseworker's counts by status (`countCasesByStatus`)", call: (d) => countCasesByStatus(d, caseworker, inbox) },
      { label: 'search by reference, network scope (`findCaseInScope`)', call: (d, run) => findCaseInScope(d, network, searched[run % searched.length] ?? '') },
      { label: "caseworker's inbox, page 5 by keyset cursor", call: (d) => listCases(d, caseworker, inbox, { limit: PAGE, after: page5 }) },
      { label: "caseworker's inbox, first page, no filter (the console's default view)", call: (d) => listCases(d, caseworker, {}, { limit: PAGE }) },
      { label: "coordinator's triage queue, first page (`triage=true`: nobody holds the case)", call: (d) => listCases(d, network, { triage: true }, { limit: PAGE }) },
    ];

    const capture = sqlCapturer();
    const results: { scenario: Scenario; indexed: Timing; baseline: Timing; query: CompiledQuery }[] = [];
    for (const scenario of scenarios) {
      const query = await capture((d) => scenario.call(d, 0));
      // The copy must answer exactly as the indexed table does, or the comparison means nothing.
      const [onCases, onCopy] = [await db.executeQuery(onTable(query, 'cases')), await db.executeQuery(onTable(query, 'cases_noindex'))];
      if (sortedJson(onCases.rows) !== sortedJson(onCopy.rows)) throw new Error(`${scenario.label}: the copy answers differently`);
      const found = await scenario.call(db, 0);
      if (found === undefined || (Array.isArray(found) && found.length === 0)) throw new Error(`${scenario.label}: no rows`);
      const indexed = await measure(RUNS, async (run) => () => scenario.call(db, run));
      const baseline = await measure(RUNS, async (run) => {
        const compiled = onTable(await capture((d) => scenario.call(d, run)), 'cases_noindex');
        return () => db.executeQuery(compiled);
      });
      results.push({ scenario, indexed, baseline, query });
    }

    const server = (
      await sql<{ version: string; jit: string; buffers: string }>`
        select version() as version, current_setting('jit') as jit, current_setting('shared_buffers') as buffers`.execute(db)
    ).rows[0];
    const storage = (
      await sql<{ table: string; indexes: string }>`
        select pg_size_pretty(pg_table_size('cases')) as table, pg_size_pretty(pg_indexes_size('cases')) as indexes`.execute(db)
    ).rows[0];
    const missed = results.filter((result) => result.indexed.p95 >= TARGET_P95_MS);

    const lines = [
      `inbox: ${count(CASES)} cases over ${ORGANISATIONS} organisations, ${count(Number(referralCount))} referrals; p50 and p95 of ${RUNS} runs of each query after ${WARM_UP} warm-up runs, one at a time`,
      '',
      `- machine: ${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim() ?? 'unknown'}), Node ${process.version}, ${server?.version ?? 'unknown'} (jit ${server?.jit ?? '?'}, shared_buffers ${server?.buffers ?? '?'})`,
      `- data: cases by status ${sizes.map((row) => `${row.status} ${count(Number(row.count))}`).join(', ')}; cases table ${storage?.table ?? '?'}, its indexes ${storage?.indexes ?? '?'}`,
      `- caseworker: the largest organisation, owner of ${count(Number(largest.count))} cases; ${count(visible)} cases in its scope (owned or referred to it)`,
      `- generation: ${insertSeconds} s to insert (${count(BATCH)} cases a statement, every index and the statistics trigger live), ${analyseSeconds} s to VACUUM ANALYZE; baseline copy ${copySeconds} s`,
      `- baseline: the same SQL and parameters (captured from the repository through Kysely's \`log\`) on \`cases_noindex\`, a copy with only the primary key`,
      '',
      '| query | p50 ms | p95 ms | baseline p50 | baseline p95 | × |',
      '|---|---:|---:|---:|---:|---:|',
      ...results.map(({ scenario, indexed, baseline }) =>
        `| ${scenario.label} | ${ms(indexed.p50)} | ${ms(indexed.p95)} | ${ms(baseline.p50)} | ${ms(baseline.p95)} | ${(baseline.p50 / indexed.p50).toFixed(1)} |`,
      ),
      '',
      missed.length === 0
        ? `Target p95 < ${TARGET_P95_MS} ms: met by every query.`
        : `Target p95 < ${TARGET_P95_MS} ms: missed by ${missed.map((result) => result.scenario.label).join('; ')}.`,
    ];
    for (const result of missed) {
      const plan = await db.executeQuery<{ 'QUERY PLAN': string }>(
        CompiledQuery.raw(`explain (analyze, buffers) ${result.query.sql}`, [...result.query.parameters]),
      );
      lines.push('', `EXPLAIN ANALYZE — ${result.scenario.label}:`, '', '```', ...plan.rows.map((row) => row['QUERY PLAN']), '```');
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await handle.close();
    // BENCH_KEEP=1 leaves the database for a look at its plans with psql.
    if (process.env['BENCH_KEEP'] === '1') process.stderr.write(`kept ${database.url}\n`);
    else await database.drop();
  }
}
