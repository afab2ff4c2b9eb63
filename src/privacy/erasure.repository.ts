import { sql, type ExpressionBuilder, type Kysely, type Transaction } from 'kysely';
import type { Database, ErasureReason, ErasureRefusalReason, ErasureScope, ErasureSource } from '../db/schema';

type Executor = Kysely<Database> | Transaction<Database>;

// The rows an erasure reads and rewrites. Every list of ids may be empty: each function then does
// nothing (an `in ()` is not SQL). The erasure service decides what goes; this file only says how.

/** The channels whose messages Twilio carries (and keeps a copy of until asked to delete it). */
const TWILIO_CHANNELS = ['sms', 'whatsapp', 'messenger'];
/** Attachment sources whose file Twilio keeps: message media, and the voice line's recordings. */
const TWILIO_ATTACHMENT_SOURCES = ['twilio', 'voice'] as const;

/** An erasure as the engine works with it. */
export interface ErasureRow {
  id: string;
  personId: string;
  caseId: string | null;
  scope: ErasureScope;
  source: ErasureSource;
  status: string;
  reason: ErasureReason | null;
  confirmedByUserId: string | null;
  summary: Record<string, number>;
}

/** The erasure, locked until commit (one run at a time; a second waits, then sees it done). */
export async function lockErasure(trx: Transaction<Database>, erasureId: string): Promise<ErasureRow | undefined> {
  const row = await trx
    .selectFrom('erasures')
    .select(['id', 'person_id', 'case_id', 'scope', 'source', 'status', 'reason', 'confirmed_by_user_id', 'summary'])
    .where('id', '=', erasureId)
    .forUpdate()
    .executeTakeFirst();
  return row && {
    id: row.id, personId: row.person_id, caseId: row.case_id, scope: row.scope, source: row.source, status: row.status, reason: row.reason,
    confirmedByUserId: row.confirmed_by_user_id, summary: row.summary,
  };
}

