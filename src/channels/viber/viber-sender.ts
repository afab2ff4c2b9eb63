import type { ViberConfig } from '../../config';
import { SendFailure, type ChannelSender, type OutboundMessage, type ReplyChoice, type SentMessage } from '../channel';
import { parseViberJson } from './viber-signature';

/** Viber refuses longer text messages. */
export const VIBER_MAX_TEXT = 7000;
/** The most buttons we put on one keyboard; the numbered text stays the fallback for the rest. */
export const VIBER_MAX_BUTTONS = 24;
const REQUEST_TIMEOUT_MS = 15_000;

// Viber's error status (HTTP is 200 for it too) that means the worker is gone: no longer on Viber.
// The worker is then opted out. Not subscribed (6) is not an opt-out — a worker who only opened the
// chat is not subscribed yet and will be once they write; leaving arrives as an `unsubscribed` event —
// and a blocked account (7) is the hotline's, not the worker's choice.
const OPTED_OUT_STATUSES = new Set([5]);
const TOO_MANY_REQUESTS = 12;

/** A reply keyboard in Viber's shape. */
export interface ViberKeyboard {
  Type: 'keyboard';
  DefaultHeight: boolean;
  Buttons: { ActionType: 'reply'; ActionBody: string; Text: string; Columns: number; Rows: number }[];
}

/**
 * Sends text messages through Viber's REST bot API. Viber has no idempotency key: a send retried
 * after a lost answer may arrive twice. The pipeline's at-most-once guard is the provider id stored
 * on the message row, so a message that has one is never sent again.
 */
export function createViberSender(config: ViberConfig): ChannelSender {
  const { authToken } = config;
  if (!authToken) {
    return { canSend: false, send: () => Promise.reject(new SendFailure(false, 'not_configured', 'Viber is not configured')) };
  }
  return {
    canSend: true,
    async send(message) {
      if (message.channel !== 'viber') throw new SendFailure(false, 'wrong_channel', `the Viber sender cannot send on ${message.channel}`);
      if (message.body.length > VIBER_MAX_TEXT) throw new SendFailure(false, 'viber_too_long', `Viber text is at most ${VIBER_MAX_TEXT} characters`);
      const answer = await postToViber(config.apiBaseUrl, authToken, '/pa/send_message', sendMessageBody(config, message));
      return toSentMessage(answer);
    },
  };
}

/** The send_message body: a text, from the bot's name, with a keyboard when there are choices. */
export function sendMessageBody(config: ViberConfig, message: OutboundMessage): Record<string, unknown> {
  return { receiver: message.to, ...messageBody(config.botName, message.body, message.choices) };
}

/**
 * A message as Viber takes it, without its receiver: also the welcome answered in the body of the
 * `conversation_started` callback, the only way to greet a worker who has not subscribed yet.
 */
export function messageBody(botName: string, text: string, choices: readonly ReplyChoice[] | undefined): Record<string, unknown> {
  const keyboard = choices && choices.length > 0 ? keyboardOf(choices) : undefined;
  return {
    // Reply keyboards with Columns/Rows need clients of API version 3; plain text reaches every client.
    min_api_version: keyboard ? 3 : 1,
    sender: { name: botName },
    type: 'text',
    text,
    ...(keyboard ? { keyboard } : {}),
  };
}

/** Buttons on Viber's six-column grid: three a row for short labels, two for medium, one for long. */
export function keyboardOf(choices: readonly ReplyChoice[]): ViberKeyboard {
  const shown = choices.slice(0, VIBER_MAX_BUTTONS);
  const longest = Math.max(...shown.map((choice) => choice.label.length));
  const columns = shown.length === 1 || longest > 20 ? 6 : longest > 10 || shown.length === 2 || shown.length === 4 ? 3 : 2;
  return {
    Type: 'keyboard',
    DefaultHeight: false,
    Buttons: shown.map((choice) => ({ ActionType: 'reply', ActionBody: choice.value, Text: choice.label, Columns: columns, Rows: 1 })),
  };
}

interface ViberAnswer {
  status: number;
  status_message?: string;
  message_token?: string;
}

/** POSTs to Viber; a dropped connection, a timeout, 429 and 5xx are retriable, other HTTP errors not. */
export async function postToViber(baseUrl: string, authToken: string, path: string, body: Record<string, unknown>): Promise<ViberAnswer> {
  let response: Response;
  try {
    response = await fetch(`${baseUrl.replace(/\/+$/, '')}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Viber-Auth-Token': authToken },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    throw new SendFailure(true, 'network', error instanceof Error ? error.message : 'network error');
  }
  const text = await response.text().catch(() => '');
  if (!response.ok) {
    const retriable = response.status === 429 || response.status >= 500;
    throw new SendFailure(retriable, `http_${response.status}`, `Viber answered HTTP ${response.status}`);
  }
  const answer = readAnswer(text);
  if (!answer) throw new SendFailure(false, 'viber_bad_answer', 'Viber answered something that is not its JSON');
  return answer;
}

function readAnswer(text: string): ViberAnswer | undefined {
  try {
    const parsed = parseViberJson(text) as Partial<ViberAnswer> | null;
    if (typeof parsed !== 'object' || parsed === null || typeof parsed.status !== 'number') return undefined;
    return {
      status: parsed.status,
      ...(typeof parsed.status_message === 'string' ? { status_message: parsed.status_message } : {}),
      ...(typeof parsed.message_token === 'string' ? { message_token: parsed.message_token } : {}),
    };
  } catch {
    return undefined;
  }
}

function toSentMessage(answer: ViberAnswer): SentMessage {
  if (answer.status === 0 && answer.message_token) return { providerId: `viber:${answer.message_token}`, status: 'sent' };
  if (answer.status === 0) throw new SendFailure(false, 'viber_bad_answer', 'Viber accepted the message but gave no message token');
  throw viberFailure(answer);
}

/** Viber's non-zero status as a SendFailure: 12 (too many requests) retriable; 5, 6, 7 opt the worker out. */
export function viberFailure(answer: ViberAnswer): SendFailure {
  const code = `viber_${answer.status}`;
  const message = `Viber answered status ${answer.status}${answer.status_message ? ` (${answer.status_message})` : ''}`;
  if (answer.status === TOO_MANY_REQUESTS) return new SendFailure(true, code, message);
  return new SendFailure(false, code, message, OPTED_OUT_STATUSES.has(answer.status));
}
