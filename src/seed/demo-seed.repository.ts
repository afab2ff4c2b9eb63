import type { Insertable, Kysely, Transaction } from 'kysely';
import type {
  CaseEventsTable, ContactsTable, Database, EscalationsTable, MessagesTable, NewCase, NewOrganisation, NotesTable,
  ReferralsTable, RoutingRulesTable,
} from '../db/schema';
import type { StoredPersonKey } from '../privacy/person-key.repository';

// The demo seed's bulk writes: whole batches of fixed history in one statement per table.

/** The settings key whose presence means the demo data is in (or was never wanted again). */
export const DEMO_SEEDED_SETTING = 'demo_seeded_at';

/** Whether the demo data was loaded (or its marker set). */
export async function isDemoSeeded(db: Kysely<Database>): Promise<boolean> {
  const row = await db.selectFrom('settings').select('key').where('key', '=', DEMO_SEEDED_SETTING).executeTakeFirst();
  return row !== undefined;
}

/** Writes the marker first, so a concurrent seeder waits on it and then finds it taken. */
export async function claimDemoSeed(trx: Transaction<Database>, now: Date): Promise<boolean> {
  const row = await trx
    .insertInto('settings')
    .values({ key: DEMO_SEEDED_SETTING, value: JSON.stringify(now.toISOString()), updated_at: now })
    .onConflict((oc) => oc.column('key').doNothing())
    .returning('key')
    .executeTakeFirst();
  return row !== undefined;
}

/** Inserts the demo organisations; their ids by slug. */
export async function insertDemoOrganisations(trx: Transaction<Database>, rows: NewOrganisation[]): Promise<Map<string, string>> {
  const stored = await trx.insertInto('organisations').values(rows).returning(['id', 'slug']).execute();
  return new Map(stored.map((row) => [row.slug, row.id]));
}

/** Inserts the demo routing rules; their ids by name. */
export async function insertDemoRoutingRules(trx: Transaction<Database>, rows: Insertable<RoutingRulesTable>[]): Promise<Map<string, string>> {
  const stored = await trx.insertInto('routing_rules').values(rows).returning(['id', 'name']).execute();
  return new Map(stored.map((row) => [row.name, row.id]));
}

/** Inserts a batch's people (one per demo case) with their data keys, made and sealed by the caller. */
export async function insertDemoPeople(trx: Transaction<Database>, keys: readonly StoredPersonKey[]): Promise<void> {
  if (keys.length === 0) return;
  await trx.insertInto('people').values(keys.map((key) => ({ id: key.personId }))).execute();
  await trx.insertInto('person_keys').values(keys.map((key) => ({ id: key.id, person_id: key.personId, key_encrypted: key.keyEncrypted }))).execute();
}

/** Inserts a batch's contacts; their ids by lookup hash. */
export async function insertDemoContacts(trx: Transaction<Database>, rows: Insertable<ContactsTable>[]): Promise<Map<string, string>> {
  if (rows.length === 0) return new Map();
  const stored = await trx.insertInto('contacts').values(rows).returning(['id', 'address_hash']).execute();
  return new Map(stored.map((row) => [row.address_hash, row.id]));
}

/** Inserts a batch of cases; their ids by reference. */
export async function insertDemoCases(trx: Transaction<Database>, rows: NewCase[]): Promise<Map<string, string>> {
  const stored = await trx.insertInto('cases').values(rows).returning(['id', 'reference']).execute();
  return new Map(stored.map((row) => [row.reference, row.id]));
}

/** What hangs off a batch of demo cases, one table at a time. */
export interface DemoCaseHistory {
  messages: Insertable<MessagesTable>[];
  events: Insertable<CaseEventsTable>[];
  notes: Insertable<NotesTable>[];
  referrals: Insertable<ReferralsTable>[];
  escalations: Insertable<EscalationsTable>[];
}

/** Inserts the messages, timeline events, notes, referrals and escalations of a batch of cases. */
export async function insertDemoCaseHistory(trx: Transaction<Database>, history: DemoCaseHistory): Promise<void> {
  if (history.messages.length > 0) await trx.insertInto('messages').values(history.messages).execute();
  if (history.events.length > 0) await trx.insertInto('case_events').values(history.events).execute();
  if (history.notes.length > 0) await trx.insertInto('notes').values(history.notes).execute();
  if (history.referrals.length > 0) await trx.insertInto('referrals').values(history.referrals).execute();
  if (history.escalations.length > 0) await trx.insertInto('escalations').values(history.escalations).execute();
}
