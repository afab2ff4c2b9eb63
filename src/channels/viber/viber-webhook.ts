import type { DeliveryReceipt, InboundEvent, InboundMedia, InboundMessage } from '../channel';
import { validate } from '../../http/validate';
import {
  conversationStartedSchema,
  inboundMessageSchema,
  receiptSchema,
  unsubscribedSchema,
  viberEventName,
  type ViberInboundMessage,
} from './viber-webhook.schema';

const RECEIPT_STATUS = { delivered: 'delivered', seen: 'read', failed: 'failed' } as const;

/** What the content type of a Viber media message is taken to be; Viber does not say. */
const MEDIA_TYPE: Record<string, string> = {
  picture: 'image/jpeg',
  video: 'video/mp4',
  file: 'application/octet-stream',
};

/**
 * Turns one verified Viber webhook body into the pipeline's events. `webhook` (Viber checking the
 * URL), `subscribed` and events the hotline does not use give none; a body that is not a Viber
 * event is a 400 naming the field.
 */
export function parseViberEvent(body: unknown, receivedAt: Date): InboundEvent[] {
  const { event } = validate(viberEventName, body);
  switch (event) {
    case 'message':
      return [toMessage(validate(inboundMessageSchema, body), receivedAt)];
    case 'conversation_started': {
      // The worker opened the chat: one welcome may go back, even before they subscribe.
      const started = validate(conversationStartedSchema, body);
      return [{ kind: 'follow', channel: 'viber', providerId: `viber:${started.message_token}`, address: started.user.id, receivedAt }];
    }
    case 'unsubscribed': {
      const left = validate(unsubscribedSchema, body);
      return [{ kind: 'unfollow', channel: 'viber', providerId: `viber:unsub:${left.user_id}:${left.timestamp}`, address: left.user_id, receivedAt }];
    }
    case 'delivered':
    case 'seen':
    case 'failed':
      return [toReceipt(body, receivedAt)];
    default:
      return [];
  }
}

function toReceipt(body: unknown, receivedAt: Date): DeliveryReceipt {
  const receipt = validate(receiptSchema, body);
  const errorCode = receipt.event === 'failed' && receipt.desc ? receipt.desc.slice(0, 64) : undefined;
  return {
    kind: 'receipt',
    channel: 'viber',
    providerId: `viber:${receipt.message_token}`,
    status: RECEIPT_STATUS[receipt.event],
    ...(errorCode ? { errorCode } : {}),
    receivedAt,
  };
}

function toMessage(parsed: ViberInboundMessage, receivedAt: Date): InboundMessage {
  const base = { kind: 'message' as const, channel: 'viber' as const, providerId: `viber:${parsed.message_token}`, address: parsed.sender.id, receivedAt };
  const { message } = parsed;
  switch (message.type) {
    case 'picture':
    case 'video':
    case 'file':
      return { ...base, text: message.text ?? '', media: mediaOf(message.media, MEDIA_TYPE[message.type] ?? 'application/octet-stream') };
    case 'sticker':
      return { ...base, text: 'sticker', note: 'sticker', media: [] };
    case 'location':
      // The coordinates are where the worker is: too sensitive to keep for what the hotline does with them.
      return { ...base, text: '', note: 'location', media: [] };
    case 'url':
      return { ...base, text: message.media ?? message.text ?? '', media: [] };
    case 'contact':
      // A shared contact is a third person's name and number: not kept.
      return { ...base, text: '', media: [] };
    default:
      return { ...base, text: message.text ?? '', media: [] };
  }
}

/** Media is fetched later from Viber's servers (the fetch refuses plain http unless Viber's API base is http). */
function mediaOf(url: string | undefined, contentType: string): InboundMedia[] {
  if (!url) return [];
  try {
    return ['https:', 'http:'].includes(new URL(url).protocol) ? [{ contentType, url }] : [];
  } catch {
    return [];
  }
}
