import type { Transaction } from 'kysely';
import { recordAudit } from '../audit/audit.repository';
import { insertCaseEvent } from '../cases/case-event.repository';
import { actorOf, type Caller, type CaseWorkDeps } from '../cases/case-access';
import type { Database, ErasureReason, ErasureRefusalReason } from '../db/schema';
import { inTransaction } from '../db/transaction';
import { AppError, errors } from '../http/errors';
import { requireErasureRole } from './erasure.policy';
import {
  findCaseForErasure,
  findErasureById,
  findOpenErasureOfPerson,
  insertErasure,
  listCasesOfPeople,
  listOpenErasures,
  lockErasure,
  lockPersonForErasure,
  markErasureConfirmed,
  markErasureProposed,
  markErasureRefused,
} from './erasure-request.repository';
import { listActiveHolds } from './legal-hold.repository';
import type { UpdateErasureBody } from './erasures.schema';

// The coordinators' side of an erasure: the queue with its 90-day clock, a proposal with a reason,
// a SECOND coordinator's confirmation (which queues `erasure.run` in the same transaction), or a
// refusal for a recorded legal reason. Notes are staff's words, sealed with ENCRYPTION_KEY (they
// must outlive the erasure); the audit log gets codes and ids, never words.

const DAY = 86_400_000;
const QUEUE_LIMIT = 500;

/** Whole days until a due time (negative once overdue); null without one. */
export function daysLeft(dueAt: Date | null, now: Date): number | null {
  if (!dueAt) return null;
  return Math.ceil((dueAt.getTime() - now.getTime()) / DAY);
}

/** One open erasure in the queue. */
export interface ErasureQueueRow {
  id: string;
  status: string;
  source: string;
  reason: string | null;
  requested_at: Date;
  due_at: Date | null;
  /** Whole days to the due date; negative once overdue; null for one staff began (no legal clock). */
  days_left: number | null;
  overdue: boolean;
  case_references: string[];
  proposed_by: string | null;
  /** A case of the person is under a legal hold: the erasure cannot run until it ends. */
  on_hold: boolean;
}

/** The open erasures, soonest due first, with their clock, cases and holds; the listing is audited. */
export async function listErasureQueue(deps: CaseWorkDeps, caller: Caller): Promise<ErasureQueueRow[]> {
  requireErasureRole(caller.principal);
  const now = deps.clock.now();
  const rows = await listOpenErasures(deps.db, QUEUE_LIMIT);
  const cases = await listCasesOfPeople(deps.db, [...new Set(rows.map((row) => row.person_id))]);
  const held = new Set((await listActiveHolds(deps.db, cases.map((row) => row.id), now)).map((hold) => hold.case_id));
  await recordAudit(deps.db, { ...actorOf(caller), action: 'erasure.listed', subjectType: 'erasure', details: { count: rows.length } });
  return rows.map((row) => {
    const own = cases.filter((item) => item.person_id === row.person_id);
    const left = daysLeft(row.due_at, now);
    return {
      id: row.id, status: row.status, source: row.source, reason: row.reason, requested_at: row.requested_at, due_at: row.due_at,
      days_left: left, overdue: left !== null && row.due_at !== null && row.due_at.getTime() < now.getTime(),
      case_references: own.map((item) => item.reference), proposed_by: row.proposed_by_name, on_hold: own.some((item) => held.has(item.id)),
    };
  });
}

async function erasureOrNotFound(deps: CaseWorkDeps, id: string) {
  const found = await findErasureById(deps.db, id);
  if (!found) throw errors.notFound();
  return found;
}

