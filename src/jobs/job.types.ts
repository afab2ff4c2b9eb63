import type { Kysely, Transaction } from 'kysely';
import type { z } from 'zod';
import type { Clock } from '../clock';
import type { Database } from '../db/schema';
import type { Logger } from '../observability/logger';

/** How a failed job is retried: `attempts` runs in all, the n-th retry waits backoffMs × 2^(n-1). */
export interface RetryPolicy {
  attempts: number;
  backoffMs: number;
}

export interface JobContext {
  attempt: number;
  clock: Clock;
  logger: Logger;
}

/** One entry of a job catalogue. Payloads carry ids only, never personal data. */
export interface JobDefinition<P> {
  payload: z.ZodType<P>;
  retry: RetryPolicy;
  handle(payload: P, context: JobContext): Promise<void>;
}

/** Job name → payload type. */
export type PayloadMap = Record<string, object>;

/** Job name → definition, typed by a payload map. */
export type JobCatalogue<M extends PayloadMap> = { [N in keyof M & string]: JobDefinition<M[N]> };

export interface EnqueueOptions {
  /** Run no earlier than this many milliseconds after now (delayed jobs such as SLA checks). */
  delayMs?: number;
}

/** Work a process wants done every `everyMs` (queueing a periodic job). */
export interface PeriodicTask {
  name: string;
  everyMs: number;
  run(): Promise<void>;
}

/**
 * The one interface to background work. `enqueue` writes the job into the outbox inside the
 * caller's transaction, so it exists exactly when that transaction commits; `wake` asks the
 * runner to look at the outbox now rather than at its next poll.
 */
export interface JobQueue<M extends PayloadMap> {
  readonly kind: 'in-process' | 'bullmq';
  enqueue<N extends keyof M & string>(
    trx: Transaction<Database> | Kysely<Database>,
    name: N,
    payload: M[N],
    options?: EnqueueOptions,
  ): Promise<string>;
  wake(): void;
  /** Starts consuming (dispatching and, unless dispatch-only, running jobs). */
  start(): Promise<void>;
  /** Stops taking new work and resolves when running jobs have finished. */
  drain(): Promise<void>;
  /** Resolves when the queue can reach its backing store (Redis for BullMQ). */
  ping(): Promise<void>;
  /**
   * Set where the queue can time periodic work once for all its processes (BullMQ job
   * schedulers); unset, each process times its own.
   */
  schedulePeriodic?(tasks: PeriodicTask[]): Promise<void>;
}
