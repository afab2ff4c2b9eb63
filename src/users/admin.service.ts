import type { Kysely } from 'kysely';
import { recordAudit, type AuditEntry } from '../audit/audit.repository';
import type { Clock } from '../clock';
import type { Database } from '../db/schema';
import { errors } from '../http/errors';
import { revokeApiToken, setUserDisabled } from './admin.repository';
import { endSessionsOfUser } from './session.repository';

// The administration pages' reads and writes of users, organisations, API tokens and the audit
// log. The console calls these, never the repository (see .dependency-cruiser.cjs). A write and
// its audit line commit together.

export {
  /** Every API token, or one user's, newest first. */
  listApiTokens,
  /** A page of the audit log, filtered by action and subject. */
  listAudit,
  /** Colleagues a case may be assigned to within an organisation. */
  listAssignableColleagues,
  /** Every organisation, for the admin pages. */
  listOrganisations,
  /** Every user with their organisation. */
  listUsers,
} from './admin.repository';

export interface AdminDeps {
  db: Kysely<Database>;
  clock: Clock;
}

/** Who acts, as the audit log names them. */
export type AdminActor = Pick<AuditEntry, 'actorKind' | 'actorUserId' | 'ip'>;

/** Disables a user (ending all their sessions at once) or enables them, audited; 404 when there is no such user. */
export async function setUserDisabledAs(deps: AdminDeps, actor: AdminActor, userId: string, disable: boolean): Promise<void> {
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    if (!(await setUserDisabled(trx, userId, disable ? now : null))) throw errors.notFound();
    if (disable) await endSessionsOfUser(trx, userId, now);
    await recordAudit(trx, { ...actor, action: disable ? 'user.disabled' : 'user.enabled', subjectType: 'user', subjectId: userId, at: now });
  });
}

/** Revokes an API token (only the owner's when `owner` is given), audited; 404 when there is no such live token. */
export async function revokeApiTokenAs(deps: AdminDeps, actor: AdminActor, tokenId: string, owner: { userId?: string } = {}): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    if (!(await revokeApiToken(trx, tokenId, deps.clock.now(), owner))) throw errors.notFound();
    await recordAudit(trx, { ...actor, action: 'api_token.revoked', subjectType: 'api_token', subjectId: tokenId });
  });
}
