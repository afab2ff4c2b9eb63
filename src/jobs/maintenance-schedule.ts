import type { Kysely } from 'kysely';
import type { InboundSpool } from '../channels/sms/inbound-spool';
import type { InboundService } from '../channels/sms/inbound.service';
import type { Clock } from '../clock';
import type { Database } from '../db/schema';
import { inTransaction } from '../db/transaction';
import type { HotlineCounters } from '../observability/hotline-counters';
import type { Logger } from '../observability/logger';
import type { ScheduledFailures } from '../observability/scheduled-failures';
import { purgeStaleSpool } from '../privacy/retention.service';
import type { HotlineJobQueue } from './hotline-jobs';
import type { PeriodicTask } from './job.types';
import { DISPATCH_LEASE_MS, hasWaitingJob } from './outbox.repository';

const HOUR = 3600_000;
const SPOOL_DRAIN_EVERY_MS = 30_000;
const DAY = 24 * HOUR;

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

/**
 * Moves inbound messages spooled during a database outage into the database, now and every 30 s;
 * and, given the spool, once a day (after a drain) removes its files too old to keep, as retention
 * does: each web process purges its own spool, wherever the retention job runs.
 * Returns a stop function.
 */
export function scheduleSpoolDrain(deps: {
  inbound: InboundService;
  logger: Logger;
  failures: ScheduledFailures;
  spool?: Pick<InboundSpool, 'purgeOlderThan'> | undefined;
  clock?: Clock | undefined;
  counters?: Pick<HotlineCounters, 'retentionPurged'> | undefined;
}): () => void {
  let purgedAt: number | undefined;
  const purge = () => {
    const { spool, clock } = deps;
    if (!spool || !clock) return;
    const now = clock.now().getTime();
    if (purgedAt !== undefined && now - purgedAt < DAY) return;
    purgedAt = now;
    try {
      deps.counters?.retentionPurged('spool', purgeStaleSpool(spool, deps.logger, new Date(now)));
    } catch (error) {
      deps.failures.record('inbound.spool_purge', error);
    }
  };
  // The purge follows a drain, so a file is always tried once more before it goes.
  const drain = () => {
    deps.inbound.drainSpool().then(
      (stored) => stored > 0 && deps.logger.info({ stored }, 'spooled inbound messages stored'),
      (error: unknown) => deps.failures.record('inbound.spool_drain', error),
    ).finally(purge);
  };
  drain();
  const timer = setInterval(drain, SPOOL_DRAIN_EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
