import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/schema';

type Executor = Kysely<Database> | Transaction<Database>;

// People: one worker across channel identities (contacts) and cases, and the merges coordinators
// make and undo. A merge records exactly which rows it moved, so its undo moves those and no others.

/** One recorded merge. */
export type PersonMergeRow = Awaited<ReturnType<typeof findMergeForUpdate>>;

/** A new person, with no identity or case yet (a case opened without a contact); their id. */
export async function insertPerson(db: Executor): Promise<string> {
  return (await db.insertInto('people').defaultValues().returning('id').executeTakeFirstOrThrow()).id;
}

/** Locks both people (in id order, so two merges of the same pair cannot deadlock) until commit. */
export async function lockPeople(trx: Transaction<Database>, personIds: readonly string[]): Promise<void> {
  const ordered = [...new Set(personIds)].sort();
  for (const id of ordered) await trx.selectFrom('people').select('id').where('id', '=', id).forUpdate().executeTakeFirst();
}

/** The person a case belongs to now (read inside the merge's transaction, after the lock). */
export async function findPersonOfCase(db: Executor, caseId: string): Promise<string> {
  return (await db.selectFrom('cases').select('person_id').where('id', '=', caseId).executeTakeFirstOrThrow()).person_id;
}

/** A case's person and the identity a caseworker picked for its replies. */
export async function findReplyChoiceOfCase(db: Executor, caseId: string) {
  return db.selectFrom('cases').select(['person_id', 'reply_contact_id']).where('id', '=', caseId).executeTakeFirstOrThrow();
}

/** Moves every identity of one person to another; the ids moved. */
export async function moveAllContacts(trx: Transaction<Database>, fromPersonId: string, toPersonId: string): Promise<string[]> {
  const rows = await trx.updateTable('contacts').set({ person_id: toPersonId }).where('person_id', '=', fromPersonId).returning('id').execute();
  return rows.map((row) => row.id);
}

/** Moves every case of one person to another; the ids moved. */
export async function moveAllCases(trx: Transaction<Database>, fromPersonId: string, toPersonId: string, now: Date): Promise<string[]> {
  const rows = await trx.updateTable('cases').set({ person_id: toPersonId, updated_at: now }).where('person_id', '=', fromPersonId).returning('id').execute();
  return rows.map((row) => row.id);
}

/** Gives exactly these identities and cases to a person, wherever they are now. */
export async function moveRowsTo(trx: Transaction<Database>, personId: string, rows: { contactIds: readonly string[]; caseIds: readonly string[] }, now: Date): Promise<void> {
  if (rows.contactIds.length > 0) await trx.updateTable('contacts').set({ person_id: personId }).where('id', 'in', [...rows.contactIds]).execute();
  if (rows.caseIds.length > 0) await trx.updateTable('cases').set({ person_id: personId, updated_at: now }).where('id', 'in', [...rows.caseIds]).execute();
}

/** The ids of a person's cases. */
export async function listCaseIdsOfPerson(db: Executor, personId: string): Promise<string[]> {
  return (await db.selectFrom('cases').select('id').where('person_id', '=', personId).execute()).map((row) => row.id);
}

/** Records a merge; its id. */
export async function insertMerge(
  trx: Transaction<Database>,
  merge: { keptPersonId: string; mergedPersonId: string; contactIds: string[]; caseIds: string[]; userId: string; at: Date },
): Promise<string> {
  const row = await trx
    .insertInto('person_merges')
    .values({
      kept_person_id: merge.keptPersonId,
      merged_person_id: merge.mergedPersonId,
      contact_ids: sql<string[]>`${sql.val(merge.contactIds)}::uuid[]`,
      case_ids: sql<string[]>`${sql.val(merge.caseIds)}::uuid[]`,
      merged_by_user_id: merge.userId,
      merged_at: merge.at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** A merge, locked until commit (so one undo waits for another and then sees it done). */
export async function findMergeForUpdate(trx: Transaction<Database>, mergeId: string) {
  return trx
    .selectFrom('person_merges')
    .select(['id', 'kept_person_id', 'merged_person_id', 'contact_ids', 'case_ids', 'undone_at'])
    .where('id', '=', mergeId)
    .forUpdate()
    .executeTakeFirst();
}

/** Marks a merge undone. */
export async function markMergeUndone(trx: Transaction<Database>, mergeId: string, userId: string, at: Date): Promise<void> {
  await trx.updateTable('person_merges').set({ undone_by_user_id: userId, undone_at: at }).where('id', '=', mergeId).execute();
}

/** The references of cases by id, in the order given (a case since deleted is left out). */
export async function listCaseReferences(db: Executor, caseIds: readonly string[]): Promise<{ id: string; reference: string }[]> {
  if (caseIds.length === 0) return [];
  const rows = await db.selectFrom('cases').select(['id', 'reference']).where('id', 'in', [...caseIds]).execute();
  return caseIds.flatMap((id) => rows.filter((row) => row.id === id));
}

/** The merges not undone that kept or merged away this person, newest first. */
export async function listLiveMergesOfPerson(db: Executor, personId: string) {
  return db
    .selectFrom('person_merges')
    .select(['id', 'kept_person_id', 'merged_person_id', 'case_ids', 'merged_at'])
    .where((eb) => eb.or([eb('kept_person_id', '=', personId), eb('merged_person_id', '=', personId)]))
    .where('undone_at', 'is', null)
    .orderBy('merged_at', 'desc')
    .execute();
}

/** Whether an identity belongs to a person. */
export async function isContactOfPerson(db: Executor, contactId: string, personId: string): Promise<boolean> {
  const row = await db.selectFrom('contacts').select('id').where('id', '=', contactId).where('person_id', '=', personId).executeTakeFirst();
  return row !== undefined;
}

/** The channel of an identity. */
export async function findContactChannel(db: Executor, contactId: string): Promise<string> {
  return (await db.selectFrom('contacts').select('channel').where('id', '=', contactId).executeTakeFirstOrThrow()).channel;
}

/** Sets the identity a case's replies go to (null: the one the worker used last). */
export async function setReplyContact(trx: Transaction<Database>, caseId: string, contactId: string | null, now: Date): Promise<void> {
  await trx.updateTable('cases').set({ reply_contact_id: contactId, updated_at: now }).where('id', '=', caseId).execute();
}
