import { z } from 'zod';

// LINE's webhook body, as far as the hotline reads it. z.object drops every key not named here,
// so a location's latitude and longitude, a file's name and a user's profile never get past
// parsing. Event types the hotline does not handle pass as `{ type }` and are skipped.

const lineId = z.string().min(1).max(100);

/** Who sent the event: a one-to-one chat, or a group or room (which the hotline ignores). */
export const lineSourceSchema = z.object({
  type: z.string().min(1),
  userId: lineId.optional(),
});

const eventBase = {
  webhookEventId: lineId,
  source: lineSourceSchema,
};

const replyToken = z.string().min(1).max(200);

const contentProvider = z.object({ type: z.string(), originalContentUrl: z.string().optional() }).optional();

export const lineMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), id: lineId, text: z.string() }),
  z.object({ type: z.literal('image'), id: lineId, contentProvider }),
  z.object({ type: z.literal('video'), id: lineId, contentProvider }),
  z.object({ type: z.literal('audio'), id: lineId, contentProvider }),
  z.object({ type: z.literal('file'), id: lineId }),
  z.object({ type: z.literal('location'), id: lineId, title: z.string().nullish(), address: z.string().nullish() }),
  z.object({ type: z.literal('sticker'), id: lineId, keywords: z.array(z.string()).optional(), text: z.string().optional() }),
]);
export type LineMessage = z.infer<typeof lineMessageSchema>;

/** The message types the hotline reads; others (a future type) are skipped, not refused. */
export const LINE_MESSAGE_TYPES = ['text', 'image', 'video', 'audio', 'file', 'location', 'sticker'] as const;

export const lineMessageEventSchema = z.object({
  type: z.literal('message'),
  ...eventBase,
  replyToken: replyToken.optional(),
  message: lineMessageSchema,
});

export const linePostbackEventSchema = z.object({
  type: z.literal('postback'),
  ...eventBase,
  replyToken: replyToken.optional(),
  postback: z.object({ data: z.string().max(300) }),
});

export const lineFollowEventSchema = z.object({ type: z.literal('follow'), ...eventBase, replyToken: replyToken.optional() });
export const lineUnfollowEventSchema = z.object({ type: z.literal('unfollow'), ...eventBase });

/** The envelope: each event is read by its own schema once its type is known. */
export const lineWebhookSchema = z.object({
  destination: z.string().min(1).max(100),
  events: z.array(z.looseObject({ type: z.string().min(1) })).max(100),
});
