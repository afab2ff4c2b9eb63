import type { Kysely } from 'kysely';
import type { Clock } from '../clock';
import type { Database } from '../db/schema';
import type { Logger } from '../observability/logger';
import { reclaimStaleDispatched } from './outbox.repository';

// No index covers dispatched rows and the outbox keeps a month of finished ones, so the runners,
// which poll several times a second, look for stale dispatched jobs at most once a minute (or
// once per lease, when a test makes the lease shorter than that).
const CHECK_AT_MOST_EVERY_MS = 60_000;

/** A function that returns stale dispatched jobs to pending when a check is due, and logs how many. */
export function createDispatchLeaseCheck(deps: {
  db: Kysely<Database>;
  clock: Clock;
  logger: Logger;
  leaseMs: number;
}): () => Promise<number> {
  const checkEveryMs = dispatchLeaseCheckInterval(deps.leaseMs);
  let nextCheckAt = 0;
  return async () => {
    const now = deps.clock.now();
    if (now.getTime() < nextCheckAt) return 0;
    nextCheckAt = now.getTime() + checkEveryMs;
    const reclaimed = await reclaimStaleDispatched(deps.db, now, deps.leaseMs);
    if (reclaimed > 0) deps.logger.warn({ reclaimed }, 'dispatched jobs not finished within their lease; dispatching them again');
    return reclaimed;
  };
}

/** How late after its lease a stale dispatched job may be noticed (for tests and documentation). */
export function dispatchLeaseCheckInterval(leaseMs: number): number {
  return Math.min(CHECK_AT_MOST_EVERY_MS, leaseMs);
}
