import type { Clock } from '../../clock';
import type { RouteSpec } from '../../http/routes';
import type { Logger } from '../../observability/logger';
import type { InboundEvent, ReplyChoice } from '../channel';
import { messageBody } from './viber-sender';
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
  /** The welcome for a worker who opens the chat (VIBER_BOT_NAME signs it); none: the callback is answered empty. */
  welcome?: { botName: string; text: string; choices: ReplyChoice[] };
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
        // Viber lets a bot message a worker who has not subscribed only in its answer to
        // conversation_started: the welcome goes there (the stored event sets the language step).
        const opened = events.some((event) => event.kind === 'follow');
        res.status(200).json(opened && deps.welcome ? messageBody(deps.welcome.botName, deps.welcome.text, deps.welcome.choices) : {});
      },
    },
  ];
}
