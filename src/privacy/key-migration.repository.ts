import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { Database } from '../db/schema';

type Executor = Kysely<Database> | Transaction<Database>;

// The SQL of moving personal values from ENCRYPTION_KEY (`v1.`) to their person's own key (`p1.`).
// A value belongs to the person who owns its row now: a contact's or case's person; a message's
// contact's person (its case's, for a message without a contact); a note's, referral's and
// escalation's case's person; an attachment's case's person (its own person before it has a case);
// a call's contact's person (its case's). Rows of nobody (a voice prompt's recording, a call from
// an unknown number while it lasts) keep ENCRYPTION_KEY. Erased people are left out.

/** The settings key of the migration's checkpoint. */
export const KEY_MIGRATION_SETTING = 'keys.migration';

/** Where the migration is: walking people (after an id), then attachments without a case, then done. */
export interface KeyMigrationProgress {
  phase: 'people' | 'attachments' | 'done';
  after: string | null;
  /** Values sealed again so far. */
  migrated: number;
}

/** Tables with personal values sealed in text columns, and those columns. */
export const SEALED_COLUMNS = {
  contacts: ['address_encrypted'],
  cases: ['location_raw_encrypted', 'summary_encrypted', 'employer_encrypted', 'consent_wording_encrypted'],
  messages: ['body_encrypted', 'raw_body_encrypted'],
  notes: ['body_encrypted'],
  referrals: ['reason_encrypted', 'decline_reason_encrypted'],
  escalations: ['reason_encrypted', 'outcome_encrypted'],
  attachments: ['key_encrypted', 'provider_url_encrypted'],
  calls: ['caller_encrypted'],
} as const;

export type SealedTable = keyof typeof SEALED_COLUMNS;

/** A row with values still under ENCRYPTION_KEY, with the person they belong to. */
export interface LegacyRow {
  table: SealedTable;
  id: string;
  personId: string;
  /** The row's sealed columns, in `SEALED_COLUMNS` order. */
  values: (string | null)[];
  /** Messages only: the media references, their URLs sealed. */
  media?: unknown;
}

/** A row's new values, each null where the column stays as it is. */
export interface ResealedRow {
  id: string;
  old: (string | null)[];
  new: (string | null)[];
  oldMedia?: unknown;
  newMedia?: unknown;
}

const LEGACY = 'v1.%';

/** Which values a listing picks: those still under ENCRYPTION_KEY, or every one not under a given person key. */
export type StaleValues = { kind: 'legacy' } | { kind: 'not_under'; keyId: string };

function isStale(stale: StaleValues, value: RawBuilder<unknown>): RawBuilder<boolean> {
  return stale.kind === 'legacy' ? sql<boolean>`${value} like ${LEGACY}` : sql<boolean>`(${value} is not null and ${value} not like ${`p1.${stale.keyId}.%`})`;
}

function anyStale(alias: string, table: SealedTable, stale: StaleValues = { kind: 'legacy' }): RawBuilder<boolean> {
  return sql<boolean>`(${sql.join(SEALED_COLUMNS[table].map((column) => isStale(stale, sql.ref(`${alias}.${column}`))), sql` or `)})`;
}


function columnsOf(alias: string, table: SealedTable): RawBuilder<unknown> {
  return sql.join(SEALED_COLUMNS[table].map((column, index) => sql`${sql.ref(`${alias}.${column}`)} as ${sql.id(`c${index}`)}`));
}

function staleMedia(stale: StaleValues): RawBuilder<boolean> {
  return sql<boolean>`exists (select 1 from jsonb_array_elements(case when jsonb_typeof(m.media) = 'array' then m.media else '[]'::jsonb end) e where ${isStale(stale, sql`(e->>'url')`)})`;
}

type RawRow = { id: string; person_id: string; media?: unknown } & Record<string, string | null>;

function toLegacyRows(table: SealedTable, rows: RawRow[]): LegacyRow[] {
  return rows.map((row) => ({
    table,
    id: row.id,
    personId: row.person_id,
    values: SEALED_COLUMNS[table].map((_, index) => row[`c${index}`] ?? null),
    ...(table === 'messages' ? { media: row.media } : {}),
  }));
}

/** Takes the checkpoint row (made if missing), locked until commit: batches run one after another, whoever runs them. */
export async function lockKeyMigrationProgress(trx: Transaction<Database>, now: Date): Promise<KeyMigrationProgress> {
  await trx.insertInto('settings').values({ key: KEY_MIGRATION_SETTING, value: JSON.stringify({ phase: 'people', after: null, migrated: 0 }), updated_at: now })
    .onConflict((oc) => oc.column('key').doNothing()).execute();
  const row = await trx.selectFrom('settings').select('value').where('key', '=', KEY_MIGRATION_SETTING).forUpdate().executeTakeFirstOrThrow();
  return row.value as KeyMigrationProgress;
}

