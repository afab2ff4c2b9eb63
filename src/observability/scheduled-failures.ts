import { Counter, type Registry } from 'prom-client';
import { describeJobError } from '../jobs/job-execution';
import type { Logger } from './logger';

/** Where scheduled work (the periodic job enqueuer, the spool drain) reports a failed round. */
export interface ScheduledFailures {
  record(task: string, error: unknown): void;
}

/**
 * Logs a failed round of scheduled work by task name and counts it in
 * `hotline_scheduled_failures_total{task}`: a timer whose work keeps failing must be seen, and
 * the next round will try again anyway. The error is described, never the work's data.
 */
export function createScheduledFailures(deps: { registry: Registry; logger: Logger }): ScheduledFailures {
  const counter = new Counter({
    name: 'hotline_scheduled_failures_total',
    help: 'Failed rounds of scheduled work (periodic job enqueueing, inbound spool drain), by task',
    labelNames: ['task'] as const,
    registers: [deps.registry],
  });
  const logger = deps.logger.child({ component: 'schedule' });
  return {
    record(task, error) {
      counter.inc({ task });
      logger.error({ task, err: describeJobError(error) }, 'scheduled work failed; will try again at its next round');
    },
  };
}
