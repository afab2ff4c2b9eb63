import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/schema';

type Executor = Kysely<Database> | Transaction<Database>;

// The rows a conversation turn reads and writes: the contact (one channel identity) under a lock,
// its person under a lock (so two identities of one worker never interleave), its unprocessed
// messages in arrival order, and what the turn leaves behind.

/** Locks a contact and its person for the rest of the transaction; undefined if it is gone. */
export async function lockContactAndPerson(trx: Transaction<Database>, contactId: string) {
  const row = await trx
    .selectFrom('contacts')
    .select(['id', 'person_id', 'channel', 'address_encrypted', 'language', 'is_opted_out', 'is_discreet', 'conversation'])
    .where('id', '=', contactId)
    .forUpdate()
    .executeTakeFirst();
  if (!row) return undefined;
  await trx.selectFrom('people').select('id').where('id', '=', row.person_id).forUpdate().executeTakeFirst();
  return row;
}

/** A contact's inbound messages not yet processed, in the order they arrived. */
export async function listUnprocessedMessages(trx: Transaction<Database>, contactId: string) {
  return trx
    .selectFrom('messages')
    .select(['id', 'body_encrypted', 'created_at', 'event', 'reply_token', 'reply_token_expires_at', 'media'])
    .where('contact_id', '=', contactId)
    .where('direction', '=', 'in')
    .where('processed_at', 'is', null)
    .orderBy('sequence')
    .execute();
}

/** What a turn leaves on the contact: the conversation state, language, flags, the last message time. */
export async function saveContactState(
  trx: Transaction<Database>,
  contactId: string,
  state: { conversation: unknown; language: string | null; isOptedOut: boolean; isDiscreet: boolean; lastMessageAt: Date | null },
  now: Date,
): Promise<void> {
  await trx
    .updateTable('contacts')
    .set({
      conversation: JSON.stringify(state.conversation),
      language: state.language,
      is_opted_out: state.isOptedOut,
      is_discreet: state.isDiscreet,
      ...(state.lastMessageAt ? { last_message_at: state.lastMessageAt } : {}),
      updated_at: now,
    })
    .where('id', '=', contactId)
    .execute();
}

/** Marks an inbound message processed, on the case it joined. */
export async function markMessageProcessed(
  trx: Transaction<Database>,
  messageId: string,
  changes: { caseId: string | null; language: string | null },
  now: Date,
): Promise<void> {
  await trx
    .updateTable('messages')
    .set({ processed_at: now, case_id: changes.caseId, language: changes.language })
    .where('id', '=', messageId)
    .execute();
}

/** Queues the replies held for a contact (WhatsApp's window reopened by the worker); returns their ids, oldest first. */
export async function releaseHeldMessages(trx: Transaction<Database>, contactId: string, now: Date): Promise<string[]> {
  const rows = await trx
    .updateTable('messages')
    .set({ status: 'queued', status_updated_at: now })
    .where('contact_id', '=', contactId)
    .where('status', '=', 'held')
    .returning(['id', 'sequence'])
    .execute();
  return rows.sort((a, b) => Number(a.sequence) - Number(b.sequence)).map((row) => row.id);
}

/** A case by reference, with what linking a channel to it needs (any worker's: the PIN decides). */
export async function findCaseForLink(trx: Transaction<Database>, reference: string) {
  return trx.selectFrom('cases').select(['id', 'reference', 'person_id', 'pin_hash']).where('reference', '=', reference).executeTakeFirst();
}

/** True when the case has a PIN already (a web report's). */
export async function caseHasPin(trx: Transaction<Database>, caseId: string): Promise<boolean> {
  const row = await trx.selectFrom('cases').select('pin_hash').where('id', '=', caseId).executeTakeFirst();
  return Boolean(row?.pin_hash);
}

/**
 * Moves one identity to another person. When it was its person's only identity, that person's
 * cases move too (the person is then empty); returns the ids of the cases moved.
 */
export async function moveIdentityToPerson(
  trx: Transaction<Database>,
  move: { contactId: string; fromPersonId: string; toPersonId: string },
  now: Date,
): Promise<string[]> {
  await trx.updateTable('contacts').set({ person_id: move.toPersonId, updated_at: now }).where('id', '=', move.contactId).execute();
  const others = await trx.selectFrom('contacts').select('id').where('person_id', '=', move.fromPersonId).limit(1).executeTakeFirst();
  if (others) return [];
  const moved = await trx.updateTable('cases').set({ person_id: move.toPersonId, updated_at: now }).where('person_id', '=', move.fromPersonId).returning('id').execute();
  return moved.map((row) => row.id);
}

/** Lifts a contact's opt-out (START, or following again on LINE). */
export async function markContactOptedIn(db: Executor, contactId: string, now: Date): Promise<void> {
  await db.updateTable('contacts').set({ is_opted_out: false, opted_out_at: null, updated_at: now }).where('id', '=', contactId).execute();
}

/** The organisation that owns a case, if any. */
export async function findCaseOwner(db: Executor, caseId: string): Promise<string | null> {
  const row = await db.selectFrom('cases').select('owner_organisation_id').where('id', '=', caseId).executeTakeFirst();
  return row?.owner_organisation_id ?? null;
}

/** What telling a case's worker something needs: the channel staff picked for replies, the case's language and owner. */
export async function findCaseForWorkerNotice(db: Executor, caseId: string) {
  return db.selectFrom('cases').select(['id', 'reply_contact_id', 'language', 'owner_organisation_id']).where('id', '=', caseId).executeTakeFirst();
}

/** The worker behind an inbound message: their contact, its channel, language and opt-out. */
export async function findSenderOfMessage(db: Executor, messageId: string) {
  const row = await db
    .selectFrom('messages')
    .innerJoin('contacts', 'contacts.id', 'messages.contact_id')
    .select(['contacts.id as contactId', 'contacts.channel', 'contacts.language', 'contacts.is_opted_out as isOptedOut'])
    .where('messages.id', '=', messageId)
    .where('messages.direction', '=', 'in')
    .executeTakeFirst();
  return row;
}
