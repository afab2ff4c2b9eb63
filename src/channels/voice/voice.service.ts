import type { Readable } from 'node:stream';
import type { i18n } from 'i18next';
import type { Kysely, Transaction } from 'kysely';
import { openSealed } from '../../attachments/attachment-store';
import { adoptAttachmentsIntoCase } from '../../attachments/attachment-intake.service';
import { insertAttachment, markAttachmentFailed } from '../../attachments/attachment.repository';
import { insertCaseEvent } from '../../cases/case-event.repository';
import { findCaseReferenceById, findOpenCaseOfContact, updateCase } from '../../cases/case.repository';
import { openCase } from '../../cases/case.service';
import type { Language } from '../../cases/case.vocabulary';
import type { Clock } from '../../clock';
import type { Database } from '../../db/schema';
import { inTransaction } from '../../db/transaction';
import type { DomainEventPublisher } from '../../events/domain-events';
import type { HotlineJobEnqueuer } from '../../jobs/hotline-jobs';
import { isLanguage } from '../../language/negotiation';
import type { HotlineCounters } from '../../observability/hotline-counters';
import type { Logger } from '../../observability/logger';
import { countryFromPhone } from '../../places/place-matcher';
import type { CountryCode } from '../../places/places';
import type { PersonalDataCipher } from '../../privacy/personal-data';
import { openerFor, sealerFor, sealerForCase, type PersonSealer } from '../../privacy/person-keys';
import { setAsideErasedContacts, setContactAddress } from '../../contacts/contact.repository';
import { offeredLanguages } from './prompt-coverage';
import { renderTwiml, twimlDocument, type PromptBook } from './twiml';
import {
  answerStep,
  readCallState,
  repeatQuestion,
  startCall,
  type CallAction,
  type CallRecording,
  type CallSetting,
  type CallState,
  type CallStep,
  type VoiceVerb,
} from './voice-call';
import {
  findAttachmentProviderRef,
  findContactLanguage,
  findPersonOfContact,
  findPhoneIdentities,
  findPromptAudio,
  insertCall,
  listRecordedPrompts,
  lockCall,
  setContactLanguage,
  updateCall,
  upsertVoiceContact,
} from './voice.repository';
import { ENDED_CALL_STATUSES, type CallStatus } from './voice.schema';

// The voice line's work behind its webhooks. Each request locks its call's row, lets the call's
// state machine decide, applies what it decided in the same transaction and answers TwiML.
//
// When the case opens: as soon as Twilio reports the caller's message (the <Record> answer or the
// recording status callback, whichever comes first), through the case service like every channel,
// and routing runs on `case.intake_completed`. A call that ends without a message opens no case:
// from a number with an open case it is a `call.missed` event there; from any other number it is
// only counted, and the number (sealed on the call while it lasts) is dropped.

export interface VoiceServiceDeps {
  db: Kysely<Database>;
  cipher: PersonalDataCipher;
  clock: Clock;
  i18n: i18n;
  logger: Logger;
  /** The queue, for the recording's fetch (and the routing and notification jobs an opened case causes). */
  jobs: Pick<HotlineJobEnqueuer, 'enqueue' | 'wake'>;
  events: DomainEventPublisher;
  /** True when SMTP_URL is set: notices to staff are also emailed. */
  mailEnabled: boolean;
  /** PUBLIC_URL: Twilio posts menus' answers and fetches prompts' audio there. */
  publicUrl: string;
  counters?: Pick<HotlineCounters, 'inboundReceived' | 'missedCall'> | undefined;
}

/** A call coming in. */
export interface IncomingCall {
  CallSid: string;
  /** The caller's number; null when withheld. */
  From: string | null;
}

/** An answer to one of the call's questions. */
export interface StepAnswer {
  CallSid: string;
  Digits: string;
  RecordingUrl?: string | undefined;
  RecordingSid?: string | undefined;
  RecordingDuration?: number | undefined;
}

/** Twilio's report on a recording. */
export interface RecordingReport {
  CallSid: string;
  RecordingSid: string;
  RecordingUrl?: string | undefined;
  RecordingStatus: string;
}

/** A recorded prompt's audio. */
export interface PromptAudio {
  contentType: string;
  sizeBytes: number | null;
  stream: Readable;
}

