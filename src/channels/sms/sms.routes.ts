import type { Kysely } from 'kysely';
import type { Clock } from '../../clock';
import type { Database } from '../../db/schema';
import type { RouteSpec } from '../../http/routes';
import { validate } from '../../http/validate';
import type { HotlineCounters } from '../../observability/hotline-counters';
import type { Logger } from '../../observability/logger';
import { applyDeliveryStatus } from './delivery-status';
import { statusCallbackQuery, statusCallbackSchema } from './inbound.schema';
import type { InboundService } from './inbound.service';
import { requireTwilioSignature } from '../twilio-signature';

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
