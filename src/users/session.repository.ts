import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';

/** Deletes sessions that ended or expired before `now`; returns how many. */
export async function purgeExpiredSessions(db: Kysely<Database>, now: Date): Promise<number> {
  const result = await db
    .deleteFrom('sessions')
    .where((eb) => eb.or([eb('expires_at', '<', now), eb('ended_at', 'is not', null)]))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Stores a new session under the hash of its token. */
export async function insertSession(
  db: Kysely<Database>,
  session: { idHash: string; userId: string; csrfSecret: string; ip: string | null; userAgent: string | null; now: Date; expiresAt: Date },
): Promise<void> {
  await db
    .insertInto('sessions')
    .values({
      id_hash: session.idHash,
      user_id: session.userId,
      csrf_secret: session.csrfSecret,
      ip: session.ip,
      user_agent: session.userAgent,
      created_at: session.now,
      last_seen_at: session.now,
      expires_at: session.expiresAt,
    })
    .execute();
}

/** A live session and its user, by the hash of its token. */
export async function findSessionWithUser(db: Kysely<Database>, idHash: string) {
  return db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select([
      'sessions.id_hash', 'sessions.csrf_secret', 'sessions.last_seen_at', 'sessions.expires_at', 'sessions.ended_at',
      'users.id as userId', 'users.organisation_id as organisationId', 'users.role', 'users.locale', 'users.disabled_at',
      'users.display_name as displayName', 'users.email',
    ])
    .where('sessions.id_hash', '=', idHash)
    .executeTakeFirst();
}

/** Notes activity on a session (sliding the idle timeout). */
export async function touchSession(db: Kysely<Database>, idHash: string, now: Date): Promise<void> {
  await db.updateTable('sessions').set({ last_seen_at: now }).where('id_hash', '=', idHash).execute();
}

/** Ends one session. */
export async function endSession(db: Kysely<Database>, idHash: string, now: Date): Promise<void> {
  await db.updateTable('sessions').set({ ended_at: now }).where('id_hash', '=', idHash).where('ended_at', 'is', null).execute();
}

/** Ends every session of a user (disabled, or password changed). */
export async function endSessionsOfUser(db: Kysely<Database>, userId: string, now: Date): Promise<number> {
  const result = await db.updateTable('sessions').set({ ended_at: now }).where('user_id', '=', userId).where('ended_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows);
}
