import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema';

/**
 * Counts one hit in a fixed window, atomically (concurrent hits from several web processes are
 * all counted); returns the count in the current window and any lockout.
 */
export async function hitRateLimit(
  db: Kysely<Database>,
  key: string,
  now: Date,
  windowMs: number,
): Promise<{ hits: number; windowEndsAt: Date; lockedUntil: Date | null }> {
  const windowEnd = new Date(now.getTime() + windowMs);
  const result = await sql<{ hits: number; window_ends_at: Date; locked_until: Date | null }>`
    insert into rate_limits (key, hits, window_ends_at) values (${key}, 1, ${windowEnd})
    on conflict (key) do update set
      hits = case when rate_limits.window_ends_at <= ${now} then 1 else rate_limits.hits + 1 end,
      window_ends_at = case when rate_limits.window_ends_at <= ${now} then ${windowEnd} else rate_limits.window_ends_at end
    returning hits, window_ends_at, locked_until`.execute(db);
  const row = result.rows[0];
  if (!row) throw new Error('rate limit not counted');
  return { hits: row.hits, windowEndsAt: new Date(row.window_ends_at), lockedUntil: row.locked_until ? new Date(row.locked_until) : null };
}

/** Reads a key's lockout without counting a hit. */
export async function lockoutOf(db: Kysely<Database>, key: string): Promise<Date | null> {
  const row = await db.selectFrom('rate_limits').select('locked_until').where('key', '=', key).executeTakeFirst();
  return row?.locked_until ? new Date(row.locked_until) : null;
}

/** Locks a key until a time (repeated failures). */
export async function lockRateLimit(db: Kysely<Database>, key: string, until: Date): Promise<void> {
  await db.updateTable('rate_limits').set({ locked_until: until }).where('key', '=', key).execute();
}

/** Forgets a key's failures (after a success). */
export async function clearRateLimit(db: Kysely<Database>, key: string): Promise<void> {
  await db.deleteFrom('rate_limits').where('key', '=', key).execute();
}

/**
 * Deletes keys whose window has ended and which hold no lockout still in force: such a row
 * counts for nothing, and the next hit on its key starts afresh anyway. Returns how many.
 */
export async function purgeExpiredRateLimits(db: Kysely<Database>, now: Date): Promise<number> {
  const result = await db
    .deleteFrom('rate_limits')
    .where('window_ends_at', '<=', now)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
