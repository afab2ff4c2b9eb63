import type { Transaction } from 'kysely';
import type { Database } from '../db/schema';
import { recordAudit } from '../audit/audit.repository';
import { insertCaseEvent } from '../cases/case-event.repository';
import { updateCase } from '../cases/case.repository';
import { actorOf, caseOrNotFound, type Caller, type CaseWorkDeps } from '../cases/case-access';
import { inTransaction } from '../db/transaction';
import { isUniqueViolation } from '../db/errors';
import { AppError, errors } from '../http/errors';
import { mayReferOnward } from '../cases/case.policy';
import { findReferableOrganisation } from '../orgs/organisation.repository';
import { offerReferral } from './referral-offer';
import { sealerForCase } from '../privacy/person-keys';
import { refuseSharingWhileErasureOpen } from '../erasures/erasure-request.service';
import {
  dueReferralIds, findReferralForUpdate, hasLiveReferral, listReferrals, listReferralsOfCase, setReferralStatus, type ReferralStatus,
} from './referral.repository';

// A referral's life: pending → accepted | declined | expired | withdrawn, accepted → completed.
// The receiving organisation answers (accept, decline with a reason, complete); the referring one
// (or a coordinator) withdraws a referral nobody has answered yet. Each change is a timeline event,
// an audit line and a published event (the other side is notified; a declined case is routed on).

const NEXT: Record<string, readonly ReferralStatus[]> = {
  pending: ['accepted', 'declined', 'withdrawn'],
  accepted: ['completed'],
};

/** Refers a case by hand from the caller's organisation to another, with a reason and a response time. */
export async function referByHand(
  deps: CaseWorkDeps,
  caller: Caller,
  reference: string,
  input: { to_organisation: string; reason: string; response_hours: number },
): Promise<{ id: string; due_at: Date }> {
  const found = await caseOrNotFound(deps, caller, reference, 'referral.create');
  const referrals = await listReferralsOfCase(deps.db, found.id);
  const holding = { ownerOrganisationId: found.owner_organisation_id, referrals: referrals.map((referral) => ({ toOrganisationId: referral.to_organisation_id, status: referral.status })) };
  // An organisation only offered the case must accept it before passing it on.
  if (!mayReferOnward(caller.principal, holding)) throw new AppError('forbidden', [{ field: 'reference', reason: 'accept_referral_first' }]);
  const target = await findReferableOrganisation(deps.db, input.to_organisation);
  if (!target) throw errors.validation([{ field: 'to_organisation', reason: 'unknown_organisation' }]);
  const { principal } = caller;
  if (target.id === principal.organisationId || target.id === found.owner_organisation_id) throw errors.validation([{ field: 'to_organisation', reason: 'already_holds_case' }]);
  try {
    return await inTransaction(deps, async (trx) => {
      await refuseSharingWhileErasureOpen(trx, found.person_id, 'reference');
      if (await hasLiveReferral(trx, found.id, target.id)) throw errors.conflict([{ field: 'to_organisation', reason: 'already_referred' }]);
      const offered = await offerReferral(trx, deps, {
        caseId: found.id, caseReference: found.reference, fromOrganisationId: principal.organisationId, toOrganisationId: target.id, ruleId: null,
        reason: input.reason, responseHours: input.response_hours, actor: { userId: principal.userId, kind: principal.kind, ip: caller.ip },
      });
      return { id: offered.id, due_at: offered.dueAt };
    });
  } catch (error) {
    if (isUniqueViolation(error, 'referrals_one_live_key')) throw errors.conflict([{ field: 'to_organisation', reason: 'already_referred' }]);
    throw error;
  }
}

type Side = 'receiving' | 'referring';

/** Which side of a referral the caller is on; coordinators may act for either. */
function sidesOf(caller: Caller, referral: { from_organisation_id: string | null; to_organisation_id: string }): Side[] {
  const { principal } = caller;
  if (principal.role === 'coordinator') return ['receiving', 'referring'];
  const sides: Side[] = [];
  if (principal.organisationId === referral.to_organisation_id) sides.push('receiving');
  if (principal.organisationId === referral.from_organisation_id) sides.push('referring');
  return sides;
}

const ACTED_BY: Record<string, Side> = { accepted: 'receiving', declined: 'receiving', completed: 'receiving', withdrawn: 'referring' };