/** One erasure with its notes opened, who acted, the person's cases and their holds in force; the read is audited. */
export async function getErasureFor(deps: CaseWorkDeps, caller: Caller, id: string) {
  requireErasureRole(caller.principal);
  const found = await erasureOrNotFound(deps, id);
  const now = deps.clock.now();
  const cases = await listCasesOfPeople(deps.db, [found.person_id]);
  const holds = await listActiveHolds(deps.db, cases.map((row) => row.id), now);
  await recordAudit(deps.db, { ...actorOf(caller), action: 'erasure.read', subjectType: 'erasure', subjectId: id, caseId: found.case_id });
  const left = daysLeft(found.due_at, now);
  return {
    id: found.id, status: found.status, scope: found.scope, source: found.source, reason: found.reason,
    reason_note: deps.cipher.openOptional(found.reason_note_encrypted),
    requested_at: found.requested_at, due_at: found.due_at, days_left: left, overdue: found.due_at !== null && found.due_at.getTime() < now.getTime(),
    proposed_by: found.proposed_by_user_id ? { id: found.proposed_by_user_id, name: found.proposed_by_name } : null, proposed_at: found.proposed_at,
    confirmed_by: found.confirmed_by_user_id ? { id: found.confirmed_by_user_id, name: found.confirmed_by_name } : null, confirmed_at: found.confirmed_at,
    refused_by: found.refused_by_user_id ? { id: found.refused_by_user_id, name: found.refused_by_name } : null, refused_at: found.refused_at,
    refusal_reason: found.refusal_reason, refusal_note: deps.cipher.openOptional(found.refusal_note_encrypted), done_at: found.done_at,
    started_from: cases.find((row) => row.id === found.case_id)?.reference ?? null,
    cases: cases.map((row) => ({ reference: row.reference, erased_at: row.personal_data_erased_at })),
    holds: holds.map((hold) => ({ reference: cases.find((row) => row.id === hold.case_id)?.reference ?? '', held_until: hold.held_until })),
  };
}

/** An erasure as `getErasureFor` shows it. */
export type ErasureDetail = Awaited<ReturnType<typeof getErasureFor>>;

/** "Other" is no reason by itself: it needs the coordinator's words. */
function requireNoteForOther(reason: string, note: string | undefined): string | null {
  const words = note?.trim() ?? '';
  if (reason === 'other' && words === '') throw errors.validation([{ field: 'note', reason: 'required' }]);
  return words === '' ? null : words;
}

/** Records one step of an erasure on the case it came through (if any) and in the audit log. */
async function recordStep(
  trx: Transaction<Database>,
  caller: Caller,
  erasure: { id: string; case_id: string | null },
  step: 'proposed' | 'confirmed' | 'refused',
  details: Record<string, string>,
  at: Date,
): Promise<void> {
  const { principal } = caller;
  if (erasure.case_id) {
    await insertCaseEvent(trx, {
      caseId: erasure.case_id, type: `erasure.${step}`, actorKind: 'staff', actorUserId: principal.userId, organisationId: principal.organisationId,
      data: { erasureId: erasure.id, ...details }, at,
    });
  }
  await recordAudit(trx, { ...actorOf(caller), action: `erasure.${step}`, subjectType: 'erasure', subjectId: erasure.id, caseId: erasure.case_id, details, at });
}

/** A worker's request (or one not yet decided) proposed for erasure, with a reason: other coordinators are asked to confirm. */
async function propose(trx: Transaction<Database>, deps: CaseWorkDeps, caller: Caller, id: string, input: { reason: ErasureReason; note?: string | undefined }): Promise<void> {
  const note = requireNoteForOther(input.reason, input.note);
  const now = deps.clock.now();
  const erasure = await lockErasure(trx, id);
  if (!erasure) throw errors.notFound();
  const proposed = await markErasureProposed(trx, id, { userId: caller.principal.userId, reason: input.reason, noteSealed: deps.cipher.sealOptional(note), at: now });
  if (!proposed) throw errors.conflict([{ field: 'status', reason: 'erasure_not_requested', params: { status: erasure.status } }]);
  await recordStep(trx, caller, erasure, 'proposed', { reason: input.reason }, now);
  await deps.events.publish(trx, { type: 'erasure.proposed', erasureId: id, caseId: erasure.case_id, actorUserId: caller.principal.userId }, { clock: deps.clock, mailEnabled: deps.mailEnabled });
}

/**
 * A second coordinator confirms a proposed erasure: it becomes `confirmed` and its `erasure.run`
 * job is written to the outbox in the same transaction. The proposer cannot confirm their own
 * proposal (403; the update and the table's check refuse it too), nor can an erasure be confirmed
 * while a case of the person is under a legal hold (release it, or refuse for `legal_hold`).
 */
