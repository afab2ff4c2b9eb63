import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';

/** Stores a new token's hash; the token itself is never stored. */
export async function insertApiToken(
  db: Kysely<Database>,
  token: { userId: string; name: string; tokenHash: string; prefix: string; expiresAt: Date | null },
): Promise<string> {
  const row = await db
    .insertInto('api_tokens')
    .values({ user_id: token.userId, name: token.name, token_hash: token.tokenHash, prefix: token.prefix, expires_at: token.expiresAt })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The active user behind a token hash, if the token is neither revoked nor expired. */
export async function findTokenHolder(db: Kysely<Database>, tokenHash: string, now: Date) {
  return db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .select(['api_tokens.id as tokenId', 'users.id as userId', 'users.organisation_id as organisationId', 'users.role', 'users.locale'])
    .where('api_tokens.token_hash', '=', tokenHash)
    .where('api_tokens.revoked_at', 'is', null)
    .where((eb) => eb.or([eb('api_tokens.expires_at', 'is', null), eb('api_tokens.expires_at', '>', now)]))
    .where('users.disabled_at', 'is', null)
    .executeTakeFirst();
}

/** Notes when a token was last used (for admins reviewing tokens). */
export async function touchApiToken(db: Kysely<Database>, tokenId: string, now: Date): Promise<void> {
  await db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', tokenId).execute();
}
