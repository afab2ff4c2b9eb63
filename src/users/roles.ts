import { ROLES, type Role } from '../cases/case.vocabulary';

/** True when a value is one of the hotline's roles. */
export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Every role: for routes any signed-in user may use. */
export const ANY_ROLE = ROLES;

/** Roles whose holders read cases or escalations, with the worker's personal data. */
export const CASE_READING_ROLES: readonly Role[] = ['caseworker', 'coordinator', 'liaison'];

/**
 * Whom an admin may issue an API token for in the console: themselves, and accounts that read no
 * case (admins, researchers). A token for a caseworker, coordinator or liaison would let the admin
 * read cases as them, and admins see no case; those people issue their own tokens.
 */
export function mayIssueTokenFor(issuer: { userId: string }, holder: { id: string; role: string }): boolean {
  return holder.id === issuer.userId || !(CASE_READING_ROLES as readonly string[]).includes(holder.role);
}
