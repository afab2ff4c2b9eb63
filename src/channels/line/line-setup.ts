import { HTTPFetchError, messagingApi } from '@line/bot-sdk';
import type { LineConfig } from '../../config';

/** The path LINE posts webhooks to, under PUBLIC_URL. */
export const LINE_WEBHOOK_PATH = '/webhooks/line';

/** Raised when the webhook cannot be registered; its message is one line for the operator. */
export class LineSetupError extends Error {
  override name = 'LineSetupError';
}

/**
 * Tells LINE where to send this hotline's webhooks: PUT ${publicUrl}/webhooks/line as the
 * channel's webhook URL. Returns the URL registered.
 */
export async function registerLineWebhook(config: LineConfig, publicUrl: string): Promise<string> {
  if (!config.channelAccessToken) throw new LineSetupError('LINE_CHANNEL_ACCESS_TOKEN is not set; the webhook cannot be registered');
  const endpoint = `${publicUrl.replace(/\/+$/, '')}${LINE_WEBHOOK_PATH}`;
  // LINE accepts only https webhook URLs; saying so here beats relaying its 400.
  if (!endpoint.startsWith('https://')) throw new LineSetupError(`LINE needs an https webhook URL; PUBLIC_URL gives ${endpoint}`);
  const client = new messagingApi.MessagingApiClient({ channelAccessToken: config.channelAccessToken, baseURL: config.apiBaseUrl });
  try {
    await client.setWebhookEndpoint({ endpoint });
  } catch (error) {
    if (error instanceof HTTPFetchError) {
      throw new LineSetupError(`LINE refused the webhook URL ${endpoint} (${error.status}): ${error.body.slice(0, 200)}`);
    }
    throw new LineSetupError(`LINE could not be reached to register the webhook: ${error instanceof Error ? error.message : String(error)}`);
  }
  return endpoint;
}
