import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Clock } from '../clock';
import type { Database } from '../db/schema';
import { purgeExpiredSessions } from '../users/session.repository';
import { purgeFinishedJobs } from './outbox.repository';
import type { JobCatalogue } from './job.types';

/** Every job the hotline runs, by name, with its payload type. */
export type HotlineJobs = {
  /** Deletes ended or expired sessions and finished outbox rows past their keeping time. */
  'maintenance.purge': Record<string, never>;
};

export interface CatalogueDeps {
  db: Kysely<Database>;
  clock: Clock;
}

const FINISHED_JOBS_KEPT_DAYS = 30;

/** Builds the catalogue, each handler closing over the dependencies it needs. */
export function createJobCatalogue({ db, clock }: CatalogueDeps): JobCatalogue<HotlineJobs> {
  return {
    'maintenance.purge': {
      payload: z.object({}).strict() as z.ZodType<Record<string, never>>,
      retry: { attempts: 3, backoffMs: 60_000 },
      async handle(_payload, { logger }) {
        const now = clock.now();
        const sessions = await purgeExpiredSessions(db, now);
        const jobs = await purgeFinishedJobs(db, new Date(now.getTime() - FINISHED_JOBS_KEPT_DAYS * 86_400_000));
        logger.info({ sessions, jobs }, 'purged expired sessions and finished jobs');
      },
    },
  };
}
