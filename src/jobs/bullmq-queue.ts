import { Queue, Worker, type Job } from 'bullmq';
import IORedis from 'ioredis';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock';
import type { Database } from '../db/schema';
import type { HotlineCounters } from '../observability/hotline-counters';
import type { Logger } from '../observability/logger';
import { createDispatchLeaseCheck } from './dispatch-lease';
import { describeJobError, executeJob, PermanentJobError, retryPolicyOf } from './job-execution';
import type { JobCatalogue, JobQueue, PayloadMap, PeriodicTask } from './job.types';
import {
  claimUndispatchedJobs,
  DISPATCH_LEASE_MS,
  findOutboxJob,
  insertOutboxJob,
  markJobDone,
  markJobFailed,
  recordJobAttempt,
  releaseJobs,
} from './outbox.repository';

const QUEUE_NAME = 'hotline-jobs';

export interface BullmqQueueOptions<M extends PayloadMap> {
  db: Kysely<Database>;
  catalogue: JobCatalogue<M>;
  clock: Clock;
  logger: Logger;
  redisUrl: string;
  /**
   * 'all' relays the outbox into Redis and runs jobs (worker processes); 'enqueue' only writes the
   * outbox (web processes, which then spend nothing on Redis while answering requests).
   */
  role: 'all' | 'enqueue';
  pollIntervalMs?: number;
  concurrency?: number;
  /** Redis key prefix, so tests can use an isolated namespace. */
  prefix?: string;
  /** How long a dispatched job may stay unfinished before the relay dispatches it again. */
  dispatchLeaseMs?: number;
  /** Counts job runs, failures and retries by job name. */
  counters?: Pick<HotlineCounters, 'jobsKnown' | 'jobCompleted' | 'jobFailed'>;
}

type BullJobData =
  /** Only the outbox id travels through Redis; the payload stays in PostgreSQL. */
  | { outboxId: string }
  /** A round of a periodic task, made by a BullMQ job scheduler shared by every worker. */
  | { periodic: string };

const PERIODIC_PREFIX = 'periodic:';

/**
 * BullMQ behind the JobQueue interface. Jobs are written to the outbox in the caller's
 * transaction; a dispatcher moves committed rows into Redis with the outbox id as the BullMQ job
 * id, so a row dispatched twice is still one BullMQ job, and a Redis outage delays work only.
 */
