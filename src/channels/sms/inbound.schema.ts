import { z } from 'zod';

const E164 = /^\+[1-9]\d{6,14}$/;
const MAX_MEDIA = 10;

/** A Messenger user's page-scoped id, as Twilio writes it after `messenger:`. */
const MESSENGER_ID = /^\d{5,20}$/;

/** A channel address as Twilio sends it: `+66…` for SMS, `whatsapp:+66…`, `messenger:<page-scoped id>`. */
export const channelAddress = z
  .string()
  .trim()
  .transform((value, context) => {
    const lower = value.toLowerCase();
    if (lower.startsWith('messenger:')) {
      const id = value.slice('messenger:'.length);
      if (MESSENGER_ID.test(id)) return { channel: 'messenger' as const, number: id };
      context.addIssue({ code: 'custom', message: 'invalid_format' });
      return z.NEVER;
    }
    const whatsapp = lower.startsWith('whatsapp:');
    const number = whatsapp ? value.slice('whatsapp:'.length) : value;
    if (!E164.test(number)) {
      context.addIssue({ code: 'custom', message: 'invalid_format' });
      return z.NEVER;
    }
    return { channel: whatsapp ? ('whatsapp' as const) : ('sms' as const), number };
  });

/** The fields of Twilio's inbound messaging webhook that the hotline reads. */
export const inboundMessageSchema = z
  .object({
    MessageSid: z.string().regex(/^(SM|MM)[0-9a-fA-F]{32}$/, 'invalid_format'),
    From: channelAddress,
    Body: z.string().default(''),
    NumMedia: z.coerce.number().int().min(0).max(MAX_MEDIA).default(0),
  })
  .catchall(z.unknown());

export type InboundParams = z.infer<typeof inboundMessageSchema>;

/**
 * Media attached to a message, as references (never downloaded inside the request). Every http(s)
 * URL is kept, so nothing a worker sent is dropped here; the fetch job goes only to the Twilio API
 * host and records any other as refused.
 */
export function mediaOf(params: Record<string, unknown>, count: number): { contentType: string; url: string }[] {
  return Array.from({ length: count }, (_, index) => ({
    contentType: String(params[`MediaContentType${index}`] ?? 'application/octet-stream'),
    url: String(params[`MediaUrl${index}`] ?? ''),
  })).filter((media) => /^https?:\/\//.test(media.url));
}

/** Twilio's delivery status callback. */
export const statusCallbackSchema = z
  .object({
    MessageSid: z.string().regex(/^(SM|MM)[0-9a-fA-F]{32}$/, 'invalid_format'),
    MessageStatus: z.string().min(1),
    ErrorCode: z.string().optional(),
  })
  .catchall(z.unknown());

/** Our message id in the status callback URL. */
export const statusCallbackQuery = z.object({ message: z.uuid().optional() });
