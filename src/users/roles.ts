import { ROLES, type Role } from '../cases/case.vocabulary';

/** True when a value is one of the hotline's roles. */
export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Every role: for routes any signed-in user may use. */
export const ANY_ROLE = ROLES;