export interface VoiceService {
  /** Answers a call coming in: the language menu. */
  incomingCall(call: IncomingCall): Promise<string>;
  /** Answers a menu's keys or the message prompt. */
  answer(step: CallStep, answer: StepAnswer): Promise<string>;
  /** Takes Twilio's word that a recording is ready (or that there is none). */
  recordingReported(report: RecordingReport): Promise<void>;
  /** Takes a call's status; an ended call is settled. */
  statusChanged(callSid: string, status: CallStatus): Promise<void>;
  /** The audio of a recorded prompt, by its public id; undefined for anything else. */
  promptAudio(promptId: string): Promise<PromptAudio | undefined>;
}

type LockedCall = NonNullable<Awaited<ReturnType<typeof lockCall>>>;

/** Missed calls found in a transaction, counted once it commits. */
type MissedCalls = ('open_case' | 'unknown')[];

/** The dialling codes whose country's language a caller who presses nothing hears. */
const LANGUAGE_OF_COUNTRY: Partial<Record<CountryCode, Language>> = { MM: 'my', KH: 'km', LA: 'lo', TH: 'th', VN: 'vi' };

const HANG_UP = twimlDocument(['<Hangup/>']);

/** Builds the voice line's service. */
export function createVoiceService(deps: VoiceServiceDeps): VoiceService {
  return {
    incomingCall: (call) => incomingCall(deps, call),
    answer: (step, answer) => answerCall(deps, step, answer),
    recordingReported: (report) => recordingReported(deps, report),
    statusChanged: (callSid, status) => statusChanged(deps, callSid, status),
    promptAudio: (promptId) => promptAudio(deps, promptId),
  };
}

async function incomingCall(deps: VoiceServiceDeps, incoming: IncomingCall): Promise<string> {
  const missed: MissedCalls = [];
  const { twiml, isNew } = await inTransaction(deps, async (trx) => {
    const now = deps.clock.now();
    const existing = await lockCall(trx, incoming.CallSid);
    if (existing) {
      // Twilio retried the webhook: the same question again, nothing new recorded.
      const book = await promptBook(trx, deps, existing);
      return { twiml: renderTwiml(repeatQuestion(readCallState(existing.state), book.setting), book.prompts), isNew: false };
    }
    const known = incoming.From ? await knownVoiceContact(trx, deps, incoming.From, now) : undefined;
    await insertCall(trx, {
      callSid: incoming.CallSid,
      contactId: known?.contactId ?? null,
      // Under the caller's own key once they are known; an unknown caller's number lasts only as long as the call.
      callerEncrypted: incoming.From ? (known?.sealer.seal(incoming.From) ?? deps.cipher.seal(incoming.From)) : null,
      state: readCallState(undefined),
      at: now,
    });
    const call = await lockCall(trx, incoming.CallSid);
    if (!call) throw new Error('the call was not stored');
    const book = await promptBook(trx, deps, call);
    const turn = startCall(book.setting);
    return { twiml: await applyTurn(trx, deps, call, turn, book, missed), isNew: true };
  });
  if (isNew) deps.counters?.inboundReceived('voice');
  countMissed(deps, missed);
  return twiml;
}

/**
 * The voice identity of a number already known on a phone channel (a worker who texted before):
 * the same person, so an open case of theirs is found, and the sealer of their key. An unknown
 * number (or an erased person's) gets none yet; it is kept sealed on the call alone, until the
 * caller leaves a message.
 */
async function knownVoiceContact(trx: Transaction<Database>, deps: VoiceServiceDeps, number: string, now: Date): Promise<{ contactId: string; sealer: PersonSealer } | undefined> {
  const identities = await findPhoneIdentities(trx, deps.cipher.lookupHashes(number));
  // A number whose person was erased starts afresh, as a new person, should they leave a message.
  await setAsideErasedContacts(trx, identities.filter((identity) => identity.erased).map((identity) => identity.id));
  const known = identities.find((identity) => !identity.erased);
  if (!known) return undefined;
  const sealer = await sealerFor(trx, deps.cipher, known.person_id);
  if (known.channel === 'voice') return { contactId: known.id, sealer };
  const created = await upsertVoiceContact(trx, {
    personId: known.person_id, addressHash: deps.cipher.lookupHash(number), addressEncrypted: sealer.seal(number), language: known.language, at: now,
  });
  return { contactId: created.id, sealer };
}

