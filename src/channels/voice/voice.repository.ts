import type { Kysely, Transaction } from 'kysely';
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

/** A new call; nothing when its CallSid is already stored (Twilio retried the webhook). */
export async function insertCall(
  trx: Transaction<Database>,
  call: { callSid: string; contactId: string | null; callerEncrypted: string | null; state: unknown; at: Date },
): Promise<void> {
  await trx
    .insertInto('calls')
    .values({
      call_sid: call.callSid,
      contact_id: call.contactId,
      caller_encrypted: call.callerEncrypted,
      state: JSON.stringify(call.state),
      started_at: call.at,
    })
    .onConflict((oc) => oc.column('call_sid').doNothing())
    .execute();
}

/** A call by its CallSid, locked for the rest of the transaction. */
export async function lockCall(trx: Transaction<Database>, callSid: string) {
  return trx.selectFrom('calls').select(CALL_COLUMNS).where('call_sid', '=', callSid).forUpdate().executeTakeFirst();
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

/** The identities of a phone number on the phone channels (under any key's hash), voice first, then oldest. */
export async function findPhoneIdentities(db: Executor, addressHashes: readonly string[]) {
  if (addressHashes.length === 0) return [];
  const rows = await db
    .selectFrom('contacts')
    .innerJoin('people', 'people.id', 'contacts.person_id')
    .select(['contacts.id', 'contacts.channel', 'contacts.person_id', 'contacts.language', 'contacts.created_at'])
    .select((eb) => eb.or([eb('contacts.erased_at', 'is not', null), eb('people.erased_at', 'is not', null)]).as('erased'))
    .where('contacts.channel', 'in', PHONE_NUMBER_CHANNELS)
    .where('contacts.address_hash', 'in', addressHashes)
    .orderBy('contacts.created_at')
    .execute();
  return [...rows.filter((row) => row.channel === 'voice'), ...rows.filter((row) => row.channel !== 'voice')];
}

/**
 * The voice identity of a number (created, or found when it exists); a given person owns it, else a
 * new one. `addressEncrypted` null: the caller seals it once the new row's person is known
 * (`addressMissing` says so).
 */
export async function upsertVoiceContact(
  trx: Transaction<Database>,
  contact: { personId: string | null; addressHash: string; addressEncrypted: string | null; language: string | null; at: Date },
): Promise<{ id: string; personId: string; addressMissing: boolean }> {
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
    .returning(['id', 'person_id', 'address_encrypted', 'erased_at'])
    .executeTakeFirstOrThrow();
  return { id: row.id, personId: row.person_id, addressMissing: row.address_encrypted === null && row.erased_at === null };
}

/** The person of a contact. */
export async function findPersonOfContact(db: Executor, contactId: string): Promise<string | undefined> {
  const row = await db.selectFrom('contacts').select('person_id').where('id', '=', contactId).executeTakeFirst();
  return row?.person_id;
}

/** The language a contact last used, if any. */
export async function findContactLanguage(db: Executor, contactId: string): Promise<string | null> {
  const row = await db.selectFrom('contacts').select('language').where('id', '=', contactId).executeTakeFirst();
  return row?.language ?? null;
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
