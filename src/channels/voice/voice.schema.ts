import { z } from 'zod';
import { CALL_STEPS } from './voice-call';

const E164 = /^\+[1-9]\d{6,14}$/;
const CALL_SID = /^CA[0-9a-fA-F]{32}$/;
const RECORDING_SID = /^RE[0-9a-fA-F]{32}$/;

/** Twilio's call statuses; the last five end a call. */
export const CALL_STATUSES = ['queued', 'ringing', 'in-progress', 'completed', 'busy', 'failed', 'no-answer', 'canceled'] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];
export const ENDED_CALL_STATUSES: readonly CallStatus[] = ['completed', 'busy', 'failed', 'no-answer', 'canceled'];

// What Twilio puts in From when the caller's number is withheld, restricted, blocked or unavailable.
const WITHHELD_NUMBERS = new Set(['+266696687', '+7378742833', '+2562533', '+8656696']);

/** A caller's number; a withheld or unknown one ("anonymous", Twilio's placeholders) reads as none. */
const callerNumber = z
  .string()
  .optional()
  .transform((value) => {
    const number = value?.trim();
    return number && E164.test(number) && !WITHHELD_NUMBERS.has(number) ? number : null;
  });

/** The fields of Twilio's voice webhook (a call coming in) that the line reads. */
export const incomingCallSchema = z
  .object({
    CallSid: z.string().regex(CALL_SID, 'invalid_format'),
    From: callerNumber,
  })
  .catchall(z.unknown());

/** The step a `<Gather>` or `<Record>` answer is for, from its action URL. */
export const stepQuery = z.object({ step: z.enum(CALL_STEPS) });

/** An answer to a menu (`Digits`) or to the message prompt (`RecordingUrl`, `RecordingSid`, `RecordingDuration`). */
export const stepAnswerSchema = z
  .object({
    CallSid: z.string().regex(CALL_SID, 'invalid_format'),
    From: callerNumber,
    Digits: z.string().max(32).optional().default(''),
    RecordingUrl: z.url().optional(),
    RecordingSid: z.string().regex(RECORDING_SID, 'invalid_format').optional(),
    RecordingDuration: z.coerce.number().int().min(0).optional(),
  })
  .catchall(z.unknown());

/** Twilio's recording status callback. */
export const recordingCallbackSchema = z
  .object({
    CallSid: z.string().regex(CALL_SID, 'invalid_format'),
    RecordingSid: z.string().regex(RECORDING_SID, 'invalid_format'),
    RecordingUrl: z.url().optional(),
    RecordingStatus: z.string().min(1),
  })
  .catchall(z.unknown());

/** Twilio's call status callback. */
export const callStatusSchema = z
  .object({
    CallSid: z.string().regex(CALL_SID, 'invalid_format'),
    CallStatus: z.enum(CALL_STATUSES),
  })
  .catchall(z.unknown());

/** A recorded prompt's id in its public URL. */
export const promptParams = z.object({ id: z.uuid() });
