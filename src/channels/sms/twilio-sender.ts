import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';
import type { TwilioConfig } from '../../config';
import { SendFailure, type MessagingChannel, type OutboundMessage, type SentMessage } from '../channel';
import type { MessageSender } from '../senders';

export { SendFailure };

/** The channels Twilio carries for the hotline. */
export const TWILIO_CHANNELS: readonly MessagingChannel[] = ['sms', 'whatsapp', 'messenger'];

const TWILIO_API = 'https://api.twilio.com';

/**
 * Sends SMS, WhatsApp and Messenger messages over Twilio's REST API. `apiBaseUrl` (TWILIO_API_BASE_URL)
 * or `httpClient` point it at a local fake in tests. A channel whose sender is not configured
 * (no account, or no TWILIO_MESSENGER_FROM for Messenger) cannot send: its messages are recorded.
 */
export function createTwilioSender(config: TwilioConfig, options: { httpClient?: twilio.RequestClient } = {}): MessageSender {
  if (!config.canSend || !config.accountSid || !config.authToken) {
    return {
      canSend: () => false,
      send: () => Promise.reject(new SendFailure(false, 'not_configured', 'Twilio is not configured')),
    };
  }
  const httpClient = options.httpClient ?? (config.apiBaseUrl !== TWILIO_API ? baseUrlClient(config.apiBaseUrl) : undefined);
  const client = twilio(config.accountSid, config.authToken, { autoRetry: false, ...(httpClient ? { httpClient } : {}) });
  const from = (channel: MessagingChannel): { from: string } | { messagingServiceSid: string } => {
    if (channel === 'messenger') return { from: config.messengerFrom ?? '' };
    if (config.messagingServiceSid) return { messagingServiceSid: config.messagingServiceSid };
    const number = config.from ?? '';
    if (channel === 'whatsapp' && !number.startsWith('whatsapp:')) return { from: `whatsapp:${number}` };
    if (channel === 'sms' && number.startsWith('whatsapp:')) return { from: number.slice('whatsapp:'.length) };
    return { from: number };
  };
  return {
    canSend: (channel) => channel === 'sms' || channel === 'whatsapp' || (channel === 'messenger' && Boolean(config.messengerFrom)),
    async send(message: OutboundMessage): Promise<SentMessage> {
      if (!TWILIO_CHANNELS.includes(message.channel)) throw new SendFailure(false, 'wrong_channel', `Twilio does not carry ${message.channel}`);
      try {
        const created = await client.messages.create({
          to: twilioAddress(message.channel, message.to),
          ...(message.template
            ? { contentSid: message.template.contentSid, contentVariables: JSON.stringify(message.template.variables) }
            : { body: message.body }),
          ...(message.statusCallback ? { statusCallback: message.statusCallback } : {}),
          ...from(message.channel),
        });
        return { providerId: created.sid, status: initialStatus(created.status) };
      } catch (error) {
        throw toSendFailure(error);
      }
    },
  };
}

/** How Twilio writes an address of a channel: `+66…`, `whatsapp:+66…`, `messenger:<id>`. */
export function twilioAddress(channel: MessagingChannel, address: string): string {
  return channel === 'sms' ? address : `${channel}:${address}`;
}

function initialStatus(twilioStatus: string): SentMessage['status'] {
  if (twilioStatus === 'sending' || twilioStatus === 'sent') return twilioStatus;
  return 'queued';
}

/** Sends the twilio client's REST calls to another base URL (TWILIO_API_BASE_URL). */
function baseUrlClient(baseUrl: string): twilio.RequestClient {
  class BaseUrlRequestClient extends twilio.RequestClient {
    override request<TData>(opts: RequestClient.RequestOptions<TData>) {
      return super.request<TData>({ ...opts, uri: opts.uri.replace(/^https:\/\/[^/]+/, baseUrl) });
    }
  }
  return new BaseUrlRequestClient();
}

function toSendFailure(error: unknown): SendFailure {
  const status = typeof error === 'object' && error !== null && 'status' in error ? Number((error as { status: unknown }).status) : NaN;
  const code = typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
  if (!Number.isFinite(status) || status === 0) {
    return new SendFailure(true, 'network', error instanceof Error ? error.message : 'network error');
  }
  const retriable = status === 429 || status >= 500;
  // 21610: the number replied STOP; 63024/63003: the Messenger/WhatsApp user cannot be reached.
  return new SendFailure(retriable, code ?? String(status), `Twilio answered ${status}${code ? ` (error ${code})` : ''}`, code === '21610');
}
