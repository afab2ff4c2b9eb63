import { sql, type Kysely, type Transaction } from 'kysely';
import type { CaseUpdate, Database, NewCase } from '../db/schema';
import { generateCaseReference } from './case-reference';

type Executor = Kysely<Database> | Transaction<Database>;

/** The statuses of a case still being worked: a worker's new message joins such a case. */
export const OPEN_STATUSES = ['new', 'open', 'waiting', 'referred'] as const;
const MAX_REFERENCE_DRAWS = 8;

/**
 * Inserts a case under a fresh random reference, drawing again on the rare clash: one statement
 * in the usual case (ON CONFLICT on the reference, rather than a savepoint around the insert).
 */
export async function insertCase(
  trx: Transaction<Database>,
  values: Omit<NewCase, 'reference'>,
  drawReference: () => string = generateCaseReference,
): Promise<{ id: string; reference: string }> {
  for (let draw = 1; draw <= MAX_REFERENCE_DRAWS; draw += 1) {
    const row = await trx
      .insertInto('cases')
      .values({ ...values, reference: drawReference() })
      .onConflict((oc) => oc.column('reference').doNothing())
      .returning(['id', 'reference'])
      .executeTakeFirst();
    if (row) return row;
  }
  throw new Error(`no free case reference in ${MAX_REFERENCE_DRAWS} draws`);
}

/** The most recent case not resolved or closed of the person this contact (a channel identity) is. */
export async function findOpenCaseOfContact(db: Executor, contactId: string) {
  return db
    .selectFrom('cases')
    .select(['id', 'reference', 'status', 'intake_complete', 'origin_country', 'owner_organisation_id', 'language'])
    .where('person_id', '=', personOfContact(db, contactId))
    .where('status', 'in', OPEN_STATUSES)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirst();
}

/** The most recent case, of any status, of the person this contact is. */
export async function findLatestCaseOfContact(db: Executor, contactId: string) {
  return db
    .selectFrom('cases')
    .select(['id', 'reference', 'status'])
    .where('person_id', '=', personOfContact(db, contactId))
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirst();
}

/** A case by reference, only if it is this contact's person's (a worker never learns of others' cases). */
export async function findCaseOfContactByReference(db: Executor, contactId: string, reference: string) {
  return db
    .selectFrom('cases')
    .select(['id', 'reference', 'status'])
    .where('person_id', '=', personOfContact(db, contactId))
    .where('reference', '=', reference)
    .executeTakeFirst();
}

/** The person a contact (a channel identity) belongs to: their cases are found through it, on any channel. */
function personOfContact(db: Executor, contactId: string) {
  return db.selectFrom('contacts').select('person_id').where('id', '=', contactId);
}

/** Updates a case and its updated_at. */
export async function updateCase(db: Executor, caseId: string, changes: CaseUpdate, now: Date): Promise<void> {
  await db.updateTable('cases').set({ ...changes, updated_at: now }).where('id', '=', caseId).execute();
}

/**
 * A case's version: its `updated_at` in whole microseconds since 1970, as text. A JavaScript Date
 * keeps only milliseconds, so the version is computed and compared in SQL, never through a Date.
 */
export const caseVersion = (column: 'updated_at' | 'cases.updated_at' = 'updated_at') =>
  sql<string>`(floor(extract(epoch from ${sql.ref(column)}) * 1000000))::bigint::text`;

/** The case row with its version, locked until the transaction ends, so no one else writes it meanwhile. */
export async function lockCaseForUpdate(trx: Transaction<Database>, caseId: string) {
  return trx.selectFrom('cases').selectAll().select(caseVersion().as('version')).where('id', '=', caseId).forUpdate().executeTakeFirstOrThrow();
}

/**
 * A case's reference and person, the row locked until the transaction ends against anyone else writing it, but
 * not against rows that only refer to it (an event, an attachment), which may still be inserted.
 */
export async function lockCaseAgainstWriters(trx: Transaction<Database>, caseId: string): Promise<{ id: string; reference: string; personId: string } | undefined> {
  const row = await trx.selectFrom('cases').select(['id', 'reference', 'person_id']).where('id', '=', caseId).forNoKeyUpdate().executeTakeFirst();
  return row && { id: row.id, reference: row.reference, personId: row.person_id };
}

/**
 * Updates a case and moves its version forward: `updated_at` becomes `now`, or one microsecond
 * past its old value when the clock has not moved on (two saves in one millisecond, or a clock
 * set back), so that every save gives a new version and an old one never matches again.
 */
export async function updateCaseAdvancingVersion(trx: Transaction<Database>, caseId: string, changes: CaseUpdate, now: Date): Promise<void> {
  await trx
    .updateTable('cases')
    .set({ ...changes, updated_at: sql<Date>`greatest(${now}::timestamptz, updated_at + interval '1 microsecond')` })
    .where('id', '=', caseId)
    .execute();
}

/** The reference of a case by its id. */
export async function findCaseReferenceById(db: Executor, caseId: string): Promise<string> {
  return (await db.selectFrom('cases').select('reference').where('id', '=', caseId).executeTakeFirstOrThrow()).reference;
}

/** Adds categories to a case, keeping those it has. */
export async function addCaseCategories(db: Executor, caseId: string, categories: string[], now: Date): Promise<void> {
  await db
    .updateTable('cases')
    .set({
      categories: sql<string[]>`array(select distinct unnest(categories || ${sql.val(categories)}::text[]) order by 1)`,
      updated_at: now,
    })
    .where('id', '=', caseId)
    .execute();
}

/** Whether the organisation owning a case asks for discreet replies. */
export async function ownerWantsDiscretion(db: Executor, organisationId: string | null): Promise<boolean> {
  if (!organisationId) return false;
  const row = await db.selectFrom('organisations').select('discreet_by_default').where('id', '=', organisationId).executeTakeFirst();
  return row?.discreet_by_default ?? false;
}

/** Who holds a case: its assignee and owning organisation, and whether its intake is complete. */
export async function findCaseHolders(db: Executor, caseId: string) {
  return db.selectFrom('cases').select(['assigned_user_id', 'owner_organisation_id', 'intake_complete']).where('id', '=', caseId).executeTakeFirst();
}

/**
 * Seals consent wordings stored in plain text before migration 0008, a batch at a time, and clears
 * the plain copy; returns how many were sealed. Safe to run again, and beside a running hotline.
 */
export async function sealPlaintextConsentWordings(db: Kysely<Database>, seal: (text: string, personId: string) => Promise<string>, batchSize = 500): Promise<number> {
  let sealed = 0;
  for (;;) {
    const rows = await db.selectFrom('cases').select(['id', 'person_id', 'consent_wording']).where('consent_wording', 'is not', null).orderBy('id').limit(batchSize).execute();
    if (rows.length === 0) return sealed;
    for (const row of rows) {
      if (row.consent_wording === null) continue;
      await db.updateTable('cases').set({ consent_wording_encrypted: await seal(row.consent_wording, row.person_id), consent_wording: null })
        .where('id', '=', row.id).where('consent_wording', '=', row.consent_wording).execute();
    }
    sealed += rows.length;
  }
}