export function createBullmqQueue<M extends PayloadMap>(options: BullmqQueueOptions<M>): JobQueue<M> {
  const { db, catalogue, clock, logger } = options;
  // Web processes only write the outbox; the relay in worker processes polls it this often.
  const pollIntervalMs = options.pollIntervalMs ?? 250;
  const prefix = options.prefix ?? 'hotline';
  options.counters?.jobsKnown(Object.keys(catalogue));
  const checkDispatchLease = createDispatchLeaseCheck({ db, clock, logger, leaseMs: options.dispatchLeaseMs ?? DISPATCH_LEASE_MS });
  const connection = new IORedis(options.redisUrl, { maxRetriesPerRequest: null, lazyConnect: true });
  connection.on('error', (error) => logger.warn({ err: describeJobError(error) }, 'redis connection error'));
  const queue = new Queue<BullJobData>(QUEUE_NAME, { connection, prefix });
  let worker: Worker<BullJobData> | undefined;
  let workerConnection: IORedis | undefined;
  let timer: NodeJS.Timeout | undefined;
  let dispatching: Promise<void> | undefined;
  let running = false;
  const periodicRuns = new Map<string, PeriodicTask['run']>();

  async function dispatch(): Promise<void> {
    await checkDispatchLease();
    for (;;) {
      const rows = await claimUndispatchedJobs(db, clock.now(), 100);
      if (rows.length === 0) return;
      try {
        await queue.addBulk(
          rows.map((row) => {
            const policy = retryPolicyOf(catalogue, row.name);
            return {
              name: row.name,
              data: { outboxId: row.id },
              opts: {
                jobId: `outbox-${row.id}`,
                delay: Math.max(0, new Date(row.run_after).getTime() - clock.now().getTime()),
                attempts: policy.attempts,
                backoff: { type: 'exponential', delay: policy.backoffMs },
                removeOnComplete: { age: 7 * 24 * 3600 },
                removeOnFail: { age: 30 * 24 * 3600 },
              },
            };
          }),
        );
      } catch (error) {
        await releaseJobs(db, rows.map((row) => row.id));
        throw error;
      }
    }
  }

  function schedule(delayMs: number): void {
    if (!running) return;
    clearTimeout(timer);
    timer = setTimeout(() => void tick(), delayMs);
    timer.unref();
  }

  async function tick(): Promise<void> {
    if (!running || dispatching) return;
    dispatching = dispatch()
      .catch((error) => logger.warn({ err: describeJobError(error) }, 'outbox dispatch failed; will retry'))
      .finally(() => {
        dispatching = undefined;
      });
    await dispatching;
    schedule(pollIntervalMs);
  }

  async function process(job: Job<BullJobData>): Promise<void> {
    if ('periodic' in job.data) {
      // A scheduler left by a release that had more periodic tasks runs nothing here.
      await periodicRuns.get(job.data.periodic)?.();
      return;
    }
    const row = await findOutboxJob(db, job.data.outboxId);
    if (!row || row.status === 'done' || row.status === 'dead') return;
    const attempt = job.attemptsMade + 1;
    const jobLogger = logger.child({ job: row.name, jobId: row.id, attempt });
    try {
      await executeJob(catalogue, row, { attempt, clock, logger: jobLogger });
      await markJobDone(db, row.id, clock.now());
      options.counters?.jobCompleted(row.name);
    } catch (error) {
      const policy = retryPolicyOf(catalogue, row.name);
      const lastAttempt = error instanceof PermanentJobError || attempt >= policy.attempts;
      jobLogger.warn({ err: describeJobError(error), willRetry: !lastAttempt }, 'job failed');
      options.counters?.jobFailed(row.name, !lastAttempt);
      if (lastAttempt) {
        await markJobFailed(db, row.id, { error: describeJobError(error), retryAt: null, now: clock.now() });
        if (error instanceof PermanentJobError) return;
      } else {
        await recordJobAttempt(db, row.id, attempt, describeJobError(error));
      }
      throw error;
    }
  }

  return {
    kind: 'bullmq',
    async enqueue(trx, name, payload, enqueueOptions) {
      const runAfter = new Date(clock.now().getTime() + (enqueueOptions?.delayMs ?? 0));
      return insertOutboxJob(trx, { name, payload, runAfter });
    },
    wake() {
      schedule(0);
    },
    async start() {
      if (options.role === 'enqueue') return;
      running = true;
      schedule(0);
      {
        workerConnection = connection.duplicate();
        worker = new Worker<BullJobData>(QUEUE_NAME, process, {
          connection: workerConnection,
          prefix,
          concurrency: options.concurrency ?? 4,
        });
        worker.on('error', (error) => logger.warn({ err: describeJobError(error) }, 'job worker error'));
      }
    },
    async drain() {
      running = false;
      clearTimeout(timer);
      await dispatching;
      await worker?.close();
      await queue.close();
      workerConnection?.disconnect();
      connection.disconnect();
    },
    async ping() {
      if (connection.status === 'wait') await connection.connect();
      await connection.ping();
    },
    // One scheduler per task in Redis, upserted by every worker under the same id, so that
    // several workers make one round per interval between them, not one each.
    async schedulePeriodic(tasks) {
      for (const task of tasks) {
        periodicRuns.set(task.name, task.run);
        await queue.upsertJobScheduler(
          `${PERIODIC_PREFIX}${task.name}`,
          { every: task.everyMs },
          { name: `${PERIODIC_PREFIX}${task.name}`, data: { periodic: task.name }, opts: { removeOnComplete: 100, removeOnFail: 100 } },
        );
      }
    },
  };
}
