import type { Kysely } from 'kysely';
import type { Clock } from '../clock';
import type { Database } from '../db/schema';
import type { Logger } from '../observability/logger';
import { createBullmqQueue } from './bullmq-queue';
import { createInProcessQueue } from './in-process-queue';
import { createJobCatalogue, type HotlineJobs } from './job.catalogue';
import type { JobQueue } from './job.types';

export type HotlineJobQueue = JobQueue<HotlineJobs>;

export interface JobQueueDeps {
  db: Kysely<Database>;
  clock: Clock;
  logger: Logger;
  redisUrl: string | undefined;
  /** 'all' runs jobs here; 'dispatch' only hands them to Redis for worker processes. */
  role: 'all' | 'dispatch';
}

/** BullMQ when Redis is configured, the in-process outbox runner otherwise. */
export function createJobQueue(deps: JobQueueDeps): HotlineJobQueue {
  const catalogue = createJobCatalogue({ db: deps.db, clock: deps.clock });
  const logger = deps.logger.child({ component: 'jobs' });
  if (deps.redisUrl) {
    return createBullmqQueue({ ...deps, logger, catalogue, redisUrl: deps.redisUrl });
  }
  return createInProcessQueue({ db: deps.db, catalogue, clock: deps.clock, logger });
}
