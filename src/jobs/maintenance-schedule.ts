import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { inTransaction } from '../db/transaction';
import type { HotlineJobQueue } from './job-queue';

const HOUR = 3600_000;

// Periodic jobs: each is queued at start and then on its interval, unless one is already waiting.
const PERIODIC = [
  { name: 'maintenance.purge', everyMs: 6 * HOUR },
  { name: 'referral.sweep', everyMs: HOUR },
  { name: 'case.flag_overdue', everyMs: HOUR },
] as const;

/** Queues the periodic jobs now and on their intervals; returns a stop function. */
export function scheduleMaintenance(deps: { db: Kysely<Database>; jobs: HotlineJobQueue }): () => void {
  const timers = PERIODIC.map(({ name, everyMs }) => {
    const enqueue = async () => {
      await inTransaction(deps, async (trx) => {
        const waiting = await trx
          .selectFrom('jobs_outbox')
          .select('id')
          .where('name', '=', name)
          .where('status', 'in', ['pending', 'dispatched', 'running'])
          .executeTakeFirst();
        if (!waiting) await deps.jobs.enqueue(trx, name, {});
      });
    };
    void enqueue().catch(() => undefined);
    const timer = setInterval(() => void enqueue().catch(() => undefined), everyMs);
    timer.unref();
    return timer;
  });
  return () => timers.forEach((timer) => clearInterval(timer));
}
