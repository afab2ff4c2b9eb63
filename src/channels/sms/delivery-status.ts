import type { Kysely } from 'kysely';
import type { Clock } from '../../clock';
import type { Database } from '../../db/schema';
import type { HotlineCounters } from '../../observability/hotline-counters';
import { findContactOfMessage, markContactOptedOut, moveStatusForward } from './outbound.repository';

// Delivery callbacks arrive as independent requests in any order and may repeat. A status only
// moves forward: queued → sending → sent → delivered | undelivered | failed, and read after
// delivered. The rank check happens inside the UPDATE, so concurrent callbacks cannot undo each
// other.

const RANK: Record<string, number> = {
  queued: 1, sending: 2, sent: 3, delivered: 4, undelivered: 4, failed: 4, read: 5,
};
/** Twilio's statuses that map onto ours; others (receiving, scheduled, canceled…) are ignored. */
const TWILIO_STATUS: Record<string, MessageStatusChange['status']> = {
  accepted: 'queued', queued: 'queued', sending: 'sending', sent: 'sent', delivered: 'delivered',
  undelivered: 'undelivered', failed: 'failed', read: 'read',
};

export interface StatusCallback {
  /** Our own message id, from the callback URL. */
  messageId?: string | undefined;
  providerId: string;
  twilioStatus: string;
  errorCode?: string | undefined;
}

/** Applies one delivery callback; returns whether the stored status changed (and counts the change). */
export async function applyDeliveryStatus(
  db: Kysely<Database>,
  clock: Clock,
  callback: StatusCallback,
  counters?: Pick<HotlineCounters, 'outboundStatus'>,
): Promise<boolean> {
  const status = TWILIO_STATUS[callback.twilioStatus.toLowerCase()];
  if (!status) return false;
  return applyMessageStatus(db, clock, { messageId: callback.messageId, providerId: callback.providerId, status, errorCode: callback.errorCode }, counters);
}

/** Our own status words, as any provider's receipt maps onto them. */
export interface MessageStatusChange {
  messageId?: string | undefined;
  providerId: string;
  status: 'queued' | 'sending' | 'sent' | 'delivered' | 'undelivered' | 'failed' | 'read';
  errorCode?: string | undefined;
  /** The provider says the worker blocked or left us (Twilio 21610 is recognised by its code). */
  optedOut?: boolean;
}

/** Moves a message's status forward (never back); returns whether it changed. */
export async function applyMessageStatus(
  db: Kysely<Database>,
  clock: Clock,
  callback: MessageStatusChange,
  counters?: Pick<HotlineCounters, 'outboundStatus'>,
): Promise<boolean> {
  const { status } = callback;
  const rank = RANK[status] ?? 0;
  const now = clock.now();
  const changed = await moveStatusForward(db, { messageId: callback.messageId, providerId: callback.providerId, status, rank, errorCode: callback.errorCode }, now);
  if (changed) counters?.outboundStatus(changed.channel, status);
  if (callback.optedOut || callback.errorCode === '21610') {
    const contactId = await findContactOfMessage(db, callback);
    if (contactId) await markContactOptedOut(db, contactId, now);
  }
  return changed !== undefined;
}