async function answerCall(deps: VoiceServiceDeps, step: CallStep, answer: StepAnswer): Promise<string> {
  const missed: MissedCalls = [];
  const twiml = await inTransaction(deps, async (trx) => {
    const call = await lockCall(trx, answer.CallSid);
    // Not a call of ours (or one long gone): nothing to say.
    if (!call) return HANG_UP;
    const book = await promptBook(trx, deps, call);
    const turn = answerStep({ step, digits: answer.Digits, recording: recordingOf(answer), state: readCallState(call.state), setting: book.setting });
    return applyTurn(trx, deps, call, turn, book, missed);
  });
  countMissed(deps, missed);
  return twiml;
}

function countMissed(deps: VoiceServiceDeps, missed: MissedCalls): void {
  for (const caller of missed) deps.counters?.missedCall(caller);
}

/** The message, when the answer to <Record> carries one with sound in it. */
function recordingOf(answer: StepAnswer): CallRecording | undefined {
  if (!answer.RecordingUrl || !answer.RecordingSid) return undefined;
  if (answer.RecordingDuration !== undefined && answer.RecordingDuration <= 0) return undefined;
  return { url: answer.RecordingUrl, sid: answer.RecordingSid };
}

async function applyTurn(
  trx: Transaction<Database>,
  deps: VoiceServiceDeps,
  call: LockedCall,
  turn: { state: CallState; actions: CallAction[]; verbs: VoiceVerb[] },
  book: { setting: CallSetting; prompts: PromptBook },
  missed: MissedCalls,
): Promise<string> {
  const now = deps.clock.now();
  for (const action of turn.actions) await applyAction(trx, deps, call, action, now);
  const state = await settleIfEnded(trx, deps, call, turn.state, missed);
  await updateCall(trx, call.id, { state });
  const caseId = call.case_id ?? (call.contact_id ? (await findOpenCaseOfContact(trx, call.contact_id))?.id : undefined);
  const reference = caseId ? await findCaseReferenceById(trx, caseId) : undefined;
  return renderTwiml(turn.verbs, { ...book.prompts, reference });
}

async function applyAction(trx: Transaction<Database>, deps: VoiceServiceDeps, call: LockedCall, action: CallAction, now: Date): Promise<void> {
  switch (action.type) {
    case 'set_language':
      call.language = action.language;
      await updateCall(trx, call.id, { language: action.language });
      if (call.contact_id) await setContactLanguage(trx, call.contact_id, action.language, now);
      return;
    case 'set_category':
      call.category = action.category;
      await updateCall(trx, call.id, { category: action.category });
      return;
    case 'recorded':
      await keepMessage(trx, deps, call, action.recording);
      return;
    case 'set_callback':
      call.wants_callback = action.wanted;
      await updateCall(trx, call.id, { wantsCallback: action.wanted });
      if (action.wanted) await callEvent(trx, call, 'call.callback_requested', { callId: call.id }, now);
      return;
    case 'set_safe_time':
      call.safe_time = action.time;
      await updateCall(trx, call.id, { safeTime: action.time });
      await callEvent(trx, call, 'call.safe_time_given', { callId: call.id, safeTime: action.time }, now);
      return;
  }
}

async function callEvent(trx: Transaction<Database>, call: LockedCall, type: string, data: Record<string, string | null>, now: Date): Promise<void> {
  if (call.case_id) await insertCaseEvent(trx, { caseId: call.case_id, type, actorKind: 'worker', data, at: now });
}

/**
 * The caller's message: their case (the open one, or a new one on channel `voice`), and the
 * recording as a pending attachment of it. Once per call; the audio is fetched when Twilio says
 * it is ready. The case opens whether or not the audio can be fetched later.
 */
