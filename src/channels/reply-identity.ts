import { isMessagingChannel, type MessagingChannel } from './channel';

// Which of a worker's channel identities a caseworker's reply goes to, and whether that channel
// lets it go now. WhatsApp and Messenger allow free-form replies only within 24 hours of the
// worker's last message on them; SMS, LINE and Viber have no such window.

export const REPLY_WINDOW_HOURS = 24;
const WINDOWED: readonly MessagingChannel[] = ['whatsapp', 'messenger'];

export interface Identity {
  id: string;
  channel: string;
  isOptedOut: boolean;
  /** The worker's last message on this identity. */
  lastMessageAt: Date | null;
}

export type ReplyWindow =
  | { kind: 'none' }
  | { kind: 'open'; closesAt: Date }
  | { kind: 'closed'; closedAt: Date | null };

/**
 * The identity a reply goes to: the one a caseworker picked, while it can still be answered;
 * otherwise the one the worker used last among those not opted out; an opted-out one only when
 * every identity opted out (so the caller can say so).
 */
export function chooseReplyIdentity<T extends Identity>(identities: readonly T[], pickedId: string | null): T | undefined {
  const picked = pickedId ? identities.find((identity) => identity.id === pickedId && !identity.isOptedOut && isMessagingChannel(identity.channel)) : undefined;
  if (picked) return picked;
  const reachable = identities.filter((identity) => isMessagingChannel(identity.channel));
  const byLastUse = [...reachable].sort((a, b) => (b.lastMessageAt?.getTime() ?? 0) - (a.lastMessageAt?.getTime() ?? 0));
  return byLastUse.find((identity) => !identity.isOptedOut) ?? byLastUse[0];
}

/** The free-reply window of an identity at `now`. */
export function replyWindowOf(identity: Pick<Identity, 'channel' | 'lastMessageAt'>, now: Date): ReplyWindow {
  if (!isMessagingChannel(identity.channel) || !WINDOWED.includes(identity.channel)) return { kind: 'none' };
  if (!identity.lastMessageAt) return { kind: 'closed', closedAt: null };
  const closesAt = new Date(identity.lastMessageAt.getTime() + REPLY_WINDOW_HOURS * 3_600_000);
  return closesAt > now ? { kind: 'open', closesAt } : { kind: 'closed', closedAt: closesAt };
}
