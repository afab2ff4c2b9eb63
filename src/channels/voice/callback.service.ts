import type { Kysely, Transaction } from 'kysely';
import { recordAudit } from '../../audit/audit.repository';
import { insertCaseEvent } from '../../cases/case-event.repository';
import { caseViewOf } from '../../cases/case.policy';
import type { Role } from '../../cases/case.vocabulary';
import type { Clock } from '../../clock';
import type { Database } from '../../db/schema';
import { inTransaction } from '../../db/transaction';
import type { DomainEventPublisher } from '../../events/domain-events';
import { errors } from '../../http/errors';
import type { HotlineJobEnqueuer } from '../../jobs/hotline-jobs';
import type { Logger } from '../../observability/logger';
import { timeZoneOfCountry } from '../../orgs/time-zones';
import type { PersonalDataCipher } from '../../privacy/personal-data';
import { openerFor } from '../../privacy/person-keys';
import { findUserPhone, setUserPhone } from '../../users/user.service';
import { callbackDueAt, readSafeTime, type SafeTime } from './callback-window';
import {
  closeCallback,
  countCountedAttempts,
  insertAttempt,
  listOpenCallbacks,
  listUnfinishedAttempts,
  listUntriedCallbacks,
  lockAttempt,
  lockCallback,
  markCallbackFlagged,
  updateAttempt,
  type CallbackScope,
} from './callback.repository';
import type { TwilioCalls } from './twilio-calls';
import { escapeXml, twimlDocument } from './twiml';

// Calling a worker back. "Call back now" asks Twilio to ring the caseworker's own phone; when they
// answer, Twilio fetches our TwiML, which dials the worker with the hotline's number as caller ID,
// unrecorded, with machine detection: if a voicemail or a machine answers on the worker's side the
// call ends without a word, since a message left on a worker's phone can endanger them. The
// worker's number goes only to Twilio, in that TwiML: never to the caseworker's browser, never to
// a log, never into a URL. The caseworker then records how it went; each try is on the case's
// timeline, and a call-back leaves the queue once the worker is reached or the tries run out.

export interface CallbackServiceDeps {
  db: Kysely<Database>;
  cipher: PersonalDataCipher;
  clock: Clock;
  logger: Logger;
  jobs: Pick<HotlineJobEnqueuer, 'enqueue' | 'wake'>;
  events: DomainEventPublisher;
  mailEnabled: boolean;
  /** PUBLIC_URL: Twilio fetches the call-back's TwiML there. */
  publicUrl: string;
  /** Twilio's Calls API. */
  calls: TwilioCalls;
  /** The hotline's voice number, shown to the worker; unset, nobody can be called back. */
  from: string | undefined;
  /** CALLBACK_MAX_ATTEMPTS. */
  maxAttempts: number;
}

/** Who is acting: a caseworker or coordinator of an organisation. */
export interface CallbackActor {
  userId: string;
  organisationId: string;
  role: Role;
}

/** What a caseworker records after a try (a voicemail is recorded by machine detection). */
export const CALLER_OUTCOMES = ['reached', 'no_answer', 'someone_else', 'not_safe'] as const;
export type CallerOutcome = (typeof CALLER_OUTCOMES)[number];
export type CallbackOutcome = CallerOutcome | 'voicemail';

/** One call-back of the queue, as the console shows it (no phone number in it). */
export interface QueuedCallback {
  callId: string;
  reference: string;
  askedAt: Date;
  safeTime: SafeTime;
  /** The zone the safe time is read in: the worker's destination country's, else the owner's. */
  timeZone: string;
  /** The end of the safe window; flagged to coordinators if nobody called by then. */
  dueAt: Date;
  flagged: boolean;
  recordingAttachmentId: string | null;
  recordingStored: boolean;
  /** Whether the reader may play the recording: the full view of the case (coordinators, or the worker's consent to share). */
  recordingPlayable: boolean;
  attempts: number;
  lastOutcome: CallbackOutcome | null;
  /** A try still waiting for its outcome: its id, and whether the reader made it. */
  unfinished: { attemptId: string; mine: boolean; status: string } | null;
}

/** Why "call back now" did not ring. */
export type CallBackRefusal = 'no_phone' | 'not_configured' | 'in_progress' | 'closed' | 'twilio_failed';