async function keepMessage(trx: Transaction<Database>, deps: VoiceServiceDeps, call: LockedCall, recording: CallRecording): Promise<void> {
  if (call.recording_attachment_id) return;
  const now = deps.clock.now();
  const contactId = call.contact_id ?? (await newVoiceContact(trx, deps, call, now));
  const open = contactId ? await findOpenCaseOfContact(trx, contactId) : undefined;
  const context = { clock: deps.clock, mailEnabled: deps.mailEnabled };
  let caseId: string;
  if (open) {
    caseId = open.id;
    await updateCase(trx, caseId, { last_worker_message_at: now }, now);
    await deps.events.publish(trx, { type: 'case.worker_wrote', caseId }, context);
  } else {
    const created = await openCase(trx, deps, {
      channel: 'voice',
      language: isLanguage(call.language) ? call.language : 'en',
      contactId,
      story: '',
      receivedAt: call.started_at,
      categories: [call.category ?? 'other'],
      // All the line asks is asked: routing may run. Consent is left for the caseworker to ask.
      intakeComplete: true,
    });
    caseId = created.id;
    const personId = contactId ? await findPersonOfContact(trx, contactId) : undefined;
    if (personId) await adoptAttachmentsIntoCase(trx, personId, caseId);
    await insertCaseEvent(trx, { caseId, type: 'case.intake_completed', actorKind: 'worker', data: { channel: 'voice' }, at: now });
    await deps.events.publish(trx, { type: 'case.intake_completed', caseId }, context);
  }
  const sealer = await sealerForCase(trx, deps.cipher, caseId);
  const attachmentId = await insertAttachment(trx, {
    source: 'voice',
    caseId,
    personId: sealer.personId,
    providerUrlEncrypted: sealer.seal(recordingMediaUrl(recording.url)),
    providerRef: recording.sid,
    at: now,
  });
  await insertCaseEvent(trx, { caseId, type: 'call.message_left', actorKind: 'worker', data: { callId: call.id, attachmentId }, at: now });
  call.contact_id = contactId;
  call.case_id = caseId;
  call.recording_attachment_id = attachmentId;
  await updateCall(trx, call.id, { contactId, caseId, recordingAttachmentId: attachmentId });
}

/**
 * A caller with no identity yet who left a message becomes a voice contact (a new person): their
 * number sealed under that person's new key, on the contact and on the call.
 */
async function newVoiceContact(trx: Transaction<Database>, deps: VoiceServiceDeps, call: LockedCall, now: Date): Promise<string | null> {
  if (!call.caller_encrypted) return null;
  const number = (await openerFor(trx, deps.cipher, [call.caller_encrypted])).open(call.caller_encrypted);
  const created = await upsertVoiceContact(trx, {
    personId: null, addressHash: deps.cipher.lookupHash(number), addressEncrypted: null, language: call.language, at: now,
  });
  const sealer = await sealerFor(trx, deps.cipher, created.personId);
  if (created.addressMissing) await setContactAddress(trx, created.id, sealer.seal(number));
  call.caller_encrypted = sealer.seal(number);
  await updateCall(trx, call.id, { callerEncrypted: call.caller_encrypted });
  return created.id;
}

/** Twilio serves a recording's audio at its URL with a format suffix; WAV is its own default. */
function recordingMediaUrl(url: string): string {
  return /\.(wav|mp3)$/.test(url) ? url : `${url}.wav`;
}

async function recordingReported(deps: VoiceServiceDeps, report: RecordingReport): Promise<void> {
  const missed: MissedCalls = [];
  await inTransaction(deps, async (trx) => {
    const call = await lockCall(trx, report.CallSid);
    if (!call) {
      deps.logger.warn('a recording was reported for a call the line does not know');
      return;
    }
    let state = readCallState(call.state);
    if (report.RecordingStatus === 'completed' && report.RecordingUrl) {
      await keepMessage(trx, deps, call, { url: report.RecordingUrl, sid: report.RecordingSid });
      state = { ...state, recorded: true, recordPending: false };
      if (!state.fetchQueued && call.recording_attachment_id) {
        await deps.jobs.enqueue(trx, 'attachment.fetch', { attachmentId: call.recording_attachment_id });
        state = { ...state, fetchQueued: true };
      }
    } else if (call.recording_attachment_id && !state.fetchQueued && (await findAttachmentProviderRef(trx, call.recording_attachment_id)) === report.RecordingSid) {
      // The answer to <Record> said there was a message, but Twilio has no audio for it.
      await markAttachmentFailed(trx, call.recording_attachment_id, 'recording_absent');
      await callEvent(trx, call, 'attachment.failed', { attachmentId: call.recording_attachment_id, reason: 'recording_absent' }, deps.clock.now());
    } else {
      state = { ...state, recordPending: false };
    }
    state = await settleIfEnded(trx, deps, call, state, missed);
    await updateCall(trx, call.id, { state });
  });
  countMissed(deps, missed);
}

async function statusChanged(deps: VoiceServiceDeps, callSid: string, status: CallStatus): Promise<void> {
  const missed: MissedCalls = [];
  await inTransaction(deps, async (trx) => {
    const call = await lockCall(trx, callSid);
    if (!call) return;
    const ended = ENDED_CALL_STATUSES.includes(status);
    if (ended && !call.ended_at) call.ended_at = deps.clock.now();
    call.status = status;
    await updateCall(trx, call.id, { status, endedAt: call.ended_at });
    const state = await settleIfEnded(trx, deps, call, readCallState(call.state), missed);
    await updateCall(trx, call.id, { state });
  });
  countMissed(deps, missed);
}