/** The checkpoint as it stands (undefined: the migration never ran). */
export async function findKeyMigrationProgress(db: Executor): Promise<KeyMigrationProgress | undefined> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', KEY_MIGRATION_SETTING).executeTakeFirst();
  return row?.value as KeyMigrationProgress | undefined;
}

/** Saves the checkpoint, in the batch's transaction. */
export async function saveKeyMigrationProgress(trx: Transaction<Database>, progress: KeyMigrationProgress, now: Date): Promise<void> {
  await trx.updateTable('settings').set({ value: JSON.stringify(progress), updated_at: now }).where('key', '=', KEY_MIGRATION_SETTING).execute();
}

/** The next people (by id) after `after`, not erased. */
export async function listPeopleAfter(db: Executor, after: string | null, limit: number): Promise<string[]> {
  let query = db.selectFrom('people').select('id').where('erased_at', 'is', null).orderBy('id').limit(limit);
  if (after) query = query.where('id', '>', after);
  return (await query.execute()).map((row) => row.id);
}

/**
 * Every row these people own with a value still under ENCRYPTION_KEY (or, with `not_under`, under
 * anything but the given person key: rows that moved to another person), one query per table.
 */
export async function listLegacyRowsOfPeople(db: Executor, personIds: readonly string[], stale: StaleValues = { kind: 'legacy' }): Promise<LegacyRow[]> {
  if (personIds.length === 0) return [];
  const people = sql`${[...personIds]}::uuid[]`;
  const media = staleMedia(stale);
  const run = async (table: SealedTable, query: RawBuilder<RawRow>) => toLegacyRows(table, (await query.execute(db)).rows);
  const byCase = (table: 'notes' | 'referrals' | 'escalations') => sql<RawRow>`
    select t.id, cs.person_id, ${columnsOf('t', table)}
    from cases cs join ${sql.table(table)} t on t.case_id = cs.id
    where cs.person_id = any(${people}) and ${anyStale('t', table, stale)}`;
  // One after another: a transaction has one connection.
  const queries: [SealedTable, RawBuilder<RawRow>][] = [
    ['contacts', sql<RawRow>`
      select t.id, t.person_id, ${columnsOf('t', 'contacts')}
      from contacts t where t.person_id = any(${people}) and ${anyStale('t', 'contacts', stale)}`],
    ['cases', sql<RawRow>`
      select t.id, t.person_id, ${columnsOf('t', 'cases')}
      from cases t where t.person_id = any(${people}) and ${anyStale('t', 'cases', stale)}`],
    ['messages', sql<RawRow>`
      select m.id, ct.person_id, ${columnsOf('m', 'messages')}, m.media
      from contacts ct join messages m on m.contact_id = ct.id
      where ct.person_id = any(${people}) and (${anyStale('m', 'messages', stale)} or ${media})
      union all
      select m.id, cs.person_id, ${columnsOf('m', 'messages')}, m.media
      from cases cs join messages m on m.case_id = cs.id
      where cs.person_id = any(${people}) and m.contact_id is null and (${anyStale('m', 'messages', stale)} or ${media})`],
    ['notes', byCase('notes')],
    ['referrals', byCase('referrals')],
    ['escalations', byCase('escalations')],
    ['attachments', sql<RawRow>`
      select t.id, cs.person_id, ${columnsOf('t', 'attachments')}
      from cases cs join attachments t on t.case_id = cs.id
      where cs.person_id = any(${people}) and ${anyStale('t', 'attachments', stale)}`],
    ['calls', sql<RawRow>`
      select t.id, ct.person_id, ${columnsOf('t', 'calls')}
      from contacts ct join calls t on t.contact_id = ct.id
      where ct.person_id = any(${people}) and ${anyStale('t', 'calls', stale)}
      union all
      select t.id, cs.person_id, ${columnsOf('t', 'calls')}
      from cases cs join calls t on t.case_id = cs.id
      where cs.person_id = any(${people}) and t.contact_id is null and ${anyStale('t', 'calls', stale)}`],
  ];
  const results: LegacyRow[][] = [];
  for (const [table, query] of queries) results.push(await run(table, query));
  return results.flat();
}

