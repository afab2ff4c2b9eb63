import { z } from 'zod';
import type { RouteSpec } from '../../http/routes';
import { validate } from '../../http/validate';
import type { Logger } from '../../observability/logger';
import { requireTwilioSignature } from '../twilio-signature';
import { bridge, caseworkerLegChanged, machineDetected, workerAnswered, type CallbackServiceDeps } from './callback.service';
import { callStatusSchema } from './voice.schema';

export interface CallbackRouteDeps {
  callbacks: CallbackServiceDeps;
  logger: Logger;
  /** Unset: webhooks cannot be verified and are refused. */
  twilioAuthToken: string | undefined;
  publicUrl: string;
}

const SIGNED = { public: true, reason: 'called by Twilio; the request signature is checked instead' } as const;

/** The try a webhook is about, from the URL the hotline gave Twilio. */
const attemptQuery = z.object({ attempt: z.uuid() });
/** Machine detection's verdict (human, machine_start, machine_end_beep, fax, unknown…). */
const answeredSchema = z.object({ AnsweredBy: z.string().max(40).optional() }).catchall(z.unknown());

/** Twilio's webhooks of a call-back: the caseworker answered, the worker's side answered, machine detection, the caseworker's leg. */
export function callbackWebhookRoutes(deps: CallbackRouteDeps): RouteSpec[] {
  const signed = requireTwilioSignature(deps);
  const service = deps.callbacks;
  return [
    {
      method: 'post',
      path: '/webhooks/twilio/voice/callback',
      access: SIGNED,
      before: [signed],
      handler: async (req, res) => {
        const { attempt } = validate(attemptQuery, req.query);
        res.type('text/xml').send(await bridge(service, attempt));
      },
    },
    {
      method: 'post',
      path: '/webhooks/twilio/voice/callback/answered',
      access: SIGNED,
      before: [signed],
      handler: async (req, res) => {
        const { attempt } = validate(attemptQuery, req.query);
        const { AnsweredBy } = validate(answeredSchema, req.body);
        res.type('text/xml').send(await workerAnswered(service, attempt, AnsweredBy));
      },
    },
    {
      method: 'post',
      path: '/webhooks/twilio/voice/callback/amd',
      access: SIGNED,
      before: [signed],
      handler: async (req, res) => {
        const { attempt } = validate(attemptQuery, req.query);
        const { AnsweredBy } = validate(answeredSchema, req.body);
        if (AnsweredBy) await machineDetected(service, attempt, AnsweredBy);
        res.status(204).end();
      },
    },
    {
      method: 'post',
      path: '/webhooks/twilio/voice/callback/status',
      access: SIGNED,
      before: [signed],
      handler: async (req, res) => {
        const { attempt } = validate(attemptQuery, req.query);
        const status = validate(callStatusSchema, req.body);
        await caseworkerLegChanged(service, attempt, status.CallStatus);
        res.status(204).end();
      },
    },
  ];
}
