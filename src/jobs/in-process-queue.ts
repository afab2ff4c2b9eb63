import type { Kysely } from 'kysely';
import type { Clock } from '../clock';
import type { Database } from '../db/schema';
import type { HotlineCounters } from '../observability/hotline-counters';
import type { Logger } from '../observability/logger';
import { backoffDelay, describeJobError, executeJob, PermanentJobError, retryPolicyOf } from './job-execution';
import type { JobCatalogue, JobQueue, PayloadMap } from './job.types';
import { createDispatchLeaseCheck } from './dispatch-lease';
import { claimDueJobs, DISPATCH_LEASE_MS, insertOutboxJob, markJobDone, markJobFailed } from './outbox.repository';

export interface InProcessQueueOptions<M extends PayloadMap> {
  db: Kysely<Database>;
  catalogue: JobCatalogue<M>;
  clock: Clock;
  logger: Logger;
  /** How often the outbox is read when nothing wakes the runner. */
  pollIntervalMs?: number;
  concurrency?: number;
  /** How long a claimed job is held before another runner may take it over. */
  leaseMs?: number;
  /** How long a row left `dispatched` (by a BullMQ relay before a switch to this runner) waits before it runs here. */
  dispatchLeaseMs?: number;
  /** Counts job runs, failures and retries by job name. */
  counters?: Pick<HotlineCounters, 'jobsKnown' | 'jobCompleted' | 'jobFailed'>;
}

/**
 * Runs jobs in this process straight from the outbox table: the outbox is the queue, so a job
 * survives a restart and one whose transaction rolled back never appears.
 */
export function createInProcessQueue<M extends PayloadMap>(options: InProcessQueueOptions<M>): JobQueue<M> & {
  /** Runs every job that is due now, then resolves (tests and the CLI). */
  runDue(): Promise<number>;
} {
  const { db, catalogue, clock, logger } = options;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const concurrency = options.concurrency ?? 2;
  const leaseMs = options.leaseMs ?? 5 * 60_000;
  const checkDispatchLease = createDispatchLeaseCheck({ db, clock, logger, leaseMs: options.dispatchLeaseMs ?? DISPATCH_LEASE_MS });
  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let cycle: Promise<number> | undefined;
  let wakeRequested = false;
  let draining = false;
  options.counters?.jobsKnown(Object.keys(catalogue));

  async function runOne(row: Awaited<ReturnType<typeof claimDueJobs>>[number]): Promise<void> {
    const policy = retryPolicyOf(catalogue, row.name);
    const jobLogger = logger.child({ job: row.name, jobId: row.id, attempt: row.attempts });
    try {
      await executeJob(catalogue, row, { attempt: row.attempts, clock, logger: jobLogger });
      await markJobDone(db, row.id, clock.now());
      options.counters?.jobCompleted(row.name);
    } catch (error) {
      const permanent = error instanceof PermanentJobError;
      const retryAt =
        !permanent && row.attempts < policy.attempts
          ? new Date(clock.now().getTime() + backoffDelay(policy, row.attempts))
          : null;
      jobLogger.warn({ err: describeJobError(error), willRetry: retryAt !== null }, 'job failed');
      await markJobFailed(db, row.id, { error: describeJobError(error), retryAt, now: clock.now() });
      options.counters?.jobFailed(row.name, retryAt !== null);
    }
  }

  async function runDue(): Promise<number> {
    let total = 0;
    await checkDispatchLease();
    while (!draining) {
      const rows = await claimDueJobs(db, clock.now(), leaseMs, concurrency);
      if (rows.length === 0) return total;
      await Promise.all(rows.map(runOne));
      total += rows.length;
    }
    return total;
  }

  function schedule(delayMs: number): void {
    if (!running) return;
    clearTimeout(timer);
    timer = setTimeout(() => void tick(), delayMs);
    timer.unref();
  }

  async function tick(): Promise<void> {
    if (!running) return;
    if (cycle) {
      wakeRequested = true;
      return;
    }
    wakeRequested = false;
    cycle = runDue();
    try {
      await cycle;
    } catch (error) {
      logger.error({ err: describeJobError(error) }, 'job runner could not read the outbox');
    } finally {
      cycle = undefined;
    }
    schedule(wakeRequested ? 0 : pollIntervalMs);
  }

  return {
    kind: 'in-process',
    async enqueue(trx, name, payload, enqueueOptions) {
      const runAfter = new Date(clock.now().getTime() + (enqueueOptions?.delayMs ?? 0));
      return insertOutboxJob(trx, { name, payload, runAfter });
    },
    wake() {
      schedule(0);
    },
    async start() {
      running = true;
      draining = false;
      schedule(0);
    },
    async drain() {
      running = false;
      draining = true;
      clearTimeout(timer);
      await cycle?.catch(() => undefined);
    },
    async ping() {},
    runDue,
  };
}