/** Records an erasure decided without a second coordinator (the CLI, retention): confirmed at once; its id. */
export async function insertConfirmedErasure(
  db: Executor,
  erasure: { personId: string; caseId: string | null; scope: ErasureScope; source: ErasureSource; reason: ErasureReason; at: Date },
): Promise<string> {
  const row = await db
    .insertInto('erasures')
    .values({
      person_id: erasure.personId, case_id: erasure.caseId, scope: erasure.scope, source: erasure.source, status: 'confirmed',
      reason: erasure.reason, requested_at: erasure.at, confirmed_at: erasure.at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Marks the erasure done, with its counts. */
export async function markErasureDone(trx: Transaction<Database>, erasureId: string, summary: Record<string, number>, at: Date): Promise<void> {
  await trx.updateTable('erasures').set({ status: 'done', done_at: at, summary: JSON.stringify(summary) }).where('id', '=', erasureId).execute();
}

/** Marks the erasure refused for a legal reason (no user refused it: the rule did). */
export async function markErasureRefused(trx: Transaction<Database>, erasureId: string, reason: ErasureRefusalReason, at: Date): Promise<void> {
  await trx.updateTable('erasures').set({ status: 'refused', refusal_reason: reason, refused_at: at }).where('id', '=', erasureId).execute();
}

/** The person and everyone joined to them by a merge not undone, on either side, transitively. */
export async function findPersonGroup(db: Executor, personId: string): Promise<string[]> {
  const result = await sql<{ id: string }>`
    with recursive person_group(id) as (
      select ${personId}::uuid
      union
      select case when m.kept_person_id = g.id then m.merged_person_id else m.kept_person_id end
      from person_merges m
      join person_group g on m.kept_person_id = g.id or m.merged_person_id = g.id
      where m.undone_at is null
    )
    select g.id from person_group g join people p on p.id = g.id order by g.id`.execute(db);
  return result.rows.map((row) => row.id);
}

/** Locks people (in id order, as merges do) until commit: no merge moves rows to or from them meanwhile. */
export async function lockPeopleRows(trx: Transaction<Database>, personIds: readonly string[]): Promise<void> {
  if (personIds.length === 0) return;
  await trx.selectFrom('people').select('id').where('id', 'in', [...personIds]).orderBy('id').forUpdate().execute();
}

/** Whether a person exists. */
export async function personExists(db: Executor, personId: string): Promise<boolean> {
  return (await db.selectFrom('people').select('id').where('id', '=', personId).executeTakeFirst()) !== undefined;
}

/** A case's id, reference and person, by id. */
export async function findCaseById(db: Executor, caseId: string) {
  return db.selectFrom('cases').select(['id', 'reference', 'person_id']).where('id', '=', caseId).executeTakeFirst();
}

/** A case's id, reference and person, by reference. */
export async function findCaseByReference(db: Executor, reference: string) {
  return db.selectFrom('cases').select(['id', 'reference', 'person_id']).where('reference', '=', reference).executeTakeFirst();
}

/** The people who wrote or called from a phone number on SMS, WhatsApp or the voice line (by its lookup hashes). */
export async function findPeopleByPhoneHashes(db: Executor, addressHashes: readonly string[]): Promise<string[]> {
  if (addressHashes.length === 0) return [];
  const rows = await db
    .selectFrom('contacts')
    .select('person_id')
    .distinct()
    .where('channel', 'in', ['sms', 'whatsapp', 'voice'])
    .where('address_hash', 'in', [...addressHashes])
    .orderBy('person_id')
    .execute();
  return rows.map((row) => row.person_id);
}

/** The cases of these people, oldest first. */
export async function listCasesOfPeople(db: Executor, personIds: readonly string[]) {
  if (personIds.length === 0) return [];
  return db.selectFrom('cases').select(['id', 'reference', 'person_id']).where('person_id', 'in', [...personIds]).orderBy('created_at').orderBy('id').execute();
}

/** The channel identities of these people. */
export async function listContactIdsOfPeople(db: Executor, personIds: readonly string[]): Promise<string[]> {
  if (personIds.length === 0) return [];
  return (await db.selectFrom('contacts').select('id').where('person_id', 'in', [...personIds]).orderBy('id').execute()).map((row) => row.id);
}

/** The cases among these that a legal hold still holds (not released, not expired). */
export async function listHeldCases(db: Executor, caseIds: readonly string[], now: Date) {
  if (caseIds.length === 0) return [];
  return db
    .selectFrom('legal_holds')
    .innerJoin('cases', 'cases.id', 'legal_holds.case_id')
    .select(['cases.id', 'cases.reference'])
    .distinct()
    .where('legal_holds.case_id', 'in', [...caseIds])
    .where('legal_holds.released_at', 'is', null)
    .where('legal_holds.held_until', '>', now)
    .orderBy('cases.reference')
    .execute();
}

/** The messages of these cases and of these identities (also those before any case opened). */
export async function listMessageIds(db: Executor, caseIds: readonly string[], contactIds: readonly string[]): Promise<string[]> {
  if (caseIds.length === 0 && contactIds.length === 0) return [];
  const rows = await db
    .selectFrom('messages')
    .select('id')
    .where((eb) => eb.or([
      ...(caseIds.length > 0 ? [eb('case_id', 'in', [...caseIds])] : []),
      ...(contactIds.length > 0 ? [eb('contact_id', 'in', [...contactIds])] : []),
    ]))
    .orderBy('id')
    .execute();
  return rows.map((row) => row.id);
}

/** The attachments of these people (person scope), cases or messages. */
export async function listAttachmentIds(db: Executor, reach: { personIds: readonly string[]; caseIds: readonly string[]; messageIds: readonly string[] }): Promise<string[]> {
  const { personIds, caseIds, messageIds } = reach;
  if (personIds.length === 0 && caseIds.length === 0 && messageIds.length === 0) return [];
  const rows = await db
    .selectFrom('attachments')
    .select('id')
    .where((eb) => eb.or([
      ...(personIds.length > 0 ? [eb('person_id', 'in', [...personIds])] : []),
      ...(caseIds.length > 0 ? [eb('case_id', 'in', [...caseIds])] : []),
      ...(messageIds.length > 0 ? [eb('message_id', 'in', [...messageIds])] : []),
    ]))
    .orderBy('id')
    .execute();
  return rows.map((row) => row.id);
}

/** The calls of these cases or identities (callers check that one list is not empty). */
function callsOf(caseIds: readonly string[], contactIds: readonly string[]) {
  return (eb: ExpressionBuilder<Database, 'calls'>) => eb.or([
    ...(caseIds.length > 0 ? [eb('case_id', 'in', [...caseIds])] : []),
    ...(contactIds.length > 0 ? [eb('contact_id', 'in', [...contactIds])] : []),
  ]);
}

/** How many notes, referrals, escalations and calls an erasure of these cases (and identities) reaches. */
export async function countCaseContent(db: Executor, caseIds: readonly string[], contactIds: readonly string[]) {
  const counted = async (table: 'notes' | 'referrals' | 'escalations') => {
    if (caseIds.length === 0) return 0;
    const row = await db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).where('case_id', 'in', [...caseIds]).executeTakeFirst();
    return Number(row?.n ?? 0);
  };
  const calls = async () => {
    if (caseIds.length === 0 && contactIds.length === 0) return 0;
    const row = await db
      .selectFrom('calls')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where(callsOf(caseIds, contactIds))
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  };
  return { notes: await counted('notes'), referrals: await counted('referrals'), escalations: await counted('escalations'), calls: await calls() };
}

/** Empties identities: no address, a tombstone in place of the lookup hash (the number is no longer found), no conversation. */
export async function eraseContacts(trx: Transaction<Database>, contactIds: readonly string[], now: Date): Promise<number> {
  if (contactIds.length === 0) return 0;
  const result = await trx
    .updateTable('contacts')
    .set({ address_encrypted: null, address_hash: sql<string>`'erased:' || id::text`, conversation: '{}', erased_at: now, updated_at: now })
    .where('id', 'in', [...contactIds])
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * Empties the personal fields of cases and marks them erased; categories, indicators, corridor,
 * sector, status, outcome, amounts and dates stay, so the statistics rollup does not move. A case
 * with a consent answer keeps the answer and its time; its wording goes (the check
 * `cases_consent_recorded` allows no wording on an erased case, migration 0017).
 */
export async function eraseCaseFields(
  trx: Transaction<Database>,
  caseIds: readonly string[],
  erased: { erasureId: string; now: Date },
): Promise<number> {
  if (caseIds.length === 0) return 0;
  const { erasureId, now } = erased;
  const result = await trx
    .updateTable('cases')
    .set({
      location_raw_encrypted: null, summary_encrypted: null, employer_encrypted: null, employer_key: null, consent_wording: null,
      consent_wording_encrypted: null, pin_hash: null,
      personal_data_erased_at: sql<Date>`coalesce(personal_data_erased_at, ${now})`,
      erasure_id: sql<string>`coalesce(erasure_id, ${erasureId}::uuid)`,
    })
    .where('id', 'in', [...caseIds])
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Empties messages: no words, no media, no reply token. The row (direction, channel, status, times) stays. */
export async function eraseMessages(trx: Transaction<Database>, messageIds: readonly string[]): Promise<number> {
  if (messageIds.length === 0) return 0;
  const result = await trx
    .updateTable('messages')
    .set({ body_encrypted: null, raw_body_encrypted: null, media: '[]', reply_token: null, reply_token_expires_at: null })
    .where('id', 'in', [...messageIds])
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Nothing is sent or processed for erased messages: replies waiting are failed, inbound not yet processed is closed. */
export async function closePendingMessages(trx: Transaction<Database>, messageIds: readonly string[], now: Date): Promise<void> {
  if (messageIds.length === 0) return;
  await trx
    .updateTable('messages')
    .set({ status: 'failed', error_code: 'erased', status_updated_at: now })
    .where('id', 'in', [...messageIds])
    .where('direction', '=', 'out')
    .where('status', 'in', ['queued', 'held'])
    .execute();
  await trx.updateTable('messages').set({ processed_at: now }).where('id', 'in', [...messageIds]).where('direction', '=', 'in').where('processed_at', 'is', null).execute();
}

/** Deletes the notes of these cases (their `note.added` events stay, without content). */
export async function deleteNotesOfCases(trx: Transaction<Database>, caseIds: readonly string[]): Promise<number> {
  if (caseIds.length === 0) return 0;
  const result = await trx.deleteFrom('notes').where('case_id', 'in', [...caseIds]).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Empties the reasons given for referrals of these cases, and for declining them. */
export async function eraseReferralTexts(trx: Transaction<Database>, caseIds: readonly string[]): Promise<number> {
  if (caseIds.length === 0) return 0;
  const result = await trx.updateTable('referrals').set({ reason_encrypted: null, decline_reason_encrypted: null }).where('case_id', 'in', [...caseIds]).executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Empties the reasons and outcomes written on escalations of these cases. */
export async function eraseEscalationTexts(trx: Transaction<Database>, caseIds: readonly string[]): Promise<number> {
  if (caseIds.length === 0) return 0;
  const result = await trx.updateTable('escalations').set({ reason_encrypted: null, outcome_encrypted: null }).where('case_id', 'in', [...caseIds]).executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Deletes the sealed bytes of attachments and their keys; the rows stay, marked erased. */
export async function eraseAttachments(trx: Transaction<Database>, attachmentIds: readonly string[]): Promise<number> {
  if (attachmentIds.length === 0) return 0;
  await trx.deleteFrom('attachment_chunks').where('attachment_id', 'in', [...attachmentIds]).execute();
  const result = await trx
    .updateTable('attachments')
    .set({ key_encrypted: null, provider_url_encrypted: null, status: 'erased', has_thumbnail: false })
    .where('id', 'in', [...attachmentIds])
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Empties the caller's number on the calls of these cases or identities. */
export async function eraseCallers(trx: Transaction<Database>, caseIds: readonly string[], contactIds: readonly string[]): Promise<number> {
  if (caseIds.length === 0 && contactIds.length === 0) return 0;
  const result = await trx
    .updateTable('calls')
    .set({ caller_encrypted: null })
    .where(callsOf(caseIds, contactIds))
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** The timeline events of these cases, with their data. */
export async function listEventsOfCases(db: Executor, caseIds: readonly string[]) {
  if (caseIds.length === 0) return [];
  return db.selectFrom('case_events').select(['id', 'data']).where('case_id', 'in', [...caseIds]).orderBy('id').execute();
}

/** Replaces one event's data. */
export async function replaceEventData(trx: Transaction<Database>, eventId: string, data: Record<string, unknown>): Promise<void> {
  await trx.updateTable('case_events').set({ data: JSON.stringify(data) }).where('id', '=', eventId).execute();
}

/** Marks people erased: no key may be made for them again. */
export async function markPeopleErased(trx: Transaction<Database>, personIds: readonly string[], now: Date): Promise<number> {
  if (personIds.length === 0) return 0;
  const result = await trx
    .updateTable('people')
    .set({ erased_at: sql<Date>`coalesce(erased_at, ${now})`, updated_at: now })
    .where('id', 'in', [...personIds])
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Messages of these that Twilio carried: their provider id, and their media (URLs sealed) if any. */
export async function listTwilioMessages(db: Executor, messageIds: readonly string[]) {
  if (messageIds.length === 0) return [];
  return db
    .selectFrom('messages')
    .select(['provider_id', 'media'])
    .where('id', 'in', [...messageIds])
    .where('channel', 'in', TWILIO_CHANNELS)
    .where('provider_id', 'is not', null)
    .orderBy('id')
    .execute();
}

/** Attachments of these whose file Twilio still holds: their source, provider id, sealed URL and message's provider id. */
export async function listTwilioHeldAttachments(db: Executor, attachmentIds: readonly string[]) {
  if (attachmentIds.length === 0) return [];
  return db
    .selectFrom('attachments')
    .leftJoin('messages', 'messages.id', 'attachments.message_id')
    .select(['attachments.source', 'attachments.provider_ref', 'attachments.provider_url_encrypted', 'messages.provider_id as message_provider_id'])
    .where('attachments.id', 'in', [...attachmentIds])
    .where('attachments.source', 'in', [...TWILIO_ATTACHMENT_SOURCES])
    .where('attachments.provider_deleted_at', 'is', null)
    .where('attachments.provider_ref', 'is not', null)
    .orderBy('attachments.id')
    .execute();
}

/** The Twilio ids of the calls of these cases (and identities): each call's log at Twilio keeps the caller's number. */
export async function listCallSids(db: Executor, caseIds: readonly string[], contactIds: readonly string[]): Promise<string[]> {
  if (caseIds.length === 0 && contactIds.length === 0) return [];
  const rows = await db
    .selectFrom('calls')
    .select('call_sid')
    .where(callsOf(caseIds, contactIds))
    .orderBy('call_sid')
    .execute();
  return rows.map((row) => row.call_sid);
}

/** A copy a provider keeps, to be deleted there. */
export interface ProviderCopy {
  provider: 'twilio';
  kind: 'message' | 'media' | 'recording' | 'call';
  ref: string;
}

/** Records the copies an erasure must have deleted (each once). */
export async function insertProviderCopies(trx: Transaction<Database>, erasureId: string, copies: readonly ProviderCopy[]): Promise<number> {
  if (copies.length === 0) return 0;
  const rows = await trx
    .insertInto('erasure_provider_copies')
    .values(copies.map((copy) => ({ erasure_id: erasureId, provider: copy.provider, kind: copy.kind, ref: copy.ref })))
    .onConflict((oc) => oc.columns(['erasure_id', 'provider', 'kind', 'ref']).doNothing())
    .returning('id')
    .execute();
  return rows.length;
}

/** The copies of an erasure still to delete: media and recordings first, then the messages they came with and the calls. */
export async function listPendingProviderCopies(db: Executor, erasureId: string) {
  return db
    .selectFrom('erasure_provider_copies')
    .select(['id', 'provider', 'kind', 'ref', 'attempts'])
    .where('erasure_id', '=', erasureId)
    .where('status', '=', 'pending')
    .orderBy(sql`case kind when 'media' then 0 when 'recording' then 1 when 'message' then 2 else 3 end`)
    .orderBy('id')
    .execute();
}

/** Counts one try at deleting a copy: its new status, and the error code when it failed. */
export async function recordProviderCopyAttempt(
  db: Executor,
  copyId: string,
  outcome: { status: 'pending' | 'deleted' | 'gone' | 'failed'; error: string | null; at: Date },
): Promise<void> {
  await db
    .updateTable('erasure_provider_copies')
    .set((eb) => ({
      status: outcome.status,
      attempts: eb('attempts', '+', 1),
      last_error: outcome.error,
      done_at: outcome.status === 'pending' ? null : outcome.at,
    }))
    .where('id', '=', copyId)
    .execute();
}

/** An attachment whose provider copy (media or recording id) is gone: recorded on it too. */
export async function markAttachmentCopyGone(db: Executor, providerRef: string, at: Date): Promise<void> {
  await db
    .updateTable('attachments')
    .set({ provider_deleted_at: at, provider_url_encrypted: null })
    .where('provider_ref', '=', providerRef)
    .where('source', 'in', [...TWILIO_ATTACHMENT_SOURCES])
    .where('provider_deleted_at', 'is', null)
    .execute();
}

/** How many data keys these people still have. */
export async function countPersonKeys(db: Executor, personIds: readonly string[]): Promise<number> {
  if (personIds.length === 0) return 0;
  const row = await db.selectFrom('person_keys').select((eb) => eb.fn.countAll<string>().as('n')).where('person_id', 'in', [...personIds]).executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** The provider ids (ME…) of these attachments whose Twilio copy was already deleted. */
export async function listDeletedProviderRefs(db: Executor, attachmentIds: readonly string[]): Promise<string[]> {
  if (attachmentIds.length === 0) return [];
  const rows = await db
    .selectFrom('attachments')
    .select('provider_ref')
    .where('id', 'in', [...attachmentIds])
    .where('provider_deleted_at', 'is not', null)
    .where('provider_ref', 'is not', null)
    .execute();
  return rows.flatMap((row) => (row.provider_ref ? [row.provider_ref] : []));
}
