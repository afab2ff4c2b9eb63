import type { Principal } from '../http/access';

// Who sees which cases. Coordinators see every case of the network. Caseworkers see the cases
// their organisation owns, or has a pending or accepted referral for. Everyone else (admins,
// embassy liaisons, researchers) sees no case through these routes: liaisons work escalations,
// researchers statistics, admins users and organisations.

/** The roles that may use the case routes at all (others get 403). */
export const CASE_ROLES = ['caseworker', 'coordinator'] as const;

/** The cases one principal may see. */
export type CaseScope = { kind: 'network' } | { kind: 'organisation'; organisationId: string };

/** The scope of a principal that may use the case routes. */
export function caseScopeOf(principal: Principal): CaseScope {
  return principal.role === 'coordinator' ? { kind: 'network' } : { kind: 'organisation', organisationId: principal.organisationId };
}

/** Whether a note is visible: the author's organisation always, partners when it was shared. */
export function canSeeNote(principal: Pick<Principal, 'organisationId'>, note: { organisationId: string; visibility: string }): boolean {
  return note.organisationId === principal.organisationId || note.visibility === 'partners';
}

/** How much of a case a person sees: `full`, or `limited` to non-identifying fields. */
export type CaseView = 'full' | 'limited';

/**
 * Consent decides what travels (GBVIMS practice): coordinators of the hotline that took the
 * complaint see the whole case; a partner organisation or an embassy sees it whole only once the
 * worker has said yes to sharing, and until then only categories, sector, places, dates and the
 * worker's words with contact details removed.
 */
export function caseViewOf(principal: Pick<Principal, 'role'>, consentGiven: boolean | null): CaseView {
  return principal.role === 'coordinator' || consentGiven === true ? 'full' : 'limited';
}
