import type { Clock } from '../../clock';
import type { RouteSpec } from '../../http/routes';
import type { Logger } from '../../observability/logger';
import type { InboundEvent } from '../channel';
import { VIBER_WEBHOOK_PATH } from './viber-setup';
import { parseViberEvent } from './viber-webhook';
import { viberWebhookBody } from './viber-signature';

export interface ViberRouteDeps {
  clock: Clock;
  logger: Logger;
  /** Unset: webhooks cannot be verified and are refused. */
  viberAuthToken: string | undefined;
  /** Stores the events (the pipeline processes them later); resolves once they are safe. */
  receive(events: InboundEvent[]): Promise<void>;
}

/** Viber's one webhook: messages, follows, unfollows and delivery receipts, signed with the bot's token. */
export function viberRoutes(deps: ViberRouteDeps): RouteSpec[] {
  return [
    {
      method: 'post',
      path: VIBER_WEBHOOK_PATH,
      access: { public: true, reason: 'called by Viber; the request signature is checked instead' },
      before: viberWebhookBody({ authToken: deps.viberAuthToken, logger: deps.logger }),
      handler: async (req, res) => {
        const events = parseViberEvent(req.body, deps.clock.now());
        if (events.length > 0) await deps.receive(events);
        res.status(200).json({});
      },
    },
  ];
}
