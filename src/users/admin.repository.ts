import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';

/** Every user with their organisation, for the admin's list. */
export async function listUsers(db: Kysely<Database>) {
  return db
    .selectFrom('users')
    .innerJoin('organisations', 'organisations.id', 'users.organisation_id')
    .select(['users.id', 'users.email', 'users.display_name', 'users.role', 'users.disabled_at', 'users.last_sign_in_at', 'organisations.slug as organisation'])
    .orderBy('organisations.slug')
    .orderBy('users.email')
    .execute();
}

/** Every API token (never the token itself), newest first. */
export async function listApiTokens(db: Kysely<Database>, filter: { userId?: string } = {}) {
  let query = db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .select(['api_tokens.id', 'api_tokens.name', 'api_tokens.prefix', 'api_tokens.created_at', 'api_tokens.last_used_at', 'api_tokens.revoked_at', 'users.email', 'users.role'])
    .orderBy('api_tokens.created_at', 'desc');
  if (filter.userId) query = query.where('api_tokens.user_id', '=', filter.userId);
  return query.execute();
}

/** Revokes a token (only one of `userId`'s when given); returns whether one was revoked. */
export async function revokeApiToken(db: Kysely<Database>, tokenId: string, now: Date, filter: { userId?: string } = {}): Promise<boolean> {
  let query = db.updateTable('api_tokens').set({ revoked_at: now }).where('id', '=', tokenId).where('revoked_at', 'is', null);
  if (filter.userId) query = query.where('user_id', '=', filter.userId);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Disables or re-enables a user. */
export async function setUserDisabled(db: Kysely<Database>, userId: string, disabledAt: Date | null): Promise<boolean> {
  const result = await db.updateTable('users').set({ disabled_at: disabledAt, updated_at: new Date() }).where('id', '=', userId).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** A page of the audit log, newest first, optionally for one action or case reference. */
export async function listAudit(db: Kysely<Database>, filters: { action?: string | undefined; subject?: string | undefined; beforeId?: string | undefined; limit: number }) {
  return db
    .selectFrom('audit_log')
    .leftJoin('users', 'users.id', 'audit_log.actor_user_id')
    .select(['audit_log.id', 'audit_log.at', 'audit_log.actor_kind', 'audit_log.action', 'audit_log.subject_type', 'audit_log.subject_id', 'audit_log.ip', 'users.email as actor'])
    .$if(filters.action !== undefined, (qb) => qb.where('audit_log.action', '=', filters.action ?? ''))
    .$if(filters.subject !== undefined, (qb) => qb.where('audit_log.subject_id', '=', filters.subject ?? ''))
    .$if(filters.beforeId !== undefined, (qb) => qb.where('audit_log.id', '<', filters.beforeId ?? '0'))
    .orderBy('audit_log.id', 'desc')
    .limit(filters.limit)
    .execute();
}

/** The active caseworkers and coordinators of an organisation, to assign a case to. */
export async function listAssignableColleagues(db: Kysely<Database>, organisationId: string): Promise<{ id: string; name: string }[]> {
  return db
    .selectFrom('users')
    .select(['id', 'display_name as name'])
    .where('organisation_id', '=', organisationId)
    .where('role', 'in', ['caseworker', 'coordinator'])
    .where('disabled_at', 'is', null)
    .orderBy('display_name')
    .execute();
}

/** Every organisation, for the admin's list. */
export async function listOrganisations(db: Kysely<Database>) {
  return db.selectFrom('organisations').select(['id', 'slug', 'name', 'kind', 'country', 'city', 'is_active', 'discreet_by_default']).orderBy('country').orderBy('slug').execute();
}
