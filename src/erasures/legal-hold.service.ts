import { recordAudit } from '../audit/audit.repository';
import { insertCaseEvent } from '../cases/case-event.repository';
import { actorOf, type Caller, type CaseWorkDeps } from '../cases/case-access';
import { inTransaction } from '../db/transaction';
import { errors } from '../http/errors';
import { requireErasureRole } from './erasure.policy';
import { findCaseForErasure } from './erasure-request.repository';
import { insertLegalHold, markLegalHoldReleased } from './legal-hold.repository';
import type { PlaceLegalHoldBody } from './erasures.schema';

// A legal hold keeps a case's personal data from erasure (by a request or by retention) until the
// day it ends or a coordinator releases it: a court order, a police investigation, a claim under
// way. The reason is staff's words, sealed with ENCRYPTION_KEY so it outlives any erasure.

// A hold runs to the end of its last day in the region's time.
const HOLD_DAY_ENDS = 'T23:59:59.999+07:00';
const LONGEST_HOLD_YEARS = 25;

/** When a hold whose last day is `until` (YYYY-MM-DD) ends. */
export function holdEndOf(until: string): Date {
  return new Date(`${until}${HOLD_DAY_ENDS}`);
}

async function caseOrNotFound(deps: CaseWorkDeps, reference: string) {
  const found = await findCaseForErasure(deps.db, reference);
  if (!found) throw errors.notFound();
  return found;
}

/** Places a hold on a case until the end of a day to come (coordinators); event and audit, the reason sealed. */
export async function placeLegalHold(deps: CaseWorkDeps, caller: Caller, reference: string, input: PlaceLegalHoldBody): Promise<{ id: string }> {
  requireErasureRole(caller.principal);
  const found = await caseOrNotFound(deps, reference);
  const now = deps.clock.now();
  const heldUntil = holdEndOf(input.until);
  if (Number.isNaN(heldUntil.getTime()) || heldUntil.getTime() <= now.getTime()) throw errors.validation([{ field: 'until', reason: 'not_in_future' }]);
  const latest = new Date(now);
  latest.setUTCFullYear(latest.getUTCFullYear() + LONGEST_HOLD_YEARS);
  if (heldUntil.getTime() > latest.getTime()) throw errors.validation([{ field: 'until', reason: 'too_far', params: { years: LONGEST_HOLD_YEARS } }]);
  return inTransaction(deps, async (trx) => {
    const id = await insertLegalHold(trx, { caseId: found.id, reasonSealed: deps.cipher.seal(input.reason), heldUntil, createdByUserId: caller.principal.userId, at: now });
    const data = { holdId: id, until: input.until };
    await insertCaseEvent(trx, { caseId: found.id, type: 'legal_hold.placed', actorKind: 'staff', actorUserId: caller.principal.userId, organisationId: caller.principal.organisationId, data, at: now });
    await recordAudit(trx, { ...actorOf(caller), action: 'legal_hold.placed', subjectType: 'legal_hold', subjectId: id, caseId: found.id, details: data, at: now });
    return { id };
  });
}

/** Ends a hold in force before its day (coordinators); 404 for a hold not in force on this case. */
export async function releaseLegalHold(deps: CaseWorkDeps, caller: Caller, reference: string, holdId: string): Promise<void> {
  requireErasureRole(caller.principal);
  const found = await caseOrNotFound(deps, reference);
  const now = deps.clock.now();
  await inTransaction(deps, async (trx) => {
    if (!(await markLegalHoldReleased(trx, { holdId, caseId: found.id, userId: caller.principal.userId, at: now }))) throw errors.notFound();
    const data = { holdId };
    await insertCaseEvent(trx, { caseId: found.id, type: 'legal_hold.released', actorKind: 'staff', actorUserId: caller.principal.userId, organisationId: caller.principal.organisationId, data, at: now });
    await recordAudit(trx, { ...actorOf(caller), action: 'legal_hold.released', subjectType: 'legal_hold', subjectId: holdId, caseId: found.id, details: data, at: now });
  });
}
