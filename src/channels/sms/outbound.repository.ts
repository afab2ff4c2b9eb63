import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../../db/schema';

type Executor = Kysely<Database> | Transaction<Database>;

// The rows of outbound messages: written queued, read by the send job, moved forward by receipts.

export interface OutboundRow {
  channel: string;
  contactId: string;
  caseId: string | null;
  bodyEncrypted: string;
  language: string;
  encoding: string;
  segments: number;
  template: string | null;
  sentByUserId: string | null;
  replyToken: { token: string; expiresAt: Date } | null;
  status: 'queued' | 'held';
}

/** Writes an outbound message; returns its id. */
export async function insertOutboundMessage(trx: Transaction<Database>, row: OutboundRow, now: Date): Promise<string> {
  const inserted = await trx
    .insertInto('messages')
    .values({
      direction: 'out',
      channel: row.channel,
      contact_id: row.contactId,
      case_id: row.caseId,
      body_encrypted: row.bodyEncrypted,
      language: row.language,
      encoding: row.encoding,
      segments: row.segments,
      status: row.status,
      template: row.template,
      sent_by_user_id: row.sentByUserId,
      reply_token: row.replyToken?.token ?? null,
      reply_token_expires_at: row.replyToken?.expiresAt ?? null,
      created_at: now,
      status_updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return inserted.id;
}

/** An outbound message with what sending it needs from its contact. */
export async function findOutboundToSend(db: Executor, messageId: string) {
  return db
    .selectFrom('messages')
    .innerJoin('contacts', 'contacts.id', 'messages.contact_id')
    .select(['messages.id', 'messages.status', 'messages.provider_id', 'messages.channel', 'messages.body_encrypted', 'messages.segments',
      'messages.template', 'messages.language', 'messages.reply_token', 'messages.reply_token_expires_at',
      'contacts.id as contactId', 'contacts.address_encrypted', 'contacts.is_opted_out', 'contacts.conversation'])
    .where('messages.id', '=', messageId)
    .where('messages.direction', '=', 'out')
    .executeTakeFirst();
}

/** Records what a send attempt changed; `touchStatus` false keeps the status time (a retried attempt). */
export async function markMessage(
  db: Executor,
  messageId: string,
  changes: { status?: string; error_code?: string; provider_id?: string },
  now: Date,
  touchStatus = true,
): Promise<void> {
  await db
    .updateTable('messages')
    .set({ ...changes, ...(touchStatus ? { status_updated_at: now } : {}) })
    .where('id', '=', messageId)
    .execute();
}

/** Marks a contact opted out (a STOP word, an unfollow, or the provider saying the worker left). */
export async function markContactOptedOut(db: Executor, contactId: string, now: Date): Promise<void> {
  await db
    .updateTable('contacts')
    .set({ is_opted_out: true, opted_out_at: now, updated_at: now })
    .where('id', '=', contactId)
    .where('is_opted_out', '=', false)
    .execute();
}

const rankOf = sql<number>`case status
  when 'queued' then 1 when 'sending' then 2 when 'sent' then 3
  when 'delivered' then 4 when 'undelivered' then 4 when 'failed' then 4 when 'read' then 5 else 0 end`;

/**
 * Moves one outbound message's status forward, in one UPDATE whose rank check makes concurrent
 * receipts unable to undo each other; returns the changed row, if any.
 */
export async function moveStatusForward(
  db: Executor,
  change: { messageId?: string | undefined; providerId: string; status: string; rank: number; errorCode?: string | undefined },
  now: Date,
) {
  const { status } = change;
  return db
    .updateTable('messages')
    .set({
      status,
      status_updated_at: now,
      provider_id: sql<string>`coalesce(provider_id, ${change.providerId})`,
      ...(change.errorCode ? { error_code: change.errorCode } : {}),
    })
    .where('direction', '=', 'out')
    .where((eb) =>
      change.messageId
        ? eb.and([eb('id', '=', change.messageId), eb.or([eb('provider_id', 'is', null), eb('provider_id', '=', change.providerId)])])
        : eb('provider_id', '=', change.providerId),
    )
    .where(rankOf, '<', change.rank)
    // "read" means the message reached the phone: never after a failure.
    .where((eb) => (status === 'read' ? eb('status', 'not in', ['undelivered', 'failed']) : eb.lit(true)))
    .returning(['id', 'contact_id', 'channel'])
    .executeTakeFirst();
}

/** The contact an outbound message went to, by our id or the provider's. */
export async function findContactOfMessage(db: Executor, ids: { messageId?: string | undefined; providerId: string }): Promise<string | null> {
  const row = await db
    .selectFrom('messages')
    .select('contact_id')
    .where((eb) => (ids.messageId ? eb('id', '=', ids.messageId) : eb('provider_id', '=', ids.providerId)))
    .executeTakeFirst();
  return row?.contact_id ?? null;
}
