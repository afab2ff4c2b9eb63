import type { Role } from '../cases/case.vocabulary';
import type { Audience } from './notification.repository';

const STAFF: readonly Role[] = ['caseworker', 'coordinator'];

/** The people on one side of a referral: an organisation's staff, or the coordinators when a rule acted. */
export function sideOf(organisationId: string | null): Audience {
  return organisationId ? { roles: STAFF, organisationId } : { roles: ['coordinator'] };
}

/** The people working a case: its assignee, else its owner's staff, else the coordinators. */
export function caseTeamOf(caseRow: { assigned_user_id: string | null; owner_organisation_id: string | null }): Audience {
  if (caseRow.assigned_user_id) return { userIds: [caseRow.assigned_user_id] };
  if (caseRow.owner_organisation_id) return { roles: STAFF, organisationId: caseRow.owner_organisation_id };
  return { roles: ['coordinator'] };
}
