import { sql, type Kysely, type Transaction } from 'kysely';
import { generateCaseReference } from '../../cases/case-reference';
import { OPEN_STATUSES } from '../../cases/case.repository';
import type { Database } from '../../db/schema';

type Executor = Kysely<Database> | Transaction<Database>;

// The voice line's rows: its calls (one per CallSid, locked while a request decides), the caller's
// identities found by the number's keyed hash, and the recorded prompts served to Twilio.

/** The channels whose address is a phone number: the same number is the same phone. */
const PHONE_NUMBER_CHANNELS = ['voice', 'sms', 'whatsapp'];

const CALL_COLUMNS = [
  'id', 'call_sid', 'contact_id', 'case_id', 'caller_encrypted', 'language', 'state', 'category', 'wants_callback', 'safe_time',
  'recording_attachment_id', 'status', 'started_at', 'ended_at',
] as const;

/**
 * A new call, with the state (and language) its first answer leaves it in; its id, or undefined
 * when its CallSid is already stored (Twilio retried the webhook).
 */
export async function insertCall(
  trx: Transaction<Database>,
  call: { callSid: string; contactId: string | null; callerEncrypted: string | null; language: string | null; state: unknown; at: Date },
): Promise<string | undefined> {
  const row = await trx
    .insertInto('calls')
    .values({
      call_sid: call.callSid,
      contact_id: call.contactId,
      caller_encrypted: call.callerEncrypted,
      language: call.language,
      state: JSON.stringify(call.state),
      started_at: call.at,
    })
    .onConflict((oc) => oc.column('call_sid').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

/**
 * A call by its CallSid, locked for the rest of the transaction, with all a webhook needs to
 * answer in the same statement: its caller's person and language, its case's reference, and the
 * newest open case of its caller's person.
 */
export async function lockCall(trx: Transaction<Database>, callSid: string) {
  return trx
    .selectFrom('calls')
    .leftJoin('contacts', 'contacts.id', 'calls.contact_id')
    .leftJoin('cases as call_case', 'call_case.id', 'calls.case_id')
    .leftJoinLateral(
      (eb) => eb
        .selectFrom('cases')
        .select(['cases.id', 'cases.reference'])
        .whereRef('cases.person_id', '=', 'contacts.person_id')
        .where('cases.status', 'in', OPEN_STATUSES)
        .orderBy('cases.created_at', 'desc')
        .orderBy('cases.id', 'desc')
        .limit(1)
        .as('open_case'),
      (join) => join.onTrue(),
    )
    .select(CALL_COLUMNS.map((column) => `calls.${column}` as const))
    .select(['contacts.person_id as contact_person_id', 'contacts.language as contact_language', 'call_case.reference as case_reference'])
    .select(['open_case.id as open_case_id', 'open_case.reference as open_case_reference'])
    .where('calls.call_sid', '=', callSid)
    .forUpdate('calls')
    .executeTakeFirst();
}

/** What opening and filing a call's message on its case needs of the call (read without a lock: the webhooks keep writing it). */
export async function findCallMessage(db: Executor, callId: string) {
  return db
    .selectFrom('calls')
    .select(['id', 'case_id', 'contact_id', 'recording_attachment_id', 'language', 'category', 'state', 'started_at'])
    .where('id', '=', callId)
    .executeTakeFirst();
}

/** A voice case's first row, as the caller's message opens it. */
export interface CallCaseRow {
  callId: string;
  attachmentId: string;
  contactId: string | null;
  language: string;
  categories: string[];
  summaryEncrypted: string | null;
  receivedAt: Date;
  at: Date;
}

const MAX_REFERENCE_DRAWS = 8;

/**
 * Opens the case of a call's message in one statement, to be run on its own (autocommit): the
 * case's row, the recording's attachment and the call linked to it. Inserting a case updates the
 * statistics rollup's row of its month, which every new case shares; run alone, the statement
 * holds that row only while PostgreSQL commits it, never while the web process answers others.
 * Only the first of several tries for the same call opens a case (the call is claimed FOR UPDATE
 * while it has none); undefined for the others. A reference already taken is drawn again.
 */
export async function insertCallCase(
  db: Kysely<Database>,
  row: CallCaseRow,
  drawReference: () => string = generateCaseReference,
): Promise<{ id: string; reference: string } | undefined> {
  for (let draw = 1; draw <= MAX_REFERENCE_DRAWS; draw += 1) {
    const result = await sql<{ claimed: number; id: string | null; reference: string | null }>`
      with claim as (select id from calls where id = ${row.callId} and case_id is null for update),
      opened as (
        insert into cases (contact_id, channel, language, status, intake_complete, summary_encrypted, categories, last_worker_message_at, created_at, updated_at, reference)
        select ${row.contactId}::uuid, 'voice', ${row.language}, 'new', false, ${row.summaryEncrypted}, ${row.categories}::text[],
          ${row.receivedAt}::timestamptz, ${row.receivedAt}::timestamptz, ${row.at}::timestamptz, ${drawReference()}
        from claim
        on conflict (reference) do nothing
        returning id, reference
      ),
      attached as (update attachments set case_id = opened.id from opened where attachments.id = ${row.attachmentId}),
      linked as (update calls set case_id = opened.id from opened where calls.id = ${row.callId})
      select (select count(*) from claim)::int as claimed, opened.id, opened.reference from (select 1) as one left join opened on true`.execute(db);
    const [outcome] = result.rows;
    if (!outcome || outcome.claimed === 0) return undefined;
    if (outcome.id && outcome.reference) return { id: outcome.id, reference: outcome.reference };
  }
  throw new Error(`no free case reference in ${MAX_REFERENCE_DRAWS} draws`);
}

/** The case of a call, if it has one: its id and reference. */
export async function findCaseOfCall(db: Executor, callId: string): Promise<{ id: string; reference: string } | undefined> {
  return db
    .selectFrom('calls')
    .innerJoin('cases', 'cases.id', 'calls.case_id')
    .select(['cases.id', 'cases.reference'])
    .where('calls.id', '=', callId)
    .executeTakeFirst();
}

/** True when the call's message is on its case's timeline (the job that files it ran). */
export async function isCallMessageFiled(db: Executor, caseId: string, callId: string): Promise<boolean> {
  const row = await db
    .selectFrom('case_events')
    .select('id')
    .where('case_id', '=', caseId)
    .where('type', '=', 'call.message_left')
    .where(sql<string>`data->>'callId'`, '=', callId)
    .executeTakeFirst();
  return row !== undefined;
}

/** Changes a call. */
export async function updateCall(
  db: Executor,
  callId: string,
  changes: {
    contactId?: string | null;
    caseId?: string | null;
    callerEncrypted?: string | null;
    language?: string | null;
    state?: unknown;
    category?: string | null;
    wantsCallback?: boolean | null;
    safeTime?: string | null;
    recordingAttachmentId?: string | null;
    status?: string;
    endedAt?: Date | null;
  },
): Promise<void> {
  await db
    .updateTable('calls')
    .set({
      ...(changes.contactId !== undefined ? { contact_id: changes.contactId } : {}),
      ...(changes.caseId !== undefined ? { case_id: changes.caseId } : {}),
      ...(changes.callerEncrypted !== undefined ? { caller_encrypted: changes.callerEncrypted } : {}),
      ...(changes.language !== undefined ? { language: changes.language } : {}),
      ...(changes.state !== undefined ? { state: JSON.stringify(changes.state) } : {}),
      ...(changes.category !== undefined ? { category: changes.category } : {}),
      ...(changes.wantsCallback !== undefined ? { wants_callback: changes.wantsCallback } : {}),
      ...(changes.safeTime !== undefined ? { safe_time: changes.safeTime } : {}),
      ...(changes.recordingAttachmentId !== undefined ? { recording_attachment_id: changes.recordingAttachmentId } : {}),
      ...(changes.status !== undefined ? { status: changes.status } : {}),
      ...(changes.endedAt !== undefined ? { ended_at: changes.endedAt } : {}),
    })
    .where('id', '=', callId)
    .execute();
}

/**
 * The identities of a phone number on the phone channels (under any key's hash), voice first, then
 * oldest; never an erased person's. Their people's rows are share-locked until commit: an erasure of
 * one of them that is running is waited for, and its person then left out.
 */
export async function findPhoneIdentities(db: Executor, addressHashes: readonly string[]) {
  if (addressHashes.length === 0) return [];
  const rows = await db
    .selectFrom('contacts')
    .innerJoin('people', 'people.id', 'contacts.person_id')
    .select(['contacts.id', 'contacts.channel', 'contacts.person_id', 'contacts.language', 'contacts.created_at'])
    .where('contacts.channel', 'in', PHONE_NUMBER_CHANNELS)
    .where('contacts.address_hash', 'in', addressHashes)
    .where('people.erased_at', 'is', null)
    .orderBy('contacts.created_at')
    .forKeyShare('people')
    .execute();
  return [...rows.filter((row) => row.channel === 'voice'), ...rows.filter((row) => row.channel !== 'voice')];
}

/**
 * Whether a person is still kept (not erased), share-locking their row until commit: an erasure of
 * them that is running is waited for, and one that starts later waits for this transaction.
 */
export async function holdLivePerson(trx: Transaction<Database>, personId: string): Promise<boolean> {
  const row = await trx.selectFrom('people').select('id').where('id', '=', personId).where('erased_at', 'is', null).forKeyShare().executeTakeFirst();
  return row !== undefined;
}

/**
 * The voice identity of a number (created, or found when it exists, which `inserted` tells); a given
 * person owns it, else a new one. `addressEncrypted` null: the caller seals the number under the new
 * person's key once the row (and so the person) exists.
 */
export async function upsertVoiceContact(
  trx: Transaction<Database>,
  contact: { personId: string | null; addressHash: string; addressEncrypted: string | null; language: string | null; at: Date },
): Promise<{ id: string; personId: string; inserted: boolean }> {
  const row = await trx
    .insertInto('contacts')
    .values({
      channel: 'voice',
      address_hash: contact.addressHash,
      address_encrypted: contact.addressEncrypted,
      language: contact.language,
      conversation: '{}',
      last_message_at: contact.at,
      ...(contact.personId ? { person_id: contact.personId } : {}),
    })
    .onConflict((oc) => oc.columns(['channel', 'address_hash']).doUpdateSet({ last_message_at: contact.at, updated_at: contact.at }))
    // xmax is 0 on a row this statement inserted, and set on one it updated (the number was known).
    .returning(['id', 'person_id', sql<boolean>`xmax = 0`.as('inserted')])
    .executeTakeFirstOrThrow();
  return { id: row.id, personId: row.person_id, inserted: row.inserted };
}

/** Remembers the language a caller chose, for their next call and their case's replies. */
export async function setContactLanguage(db: Executor, contactId: string, language: string, now: Date): Promise<void> {
  await db.updateTable('contacts').set({ language, updated_at: now }).where('id', '=', contactId).execute();
}

/** The provider's id of an attachment (a recording's RE… sid). */
export async function findAttachmentProviderRef(db: Executor, attachmentId: string): Promise<string | null> {
  const row = await db.selectFrom('attachments').select('provider_ref').where('id', '=', attachmentId).executeTakeFirst();
  return row?.provider_ref ?? null;
}

/** Every recorded prompt whose audio is stored: its id, key and language. */
export async function listRecordedPrompts(db: Executor) {
  return db
    .selectFrom('voice_prompts')
    .innerJoin('attachments', 'attachments.id', 'voice_prompts.attachment_id')
    .select(['voice_prompts.id', 'voice_prompts.prompt_key', 'voice_prompts.language'])
    .where('attachments.status', '=', 'stored')
    .execute();
}

/** The stored audio behind a prompt's public id; nothing for any other id (case files are never served here). */
export async function findPromptAudio(db: Executor, promptId: string) {
  return db
    .selectFrom('voice_prompts')
    .innerJoin('attachments', 'attachments.id', 'voice_prompts.attachment_id')
    .select(['attachments.id as attachment_id', 'attachments.content_type', 'attachments.size_bytes'])
    .where('voice_prompts.id', '=', promptId)
    .where('attachments.status', '=', 'stored')
    .where('attachments.kind', '=', 'audio')
    .executeTakeFirst();
}

/** Records a prompt's audio in a language, replacing the one it had. */
export async function upsertVoicePrompt(db: Executor, prompt: { key: string; language: string; attachmentId: string; at: Date }): Promise<string> {
  const row = await db
    .insertInto('voice_prompts')
    .values({ prompt_key: prompt.key, language: prompt.language, attachment_id: prompt.attachmentId, created_at: prompt.at })
    .onConflict((oc) => oc.columns(['prompt_key', 'language']).doUpdateSet({ attachment_id: prompt.attachmentId }))
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/**
 * The mark a placeholder recording carries in its attachment's `provider_ref` (it has no provider
 * id otherwise): no column is needed to tell espeak-ng's voice from an admin's recording.
 */
export const PLACEHOLDER_REF = 'placeholder:espeak-ng';

/** Every prompt with stored audio, for the console: its key, language, audio and whether it is a placeholder. */
export async function listPromptRecordings(db: Executor) {
  const rows = await db
    .selectFrom('voice_prompts')
    .innerJoin('attachments', 'attachments.id', 'voice_prompts.attachment_id')
    .select(['voice_prompts.id', 'voice_prompts.prompt_key', 'voice_prompts.language', 'attachments.provider_ref', 'attachments.stored_at', 'attachments.content_type'])
    .where('attachments.status', '=', 'stored')
    .execute();
  return rows.map((row) => ({
    id: row.id, key: row.prompt_key, language: row.language, placeholder: row.provider_ref === PLACEHOLDER_REF, storedAt: row.stored_at, contentType: row.content_type,
  }));
}

/** The recording a prompt has in a language, locked until commit (it is about to be replaced). */
export async function lockPromptRecording(trx: Transaction<Database>, key: string, language: string) {
  const row = await trx
    .selectFrom('voice_prompts')
    .innerJoin('attachments', 'attachments.id', 'voice_prompts.attachment_id')
    .select(['voice_prompts.id', 'voice_prompts.attachment_id', 'attachments.provider_ref'])
    .where('voice_prompts.prompt_key', '=', key)
    .where('voice_prompts.language', '=', language)
    .forUpdate()
    .executeTakeFirst();
  return row && { id: row.id, attachmentId: row.attachment_id, placeholder: row.provider_ref === PLACEHOLDER_REF };
}

/** Marks a prompt's audio as a placeholder made by espeak-ng. */
export async function markPlaceholderAudio(db: Executor, attachmentId: string): Promise<void> {
  await db.updateTable('attachments').set({ provider_ref: PLACEHOLDER_REF }).where('id', '=', attachmentId).execute();
}