/** What a machine on the worker's side looks like in Twilio's AnsweredBy. */
const MACHINE = /^(machine_|fax)/;
/** How long a try may wait in "dialling" before another may start. */
const STALE_ATTEMPT_MS = 15 * 60_000;
/** How many queued call-backs the page shows, and how many the hourly job reads at once. */
const QUEUE_LIMIT = 200;
const FLAG_BATCH = 500;
/** No safe window ends sooner than this after the call (a call at 11:59 asking for the morning). */
const SHORTEST_WAIT_MS = 60_000;

const HANG_UP = twimlDocument(['<Hangup/>']);
const CONNECT = twimlDocument([]);

/** The scope of call-backs an actor may see: all for coordinators, their organisation's cases for caseworkers. */
export function callbackScopeOf(actor: CallbackActor): CallbackScope {
  return actor.role === 'coordinator' ? { kind: 'network' } : { kind: 'organisation', organisationId: actor.organisationId };
}

function mayWork(actor: CallbackActor, ownerOrganisationId: string | null): boolean {
  return actor.role === 'coordinator' || (actor.role === 'caseworker' && ownerOrganisationId !== null && ownerOrganisationId === actor.organisationId);
}

/** The zone a worker's safe time is read in. */
export function callbackTimeZone(row: { destination_country: string | null; owner_time_zone: string | null }): string {
  if (row.destination_country) return timeZoneOfCountry(row.destination_country);
  return row.owner_time_zone ?? 'Asia/Bangkok';
}

/** The call-backs an actor's organisation (or, for coordinators, the network) still has to make. */
export async function listCallbackQueue(deps: Pick<CallbackServiceDeps, 'db'>, actor: CallbackActor): Promise<QueuedCallback[]> {
  const rows = await listOpenCallbacks(deps.db, callbackScopeOf(actor), QUEUE_LIMIT);
  const unfinished = await listUnfinishedAttempts(deps.db, rows.map((row) => row.id));
  return rows.map((row) => {
    const safeTime = readSafeTime(row.safe_time);
    const timeZone = callbackTimeZone(row);
    const open = unfinished.filter((attempt) => attempt.call_id === row.id).at(-1);
    return {
      callId: row.id,
      reference: row.reference,
      askedAt: new Date(row.started_at),
      safeTime,
      timeZone,
      dueAt: callbackDueAt(new Date(row.started_at), safeTime, timeZone),
      flagged: row.callback_flagged_at !== null,
      recordingAttachmentId: row.recording_attachment_id,
      recordingStored: row.recording_status === 'stored',
      recordingPlayable: caseViewOf(actor, row.consent_given) === 'full',
      attempts: Number(row.attempts ?? 0),
      lastOutcome: (row.last_outcome as CallbackOutcome | null) ?? null,
      unfinished: open ? { attemptId: open.id, mine: open.user_id === actor.userId, status: open.status } : null,
    };
  });
}

/** Whether the actor has a phone on their profile. */
export async function hasOwnPhone(deps: Pick<CallbackServiceDeps, 'db'>, userId: string): Promise<boolean> {
  return (await findUserPhone(deps.db, userId)) !== null;
}

/** Sets (or, with an empty value, removes) the actor's own phone, sealed. */
export async function setOwnPhone(deps: Pick<CallbackServiceDeps, 'db' | 'cipher' | 'clock'>, userId: string, phone: string | null): Promise<void> {
  await setUserPhone(deps.db, userId, phone ? deps.cipher.seal(phone) : null, deps.clock.now());
}

/**
 * "Call back now": a new try, and Twilio asked to ring the actor's own phone. The worker is dialled
 * only once the actor answers (see `bridge`). A refusal says why nothing rang.
 */
