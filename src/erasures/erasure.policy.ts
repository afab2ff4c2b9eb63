import type { Principal } from '../http/access';
import { errors } from '../http/errors';

// Erasing a person's data is the network coordinators' decision, taken by two of them: no other
// role files, proposes, confirms or refuses one, nor places a legal hold (a worker only asks).

/** The roles that may use the erasure and legal-hold routes (others get 403). */
export const ERASURE_ROLES = ['coordinator'] as const;

/** Throws 403 unless the principal is a coordinator (the routes declare it too; services check again). */
export function requireErasureRole(principal: Pick<Principal, 'role'>): void {
  if (!(ERASURE_ROLES as readonly string[]).includes(principal.role)) throw errors.forbidden();
}