/** Accepts, declines (with a reason), completes or withdraws a referral. */
export async function changeReferralStatus(
  deps: CaseWorkDeps,
  caller: Caller,
  referralId: string,
  change: { status: 'accepted' | 'declined' | 'completed' | 'withdrawn'; reason?: string | undefined },
): Promise<void> {
  const { principal } = caller;
  await inTransaction(deps, async (trx) => {
    const referral = await findReferralForUpdate(trx, referralId);
    const sides = referral ? sidesOf(caller, referral) : [];
    if (!referral || sides.length === 0) {
      if (referral) await recordAudit(trx, { ...actorOf(caller), action: 'referral.access_denied', subjectType: 'referral', subjectId: referralId, caseId: referral.case_id });
      throw errors.notFound();
    }
    const actedBy = ACTED_BY[change.status];
    if (!actedBy || !sides.includes(actedBy)) throw errors.forbidden();
    if (!NEXT[referral.status]?.includes(change.status)) throw errors.conflict([{ field: 'status', reason: 'not_allowed_from', params: { from: referral.status } }]);
    const now = deps.clock.now();
    await setReferralStatus(trx, referral.id, {
      status: change.status, at: now, responded: change.status === 'accepted' || change.status === 'declined', completed: change.status === 'completed',
      ...(change.status === 'declined' ? { declineReasonSealed: await sealDeclineReason(trx, deps, referral.case_id, change.reason) } : {}),
    });
    if (change.status === 'accepted' && referral.owner_organisation_id === null) {
      // A case the hotline routed belongs to the first organisation that takes it on.
      await updateCase(trx, referral.case_id, { owner_organisation_id: referral.to_organisation_id, ...(referral.case_status === 'new' ? { status: 'open' } : {}) }, now);
    }
    await insertCaseEvent(trx, {
      caseId: referral.case_id, type: `referral.${change.status}`, actorKind: 'staff', actorUserId: principal.userId, organisationId: principal.organisationId,
      data: { referralId: referral.id, toOrganisationId: referral.to_organisation_id }, at: now,
    });
    await recordAudit(trx, { ...actorOf(caller), action: `referral.${change.status}`, subjectType: 'referral', subjectId: referral.id, caseId: referral.case_id, at: now });
    await deps.events.publish(trx, {
      type: `referral.${change.status}`, caseId: referral.case_id, referralId: referral.id, actorUserId: principal.userId,
      otherSideOrganisationId: actedBy === 'receiving' ? referral.from_organisation_id : referral.to_organisation_id,
    });
  });
}

/**
 * The SLA job: a referral still pending at its due time expires, the coordinators (and the
 * referring side) are alerted, and the case goes to the next matching organisation. Running it
 * again, or for a referral answered meanwhile, does nothing; run before the due time, it looks
 * again then. Returns whether it expired one.
 */
export async function expireReferral(deps: CaseWorkDeps, referralId: string): Promise<boolean> {
  return inTransaction(deps, async (trx) => {
    const referral = await findReferralForUpdate(trx, referralId);
    const now = deps.clock.now();
    if (!referral || referral.status !== 'pending') return false;
    if (referral.due_at > now) {
      // Woken early (a queue's timer is not exact): look again at the due time.
      await deps.jobs.enqueue(trx, 'referral.expire', { referralId }, { delayMs: referral.due_at.getTime() - now.getTime() });
      return false;
    }
    await setReferralStatus(trx, referral.id, { status: 'expired', at: now });
    await insertCaseEvent(trx, {
      caseId: referral.case_id, type: 'referral.expired', actorKind: 'system',
      data: { referralId: referral.id, toOrganisationId: referral.to_organisation_id, dueAt: referral.due_at.toISOString() }, at: now,
    });
    await recordAudit(trx, { actorKind: 'system', action: 'referral.expired', subjectType: 'referral', subjectId: referral.id, caseId: referral.case_id, at: now });
    await deps.events.publish(trx, { type: 'referral.expired', caseId: referral.case_id, referralId: referral.id, fromOrganisationId: referral.from_organisation_id });
    return true;
  });
}

/** Expires every pending referral past its due time (a safety net for lost delayed jobs). */
export async function expireDueReferrals(deps: CaseWorkDeps): Promise<number> {
  let expired = 0;
  for (const id of await dueReferralIds(deps.db, deps.clock.now(), 500)) {
    if (await expireReferral(deps, id)) expired += 1;
  }
  return expired;
}

/**
 * Referrals to (incoming) or from (outgoing) the caller's organisation, or both (`all`); for
 * coordinators `all` is the whole network's.
 */
export async function listReferralsFor(
  deps: CaseWorkDeps,
  caller: Caller,
  filters: { direction: 'incoming' | 'outgoing' | 'all'; status?: readonly string[] | undefined; overdue: boolean; limit: number },
) {
  const { principal } = caller;
  const own = principal.organisationId;
  const network = principal.role === 'coordinator' && filters.direction === 'all';
  const rows = await listReferrals(deps.db, {
    toOrganisationId: filters.direction === 'incoming' ? own : undefined,
    fromOrganisationId: filters.direction === 'outgoing' ? own : undefined,
    involvingOrganisationId: filters.direction === 'all' && !network ? own : undefined,
    status: filters.status, overdueAt: filters.overdue ? deps.clock.now() : undefined, limit: filters.limit,
  });
  await recordAudit(deps.db, { ...actorOf(caller), action: 'referral.listed', subjectType: 'referral', details: { count: rows.length } });
  const now = deps.clock.now();
  return rows.map((row) => ({
    id: row.id, reference: row.reference, urgency: row.urgency, categories: row.categories, status: row.status,
    from: row.from_slug ? { slug: row.from_slug, name: row.from_name } : null,
    to: { slug: row.to_slug, name: row.to_name, country: row.to_country }, rule: row.rule_name,
    due_at: row.due_at, overdue: row.status === 'pending' && row.due_at < now, created_at: row.created_at, responded_at: row.responded_at,
  }));
}

/** The reference of a referral's case, or undefined when there is no such referral. */
export { findReferralCaseReference } from './referral.repository';

/** A reason for declining, sealed under the worker's key; null when none was given. */
async function sealDeclineReason(trx: Transaction<Database>, deps: Pick<CaseWorkDeps, 'cipher'>, caseId: string, reason: string | undefined): Promise<string | null> {
  const text = reason?.trim();
  return text ? (await sealerForCase(trx, deps.cipher, caseId)).seal(text) : null;
}
