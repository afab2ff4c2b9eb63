import { z } from 'zod';

// Viber's webhook events, as far as the hotline reads them. Objects are not strict: Viber adds
// fields, and zod drops what is not listed — the name, avatar and country of a worker never get
// past this file.

/** A Viber message token: 64-bit, so kept as a string of digits (see parseViberJson). */
const messageToken = z.preprocess(
  (value) => (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? String(value) : value),
  z.string().regex(/^\d{1,20}$/),
);
const userId = z.string().trim().min(1).max(64);
const timestamp = z.number().int().nonnegative().optional();

export const viberEventName = z.object({ event: z.string().min(1).max(64) });

export const viberUserSchema = z.object({ id: userId });

export const viberMessageSchema = z.object({
  type: z.string().min(1).max(32),
  text: z.string().max(7000).optional(),
  media: z.string().max(2048).optional(),
});

export const conversationStartedSchema = z.object({
  event: z.literal('conversation_started'),
  user: viberUserSchema,
  message_token: messageToken,
});

export const unsubscribedSchema = z.object({
  event: z.literal('unsubscribed'),
  user_id: userId,
  timestamp: z.number().int().nonnegative(),
});

export const inboundMessageSchema = z.object({
  event: z.literal('message'),
  sender: viberUserSchema,
  message: viberMessageSchema,
  message_token: messageToken,
});

export const receiptSchema = z.object({
  event: z.enum(['delivered', 'seen', 'failed']),
  message_token: messageToken,
  desc: z.string().optional(),
  timestamp,
});

export type ViberInboundMessage = z.infer<typeof inboundMessageSchema>;
