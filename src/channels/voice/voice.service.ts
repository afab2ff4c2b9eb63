import type { Readable } from 'node:stream';
import type { i18n } from 'i18next';
import type { Kysely, Transaction } from 'kysely';
import { openSealed } from '../../attachments/attachment-store';
import { insertAttachment, markAttachmentFailed } from '../../attachments/attachment.repository';
import { insertCaseEvent } from '../../cases/case-event.repository';
import { findOpenCaseOfContact } from '../../cases/case.repository';
import type { Language } from '../../cases/case.vocabulary';
import type { Clock } from '../../clock';
import type { Database } from '../../db/schema';
import { inTransaction } from '../../db/transaction';
import type { HotlineJobEnqueuer } from '../../jobs/hotline-jobs';
import { isLanguage } from '../../language/negotiation';
import type { HotlineCounters } from '../../observability/hotline-counters';
import type { Logger } from '../../observability/logger';
import { countryFromPhone } from '../../places/place-matcher';
import type { CountryCode } from '../../places/places';
import type { PersonalDataCipher } from '../../privacy/personal-data';
import { sealerFor } from '../../privacy/person-keys';
import { setContactAddress } from '../../contacts/contact.repository';
import type { PromptCoverage, RecordedPrompts } from './recorded-prompts';
import { openCaseOfCall } from './voice-message.service';
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
} from './voice-call';
import {
  findAttachmentProviderRef,
  findPhoneIdentities,
  findPromptAudio,
  holdLivePerson,
  insertCall,
  lockCall,
  setContactLanguage,
  updateCall,
  upsertVoiceContact,
} from './voice.repository';
import { ENDED_CALL_STATUSES, type CallStatus } from './voice.schema';

// The voice line's work behind its webhooks. Twilio waits for each answer while the caller hears
// silence, so a webhook does the least it can: one statement locks its call's row and reads all
// the call needs to decide (its caller, their open case, the case's reference), the call's state
// machine decides, and one statement writes what it decided, in the same transaction; the TwiML
// follows at once. The recorded prompts come from a copy kept in the process for a few seconds.
//
// When the case opens: as soon as Twilio reports the caller's message (the <Record> answer or the
// recording status callback, whichever comes first). The webhook's transaction keeps the recording
// as a pending attachment and queues `voice.file_message`; a new case's row follows in a statement
// of its own, so that the reference read out at the end of the call is the case's; the job files
// the message on the case (voice-message.service.ts). A call that ends without a message opens
// no case: from a number with an open case it is a `call.missed` event there; from any other
// number it is only counted, and the number (sealed on the call while it lasts) is dropped.

export interface VoiceServiceDeps {
  db: Kysely<Database>;
  cipher: PersonalDataCipher;
  clock: Clock;
  i18n: i18n;
  logger: Logger;
  /** The queue: the job that files a message on its case, and the recording's fetch. */
  jobs: Pick<HotlineJobEnqueuer, 'enqueue' | 'wake'>;
  /** The recorded prompts, kept in the process for a few seconds (shared with the console, which forgets them on an upload). */
  prompts: Pick<RecordedPrompts, 'current'>;
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

/** What a call's answer is decided from: the call's row as `lockCall` reads it (a new call's, before it is stored). */
type CallView = Pick<LockedCall, 'contact_id' | 'case_id' | 'caller_encrypted' | 'language' | 'contact_language' | 'open_case_id' | 'case_reference' | 'open_case_reference'>;

/** The changes a webhook makes to its call, written in one statement. */
type CallChanges = Parameters<typeof updateCall>[2];

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
  // Read before the transaction: a stale copy is read again on a pooled connection, which must
  // not be awaited while this request holds one of its own (a full pool would wait on itself).
  const coverage = await deps.prompts.current();
  const { twiml, isNew } = await inTransaction(deps, async (trx) => {
    const now = deps.clock.now();
    const caller = incoming.From ? await knownCaller(trx, deps, incoming.From, now) : undefined;
    const call: CallView = {
      contact_id: caller?.contactId ?? null,
      case_id: null,
      caller_encrypted: incoming.From ? deps.cipher.seal(incoming.From) : null,
      language: null,
      contact_language: caller?.language ?? null,
      open_case_id: caller?.openCase?.id ?? null,
      case_reference: null,
      open_case_reference: caller?.openCase?.reference ?? null,
    };
    const book = promptBook(deps, coverage, call);
    const turn = startCall(book.setting);
    // A line that speaks one language chooses it at once; nothing else happens on the ring.
    const language = turn.actions.find((action) => action.type === 'set_language')?.language ?? null;
    const callId = await insertCall(trx, { callSid: incoming.CallSid, contactId: call.contact_id, callerEncrypted: call.caller_encrypted, language, state: turn.state, at: now });
    if (!callId) {
      // Twilio retried the webhook: the same question again, nothing new recorded.
      const existing = await lockCall(trx, incoming.CallSid);
      if (!existing) throw new Error('the call was neither stored nor found');
      const again = promptBook(deps, coverage, existing);
      return { twiml: renderTwiml(repeatQuestion(readCallState(existing.state), again.setting), { ...again.prompts, reference: referenceOf(existing) }), isNew: false };
    }
    if (language && call.contact_id) await setContactLanguage(trx, call.contact_id, language, now);
    return { twiml: renderTwiml(turn.verbs, { ...book.prompts, reference: referenceOf(call) }), isNew: true };
  });
  if (isNew) deps.counters?.inboundReceived('voice');
  return twiml;
}

