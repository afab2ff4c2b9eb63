import type { ViberConfig } from '../../config';
import { postToViber, viberFailure } from './viber-sender';

/** The webhook path Viber calls; the route mounts it. */
export const VIBER_WEBHOOK_PATH = '/webhooks/viber';

/** The events we ask Viber for; `message` always comes. */
export const VIBER_EVENT_TYPES = ['delivered', 'seen', 'failed', 'subscribed', 'unsubscribed', 'conversation_started'] as const;

/**
 * Points the bot's webhook at this hotline. Viber calls the URL at once (event `webhook`) and
 * refuses it unless it answers 200 over HTTPS with a valid certificate. Names and photos are not
 * asked for: the hotline does not need them.
 */
export async function registerViberWebhook(config: ViberConfig, publicUrl: string): Promise<{ url: string }> {
  if (!config.authToken) throw new Error('VIBER_AUTH_TOKEN is not set: there is no Viber bot to register');
  if (!publicUrl.startsWith('https://')) throw new Error(`PUBLIC_URL must be https:// for Viber (it is ${publicUrl})`);
  const url = `${publicUrl.replace(/\/+$/, '')}${VIBER_WEBHOOK_PATH}`;
  const answer = await postToViber(config.apiBaseUrl, config.authToken, '/pa/set_webhook', {
    url,
    event_types: [...VIBER_EVENT_TYPES],
    send_name: false,
    send_photo: false,
  });
  if (answer.status !== 0) throw viberFailure(answer);
  return { url };
}
