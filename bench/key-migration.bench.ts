import os from 'node:os';
import { sql, type Kysely } from 'kysely';
import { openDatabase } from '../src/db/database';
import { migrateToLatest } from '../src/db/migrator';
import type { Database } from '../src/db/schema';
import { countLegacyValues, SEALED_COLUMNS, type SealedTable } from '../src/privacy/key-migration.repository';
import { KEY_MIGRATION_BATCH, migrateKeysToEnd, type KeyMigrationStep } from '../src/privacy/key-migration.service';
import { forgetPersonKeys, openerFor, personKeyIdOf } from '../src/privacy/person-keys';
import { createPersonalDataCipher, generateKey, type PersonalDataCipher } from '../src/privacy/personal-data';
import { systemClock } from '../src/clock';
import { freshBenchDatabase } from './bench-database';
import { BENCH_CASE_COUNT, insertBenchCases } from './inbox.bench';

// Issue #16: moving a database written before per-person keys (every personal value sealed with
// ENCRYPTION_KEY alone, `v1.`) to each person's own key, on BENCH_CASES synthetic cases (a million
// by default) with a contact, three messages and a note each: how long `keys:migrate` takes, how
// many values a second, and that nothing is left under the old scheme afterwards.

const MESSAGES_PER_CASE = 3;
/** Distinct plaintexts per kind of value; rows draw one by a hash of their id. Each row's value is opened and sealed on its own all the same. */
const POOL = 1000;

type Db = Kysely<Database>;

const count = (value: number) => value.toLocaleString('en-US');
const seconds = (from: number) => (performance.now() - from) / 1000;

/** A pool of sealed texts of one kind, as the hotline stored them before per-person keys, with their plaintexts. */
function pool(cipher: PersonalDataCipher, make: (index: number) => string): { plain: string[]; sealed: string[] } {
  const plain = Array.from({ length: POOL }, (_, index) => make(index));
  return { plain, sealed: plain.map((text) => cipher.seal(text)) };
}

/** `(pool)[1 + hash mod POOL]` for a row, by a SQL expression of its id. */
function drawn(values: readonly string[], id: string, salt: number) {
  return sql`(${[...values]}::text[])[1 + (abs(hashtextextended(${sql.raw(id)}, ${salt})) % ${POOL})::int]`;
}

/** Fills the cases' personal fields, a contact each, messages, notes and referral reasons, all under ENCRYPTION_KEY alone. */
async function writeTheOldWay(db: Db, cipher: PersonalDataCipher, users: string[]): Promise<Map<string, Set<string>>> {
  const kinds = {
    address: pool(cipher, (index) => `+6681${String(1_000_000 + index).slice(1)}`),
    summary: pool(cipher, (index) => `Case ${index}: the employer keeps our passports and has not paid us for two months. Call me on 081 ${String(index).padStart(3, '0')} 5678.`),
    location: pool(cipher, (index) => `Soi ${index}, Mahachai, near the fish market`),
    employer: pool(cipher, (index) => `Golden Sea Foods ${index} Co., Ltd.`),
    consent: pool(cipher, (index) => `May we share your case with a partner organisation? YES (${index})`),
    body: pool(cipher, (index) => `Message ${index}: ${'the boss says we owe him for the visa and keeps our documents. '.repeat(1 + (index % 3))}`),
    note: pool(cipher, (index) => `Note ${index}: called the worker, safe to call after 18:00, employer in Samut Sakhon.`),
    reason: pool(cipher, (index) => `Referral ${index}: needs a lawyer for the wage claim.`),
  };
  const started = performance.now();
  await sql`
    insert into contacts (person_id, channel, address_hash, address_encrypted, created_at)
    select c.person_id, 'sms', md5(c.id::text), ${drawn(kinds.address.sealed, 'c.id::text', 1)}, c.created_at from cases c`.execute(db);
  process.stderr.write(`contacts ${seconds(started).toFixed(0)} s\n`);
  await sql`
    update cases c set contact_id = ct.id,
      summary_encrypted = ${drawn(kinds.summary.sealed, 'c.id::text', 2)},
      location_raw_encrypted = case when abs(hashtextextended(c.id::text, 3)) % 10 < 6 then ${drawn(kinds.location.sealed, 'c.id::text', 4)} end,
      employer_encrypted = case when abs(hashtextextended(c.id::text, 5)) % 10 < 4 then ${drawn(kinds.employer.sealed, 'c.id::text', 6)} end,
      consent_wording_encrypted = case when abs(hashtextextended(c.id::text, 7)) % 10 < 7 then ${drawn(kinds.consent.sealed, 'c.id::text', 8)} end
    from contacts ct where ct.person_id = c.person_id`.execute(db);
  process.stderr.write(`cases ${seconds(started).toFixed(0)} s\n`);
  await sql`
    insert into messages (case_id, contact_id, direction, channel, status, body_encrypted, created_at, status_updated_at)
    select c.id, c.contact_id, case when d.n = 2 then 'out' else 'in' end, 'sms', case when d.n = 2 then 'delivered' else 'received' end,
      ${drawn(kinds.body.sealed, "c.id::text || d.n::text", 10)}, c.created_at + make_interval(mins => d.n), c.created_at + make_interval(mins => d.n)
    from cases c cross join generate_series(1, ${MESSAGES_PER_CASE}) as d(n)`.execute(db);
  process.stderr.write(`messages ${seconds(started).toFixed(0)} s\n`);
  await sql`
    insert into notes (case_id, organisation_id, author_user_id, visibility, body_encrypted, created_at)
    select c.id, c.owner_organisation_id, (${users}::uuid[])[1 + (abs(hashtextextended(c.id::text, 20)) % ${users.length})::int], 'organisation',
      ${drawn(kinds.note.sealed, 'c.id::text', 21)}, c.updated_at
    from cases c where c.owner_organisation_id is not null`.execute(db);
  await sql`update referrals r set reason_encrypted = ${drawn(kinds.reason.sealed, 'r.id::text', 22)}`.execute(db);
  process.stderr.write(`notes and referrals ${seconds(started).toFixed(0)} s\n`);
  for (const table of ['people', 'contacts', 'cases', 'messages', 'notes', 'referrals']) await sql`vacuum analyze ${sql.table(table)}`.execute(db);
  const plaintexts = new Map<string, Set<string>>();
  for (const [kind, values] of Object.entries(kinds)) plaintexts.set(kind, new Set(values.plain));
  return plaintexts;
}

