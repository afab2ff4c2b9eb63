import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, OutboxRow } from '../db/schema';

type Executor = Kysely<Database> | Transaction<Database>;

/**
 * How long a job may stay handed to the external queue, counted from its dispatch or its run
 * time (whichever is later), before the relay hands it over again: the process may have died
 * between marking and handing over, or Redis may have lost it. Jobs are idempotent and the
 * BullMQ job id is the outbox id, so a job Redis still holds is not doubled.
 */
export const DISPATCH_LEASE_MS = 15 * 60_000;

/** Writes a job into the outbox; it becomes visible to runners when the transaction commits. */
export async function insertOutboxJob(
  db: Executor,
  job: { name: string; payload: object; runAfter: Date },
): Promise<string> {
  const row = await db
    .insertInto('jobs_outbox')
    .values({ name: job.name, payload: JSON.stringify(job.payload), run_after: job.runAfter })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/**
 * Claims due jobs for this runner: pending ones whose time has come, and running ones whose
 * lease ran out (their runner died). SKIP LOCKED lets several runners share one outbox.
 */
export async function claimDueJobs(db: Kysely<Database>, now: Date, leaseMs: number, limit: number): Promise<OutboxRow[]> {
  const leaseUntil = new Date(now.getTime() + leaseMs);
  const result = await sql<OutboxRow>`
    update jobs_outbox set status = 'running', attempts = attempts + 1, locked_until = ${leaseUntil}
    where id in (
      select id from jobs_outbox
      where (status = 'pending' and run_after <= ${now})
         or (status = 'running' and locked_until < ${now})
      order by run_after, id
      limit ${limit}
      for update skip locked
    )
    returning *`.execute(db);
  return result.rows;
}

/** Claims pending jobs to hand over to an external queue (BullMQ), whatever their run time. */
export async function claimUndispatchedJobs(db: Kysely<Database>, now: Date, limit: number): Promise<OutboxRow[]> {
  const result = await sql<OutboxRow>`
    update jobs_outbox set status = 'dispatched', dispatched_at = ${now}
    where id in (
      select id from jobs_outbox where status = 'pending'
      order by run_after, id
      limit ${limit}
      for update skip locked
    )
    returning *`.execute(db);
  return result.rows;
}

/**
 * Returns to pending the jobs dispatched more than `leaseMs` ago (counted from their run time
 * when that is later: a delayed job waits in Redis) and not finished since; returns how many.
 */
export async function reclaimStaleDispatched(db: Kysely<Database>, now: Date, leaseMs: number): Promise<number> {
  const staleBefore = new Date(now.getTime() - leaseMs);
  const result = await db
    .updateTable('jobs_outbox')
    .set({ status: 'pending', dispatched_at: null })
    .where('status', '=', 'dispatched')
    .where((eb) => eb.or([eb('dispatched_at', 'is', null), eb('dispatched_at', '<', staleBefore)]))
    .where('run_after', '<', staleBefore)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * True when a job of this name waits to run: pending, running, or dispatched within its lease
 * (a stale dispatched one may never run, so it does not count).
 */
export async function hasWaitingJob(db: Executor, name: string, now: Date, leaseMs: number): Promise<boolean> {
  const staleBefore = new Date(now.getTime() - leaseMs);
  const row = await db
    .selectFrom('jobs_outbox')
    .select('id')
    .where('name', '=', name)
    .where((eb) =>
      eb.or([
        eb('status', 'in', ['pending', 'running']),
        eb.and([eb('status', '=', 'dispatched'), eb.or([eb('dispatched_at', '>=', staleBefore), eb('run_after', '>=', staleBefore)])]),
      ]),
    )
    .executeTakeFirst();
  return row !== undefined;
}

/** Returns claimed jobs to pending (the external queue refused them). */
export async function releaseJobs(db: Kysely<Database>, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.updateTable('jobs_outbox').set({ status: 'pending', dispatched_at: null }).where('id', 'in', ids).execute();
}

/** Reads one job by id. */
export async function findOutboxJob(db: Kysely<Database>, id: string): Promise<OutboxRow | undefined> {
  return db.selectFrom('jobs_outbox').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Records a successful run. */
export async function markJobDone(db: Kysely<Database>, id: string, now: Date): Promise<void> {
  await db
    .updateTable('jobs_outbox')
    .set({ status: 'done', finished_at: now, locked_until: null, last_error: null })
    .where('id', '=', id)
    .execute();
}

/** Records a failed run: back to pending at `retryAt`, or dead when no attempt is left. */
export async function markJobFailed(
  db: Kysely<Database>,
  id: string,
  failure: { error: string; retryAt: Date | null; now: Date },
): Promise<void> {
  await db
    .updateTable('jobs_outbox')
    .set(
      failure.retryAt
        ? { status: 'pending', run_after: failure.retryAt, locked_until: null, last_error: failure.error }
        : { status: 'dead', finished_at: failure.now, locked_until: null, last_error: failure.error },
    )
    .where('id', '=', id)
    .execute();
}

/** Records an attempt made by an external queue (BullMQ keeps its own count). */
export async function recordJobAttempt(db: Kysely<Database>, id: string, attempt: number, error: string | null): Promise<void> {
  await db.updateTable('jobs_outbox').set({ attempts: attempt, last_error: error }).where('id', '=', id).execute();
}

/** Deletes jobs that finished (done or dead) before `before`; returns how many. */
export async function purgeFinishedJobs(db: Kysely<Database>, before: Date): Promise<number> {
  const result = await db
    .deleteFrom('jobs_outbox')
    .where('status', 'in', ['done', 'dead'])
    .where('finished_at', '<', before)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Unfinished jobs of one name: how many are due or running, how many wait for a later time, and the oldest due waiting one's run time. */
export interface WaitingJobsOfName {
  name: string;
  due: number;
  delayed: number;
  oldestDueAt: Date | null;
}

/**
 * Counts unfinished jobs (pending, dispatched, running) by name, in one grouped query for
 * /metrics. A job due but not yet running (pending or handed to Redis) is what ages.
 */
export async function countWaitingJobsByName(db: Kysely<Database>, now: Date): Promise<WaitingJobsOfName[]> {
  const rows = await db
    .selectFrom('jobs_outbox')
    .select((eb) => [
      'name',
      eb.fn.countAll<string>().filterWhere('run_after', '<=', now).as('due'),
      eb.fn.countAll<string>().filterWhere('run_after', '>', now).as('delayed'),
      eb.fn.min('run_after').filterWhere((f) => f.and([f('run_after', '<=', now), f('status', 'in', ['pending', 'dispatched'])])).as('oldest_due_at'),
    ])
    .where('status', 'in', ['pending', 'dispatched', 'running'])
    .groupBy('name')
    .execute();
  return rows.map((row) => ({
    name: row.name,
    due: Number(row.due),
    delayed: Number(row.delayed),
    oldestDueAt: row.oldest_due_at === null ? null : new Date(row.oldest_due_at),
  }));
}