export async function callBackNow(
  deps: CallbackServiceDeps,
  actor: CallbackActor,
  callId: string,
): Promise<{ ok: true; attemptId: string } | { ok: false; reason: CallBackRefusal }> {
  const sealedPhone = await findUserPhone(deps.db, actor.userId);
  const decided = await inTransaction<{ reason: CallBackRefusal } | { attemptId: string }>(deps, async (trx) => {
    const call = await lockCallback(trx, callId);
    if (!call?.case_id || !call.wants_callback || !mayWork(actor, call.owner_organisation_id)) throw errors.notFound();
    if (call.callback_closed_at || call.case_status === 'closed' || call.case_status === 'resolved' || !call.address_encrypted) return { reason: 'closed' };
    if (!sealedPhone) return { reason: 'no_phone' };
    if (!deps.from || !deps.calls.configured) return { reason: 'not_configured' };
    const now = deps.clock.now();
    const busy = (await listUnfinishedAttempts(trx, [call.id])).some((attempt) => attempt.status !== 'ended' && now.getTime() - new Date(attempt.created_at).getTime() < STALE_ATTEMPT_MS);
    if (busy) return { reason: 'in_progress' };
    const attemptId = await insertAttempt(trx, { callId: call.id, caseId: call.case_id, userId: actor.userId, at: now });
    // Calling a worker uses their number, though nobody sees it: who did, and when, is on the record.
    await recordAudit(trx, { actorKind: 'user', actorUserId: actor.userId, action: 'callback.started', subjectType: 'call', subjectId: call.id, caseId: call.case_id, details: { attemptId }, at: now });
    return { attemptId };
  });
  if ('reason' in decided) return { ok: false, reason: decided.reason };
  const { attemptId } = decided;
  try {
    const sid = await deps.calls.startCall({
      to: deps.cipher.open(sealedPhone ?? ''),
      from: deps.from ?? '',
      url: `${deps.publicUrl}/webhooks/twilio/voice/callback?attempt=${attemptId}`,
      statusCallback: `${deps.publicUrl}/webhooks/twilio/voice/callback/status?attempt=${attemptId}`,
    });
    await updateAttempt(deps.db, attemptId, { caseworkerCallSid: sid });
    return { ok: true, attemptId };
  } catch (error) {
    deps.logger.warn({ attemptId, err: error instanceof Error ? error.message : 'unknown' }, 'Twilio did not start a call-back');
    await updateAttempt(deps.db, attemptId, { status: 'failed' });
    return { ok: false, reason: 'twilio_failed' };
  }
}

/**
 * The caseworker answered their phone: dial the worker from the hotline's number, unrecorded,
 * with machine detection. A try that is over, or not ours, hangs up.
 */
export async function bridge(deps: CallbackServiceDeps, attemptId: string): Promise<string> {
  return inTransaction(deps, async (trx) => {
    const attempt = await lockAttempt(trx, attemptId);
    if (!attempt || attempt.status !== 'dialling' || attempt.outcome || !attempt.address_encrypted || !deps.from) return HANG_UP;
    const worker = (await openerFor(trx, deps.cipher, [attempt.address_encrypted])).openOrErased(attempt.address_encrypted);
    if (worker === null) return HANG_UP;
    await updateAttempt(trx, attempt.id, { status: 'bridged' });
    const webhook = (path: string) => `${deps.publicUrl}/webhooks/twilio/voice/callback/${path}?attempt=${attempt.id}`;
    const dial = `<Dial callerId="${escapeXml(deps.from)}" answerOnBridge="true" record="do-not-record" timeout="30">`
      + `<Number machineDetection="Enable" amdStatusCallback="${escapeXml(webhook('amd'))}" amdStatusCallbackMethod="POST"`
      + ` url="${escapeXml(webhook('answered'))}" method="POST">${escapeXml(worker)}</Number></Dial>`;
    return twimlDocument([dial]);
  });
}

/**
 * The worker's side answered (Twilio's `<Number url>`, with machine detection's verdict): a
 * machine is hung up on without a word and the try recorded as such; a person is connected.
 */
export async function workerAnswered(deps: CallbackServiceDeps, attemptId: string, answeredBy: string | undefined): Promise<string> {
  const machine = MACHINE.test(answeredBy ?? '');
  await inTransaction(deps, async (trx) => {
    const attempt = await lockAttempt(trx, attemptId);
    if (!attempt) return;
    if (answeredBy) await updateAttempt(trx, attempt.id, { answeredBy: answeredBy.slice(0, 40) });
    if (machine && !attempt.outcome) await applyOutcome(trx, deps, attempt, 'voicemail', null);
  });
  return machine ? HANG_UP : CONNECT;
}

/**
 * Machine detection's verdict, posted on its own: on a machine the try is recorded (once) and the
 * caseworker's leg is ended through the API, so nothing at all reaches the worker's voicemail.
 */
export async function machineDetected(deps: CallbackServiceDeps, attemptId: string, answeredBy: string): Promise<void> {
  if (!MACHINE.test(answeredBy)) return;
  const callSid = await inTransaction(deps, async (trx) => {
    const attempt = await lockAttempt(trx, attemptId);
    if (!attempt) return null;
    await updateAttempt(trx, attempt.id, { answeredBy: answeredBy.slice(0, 40) });
    if (!attempt.outcome) await applyOutcome(trx, deps, attempt, 'voicemail', null);
    return attempt.caseworker_call_sid;
  });
  if (!callSid) return;
  await deps.calls.endCall(callSid).catch((error: unknown) => {
    deps.logger.warn({ attemptId, err: error instanceof Error ? error.message : 'unknown' }, 'could not end a call-back that reached a machine');
  });
}

