import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema';

/** Anything that can be woken once a transaction that wrote jobs has committed. */
interface Wakeable {
  wake(): void;
}

/**
 * Runs `work` in one transaction and, once it has committed, wakes the job runner so that jobs
 * written to the outbox start at once. A rollback leaves no job behind.
 */
export async function inTransaction<T>(
  deps: { db: Kysely<Database>; jobs: Wakeable },
  work: (trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  const result = await deps.db.transaction().execute(work);
  deps.jobs.wake();
  return result;
}