/**
 * Once the call has ended and no message can still come, what it left is recorded once: nothing
 * more for a call with a message; a missed call otherwise. Either way the caller's number is no
 * longer kept on the call (a caller who left a message has it on their contact).
 */
async function settleIfEnded(
  trx: Transaction<Database>,
  deps: VoiceServiceDeps,
  call: LockedCall,
  state: CallState,
  missed: MissedCalls,
): Promise<CallState> {
  if (!call.ended_at || state.settled) return state;
  if (!call.recording_attachment_id && state.recordPending) return state;
  if (!call.recording_attachment_id) missed.push(await recordMissedCall(trx, deps, call));
  call.caller_encrypted = null;
  await updateCall(trx, call.id, { callerEncrypted: null });
  return { ...state, settled: true };
}

/** A call that left no message: an event on the caller's open case, if they have one; which it was, for the counter. */
async function recordMissedCall(trx: Transaction<Database>, deps: VoiceServiceDeps, call: LockedCall): Promise<'open_case' | 'unknown'> {
  const open = call.contact_id ? await findOpenCaseOfContact(trx, call.contact_id) : undefined;
  if (!open) return 'unknown';
  await insertCaseEvent(trx, { caseId: open.id, type: 'call.missed', actorKind: 'worker', data: { callId: call.id }, at: deps.clock.now() });
  await updateCall(trx, call.id, { caseId: open.id });
  return 'open_case';
}

/** What the call knows of its line (the languages it can speak, and in what voice) and of its caller. */
async function promptBook(trx: Transaction<Database>, deps: VoiceServiceDeps, call: LockedCall): Promise<{ setting: CallSetting; prompts: PromptBook }> {
  const recorded = new Map((await listRecordedPrompts(trx)).map((row) => [`${row.language}:${row.prompt_key}`, row.id]));
  const offered = offeredLanguages((language, key) => recorded.has(`${language}:${key}`));
  const open = call.contact_id ? await findOpenCaseOfContact(trx, call.contact_id) : undefined;
  const contactLanguage = call.contact_id ? await findContactLanguage(trx, call.contact_id) : null;
  const number = call.caller_encrypted ? ((await openerFor(trx, deps.cipher, [call.caller_encrypted])).openOrErased(call.caller_encrypted) ?? undefined) : undefined;
  const setting: CallSetting = {
    offered,
    defaultLanguage: defaultLanguage(offered, contactLanguage, number),
    language: isLanguage(call.language) ? call.language : null,
    hasOpenCase: open !== undefined && open.id !== call.case_id,
    canCallBack: call.caller_encrypted !== null || call.contact_id !== null,
  };
  const t = (language: Language) => deps.i18n.getFixedT(language, 'voice');
  const prompts: PromptBook = {
    recordingUrl: (key, language) => {
      const id = recorded.get(`${language}:${key}`);
      return id ? `${deps.publicUrl}/voice/prompts/${id}` : undefined;
    },
    words: (key, language) => t(language)(key),
    reference: undefined,
    stepUrl: (step) => `${deps.publicUrl}/webhooks/twilio/voice/step?step=${step}`,
    recordingCallbackUrl: `${deps.publicUrl}/webhooks/twilio/voice/recording`,
  };
  return { setting, prompts };
}

/** The language of a caller who chose none: the one they used before, their number's country's, or English. */
function defaultLanguage(offered: readonly Language[], contactLanguage: string | null, number: string | undefined): Language {
  if (isLanguage(contactLanguage) && offered.includes(contactLanguage)) return contactLanguage;
  const country = number ? countryFromPhone(number) : undefined;
  const language = country ? LANGUAGE_OF_COUNTRY[country] : undefined;
  return language && offered.includes(language) ? language : 'en';
}

async function promptAudio(deps: VoiceServiceDeps, promptId: string): Promise<PromptAudio | undefined> {
  const found = await findPromptAudio(deps.db, promptId);
  if (!found) return undefined;
  const stream = await openSealed({ db: deps.db, cipher: deps.cipher }, { attachmentId: found.attachment_id, variant: 'original' });
  return { contentType: found.content_type ?? 'audio/wav', sizeBytes: found.size_bytes === null ? null : Number(found.size_bytes), stream };
}
