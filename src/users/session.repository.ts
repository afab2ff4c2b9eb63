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
