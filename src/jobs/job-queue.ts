import type { i18n } from 'i18next';
import type { Kysely } from 'kysely';
import type { MessageSender } from '../channels/senders';
import type { Clock } from '../clock';
import type { Database } from '../db/schema';
import type { HotlineCounters } from '../observability/hotline-counters';
import type { Logger } from '../observability/logger';
import type { PersonalDataCipher } from '../privacy/personal-data';
import { createBullmqQueue } from './bullmq-queue';
import { createInProcessQueue } from './in-process-queue';
import { createJobCatalogue, type HotlineJobs } from './job.catalogue';
import type { JobQueue } from './job.types';
import type { Mailer } from '../notifications/mailer';

export type HotlineJobQueue = JobQueue<HotlineJobs>;

export interface JobQueueDeps {
  db: Kysely<Database>;
  clock: Clock;
  logger: Logger;
  cipher: PersonalDataCipher;
  i18n: i18n;
  sender: MessageSender;
  /** Undefined when SMTP_URL is unset: notices stay in the console. */
  mailer: Mailer | undefined;
  publicUrl: string;
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
  const catalogue = createJobCatalogue({
    ...deps,
    enqueueSend: async (trx, messageId) => {
      if (!queueRef.current) throw new Error('job queue not ready');
      return queueRef.current.enqueue(trx, 'sms.send', { messageId });
    },
    jobs: {
      enqueue: (trx, name, payload, options) => {
        if (!queueRef.current) throw new Error('job queue not ready');
        return queueRef.current.enqueue(trx, name, payload, options);
      },
      wake: () => queueRef.current?.wake(),
    },
  });
  const logger = deps.logger.child({ component: 'jobs' });
  queueRef.current = deps.redisUrl
    ? createBullmqQueue({ db: deps.db, clock: deps.clock, logger, catalogue, redisUrl: deps.redisUrl, role: deps.role, counters: deps.counters })
    : createInProcessQueue({ db: deps.db, catalogue, clock: deps.clock, logger, counters: deps.counters, ...(deps.pollIntervalMs ? { pollIntervalMs: deps.pollIntervalMs } : {}) });
  return queueRef.current;
}
