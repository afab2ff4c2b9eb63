import type { NextFunction, Request, Response } from 'express';
import type { Clock } from '../../clock';
import { errors } from '../../http/errors';
import type { RouteSpec } from '../../http/routes';
import type { Logger } from '../../observability/logger';
import type { InboundEvent } from '../channel';
import { checkLineSignature, lineWebhookBody, parseLineJson } from './line-signature';
import { parseLineEvents } from './line-webhook';
import { LINE_WEBHOOK_PATH } from './line-setup';

export interface LineRouteDeps {
  clock: Clock;
  logger: Logger;
  /** Unset: webhooks cannot be verified and are refused. */
  channelSecret: string | undefined;
  /** Stores the events (the pipeline); the webhook answers 200 once they are stored. */
  receive: (events: InboundEvent[]) => Promise<void>;
}

/** Refuses a webhook LINE did not sign with our channel secret; nothing is parsed before this. */
function requireLineSignature({ channelSecret, logger }: LineRouteDeps) {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (!channelSecret) {
      logger.error('a LINE webhook arrived but LINE_CHANNEL_SECRET is not set; it cannot be verified');
      throw errors.unavailable(60);
    }
    const check = checkLineSignature(req.body as Buffer, req.get('x-line-signature'), channelSecret);
    if (check === 'missing') throw errors.signatureMissing();
    if (check === 'invalid') throw errors.signatureInvalid();
    next();
  };
}

/**
 * LINE's webhook. Its raw body must reach `lineWebhookBody()`: mount these routes before the
 * application's express.json, or have express.json skip this path.
 */
export function lineRoutes(deps: LineRouteDeps): RouteSpec[] {
  return [
    {
      method: 'post',
      path: LINE_WEBHOOK_PATH,
      access: { public: true, reason: 'called by LINE; the request signature is checked instead' },
      before: [...lineWebhookBody(), requireLineSignature(deps)],
      handler: async (req, res) => {
        const events = parseLineEvents(parseLineJson(req.body as Buffer), deps.clock.now());
        await deps.receive(events);
        res.status(200).end();
      },
    },
  ];
}