/**
 * The caller as the line knows them, when their number is known on a phone channel (a worker who
 * texted before): the same person, so an open case of theirs is found. A number known on another
 * phone channel gets its voice identity now; an unknown number gets none yet: it is kept sealed
 * on the call alone, until the caller leaves a message.
 */
async function knownCaller(trx: Transaction<Database>, deps: VoiceServiceDeps, number: string, now: Date) {
  const [known] = await findPhoneIdentities(trx, deps.cipher.lookupHashes(number));
  if (!known) return undefined;
  // A worker known on SMS or WhatsApp calling for the first time: their voice identity, sealed under their own key.
  const contactId = known.channel === 'voice'
    ? known.id
    : (await upsertVoiceContact(trx, {
      personId: known.person_id, addressHash: deps.cipher.lookupHash(number), addressEncrypted: (await sealerFor(trx, deps.cipher, known.person_id)).seal(number), language: known.language, at: now,
    })).id;
  const openCase = await findOpenCaseOfContact(trx, contactId);
  return { contactId, language: known.language, openCase };
}

async function answerCall(deps: VoiceServiceDeps, step: CallStep, answer: StepAnswer): Promise<string> {
  const coverage = await deps.prompts.current();
  return onOneConnection(deps, (connected) => answerOnConnection(connected, coverage, step, answer));
}

/**
 * Runs a webhook's work on one pooled connection: its transaction and, after it, a new case's row,
 * without waiting in the pool's queue a second time.
 */
function onOneConnection<T>(deps: VoiceServiceDeps, work: (connected: VoiceServiceDeps) => Promise<T>): Promise<T> {
  return deps.db.connection().execute((db) => work({ ...deps, db }));
}

async function answerOnConnection(deps: VoiceServiceDeps, coverage: PromptCoverage, step: CallStep, answer: StepAnswer): Promise<string> {
  const missed: MissedCalls = [];
  const turn = await inTransaction(deps, async (trx) => {
    const call = await lockCall(trx, answer.CallSid);
    // Not a call of ours (or one long gone): nothing to say.
    if (!call) return undefined;
    const book = promptBook(deps, coverage, call);
    const decided = answerStep({ step, digits: answer.Digits, recording: recordingOf(answer), state: readCallState(call.state), setting: book.setting });
    await applyTurn(trx, deps, call, decided, missed);
    return { call, verbs: decided.verbs, prompts: book.prompts };
  });
  countMissed(deps, missed);
  if (!turn) return HANG_UP;
  await openCaseOfMessage(deps, turn.call);
  return renderTwiml(turn.verbs, { ...turn.prompts, reference: referenceOf(turn.call) });
}

/**
 * The case of a message the call took and that joined no open case, opened once the call's
 * transaction has committed: the insert shares the statistics rollup's row with every new case,
 * and must not hold it while this process answers other calls.
 */
