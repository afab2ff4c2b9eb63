import type { z } from 'zod';
import type { InboundEvent, InboundMedia, InboundMessage, ReplyToken } from '../channel';
import { errors } from '../../http/errors';
import { toFieldIssues, validate } from '../../http/validate';
import {
  LINE_MESSAGE_TYPES,
  lineFollowEventSchema,
  lineMessageEventSchema,
  linePostbackEventSchema,
  lineUnfollowEventSchema,
  lineWebhookSchema,
  type LineMessage,
} from './line-webhook.schema';

// LINE documents that a reply token must be used within about a minute of the webhook, and
// only once. We count from our own clock when the request arrived (LINE's `timestamp` is its
// clock, and a redelivered event keeps the old one), and keep 10 s in hand for the queue and
// the network: after 50 s the sender pushes instead, which is billed but always arrives.
const REPLY_TOKEN_LIFETIME_MS = 50_000;

/** How many keywords of a sticker describe it; LINE sends up to 15, mostly synonyms. */
const STICKER_KEYWORDS = 3;

const MEDIA_TYPES = { image: 'image/*', video: 'video/*', audio: 'audio/*', file: 'application/octet-stream' } as const;

/**
 * Turns a LINE webhook body (already JSON, signature checked) into the events the pipeline
 * stores. Groups, rooms and event types the hotline does not handle are skipped; a malformed
 * event is a 400 naming its field, e.g. `events.0.message.id`.
 */
export function parseLineEvents(body: unknown, receivedAt: Date): InboundEvent[] {
  const webhook = validate(lineWebhookSchema, body);
  const parsed: InboundEvent[] = [];
  webhook.events.forEach((event, index) => {
    const inbound = parseEvent(event, index, receivedAt);
    if (inbound) parsed.push(inbound);
  });
  return parsed;
}

function parseEvent(event: { type: string }, index: number, receivedAt: Date): InboundEvent | undefined {
  switch (event.type) {
    case 'message': {
      if (!isReadMessageType(event)) return undefined;
      const { source, message, replyToken } = readEvent(lineMessageEventSchema, event, index);
      if (source.type !== 'user' || !source.userId) return undefined;
      return { ...messageContent(message), ...common(`line:${message.id}`, source.userId, receivedAt), ...reply(replyToken, receivedAt) };
    }
    case 'postback': {
      const { source, postback, replyToken, webhookEventId } = readEvent(linePostbackEventSchema, event, index);
      if (source.type !== 'user' || !source.userId) return undefined;
      return { text: postback.data, media: [], ...common(`line:${webhookEventId}`, source.userId, receivedAt), ...reply(replyToken, receivedAt) };
    }
    case 'follow': {
      const { source, replyToken, webhookEventId } = readEvent(lineFollowEventSchema, event, index);
      if (source.type !== 'user' || !source.userId) return undefined;
      return { kind: 'follow', channel: 'line', providerId: `line:${webhookEventId}`, address: source.userId, receivedAt, ...reply(replyToken, receivedAt) };
    }
    case 'unfollow': {
      const { source, webhookEventId } = readEvent(lineUnfollowEventSchema, event, index);
      if (source.type !== 'user' || !source.userId) return undefined;
      return { kind: 'unfollow', channel: 'line', providerId: `line:${webhookEventId}`, address: source.userId, receivedAt };
    }
    default:
      // join, leave, memberJoined, beacon, accountLink, videoPlayComplete…: nothing for the hotline.
      return undefined;
  }
}

function readEvent<S extends z.ZodType>(schema: S, event: unknown, index: number): z.infer<S> {
  const parsed = schema.safeParse(event);
  if (parsed.success) return parsed.data;
  throw errors.validation(toFieldIssues(parsed.error).map((issue) => ({ ...issue, field: `events.${index}.${issue.field}` })));
}

function isReadMessageType(event: object): boolean {
  const message = 'message' in event ? event.message : undefined;
  if (typeof message !== 'object' || message === null || !('type' in message)) return true; // the schema names the field
  return (LINE_MESSAGE_TYPES as readonly unknown[]).includes(message.type);
}

function common(providerId: string, address: string, receivedAt: Date) {
  return { kind: 'message' as const, channel: 'line' as const, providerId, address, receivedAt };
}

function reply(token: string | undefined, receivedAt: Date): { replyToken?: ReplyToken } {
  if (!token) return {};
  return { replyToken: { token, expiresAt: new Date(receivedAt.getTime() + REPLY_TOKEN_LIFETIME_MS) } };
}

function messageContent(message: LineMessage): Pick<InboundMessage, 'text' | 'media' | 'note'> {
  switch (message.type) {
    case 'text':
      return { text: message.text, media: [] };
    case 'location':
      // Only the words the worker chose to send; the coordinates were dropped by the schema.
      return { text: [message.title, message.address].filter((part) => part?.trim()).join('\n'), note: 'location', media: [] };
    case 'sticker':
      return { text: stickerDescription(message), note: 'sticker', media: [] };
    case 'file':
      return { text: '', media: [{ contentType: MEDIA_TYPES.file, url: `line-content:${message.id}` }] };
    default:
      return { text: '', media: [mediaOf(message.type, message.id, message.contentProvider)] };
  }
}

function stickerDescription(message: Extract<LineMessage, { type: 'sticker' }>): string {
  // A "message sticker" carries the words written on it; others have keywords at best.
  if (message.text?.trim()) return message.text.trim();
  const keywords = (message.keywords ?? []).map((keyword) => keyword.trim()).filter(Boolean);
  return keywords.length > 0 ? keywords.slice(0, STICKER_KEYWORDS).join(', ') : 'sticker';
}

function mediaOf(type: 'image' | 'video' | 'audio', id: string, provider: { type: string; originalContentUrl?: string | undefined } | undefined): InboundMedia {
  // Content LINE does not hold (sent through an external provider) is fetched where it lives.
  const external = provider?.type === 'external' && provider.originalContentUrl?.startsWith('https://');
  return { contentType: MEDIA_TYPES[type], url: external && provider.originalContentUrl ? provider.originalContentUrl : `line-content:${id}` };
}
