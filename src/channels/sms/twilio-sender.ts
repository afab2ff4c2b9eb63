import twilio from 'twilio';
import type { TwilioConfig } from '../../config';

/** What an outbound message needs to leave through Twilio. */
export interface OutboundSms {
  channel: 'sms' | 'whatsapp';
  /** E.164 number, without the `whatsapp:` prefix. */
  to: string;
  body: string;
  statusCallback: string;
}

/** The outcome of a send that Twilio accepted. */
export interface SentSms {
  providerId: string;
  status: string;
}

/** Why a send failed: retry on 429, 5xx and network errors; never on other 4xx. */
export class SendFailure extends Error {
  override name = 'SendFailure';
  constructor(
    readonly retriable: boolean,
    /** Twilio's error code (e.g. 21610 opted out, 21211 invalid number), or `network`. */
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Sends SMS and WhatsApp messages; `canSend` is false when no Twilio account is configured. */
export interface SmsSender {
  readonly canSend: boolean;
  send(message: OutboundSms): Promise<SentSms>;
}

/** The real sender over Twilio's REST API; `httpClient` lets tests point it at a local fake. */
export function createTwilioSender(config: TwilioConfig, options: { httpClient?: twilio.RequestClient } = {}): SmsSender {
  if (!config.canSend || !config.accountSid || !config.authToken) {
    return {
      canSend: false,
      send: () => Promise.reject(new SendFailure(false, 'not_configured', 'Twilio is not configured')),
    };
  }
  const client = twilio(config.accountSid, config.authToken, {
    autoRetry: false,
    ...(options.httpClient ? { httpClient: options.httpClient } : {}),
  });
  const sender = (channel: 'sms' | 'whatsapp') => {
    if (config.messagingServiceSid) return { messagingServiceSid: config.messagingServiceSid };
    const from = config.from ?? '';
    if (channel === 'whatsapp' && !from.startsWith('whatsapp:')) return { from: `whatsapp:${from}` };
    return { from };
  };
  return {
    canSend: true,
    async send(message) {
      try {
        const created = await client.messages.create({
          to: message.channel === 'whatsapp' ? `whatsapp:${message.to}` : message.to,
          body: message.body,
          statusCallback: message.statusCallback,
          ...sender(message.channel),
        });
        return { providerId: created.sid, status: created.status };
      } catch (error) {
        throw toSendFailure(error);
      }
    },
  };
}

function toSendFailure(error: unknown): SendFailure {
  const status = typeof error === 'object' && error !== null && 'status' in error ? Number((error as { status: unknown }).status) : NaN;
  const code = typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
  if (!Number.isFinite(status) || status === 0) {
    return new SendFailure(true, 'network', error instanceof Error ? error.message : 'network error');
  }
  const retriable = status === 429 || status >= 500;
  return new SendFailure(retriable, code ?? String(status), `Twilio answered ${status}${code ? ` (error ${code})` : ''}`);
}