async function confirm(trx: Transaction<Database>, deps: CaseWorkDeps, caller: Caller, id: string): Promise<void> {
  const now = deps.clock.now();
  const erasure = await lockErasure(trx, id);
  if (!erasure) throw errors.notFound();
  if (erasure.status !== 'proposed') throw errors.conflict([{ field: 'status', reason: 'erasure_not_proposed', params: { status: erasure.status } }]);
  if (erasure.proposed_by_user_id === caller.principal.userId) throw new AppError('forbidden', [{ field: 'status', reason: 'erasure_second_coordinator' }]);
  const cases = await listCasesOfPeople(trx, [erasure.person_id]);
  const [hold] = await listActiveHolds(trx, cases.map((row) => row.id), now);
  if (hold) {
    const reference = cases.find((row) => row.id === hold.case_id)?.reference ?? '';
    throw errors.conflict([{ field: 'status', reason: 'erasure_legal_hold', params: { reference } }]);
  }
  if (!(await markErasureConfirmed(trx, id, { userId: caller.principal.userId, at: now }))) {
    throw new AppError('forbidden', [{ field: 'status', reason: 'erasure_second_coordinator' }]);
  }
  await deps.jobs.enqueue(trx, 'erasure.run', { erasureId: id });
  await recordStep(trx, caller, erasure, 'confirmed', {}, now);
}

/** Refuses an open, not yet confirmed erasure for a legal reason; the worker who asked for it is told by a job. */
async function refuse(trx: Transaction<Database>, deps: CaseWorkDeps, caller: Caller, id: string, input: { reason: ErasureRefusalReason; note?: string | undefined }): Promise<void> {
  const note = requireNoteForOther(input.reason, input.note);
  const now = deps.clock.now();
  const erasure = await lockErasure(trx, id);
  if (!erasure) throw errors.notFound();
  const refused = await markErasureRefused(trx, id, { userId: caller.principal.userId, reason: input.reason, noteSealed: deps.cipher.sealOptional(note), at: now });
  if (!refused) throw errors.conflict([{ field: 'status', reason: 'erasure_not_open', params: { status: erasure.status } }]);
  await recordStep(trx, caller, erasure, 'refused', { refusal_reason: input.reason }, now);
  // A worker who asked is told, and why, once this commits (nothing is sent for an erasure staff started).
  await deps.jobs.enqueue(trx, 'erasure.tell_worker', { erasureId: id });
}

/** Moves an erasure on: propose, confirm or refuse (coordinators only). */
export async function changeErasure(deps: CaseWorkDeps, caller: Caller, id: string, change: UpdateErasureBody): Promise<void> {
  requireErasureRole(caller.principal);
  await inTransaction(deps, async (trx) => {
    switch (change.status) {
      case 'proposed':
        return propose(trx, deps, caller, id, change);
      case 'confirmed':
        return confirm(trx, deps, caller, id);
      case 'refused':
        return refuse(trx, deps, caller, id, { reason: change.refusal_reason, note: change.note });
    }
  });
}

/**
 * A coordinator starts erasing a case's worker from the case page: a new erasure `proposed` by
 * them (source `console`), or the worker's own open request proposed. One open erasure per person.
 */
export async function proposeErasureOfCase(deps: CaseWorkDeps, caller: Caller, reference: string, input: { reason: ErasureReason; note?: string | undefined }): Promise<{ id: string }> {
  requireErasureRole(caller.principal);
  const found = await findCaseForErasure(deps.db, reference);
  if (!found) throw errors.notFound();
  const note = requireNoteForOther(input.reason, input.note);
  return inTransaction(deps, async (trx) => {
    const person = await lockPersonForErasure(trx, found.person_id);
    if (!person || person.erased) throw errors.conflict([{ field: 'reason', reason: 'erasure_person_erased' }]);
    const open = await findOpenErasureOfPerson(trx, found.person_id);
    if (open?.status === 'requested') {
      await propose(trx, deps, caller, open.id, input);
      return { id: open.id };
    }
    if (open) throw errors.conflict([{ field: 'reason', reason: 'erasure_already_open' }]);
    const now = deps.clock.now();
    const id = await insertErasure(trx, {
      personId: found.person_id, caseId: found.id, source: 'console', status: 'proposed', reason: input.reason, reasonNoteSealed: deps.cipher.sealOptional(note),
      requestedAt: now, dueAt: null, proposedByUserId: caller.principal.userId,
    });
    await recordStep(trx, caller, { id, case_id: found.id }, 'proposed', { reason: input.reason, source: 'console' }, now);
    await deps.events.publish(trx, { type: 'erasure.proposed', erasureId: id, caseId: found.id, actorUserId: caller.principal.userId }, { clock: deps.clock, mailEnabled: deps.mailEnabled });
    return { id };
  });
}
