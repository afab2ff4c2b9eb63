import type { NextFunction, Request, Response } from 'express';
import type { Kysely } from 'kysely';
import type { Clock } from '../../clock';
import type { Database } from '../../db/schema';
import { errors } from '../../http/errors';
import type { RouteSpec } from '../../http/routes';
import { validate } from '../../http/validate';
import type { HotlineCounters } from '../../observability/hotline-counters';
import type { Logger } from '../../observability/logger';
import { applyDeliveryStatus } from './delivery-status';
import { statusCallbackQuery, statusCallbackSchema } from './inbound.schema';
import type { InboundService } from './inbound.service';
import { checkTwilioSignature } from './twilio-signature';

const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

export interface SmsRouteDeps {
  db: Kysely<Database>;
  clock: Clock;
  logger: Logger;
  inbound: InboundService;
  /** Unset: webhooks cannot be verified and are refused. */
  twilioAuthToken: string | undefined;
  publicUrl: string;
  /** Counts delivery status changes; unset, nothing is counted. */
  counters?: Pick<HotlineCounters, 'outboundStatus'> | undefined;
}

/** Refuses a webhook that Twilio did not sign for our public URL; nothing is read before this. */
function requireTwilioSignature({ twilioAuthToken, publicUrl, logger }: SmsRouteDeps) {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (!twilioAuthToken) {
      logger.error('a Twilio webhook arrived but TWILIO_AUTH_TOKEN is not set; it cannot be verified');
      throw errors.unavailable(60);
    }
    const check = checkTwilioSignature(req, twilioAuthToken, publicUrl);
    if (check === 'missing') throw errors.signatureMissing();
    if (check === 'invalid') throw errors.signatureInvalid();
    next();
  };
}

/** Twilio's messaging webhooks: inbound SMS and WhatsApp, and delivery status callbacks. */
export function smsRoutes(deps: SmsRouteDeps): RouteSpec[] {
  const signed = requireTwilioSignature(deps);
  return [
    {
      method: 'post',
      path: '/webhooks/twilio/messaging',
      access: { public: true, reason: 'called by Twilio; the request signature is checked instead' },
      before: [signed],
      handler: async (req, res) => {
        await deps.inbound.receive(req.body as Record<string, unknown>);
        res.type('text/xml').send(EMPTY_TWIML);
      },
    },
    {
      method: 'post',
      path: '/webhooks/twilio/status',
      access: { public: true, reason: 'called by Twilio; the request signature is checked instead' },
      before: [signed],
      handler: async (req, res) => {
        const callback = validate(statusCallbackSchema, req.body);
        const { message } = validate(statusCallbackQuery, req.query);
        await applyDeliveryStatus(deps.db, deps.clock, {
          messageId: message,
          providerId: callback.MessageSid,
          twilioStatus: callback.MessageStatus,
          errorCode: callback.ErrorCode,
        }, deps.counters);
        res.status(204).end();
      },
    },
  ];
}
