import { HTTPFetchError, messagingApi } from '@line/bot-sdk';
import type { LineConfig } from '../../config';
import { SendFailure, type ChannelSender, type OutboundMessage, type ReplyChoice, type SentMessage } from '../channel';

/** LINE's limits: characters in one text message, messages per request, quick reply buttons, label length. */
export const LINE_LIMITS = { textLength: 5000, messagesPerRequest: 5, quickReplyItems: 13, quickReplyLabel: 20, actionText: 300 } as const;

/** A call to LINE that does not answer in this time is treated as a network failure (retried). */
const DEFAULT_TIMEOUT_MS = 15_000;

/**
 * The LINE sender: a reply (free) while the worker's reply token is valid, else a push (billed)
 * carrying our message id as X-Line-Retry-Key, so a retried job never sends twice.
 */
export function createLineSender(config: LineConfig, options: { timeoutMs?: number } = {}): ChannelSender {
  if (!config.channelAccessToken) {
    return { canSend: false, send: () => Promise.reject(new SendFailure(false, 'not_configured', 'LINE is not configured')) };
  }
  const client = new messagingApi.MessagingApiClient({ channelAccessToken: config.channelAccessToken, baseURL: config.apiBaseUrl });
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return {
    canSend: true,
    async send(message) {
      const messages = toLineMessages(message);
      if (message.replyToken) {
        const replied = await attempt(() => client.replyMessage({ replyToken: message.replyToken ?? '', messages }), timeoutMs, 'reply');
        if (replied.ok) return sent(replied.value.sentMessages, message, false);
        if (!isInvalidReplyToken(replied.error)) throw toSendFailure(replied.error, 'reply');
      }
      const pushed = await attempt(() => client.pushMessage({ to: message.to, messages }, message.messageId), timeoutMs, 'push');
      if (pushed.ok) return sent(pushed.value.sentMessages, message, true);
      // 409: LINE already accepted a push with this retry key, i.e. an earlier try of this job sent it.
      if (statusOf(pushed.error) === 409) return { providerId: `line:retry:${message.messageId}`, status: 'sent', billed: true };
      throw toSendFailure(pushed.error, 'push');
    },
  };
}

/** The text as LINE messages of at most 5000 characters; quick replies go on the last one, where LINE shows them. */
export function toLineMessages(message: Pick<OutboundMessage, 'body' | 'choices'>): messagingApi.TextMessage[] {
  const parts = splitText(message.body, LINE_LIMITS.textLength);
  if (parts.length > LINE_LIMITS.messagesPerRequest) {
    throw new SendFailure(false, 'too_long', `the message needs ${parts.length} LINE messages; at most ${LINE_LIMITS.messagesPerRequest} fit in one request`);
  }
  const items = quickReplyItems(message.choices ?? []);
  return parts.map((text, index) =>
    index === parts.length - 1 && items.length > 0 ? { type: 'text', text, quickReply: { items } } : { type: 'text', text },
  );
}

function quickReplyItems(choices: readonly ReplyChoice[]): messagingApi.QuickReplyItem[] {
  // The numbered choices stay in the text, so a choice past LINE's 13 buttons can still be typed.
  return choices
    .filter((choice) => choice.value.trim() !== '')
    .slice(0, LINE_LIMITS.quickReplyItems)
    .map((choice) => ({
      type: 'action',
      action: { type: 'message', label: shorten(choice.label.trim() || choice.value, LINE_LIMITS.quickReplyLabel), text: shorten(choice.value, LINE_LIMITS.actionText) },
    }));
}

/** Cuts text to at most `max` UTF-16 units without splitting a character, marking the cut with an ellipsis. */
function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${splitText(text, max - 1)[0] ?? ''}…`;
}

/** Splits text into pieces of at most `max` UTF-16 units, never inside a surrogate pair; '' stays one piece. */
function splitText(text: string, max: number): string[] {
  const parts: string[] = [];
  let current = '';
  for (const character of text) {
    if (current.length + character.length > max) {
      parts.push(current);
      current = '';
    }
    current += character;
  }
  parts.push(current);
  return parts;
}

type Attempt<T> = { ok: true; value: T } | { ok: false; error: unknown };

async function attempt<T>(call: () => Promise<T>, timeoutMs: number, what: string): Promise<Attempt<T>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new SendFailure(true, 'network', `LINE did not answer the ${what} within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return { ok: true, value: await Promise.race([call(), timeout]) };
  } catch (error) {
    return { ok: false, error };
  } finally {
    clearTimeout(timer);
  }
}

function sent(sentMessages: readonly { id: string }[] | undefined, message: OutboundMessage, billed: boolean): SentMessage {
  const id = sentMessages?.[0]?.id;
  return { providerId: id ? `line:${id}` : `line:retry:${message.messageId}`, status: 'sent', billed };
}

function statusOf(error: unknown): number | undefined {
  return error instanceof HTTPFetchError ? error.status : undefined;
}

/** LINE's word for a reply token that expired or was already used: 400 "Invalid reply token". */
function isInvalidReplyToken(error: unknown): boolean {
  return error instanceof HTTPFetchError && error.status === 400 && /invalid reply token/i.test(errorMessageOf(error));
}

function errorMessageOf(error: HTTPFetchError): string {
  try {
    const body = JSON.parse(error.body) as unknown;
    if (typeof body === 'object' && body !== null && 'message' in body && typeof body.message === 'string') return body.message;
  } catch {
    // LINE answers JSON; anything else is read as it is.
  }
  return error.body;
}

function toSendFailure(error: unknown, what: 'reply' | 'push'): SendFailure {
  if (error instanceof SendFailure) return error;
  if (!(error instanceof HTTPFetchError)) {
    return new SendFailure(true, 'network', `the LINE ${what} did not reach LINE: ${error instanceof Error ? error.message : 'network error'}`);
  }
  const { status } = error;
  const retriable = status === 429 || status >= 500;
  // LINE's error message names a limit or a field, never the worker; it helps whoever reads the job log.
  const reason = `LINE answered the ${what} with ${status}: ${errorMessageOf(error).slice(0, 200)}`;
  if (what === 'push' && (status === 403 || status === 404)) return new SendFailure(false, 'not_subscribed', reason);
  return new SendFailure(retriable, String(status), reason);
}