/** Every value of a sample of rows opens to one of the texts written, under the key of the person who owns the row. */
async function checkSample(db: Db, cipher: PersonalDataCipher, plaintexts: Map<string, Set<string>>): Promise<number> {
  const { rows: sample } = await sql<{ kind: string; value: string; key_id: string }>`
    (select 'summary' as kind, c.summary_encrypted as value, k.id::text as key_id from cases c join person_keys k on k.person_id = c.person_id
      order by hashtextextended(c.id::text, 99) limit 200)
    union all
    (select 'address', ct.address_encrypted, k.id::text from contacts ct join person_keys k on k.person_id = ct.person_id
      order by hashtextextended(ct.id::text, 98) limit 200)
    union all
    (select 'body', m.body_encrypted, k.id::text from messages m join contacts ct on ct.id = m.contact_id join person_keys k on k.person_id = ct.person_id
      order by hashtextextended(m.id::text, 97) limit 200)
    union all
    (select 'note', n.body_encrypted, k.id::text from notes n join cases c on c.id = n.case_id join person_keys k on k.person_id = c.person_id
      order by hashtextextended(n.id::text, 96) limit 200)`.execute(db);
  forgetPersonKeys(cipher);
  const opener = await openerFor(db, cipher, sample.map((row) => row.value));
  for (const row of sample) {
    if (personKeyIdOf(row.value) !== row.key_id.replace(/-/g, '')) throw new Error(`a ${row.kind} is not under its person's key`);
    if (!plaintexts.get(row.kind)?.has(opener.open(row.value))) throw new Error(`a ${row.kind} does not open to what was written`);
  }
  return sample.length;
}

