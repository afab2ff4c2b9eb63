import { pipeline } from 'node:stream/promises';
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

/** Twilio's voice webhooks: a call coming in, each menu's answer, the recording and the call's status. */
export function voiceRoutes(deps: VoiceRouteDeps): RouteSpec[] {
  const signed = requireTwilioSignature(deps);
  return [
    {
      method: 'post',
      path: '/webhooks/twilio/voice',
      access: SIGNED,
      before: [signed],
      handler: async (req, res) => {
        const call = validate(incomingCallSchema, req.body);
        res.type('text/xml').send(await deps.voice.incomingCall({ CallSid: call.CallSid, From: call.From }));
      },
    },
    {
      method: 'post',
      path: '/webhooks/twilio/voice/step',
      access: SIGNED,
      before: [signed],
      handler: async (req, res) => {
        const { step } = validate(stepQuery, req.query);
        const answer = validate(stepAnswerSchema, req.body);
        res.type('text/xml').send(await deps.voice.answer(step, {
          CallSid: answer.CallSid,
          Digits: answer.Digits,
          RecordingUrl: answer.RecordingUrl,
          RecordingSid: answer.RecordingSid,
          RecordingDuration: answer.RecordingDuration,
        }));
      },
    },
    {
      method: 'post',
      path: '/webhooks/twilio/voice/recording',
      access: SIGNED,
      before: [signed],
      handler: async (req, res) => {
        const report = validate(recordingCallbackSchema, req.body);
        await deps.voice.recordingReported({
          CallSid: report.CallSid, RecordingSid: report.RecordingSid, RecordingUrl: report.RecordingUrl, RecordingStatus: report.RecordingStatus,
        });
        res.status(204).end();
      },
    },
    {
      method: 'post',
      path: '/webhooks/twilio/voice/status',
      access: SIGNED,
      before: [signed],
      handler: async (req, res) => {
        const status = validate(callStatusSchema, req.body);
        await deps.voice.statusChanged(status.CallSid, status.CallStatus);
        res.status(204).end();
      },
    },
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
