import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { inTransaction } from '../db/transaction';
import type { HotlineJobQueue } from './job-queue';

const EVERY_MS = 6 * 3600_000;

/** Queues the purge job now (unless one is already waiting) and every six hours; returns a stop function. */
export function scheduleMaintenance(deps: { db: Kysely<Database>; jobs: HotlineJobQueue }): () => void {
  const enqueue = async () => {
    await inTransaction(deps, async (trx) => {
      const waiting = await trx
        .selectFrom('jobs_outbox')
        .select('id')
        .where('name', '=', 'maintenance.purge')
        .where('status', 'in', ['pending', 'dispatched', 'running'])
        .executeTakeFirst();
      if (!waiting) await deps.jobs.enqueue(trx, 'maintenance.purge', {});
    });
  };
  void enqueue().catch(() => undefined);
  const timer = setInterval(() => void enqueue().catch(() => undefined), EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