/** The caseworker's leg changed: one that ended before it was answered never reached the worker. */
export async function caseworkerLegChanged(deps: CallbackServiceDeps, attemptId: string, status: string): Promise<void> {
  await inTransaction(deps, async (trx) => {
    const attempt = await lockAttempt(trx, attemptId);
    if (!attempt || attempt.outcome) return;
    if (attempt.status === 'dialling' && ['busy', 'no-answer', 'failed', 'canceled'].includes(status)) {
      await updateAttempt(trx, attempt.id, { status: 'caseworker_unreachable' });
    } else if (status === 'completed' && (attempt.status === 'bridged' || attempt.status === 'dialling')) {
      await updateAttempt(trx, attempt.id, { status: 'ended' });
    }
  });
}

/** The caseworker says how a try went. A try already decided (a voicemail) is left as it is. */
export async function recordOutcome(deps: CallbackServiceDeps, actor: CallbackActor, attemptId: string, outcome: CallerOutcome): Promise<{ closed: boolean }> {
  return inTransaction(deps, async (trx) => {
    const attempt = await lockAttempt(trx, attemptId);
    const call = attempt ? await lockCallback(trx, attempt.call_id) : undefined;
    if (!attempt || !call || !mayWork(actor, call.owner_organisation_id)) throw errors.notFound();
    if (attempt.outcome) throw errors.conflict([{ field: 'outcome', reason: 'already_recorded' }]);
    if (attempt.status === 'caseworker_unreachable' || attempt.status === 'failed') throw errors.conflict([{ field: 'outcome', reason: 'never_rang' }]);
    return applyOutcome(trx, deps, attempt, outcome, actor);
  });
}

type LockedAttempt = NonNullable<Awaited<ReturnType<typeof lockAttempt>>>;

/** Records a try's outcome on it and on the case's timeline; the call-back leaves the queue when it is done. */
async function applyOutcome(
  trx: Transaction<Database>,
  deps: CallbackServiceDeps,
  attempt: LockedAttempt,
  outcome: CallbackOutcome,
  actor: CallbackActor | null,
): Promise<{ closed: boolean }> {
  const now = deps.clock.now();
  await updateAttempt(trx, attempt.id, { outcome, outcomeAt: now, ...(attempt.status === 'dialling' || attempt.status === 'bridged' ? { status: 'ended' } : {}) });
  const tries = await countCountedAttempts(trx, attempt.call_id);
  await insertCaseEvent(trx, {
    caseId: attempt.case_id,
    type: 'call.callback_attempted',
    actorKind: actor ? 'staff' : 'system',
    actorUserId: actor?.userId ?? attempt.user_id,
    organisationId: actor?.organisationId ?? null,
    data: { callId: attempt.call_id, attemptId: attempt.id, outcome, attempt: tries, maxAttempts: deps.maxAttempts },
    at: now,
  });
  const closedAs = outcome === 'reached' ? 'reached' : tries >= deps.maxAttempts ? 'max_attempts' : null;
  if (closedAs) await closeCallback(trx, attempt.call_id, closedAs, now);
  return { closed: closedAs !== null };
}

/**
 * Flags each call-back nobody tried by the end of its safe window, once: a timeline event and a
 * notice to coordinators. Returns how many it flagged.
 */
export async function flagMissedCallbacks(deps: Pick<CallbackServiceDeps, 'db' | 'clock' | 'jobs' | 'events' | 'mailEnabled'>): Promise<number> {
  const now = deps.clock.now();
  const rows = await listUntriedCallbacks(deps.db, new Date(now.getTime() - SHORTEST_WAIT_MS), FLAG_BATCH);
  let flagged = 0;
  for (const row of rows) {
    if (!row.case_id) continue;
    const dueAt = callbackDueAt(new Date(row.started_at), readSafeTime(row.safe_time), callbackTimeZone(row));
    if (dueAt.getTime() > now.getTime()) continue;
    const caseId = row.case_id;
    await inTransaction(deps, async (trx) => {
      if (!(await markCallbackFlagged(trx, row.id, now))) return;
      await insertCaseEvent(trx, { caseId, type: 'call.callback_window_missed', actorKind: 'system', data: { callId: row.id, dueAt: dueAt.toISOString() }, at: now });
      await deps.events.publish(trx, { type: 'callback.window_missed', caseId, callId: row.id }, { clock: deps.clock, mailEnabled: deps.mailEnabled });
      flagged += 1;
    });
  }
  return flagged;
}
