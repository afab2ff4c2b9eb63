import type { Config } from '../config';
import { registerLineWebhook } from './line/line-setup';
import { registerViberWebhook } from './viber/viber-setup';

/** What became of one channel's webhook registration. */
export type WebhookRegistration =
  | { channel: 'line' | 'viber'; outcome: 'registered'; url: string }
  | { channel: 'line' | 'viber'; outcome: 'skipped' }
  | { channel: 'line' | 'viber'; outcome: 'failed'; reason: string };

/**
 * Points each configured chat channel that takes its webhook URL by API (LINE, Viber) at
 * PUBLIC_URL, one after the other; a failure on one does not stop the next. Twilio channels are
 * not here: their webhook is set in the Twilio console.
 */
export async function registerChannelWebhooks(config: Config): Promise<WebhookRegistration[]> {
  // Either LINE variable means the operator meant LINE; a missing token is then a failure to report, not a skip.
  const lineConfigured = Boolean(config.line.channelSecret || config.line.channelAccessToken);
  return [
    await attempt('line', lineConfigured, () => registerLineWebhook(config.line, config.publicUrl)),
    await attempt('viber', Boolean(config.viber.authToken), async () => (await registerViberWebhook(config.viber, config.publicUrl)).url),
  ];
}

async function attempt(channel: 'line' | 'viber', configured: boolean, register: () => Promise<string>): Promise<WebhookRegistration> {
  if (!configured) return { channel, outcome: 'skipped' };
  try {
    return { channel, outcome: 'registered', url: await register() };
  } catch (error) {
    return { channel, outcome: 'failed', reason: error instanceof Error ? error.message : String(error) };
  }
}

/** One line for the operator, such as `line: registered https://hotline.example.org/webhooks/line`. */
export function describeRegistration(registration: WebhookRegistration): string {
  if (registration.outcome === 'registered') return `${registration.channel}: registered ${registration.url}`;
  if (registration.outcome === 'skipped') return `${registration.channel}: skipped: not configured`;
  return `${registration.channel}: failed: ${registration.reason}`;
}
