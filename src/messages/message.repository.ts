import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema';
import type { PersonalDataCipher } from '../privacy/personal-data';
import { sealerForContact } from '../privacy/person-keys';

type Executor = Kysely<Database> | Transaction<Database>;

export interface InboundMessage {
  providerId: string;
  channel: 'sms' | 'whatsapp';
  contactId: string;
  caseId: string | null;
  /** The text as shown (Unicode); `rawBody` keeps what arrived when it differs (Zawgyi). */
  body: string;
  rawBody?: string | null;
  language?: string | null;
  media?: { contentType: string; url: string }[];
  receivedAt: Date;
}

/**
 * Stores an inbound message, sealed under its contact's person key, once per provider id. Returns
 * the new message id, or undefined when this provider id was already stored (a replay).
 */
export async function insertInboundMessage(
  db: Executor,
  cipher: PersonalDataCipher,
  message: InboundMessage,
): Promise<string | undefined> {
  const sealer = await sealerForContact(db, cipher, message.contactId);
  const row = await db
    .insertInto('messages')
    .values({
      provider_id: message.providerId,
      direction: 'in',
      channel: message.channel,
      contact_id: message.contactId,
      case_id: message.caseId,
      body_encrypted: sealer.seal(message.body),
      raw_body_encrypted: message.rawBody && message.rawBody !== message.body ? sealer.seal(message.rawBody) : null,
      language: message.language ?? null,
      status: 'received',
      media: JSON.stringify(message.media ?? []),
      created_at: message.receivedAt,
      status_updated_at: message.receivedAt,
    })
    .onConflict((oc) => oc.column('provider_id').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

/** A queued message's state as the API reports it back: status, encoding and segment count. */
export async function findQueuedMessage(db: Executor, id: string) {
  return db.selectFrom('messages').select(['id', 'status', 'encoding', 'segments']).where('id', '=', id).executeTakeFirstOrThrow();
}

/** Stores what a worker wrote on the web status page as a processed inbound web message; returns its id. */
export async function insertWebStatusMessage(db: Executor, message: { caseId: string; bodyEncrypted: string; at: Date }): Promise<string> {
  const row = await db
    .insertInto('messages')
    .values({
      case_id: message.caseId,
      direction: 'in',
      channel: 'web',
      body_encrypted: message.bodyEncrypted,
      status: 'received',
      processed_at: message.at,
      created_at: message.at,
      status_updated_at: message.at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/**
 * True when replies to this contact are already held: the WhatsApp news notice went out with the
 * first of them, so another held reply needs no second notice.
 */
export async function hasHeldReplies(db: Executor, contactId: string): Promise<boolean> {
  const held = await db.selectFrom('messages').select('id').where('contact_id', '=', contactId).where('status', '=', 'held').limit(1).executeTakeFirst();
  return held !== undefined;
}
