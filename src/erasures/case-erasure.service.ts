import type { Caller, CaseWorkDeps } from '../cases/case-access';
import { findCaseForErasureById, findErasureById, findOpenErasureOfPerson } from './erasure-request.repository';
import { listActiveHolds } from './legal-hold.repository';

// What a case page says of the worker's data rights: an erasure asked for and not yet done (the
// data is then treated as restricted), the legal holds in force, and — once done — when, by whom
// and why the personal data was erased. Staff's notes and hold reasons are for coordinators only.

/** The data-rights state of a case for its page. */
export interface CaseErasureState {
  /** An erasure of the worker still open. */
  open: { id: string; status: string; source: string; requestedAt: Date; dueAt: Date | null } | null;
  /** Holds in force, soonest ending first; the reason only for coordinators. */
  holds: { id: string; heldUntil: Date; reason: string | null; placedBy: string | null }[];
  /** The erasure done on this case's personal data. */
  erased: { at: Date; source: string | null; reason: string | null; by: string[]; note: string | null } | null;
  /** The reader may act (coordinators): erase, place and release holds. */
  mayAct: boolean;
}

/** The data-rights state of a case the caller already may read (the case read itself is audited). */
export async function caseErasureStateFor(deps: CaseWorkDeps, caller: Caller, caseId: string): Promise<CaseErasureState | undefined> {
  const found = await findCaseForErasureById(deps.db, caseId);
  if (!found) return undefined;
  const mayAct = caller.principal.role === 'coordinator';
  const [open, holds, erasure] = await Promise.all([
    findOpenErasureOfPerson(deps.db, found.person_id),
    listActiveHolds(deps.db, [found.id], deps.clock.now()),
    found.erasure_id ? findErasureById(deps.db, found.erasure_id) : Promise.resolve(undefined),
  ]);
  return {
    open: open ? { id: open.id, status: open.status, source: open.source, requestedAt: open.requested_at, dueAt: open.due_at } : null,
    holds: holds.map((hold) => ({
      id: hold.id, heldUntil: hold.held_until, reason: mayAct ? deps.cipher.openOptional(hold.reason_encrypted) : null, placedBy: hold.created_by_name,
    })),
    erased: found.personal_data_erased_at
      ? {
          at: found.personal_data_erased_at, source: erasure?.source ?? null, reason: erasure?.reason ?? null,
          by: [erasure?.proposed_by_name, erasure?.confirmed_by_name].filter((name): name is string => typeof name === 'string'),
          note: mayAct ? deps.cipher.openOptional(erasure?.reason_note_encrypted) : null,
        }
      : null,
    mayAct,
  };
}
