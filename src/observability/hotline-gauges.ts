import { Gauge, type Registry } from 'prom-client';
import type { Kysely } from 'kysely';
import type { InboundSpool } from '../channels/sms/inbound-spool';
import type { Clock } from '../clock';
import type { Database } from '../db/schema';
import { countWaitingJobsByName, type WaitingJobsOfName } from '../jobs/outbox.repository';
import { describeJobError } from '../jobs/job-execution';
import type { Logger } from './logger';

export interface HotlineGaugeDeps {
  registry: Registry;
  db: Kysely<Database>;
  clock: Clock;
  logger: Logger;
  /** This process's inbound spool (only web processes receive webhooks; a worker's stays empty). */
  spool: Pick<InboundSpool, 'usage'>;
}

/**
 * Registers gauges read at scrape time from their source — the outbox table and the spool
 * directory — so every process shows the same levels, right after a restart too. A source that
 * fails is logged and its gauges left without samples; the rest of /metrics still answers.
 */
export function registerHotlineGauges(deps: HotlineGaugeDeps): void {
  const logger = deps.logger.child({ component: 'metrics' });
  const registers = [deps.registry];
  const seenJobs = new Set<string>();
  let reading: Promise<WaitingJobsOfName[] | undefined> | undefined;

  // The three job gauges share one query: the first collect() of a scrape starts it, the others
  // (collected concurrently by the registry) wait for the same answer.
  function readOutbox(): Promise<WaitingJobsOfName[] | undefined> {
    reading ??= countWaitingJobsByName(deps.db, deps.clock.now())
      .catch((error: unknown) => {
        logger.warn({ err: describeJobError(error) }, 'job queue gauges not read; skipped in this scrape');
        return undefined;
      })
      .finally(() => {
        reading = undefined;
      });
    return reading;
  }

  /** Sets a gauge per job name; names seen before and now without jobs read zero. */
  function setByJob(gauge: Gauge<'job'>, rows: WaitingJobsOfName[] | undefined, value: (row: WaitingJobsOfName) => number): void {
    gauge.reset();
    if (!rows) return;
    for (const row of rows) seenJobs.add(row.name);
    for (const job of seenJobs) {
      const row = rows.find((candidate) => candidate.name === job);
      gauge.set({ job }, row ? value(row) : 0);
    }
  }

  new Gauge({
    name: 'hotline_job_queue_depth',
    help: 'Unfinished jobs due now (waiting or running), by job name, from the outbox table',
    labelNames: ['job'] as const,
    registers,
    async collect() {
      setByJob(this, await readOutbox(), (row) => row.due);
    },
  });
  new Gauge({
    name: 'hotline_jobs_delayed',
    help: 'Jobs waiting for a later run time (SLA checks, retries after backoff), by job name, from the outbox table',
    labelNames: ['job'] as const,
    registers,
    async collect() {
      setByJob(this, await readOutbox(), (row) => row.delayed);
    },
  });
  new Gauge({
    name: 'hotline_job_oldest_waiting_age_seconds',
    help: 'How long the oldest due job not yet running has waited since its run time, by job name (0: none waiting)',
    labelNames: ['job'] as const,
    registers,
    async collect() {
      const now = deps.clock.now().getTime();
      setByJob(this, await readOutbox(), (row) => (row.oldestDueAt ? Math.max(0, (now - row.oldestDueAt.getTime()) / 1000) : 0));
    },
  });

  function readSpool(): { files: number; bytes: number } | undefined {
    try {
      return deps.spool.usage();
    } catch (error) {
      logger.warn({ err: describeJobError(error) }, 'inbound spool gauges not read; skipped in this scrape');
      return undefined;
    }
  }
  new Gauge({
    name: 'hotline_inbound_spool_files',
    help: "Inbound messages sealed in this process's spool directory, waiting for the database",
    registers,
    collect() {
      this.reset();
      const usage = readSpool();
      if (usage) this.set(usage.files);
    },
  });
  new Gauge({
    name: 'hotline_inbound_spool_bytes',
    help: "Bytes of the sealed files in this process's inbound spool directory",
    registers,
    collect() {
      this.reset();
      const usage = readSpool();
      if (usage) this.set(usage.bytes);
    },
  });
}