/** Attachments of a person but no case yet (by id after `after`) with a value still under ENCRYPTION_KEY. */
export async function listLegacyCaselessAttachments(db: Executor, after: string | null, limit: number): Promise<LegacyRow[]> {
  const { rows } = await sql<RawRow>`
    select t.id, t.person_id, ${columnsOf('t', 'attachments')}
    from attachments t join people p on p.id = t.person_id
    where t.case_id is null and p.erased_at is null and t.id > ${after ?? '00000000-0000-0000-0000-000000000000'}::uuid
      and ${anyStale('t', 'attachments')}
    order by t.id
    limit ${limit}`.execute(db);
  return toLegacyRows('attachments', rows);
}

/**
 * Writes rows' new values, one statement for the table. A column is changed only while it still
 * holds the value read (a value written meanwhile, already under its person's key, is kept).
 */
export async function updateSealedValues(trx: Transaction<Database>, table: SealedTable, rows: readonly ResealedRow[]): Promise<void> {
  if (rows.length === 0) return;
  const columns = SEALED_COLUMNS[table];
  const arrays = columns.flatMap((_, index) => [
    sql`${rows.map((row) => row.old[index] ?? null)}::text[]`,
    sql`${rows.map((row) => row.new[index] ?? null)}::text[]`,
  ]);
  const names = columns.flatMap((_, index) => [sql.id(`old${index}`), sql.id(`new${index}`)]);
  const sets = columns.map((column, index) => {
    const [target, previous, next] = [sql.ref(`t.${column}`), sql.ref(`v.old${index}`), sql.ref(`v.new${index}`)];
    return sql`${sql.id(column)} = case when ${next} is not null and ${target} = ${previous} then ${next} else ${target} end`;
  });
  const media = table === 'messages';
  await sql`
    update ${sql.table(table)} as t set ${sql.join(sets)}
      ${media ? sql`, media = case when v.new_media is not null and t.media = v.old_media then v.new_media else t.media end` : sql``}
    from unnest(${sql`${rows.map((row) => row.id)}::uuid[]`}, ${sql.join(arrays)}
      ${media ? sql`, ${rows.map((row) => (row.newMedia === undefined ? null : JSON.stringify(row.oldMedia)))}::jsonb[], ${rows.map((row) => (row.newMedia === undefined ? null : JSON.stringify(row.newMedia)))}::jsonb[]` : sql``})
      as v(id, ${sql.join(names)}${media ? sql`, old_media, new_media` : sql``})
    where t.id = v.id`.execute(trx);
}

/**
 * How many personal values (of people not erased) are still under ENCRYPTION_KEY, by table: what
 * the migration has left. A full read of the tables: for the end of a run and the benchmark.
 */
export async function countLegacyValues(db: Executor): Promise<Record<SealedTable, number>> {
  const count = (alias: string, table: SealedTable) =>
    sql.join(SEALED_COLUMNS[table].map((column) => sql`count(*) filter (where ${sql.ref(`${alias}.${column}`)} like ${LEGACY})`), sql` + `);
  const { rows } = await sql<Record<SealedTable, string>>`
    select
      (select ${count('t', 'contacts')} from contacts t join people p on p.id = t.person_id where p.erased_at is null) as contacts,
      (select ${count('t', 'cases')} from cases t join people p on p.id = t.person_id where p.erased_at is null) as cases,
      (select ${count('m', 'messages')} + coalesce(sum((select count(*) from jsonb_array_elements(case when jsonb_typeof(m.media) = 'array' then m.media else '[]'::jsonb end) e where e->>'url' like ${LEGACY})), 0)
         from messages m left join contacts ct on ct.id = m.contact_id left join cases cs on cs.id = m.case_id
         join people p on p.id = coalesce(ct.person_id, cs.person_id) where p.erased_at is null) as messages,
      (select ${count('t', 'notes')} from notes t join cases cs on cs.id = t.case_id join people p on p.id = cs.person_id where p.erased_at is null) as notes,
      (select ${count('t', 'referrals')} from referrals t join cases cs on cs.id = t.case_id join people p on p.id = cs.person_id where p.erased_at is null) as referrals,
      (select ${count('t', 'escalations')} from escalations t join cases cs on cs.id = t.case_id join people p on p.id = cs.person_id where p.erased_at is null) as escalations,
      (select ${count('t', 'attachments')} from attachments t left join cases cs on cs.id = t.case_id
         join people p on p.id = coalesce(cs.person_id, t.person_id) where p.erased_at is null) as attachments,
      (select ${count('t', 'calls')} from calls t left join contacts ct on ct.id = t.contact_id left join cases cs on cs.id = t.case_id
         join people p on p.id = coalesce(ct.person_id, cs.person_id) where p.erased_at is null) as calls`.execute(db);
  const row = rows[0];
  const tables = Object.keys(SEALED_COLUMNS) as SealedTable[];
  return Object.fromEntries(tables.map((table) => [table, Number(row?.[table] ?? 0)])) as Record<SealedTable, number>;
}