async function openCaseOfMessage(deps: VoiceServiceDeps, call: LockedCall): Promise<void> {
  if (!call.recording_attachment_id || call.case_id) return;
  const opened = await openCaseOfCall(deps, { ...call, recording_attachment_id: call.recording_attachment_id });
  call.case_id = opened.id;
  call.case_reference = opened.reference;
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

/** The case number the caller hears: their call's case, else their open one. */
function referenceOf(call: CallView): string | undefined {
  return call.case_reference ?? call.open_case_reference ?? undefined;
}

/** Carries out the call's decisions and writes the call once. */
async function applyTurn(
  trx: Transaction<Database>,
  deps: VoiceServiceDeps,
  call: LockedCall,
  turn: { state: CallState; actions: CallAction[] },
  missed: MissedCalls,
): Promise<void> {
  const now = deps.clock.now();
  const changes: CallChanges = {};
  let state = turn.state;
  for (const action of turn.actions) state = await applyAction(trx, deps, call, action, state, changes, now);
  state = await settleIfEnded(trx, deps, call, state, changes, missed);
  await updateCall(trx, call.id, { ...changes, state });
}

/** Carries out one of the call's decisions: the call's own columns go into `changes`, written once after. */
async function applyAction(
  trx: Transaction<Database>,
  deps: VoiceServiceDeps,
  call: LockedCall,
  action: CallAction,
  state: CallState,
  changes: CallChanges,
  now: Date,
): Promise<CallState> {
  switch (action.type) {
    case 'set_language':
      call.language = action.language;
      changes.language = action.language;
      if (call.contact_id) await setContactLanguage(trx, call.contact_id, action.language, now);
      return state;
    case 'set_category':
      call.category = action.category;
      changes.category = action.category;
      return state;
    case 'recorded': {
      const kept = await keepMessage(trx, deps, call, action.recording, changes);
      return kept ? { ...state, openedCase: kept.openedCase } : state;
    }
    case 'set_callback':
      call.wants_callback = action.wanted;
      changes.wantsCallback = action.wanted;
      if (action.wanted) await callEvent(trx, call, 'call.callback_requested', { callId: call.id }, now);
      return state;
    case 'set_safe_time':
      call.safe_time = action.time;
      changes.safeTime = action.time;
      await callEvent(trx, call, 'call.safe_time_given', { callId: call.id, safeTime: action.time }, now);
      return state;
  }
}

async function callEvent(trx: Transaction<Database>, call: LockedCall, type: string, data: Record<string, string | null>, now: Date): Promise<void> {
  if (call.case_id) await insertCaseEvent(trx, { caseId: call.case_id, type, actorKind: 'worker', data, at: now });
}

/**
 * The caller's message, once per call: the recording as a pending attachment (of the caller's open
 * case, which the message joins; a new case's row follows, `openCaseOfMessage`), the caller as a
 * voice contact, and the job that files it on the case. The audio is fetched when Twilio says it
 * is ready; the case opens whether or not it can be. Undefined when the call already has its message.
 */
async function keepMessage(
  trx: Transaction<Database>,
  deps: VoiceServiceDeps,
  call: LockedCall,
  recording: CallRecording,
  changes: CallChanges,
): Promise<{ openedCase: boolean } | undefined> {
  if (call.recording_attachment_id) return undefined;
  const now = deps.clock.now();
  const caller = await callerOf(trx, deps, call, now);
  await deps.jobs.enqueue(trx, 'voice.file_message', { callId: call.id });
  // The recording's address at Twilio is the caller's (a withheld number has no person: ENCRYPTION_KEY, until the erasure or the deletion at Twilio).
  const sealer = caller.sealer ?? (caller.personId ? await sealerFor(trx, deps.cipher, caller.personId) : undefined);
  const attachmentId = await insertAttachment(trx, {
    source: 'voice',
    caseId: caller.openCase?.id ?? null,
    personId: caller.personId,
    providerUrlEncrypted: (sealer ?? deps.cipher).seal(recordingMediaUrl(recording.url)),
    providerRef: recording.sid,
    at: now,
  });
  Object.assign(call, { contact_id: caller.contactId, recording_attachment_id: attachmentId });
  Object.assign(changes, { contactId: caller.contactId, recordingAttachmentId: attachmentId });
  if (caller.openCase) {
    Object.assign(call, { case_id: caller.openCase.id, case_reference: caller.openCase.reference });
    changes.caseId = caller.openCase.id;
  }
  return { openedCase: caller.openCase === undefined };
}

/**
 * Who left the message: the call's contact, or (a caller with no identity yet) a new voice
 * contact, a new person; with their open case, which the message joins.
 */
async function callerOf(trx: Transaction<Database>, deps: VoiceServiceDeps, call: LockedCall, now: Date) {
  const open = (id: string | null, reference: string | null) => (id && reference ? { id, reference } : undefined);
  // The caller's identity as the call began, unless they were erased since: then, as a new caller.
  if (call.contact_id && call.contact_person_id && (await holdLivePerson(trx, call.contact_person_id))) {
    return { contactId: call.contact_id, personId: call.contact_person_id, openCase: open(call.open_case_id, call.open_case_reference), sealer: undefined };
  }
  if (!call.caller_encrypted) return { contactId: null, personId: null, openCase: undefined, sealer: undefined };
  // The number was sealed with ENCRYPTION_KEY for the call alone; the new identity seals it under the new person's key.
  const number = deps.cipher.open(call.caller_encrypted);
  const contact = await upsertVoiceContact(trx, {
    personId: null, addressHash: deps.cipher.lookupHash(number), addressEncrypted: null, language: call.language, at: now,
  });
  const sealer = await sealerFor(trx, deps.cipher, contact.personId);
  if (contact.inserted) await setContactAddress(trx, contact.id, sealer.seal(number));
  // Known already: another call from the number left a message meanwhile, and its case may be open.
  const openCase = contact.inserted ? undefined : await findOpenCaseOfContact(trx, contact.id);
  return { contactId: contact.id, personId: contact.personId, openCase, sealer };
}

/** Twilio serves a recording's audio at its URL with a format suffix; WAV is its own default. */
function recordingMediaUrl(url: string): string {
  return /\.(wav|mp3)$/.test(url) ? url : `${url}.wav`;
}

function recordingReported(deps: VoiceServiceDeps, report: RecordingReport): Promise<void> {
  return onOneConnection(deps, (connected) => recordingReportedOnConnection(connected, report));
}

async function recordingReportedOnConnection(deps: VoiceServiceDeps, report: RecordingReport): Promise<void> {
  const missed: MissedCalls = [];
  const call = await inTransaction(deps, async (trx) => {
    const call = await lockCall(trx, report.CallSid);
    if (!call) {
      deps.logger.warn('a recording was reported for a call the line does not know');
      return undefined;
    }
    const changes: CallChanges = {};
    let state = readCallState(call.state);
    if (report.RecordingStatus === 'completed' && report.RecordingUrl) {
      const kept = await keepMessage(trx, deps, call, { url: report.RecordingUrl, sid: report.RecordingSid }, changes);
      state = { ...state, recorded: true, recordPending: false, ...(kept ? { openedCase: kept.openedCase } : {}) };
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
    state = await settleIfEnded(trx, deps, call, state, changes, missed);
    await updateCall(trx, call.id, { ...changes, state });
    return call;
  });
  countMissed(deps, missed);
  if (call) await openCaseOfMessage(deps, call);
}

async function statusChanged(deps: VoiceServiceDeps, callSid: string, status: CallStatus): Promise<void> {
  const missed: MissedCalls = [];
  await inTransaction(deps, async (trx) => {
    const call = await lockCall(trx, callSid);
    if (!call) return;
    const ended = ENDED_CALL_STATUSES.includes(status);
    if (ended && !call.ended_at) call.ended_at = deps.clock.now();
    call.status = status;
    const changes: CallChanges = { status, endedAt: call.ended_at };
    const state = await settleIfEnded(trx, deps, call, readCallState(call.state), changes, missed);
    await updateCall(trx, call.id, { ...changes, state });
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
  changes: CallChanges,
  missed: MissedCalls,
): Promise<CallState> {
  if (!call.ended_at || state.settled) return state;
  if (!call.recording_attachment_id && state.recordPending) return state;
  if (!call.recording_attachment_id) missed.push(await recordMissedCall(trx, deps, call, changes));
  call.caller_encrypted = null;
  changes.callerEncrypted = null;
  return { ...state, settled: true };
}

/** A call that left no message: an event on the caller's open case, if they have one; which it was, for the counter. */
async function recordMissedCall(trx: Transaction<Database>, deps: VoiceServiceDeps, call: LockedCall, changes: CallChanges): Promise<'open_case' | 'unknown'> {
  if (!call.open_case_id) return 'unknown';
  await insertCaseEvent(trx, { caseId: call.open_case_id, type: 'call.missed', actorKind: 'worker', data: { callId: call.id }, at: deps.clock.now() });
  changes.caseId = call.open_case_id;
  return 'open_case';
}

/** What the call knows of its line (the languages it can speak, and in what voice) and of its caller. */
function promptBook(deps: VoiceServiceDeps, coverage: PromptCoverage, call: CallView): { setting: CallSetting; prompts: PromptBook } {
  const number = call.caller_encrypted ? deps.cipher.open(call.caller_encrypted) : undefined;
  const setting: CallSetting = {
    offered: coverage.offered,
    defaultLanguage: defaultLanguage(coverage.offered, call.contact_language, number),
    language: isLanguage(call.language) ? call.language : null,
    hasOpenCase: call.open_case_id !== null && call.open_case_id !== call.case_id,
    canCallBack: call.caller_encrypted !== null || call.contact_id !== null,
  };
  const t = (language: Language) => deps.i18n.getFixedT(language, 'voice');
  const prompts: PromptBook = {
    recordingUrl: (key, language) => {
      const id = coverage.promptId(language, key);
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
