import type { Kysely } from 'kysely';
import type { InboundService } from '../channels/sms/inbound.service';
import type { Clock } from '../clock';
import type { Database } from '../db/schema';
import { inTransaction } from '../db/transaction';
import type { Logger } from '../observability/logger';
import type { ScheduledFailures } from '../observability/scheduled-failures';
import type { HotlineJobQueue } from './hotline-jobs';
import type { PeriodicTask } from './job.types';
import { DISPATCH_LEASE_MS, hasWaitingJob } from './outbox.repository';

const HOUR = 3600_000;
const SPOOL_DRAIN_EVERY_MS = 30_000;

// Periodic jobs: each is queued at start and then on its interval, unless one is already waiting.
const PERIODIC = [
  { name: 'maintenance.purge', everyMs: 6 * HOUR },
  { name: 'referral.sweep', everyMs: HOUR },
  { name: 'case.flag_overdue', everyMs: HOUR },
  { name: 'callback.flag_missed', everyMs: HOUR },
  { name: 'retention.run', everyMs: 24 * HOUR },
] as const;

/**
 * Queues the periodic jobs now and on their intervals, through the queue's shared schedulers
 * where it has them (Redis) or this process's timers; returns a stop function.
 */
export function scheduleMaintenance(deps: {
  db: Kysely<Database>;
  jobs: HotlineJobQueue;
  clock: Clock;
  failures: ScheduledFailures;
}): () => void {
  const tasks: PeriodicTask[] = PERIODIC.map(({ name, everyMs }) => {
    const enqueue = async () => {
      await inTransaction(deps, async (trx) => {
        if (!(await hasWaitingJob(trx, name, deps.clock.now(), DISPATCH_LEASE_MS))) await deps.jobs.enqueue(trx, name, {});
      });
    };
    return { name, everyMs, run: () => enqueue().catch((error: unknown) => deps.failures.record(name, error)) };
  });
  if (deps.jobs.schedulePeriodic) {
    deps.jobs.schedulePeriodic(tasks).catch((error: unknown) => deps.failures.record('periodic.schedule', error));
    return () => undefined;
  }
  const timers = tasks.map(({ everyMs, run }) => {
    void run();
    const timer = setInterval(() => void run(), everyMs);
    timer.unref();
    return timer;
  });
  return () => timers.forEach((timer) => clearInterval(timer));
}

/** Moves inbound messages spooled during a database outage into the database, now and every 30 s; returns a stop function. */
export function scheduleSpoolDrain(deps: { inbound: InboundService; logger: Logger; failures: ScheduledFailures }): () => void {
  const drain = () => {
    deps.inbound.drainSpool().then(
      (stored) => stored > 0 && deps.logger.info({ stored }, 'spooled inbound messages stored'),
      (error: unknown) => deps.failures.record('inbound.spool_drain', error),
    );
  };
  drain();
  const timer = setInterval(drain, SPOOL_DRAIN_EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
