import { pipeline } from 'node:stream/promises';
import type { Request } from 'express';
import type { RouteSpec } from '../../http/routes';
import { errors } from '../../http/errors';
import { validate } from '../../http/validate';
import type { Logger } from '../../observability/logger';
import { requireTwilioSignature } from '../twilio-signature';
import type { VoiceService } from './voice.service';
import { callStatusSchema, incomingCallSchema, promptParams, recordingCallbackSchema, stepAnswerSchema, stepQuery } from './voice.schema';

export interface VoiceRouteDeps {
  voice: VoiceService;
  logger: Logger;
  /** Unset: webhooks cannot be verified and are refused. */
  twilioAuthToken: string | undefined;
  publicUrl: string;
}

const SIGNED = { public: true, reason: 'called by Twilio; the request signature is checked instead' } as const;

/** What a signed webhook answers: TwiML, or nothing (204) when Twilio only reports. */
type WebhookAnswer = { twiml: string } | 'no_content';

/** Twilio's voice webhooks: a call coming in, each menu's answer, the recording and the call's status. */
export function voiceRoutes(deps: VoiceRouteDeps): RouteSpec[] {
  const signed = requireTwilioSignature(deps);
  // Each webhook: its declared access (public, signature-checked instead), the check, then its answer.
  const webhook = (path: string, answer: (req: Request) => Promise<WebhookAnswer>): RouteSpec => ({
    method: 'post',
    path,
    access: SIGNED,
    before: [signed],
    handler: async (req, res) => {
      const answered = await answer(req);
      if (answered === 'no_content') res.status(204).end();
      else res.type('text/xml').send(answered.twiml);
    },
  });
  return [
    webhook('/webhooks/twilio/voice', async (req) => {
      const call = validate(incomingCallSchema, req.body);
      return { twiml: await deps.voice.incomingCall({ CallSid: call.CallSid, From: call.From }) };
    }),
    webhook('/webhooks/twilio/voice/step', async (req) => {
      const { step } = validate(stepQuery, req.query);
      const answer = validate(stepAnswerSchema, req.body);
      return {
        twiml: await deps.voice.answer(step, {
          CallSid: answer.CallSid, Digits: answer.Digits, RecordingUrl: answer.RecordingUrl, RecordingSid: answer.RecordingSid, RecordingDuration: answer.RecordingDuration,
        }),
      };
    }),
    webhook('/webhooks/twilio/voice/recording', async (req) => {
      const report = validate(recordingCallbackSchema, req.body);
      await deps.voice.recordingReported({
        CallSid: report.CallSid, RecordingSid: report.RecordingSid, RecordingUrl: report.RecordingUrl, RecordingStatus: report.RecordingStatus,
      });
      return 'no_content';
    }),
    webhook('/webhooks/twilio/voice/status', async (req) => {
      const status = validate(callStatusSchema, req.body);
      await deps.voice.statusChanged(status.CallSid, status.CallStatus);
      return 'no_content';
    }),
  ];
}

/** The recorded prompts' audio, which Twilio fetches for <Play> without credentials: prompts only, by their random id. */
export function voicePromptRoutes(deps: Pick<VoiceRouteDeps, 'voice'>): RouteSpec[] {
  return [
    {
      method: 'get',
      path: '/voice/prompts/:id',
      access: { public: true, reason: 'Twilio plays recorded prompts from here; only prompt audio is served, by a random id' },
      handler: async (req, res) => {
        const parsed = promptParams.safeParse(req.params);
        const audio = parsed.success ? await deps.voice.promptAudio(parsed.data.id) : undefined;
        if (!audio) throw errors.notFound();
        res.status(200).type(audio.contentType).set('cache-control', 'public, max-age=300');
        if (audio.sizeBytes !== null) res.set('content-length', String(audio.sizeBytes));
        await pipeline(audio.stream, res);
      },
    },
  ];
}
