import type { Kysely } from 'kysely';
import type { Clock } from '../clock';
import type { Database } from '../db/schema';
import type { HotlineCounters } from '../observability/hotline-counters';
import type { Logger } from '../observability/logger';
import { createBullmqQueue } from './bullmq-queue';
import { createInProcessQueue } from './in-process-queue';
import type { HotlineJobEnqueuer, HotlineJobQueue, HotlineJobs } from './hotline-jobs';
import type { JobCatalogue } from './job.types';

export type { HotlineJobQueue } from './hotline-jobs';

export interface JobQueueDeps {
  db: Kysely<Database>;
  clock: Clock;
  logger: Logger;
  /**
   * Builds the catalogue the queue runs (at the composition root, so this module imports no
   * service); its handlers queue follow-up work through `jobs`, the queue itself.
   */
  catalogue: (jobs: HotlineJobEnqueuer) => JobCatalogue<HotlineJobs>;
  redisUrl: string | undefined;
  /** 'all' runs jobs here; 'enqueue' only writes them to the outbox, for worker processes to run. */
  role: 'all' | 'enqueue';
  /** In-process runner only: how often the outbox is read when nothing wakes it. */
  pollIntervalMs?: number;
  /** The process's domain counters (job runs, messages, referrals). */
  counters?: HotlineCounters;
}

/** BullMQ when Redis is configured, the in-process outbox runner otherwise. */
export function createJobQueue(deps: JobQueueDeps): HotlineJobQueue {
  // Handlers queue follow-up jobs (a reply's send) through the queue they run in.
  const queueRef: { current?: HotlineJobQueue } = {};
  const catalogue = deps.catalogue({
    enqueue: (trx, name, payload, options) => {
      if (!queueRef.current) throw new Error('job queue not ready');
      return queueRef.current.enqueue(trx, name, payload, options);
    },
    wake: () => queueRef.current?.wake(),
  });
  const logger = deps.logger.child({ component: 'jobs' });
  queueRef.current = deps.redisUrl
    ? createBullmqQueue({ db: deps.db, clock: deps.clock, logger, catalogue, redisUrl: deps.redisUrl, role: deps.role, counters: deps.counters })
    : createInProcessQueue({ db: deps.db, catalogue, clock: deps.clock, logger, counters: deps.counters, ...(deps.pollIntervalMs ? { pollIntervalMs: deps.pollIntervalMs } : {}) });
  return queueRef.current;
}
