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

/** Why no message can reach the worker now. */
export type Unreachable = 'no_channel' | 'opted_out' | 'window_closed' | 'no_template';

/**
 * Where a message to the worker goes now: the identity `chooseReplyIdentity` picks, and whether it
 * must be held behind WhatsApp's approved "we have news" template (WhatsApp outside its window, when
 * the deployment has the template); or why it cannot go — no chat identity, opted out, Messenger
 * outside its window (it refuses anything then), WhatsApp outside its window without the template.
 */
export function replyRouteOf<T extends Identity>(
  identities: readonly T[],
  pickedId: string | null,
  now: Date,
  hasNewsTemplate: boolean,
): { target: T & { channel: MessagingChannel }; holding: boolean } | { unreachable: Unreachable } {
  const chosen = chooseReplyIdentity(identities, pickedId);
  const channel = chosen?.channel;
  if (!chosen || !isMessagingChannel(channel)) return { unreachable: 'no_channel' };
  const target = { ...chosen, channel };
  if (target.isOptedOut) return { unreachable: 'opted_out' };
  const holding = replyWindowOf(target, now).kind === 'closed';
  if (holding && target.channel === 'messenger') return { unreachable: 'window_closed' };
  if (holding && !hasNewsTemplate) return { unreachable: 'no_template' };
  return { target, holding };
}

/** The free-reply window of an identity at `now`. */
export function replyWindowOf(identity: Pick<Identity, 'channel' | 'lastMessageAt'>, now: Date): ReplyWindow {
  if (!isMessagingChannel(identity.channel) || !WINDOWED.includes(identity.channel)) return { kind: 'none' };
  if (!identity.lastMessageAt) return { kind: 'closed', closedAt: null };
  const closesAt = new Date(identity.lastMessageAt.getTime() + REPLY_WINDOW_HOURS * 3_600_000);
  return closesAt > now ? { kind: 'open', closesAt } : { kind: 'closed', closedAt: closesAt };
}