/** Runs the per-person key migration benchmark and prints Markdown. */
export async function runKeyMigrationBenchmark(): Promise<void> {
  const serverUrl = process.env['BENCH_DATABASE_URL'] ?? process.env['DATABASE_URL'];
  if (!serverUrl) throw new Error('the key-migration benchmark needs BENCH_DATABASE_URL (a PostgreSQL server it may create databases on)');
  const batchSize = Number(process.env['BENCH_KEY_BATCH'] ?? KEY_MIGRATION_BATCH);
  const database = await freshBenchDatabase(serverUrl, 'keys');
  const handle = await openDatabase({ databaseUrl: database.url, poolSize: 2 });
  const db = handle.db;
  const cipher = createPersonalDataCipher({ current: generateKey() });
  try {
    await migrateToLatest(db);
    const generated = performance.now();
    const { users, insertSeconds } = await insertBenchCases(db, new Date());
    const plaintexts = await writeTheOldWay(db, cipher, users);
    const generationSeconds = seconds(generated);

    const countStarted = performance.now();
    const before = await countLegacyValues(db);
    const countSeconds = seconds(countStarted);
    const total = (left: Record<SealedTable, number>) => Object.values(left).reduce((sum, value) => sum + value, 0);
    const people = Number((await sql<{ n: string }>`select count(*) as n from people`.execute(db)).rows[0]?.n ?? 0);

    let batches = 0;
    let slowest = 0;
    let last = performance.now();
    const started = performance.now();
    const result = await migrateKeysToEnd({ db, cipher, clock: systemClock }, {
      batchSize,
      onStep(step: KeyMigrationStep) {
        const now = performance.now();
        slowest = Math.max(slowest, now - last);
        last = now;
        batches += 1;
        if (batches % 100 === 0) process.stderr.write(`\r${count(batches)} batches, ${count(step.migrated)} values`);
      },
    });
    process.stderr.write('\n');
    const migrateSeconds = seconds(started);
    const checked = await checkSample(db, cipher, plaintexts);
    const again = performance.now();
    const rerun = await migrateKeysToEnd({ db, cipher, clock: systemClock }, { batchSize });
    const rerunSeconds = seconds(again);

    const server = (await sql<{ version: string; buffers: string; fsync: string; commit: string }>`
      select version() as version, current_setting('shared_buffers') as buffers, current_setting('fsync') as fsync,
        current_setting('synchronous_commit') as commit`.execute(db)).rows[0];
    const sizes: { table: string; rows: number }[] = [];
    for (const table of ['people', 'contacts', 'cases', 'messages', 'notes', 'referrals']) {
      const { rows } = await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(db);
      sizes.push({ table, rows: Number(rows[0]?.n ?? 0) });
    }
    const lines = [
      `key-migration: ${count(BENCH_CASE_COUNT)} cases written before per-person keys, moved to their people's keys by \`keys:migrate\` (batches of ${count(batchSize)} people, one transaction each)`,
      '',
      `- machine: ${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim() ?? 'unknown'}), Node ${process.version}, ${server?.version.split(' on ')[0] ?? 'unknown'} (shared_buffers ${server?.buffers ?? '?'}, fsync ${server?.fsync ?? '?'}, synchronous_commit ${server?.commit ?? '?'})`,
      `- data: ${sizes.map((row) => `${row.table} ${count(row.rows)}`).join(', ')}; each case with a contact, ${MESSAGES_PER_CASE} messages, a note when owned, its personal fields (summary always, place 60%, employer 40%, consent wording 70%), referral reasons`,
      `- generation: ${insertSeconds} s for the cases (the inbox benchmark's), ${generationSeconds.toFixed(0)} s in all with the sealed values`,
      `- values under ENCRYPTION_KEY alone before: ${count(total(before))} (${(Object.keys(SEALED_COLUMNS) as SealedTable[]).filter((table) => before[table] > 0).map((table) => `${table} ${count(before[table])}`).join(', ')}); counting them took ${countSeconds.toFixed(1)} s`,
      '',
      '| measure | value |',
      '|---|---:|',
      `| time to migrate | ${migrateSeconds.toFixed(0)} s (${(migrateSeconds / 60).toFixed(1)} min) |`,
      `| values sealed again | ${count(result.migrated)} |`,
      `| rate | ${count(Math.round(result.migrated / migrateSeconds))} values/s, ${count(Math.round(people / migrateSeconds))} people/s |`,
      `| batches (slowest) | ${count(batches)} (${(slowest / 1000).toFixed(2)} s) |`,
      `| values left under the old scheme (full count) | ${count(result.leftTotal)} |`,
      `| sample checked: under the owner's key, opens to what was written | ${count(checked)} values |`,
      `| run again (checkpoint done: nothing to do but the full count) | ${rerunSeconds.toFixed(1)} s, ${count(rerun.migrated - result.migrated)} more values, ${count(rerun.leftTotal)} left |`,
      '',
      result.leftTotal === 0 && result.migrated === total(before)
        ? 'Nothing is left under the old scheme: every value counted before was sealed again under its person\'s key.'
        : `NOT DONE: ${count(result.leftTotal)} values left, ${count(result.migrated)} of ${count(total(before))} moved.`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await handle.close();
    if (process.env['BENCH_KEEP'] === '1') process.stderr.write(`kept ${database.url}\n`);
    else await database.drop();
  }
}
