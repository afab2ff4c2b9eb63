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

/**
 * Who may record the worker's consent, besides the worker: coordinators, and staff of the
 * organisation that owns the case. A partner still waiting to answer a referral, or working the
 * case beside its owner, may not: the answer decides what every partner and embassy sees.
 */
export function mayRecordConsent(principal: Pick<Principal, 'role' | 'organisationId'>, ownerOrganisationId: string | null): boolean {
  if (principal.role === 'coordinator') return true;
  return principal.role === 'caseworker' && ownerOrganisationId !== null && principal.organisationId === ownerOrganisationId;
}

/**
 * Who may refer a case onward: coordinators, the owning organisation, and an organisation that
 * accepted a referral of it. An organisation only offered the case must accept it first.
 */
export function mayReferOnward(
  principal: Pick<Principal, 'role' | 'organisationId'>,
  holding: { ownerOrganisationId: string | null; referrals: readonly { toOrganisationId: string; status: string }[] },
): boolean {
  if (principal.role === 'coordinator') return true;
  if (principal.role !== 'caseworker') return false;
  if (holding.ownerOrganisationId === principal.organisationId) return true;
  return holding.referrals.some((referral) => referral.toOrganisationId === principal.organisationId && referral.status === 'accepted');
}
