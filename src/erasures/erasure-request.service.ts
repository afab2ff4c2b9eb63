import type { Kysely, Transaction } from 'kysely';
import { recordAudit } from '../audit/audit.repository';
import { insertCaseEvent } from '../cases/case-event.repository';
import type { Clock } from '../clock';
import type { Database } from '../db/schema';
import type { DomainEventPublisher } from '../events/domain-events';
import { errors } from '../http/errors';
import {
  findLatestCaseOfPerson,
  findLatestRefusedWorkerRequest,
  findOpenErasureOfPerson,
  insertErasure,
  lockPersonForErasure,
  setErasureDueAtIfUnset,
  type WorkerErasureSource,
} from './erasure-request.repository';

// A worker's own request to have their personal data erased, by keyword on any messaging channel
// or by the button of the status page. The request is filed, not carried out: coordinators act on
// it (propose, a second one confirms) within the legal 90 days, or refuse it for a legal reason.

/**
 * While a worker's erasure is open (asked for, proposed or confirmed), their data is restricted:
 * kept, not shared further. A referral or an escalation of their case by hand is refused (409,
 * `erasure_open`) until the erasure is done or refused; run in the transaction that would share it.
 */
export async function refuseSharingWhileErasureOpen(db: Kysely<Database> | Transaction<Database>, personId: string, field: string): Promise<void> {
  if (await findOpenErasureOfPerson(db, personId)) throw errors.conflict([{ field, reason: 'erasure_open' }]);
}

/** Thailand's PDPA rules: an erasure request is acted on within 90 days of it. */
export const ERASURE_DEADLINE_DAYS = 90;
const DAY = 86_400_000;

/** When a request made at `requestedAt` must be done by. */
export function erasureDueAt(requestedAt: Date): Date {
  return new Date(requestedAt.getTime() + ERASURE_DEADLINE_DAYS * DAY);
}

/** What filing a request needs: the clock, and the events coordinators are notified through. */
export interface WorkerErasureDeps {
  clock: Clock;
  events: DomainEventPublisher;
  /** True when SMTP_URL is set: the coordinators' notices are also emailed. */
  mailEnabled: boolean;
}

/** A worker's request, as it came. */
export interface WorkerErasureRequest {
  personId: string;
  /** The case it came through (the status page's, the conversation's open one); else the person's latest. */
  caseId: string | null;
  source: WorkerErasureSource;
  /** The channel it came on (sms, line, web…), for the audit log. */
  channel: string;
  ip: string | null;
}

/** What came of it: a new request, or one already open (then nothing new is filed). */
export interface WorkerErasureResult {
  outcome: 'requested' | 'already';
  erasureId: string | null;
  /** By when it will be done (null: the person's data is already erased). */
  dueAt: Date | null;
}

/**
 * Files a worker's erasure request in the caller's transaction, unless one is open for the person
 * already: an `erasures` row (person scope, `requested`, due in 90 days), a line on the case's
 * timeline, the audit log, and the coordinators notified. The person's row is locked first, so a
 * keyword on two channels at once files one request.
 */
export async function fileWorkerErasureRequest(trx: Transaction<Database>, deps: WorkerErasureDeps, request: WorkerErasureRequest): Promise<WorkerErasureResult> {
  const now = deps.clock.now();
  const person = await lockPersonForErasure(trx, request.personId);
  if (!person || person.erased) return { outcome: 'already', erasureId: null, dueAt: null };
  const open = await findOpenErasureOfPerson(trx, request.personId);
  if (open) {
    // Staff may have begun one before the worker asked: the worker's own request starts the legal clock.
    const dueAt = open.due_at ?? erasureDueAt(now);
    if (!open.due_at) await setErasureDueAtIfUnset(trx, open.id, dueAt);
    return { outcome: 'already', erasureId: open.id, dueAt };
  }
  const caseId = request.caseId ?? (await findLatestCaseOfPerson(trx, request.personId)) ?? null;
  const dueAt = erasureDueAt(now);
  const erasureId = await insertErasure(trx, {
    personId: request.personId, caseId, source: request.source, status: 'requested', reason: 'worker_request', reasonNoteSealed: null,
    requestedAt: now, dueAt, proposedByUserId: null,
  });
  if (caseId) await insertCaseEvent(trx, { caseId, type: 'erasure.requested', actorKind: 'worker', data: { erasureId, source: request.source }, at: now });
  await recordAudit(trx, {
    actorKind: 'worker', action: 'erasure.requested', subjectType: 'erasure', subjectId: erasureId, caseId, ip: request.ip,
    details: { source: request.source, channel: request.channel }, at: now,
  });
  await deps.events.publish(trx, { type: 'erasure.requested', erasureId, caseId }, { clock: deps.clock, mailEnabled: deps.mailEnabled });
  return { outcome: 'requested', erasureId, dueAt };
}

/** The worker's latest own request that was refused, as they may be told of it: when they asked, and why it was refused. */
export async function findRefusedRequestOf(db: Kysely<Database>, personId: string): Promise<{ requestedAt: Date; reason: string } | undefined> {
  const refused = await findLatestRefusedWorkerRequest(db, personId);
  return refused ? { requestedAt: refused.requested_at, reason: refused.refusal_reason ?? 'other' } : undefined;
}

/** The person's erasure still open, as a worker may be told of it: when they asked, and by when it is done. */
export async function findOpenErasureOf(db: Kysely<Database>, personId: string): Promise<{ requestedAt: Date; dueAt: Date | null } | undefined> {
  const open = await findOpenErasureOfPerson(db, personId);
  return open ? { requestedAt: open.requested_at, dueAt: open.due_at } : undefined;
}
