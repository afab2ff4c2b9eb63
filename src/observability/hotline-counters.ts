import { Counter, type Registry } from 'prom-client';

// The domain's counters. They count what this process did since it started (web and worker
// processes each have their own); levels that must hold across processes and restarts (queue
// depth, spool size) are gauges read from their source at scrape time (hotline-gauges.ts).
// Every label comes from a fixed vocabulary: a value outside it is counted as 'other'.

const CHANNELS = ['sms', 'whatsapp', 'messenger', 'line', 'viber', 'voice', 'web'] as const;
const OUTBOUND_STATUSES = ['queued', 'sending', 'sent', 'delivered', 'read', 'failed', 'undelivered', 'recorded'] as const;
const ATTACHMENT_SOURCES = ['twilio', 'line', 'viber', 'web', 'status_page', 'voice'] as const;
const ATTACHMENT_OUTCOMES = ['stored', 'refused', 'failed'] as const;
const ERASURE_SCOPES = ['person', 'case'] as const;
const ERASURE_SOURCES = ['worker_keyword', 'status_page', 'console', 'cli', 'retention'] as const;
const ERASURE_OUTCOMES = ['done', 'refused'] as const;
const RETENTION_PURGES = ['spool', 'sessions', 'rate_limits', 'notifications'] as const;
const COPY_KINDS = ['message', 'media', 'recording'] as const;
const COPY_OUTCOMES = ['deleted', 'gone', 'failed'] as const;

/** What the hotline counts as it works; each method is cheap and never throws. */
export interface HotlineCounters {
  /** Inbound messages stored (a spooled one counts when the drain stores it), by channel. */
  inboundReceived(channel: string, count?: number): void;
  /** Inbound messages whose processing committed, by channel. */
  inboundProcessed(channel: string, count?: number): void;
  /** An outbound message's status recorded (queued, sent, delivered…), by channel. */
  outboundStatus(channel: string, status: string): void;
  /** A message the provider bills (a LINE push: no free reply token was valid), by channel. */
  billedMessage(channel: string): void;
  /** Declares the job catalogue's names, the only values the `job` label takes (their series start at zero). */
  jobsKnown(names: readonly string[]): void;
  /** A job run that succeeded, by catalogue name. */
  jobCompleted(job: string): void;
  /** A job run that threw, by catalogue name; `willRetry` also counts a retry. */
  jobFailed(job: string, willRetry: boolean): void;
  /** Referrals expired unanswered. */
  referralsExpired(count: number): void;
  /** A worker's file taken in: stored, refused (type, size, pixels) or failed (could not be fetched), by where it came from. */
  attachmentOutcome(source: string, outcome: string): void;
  /**
   * A call that ended without a message: from a number with an open case (also on its timeline),
   * or from any other number (only counted here: calling back an unknown number may not be safe).
   */
  missedCall(caller: 'open_case' | 'unknown'): void;
  /** An erasure that ran to its end: done, or refused (a legal hold), by scope and by who asked for it. */
  erasureFinished(scope: string, source: string, outcome: string): void;
  /** Erasures the retention schedule made, by scope: a whole person, or one case of a person who has others. */
  retentionErased(scope: string, count: number): void;
  /** What the retention schedule purged besides cases: spool files, sessions, rate-limit rows, notifications. */
  retentionPurged(kind: string, count: number): void;
  /** A provider's copy an erasure had deleted: deleted, gone already, or failed after the last try, by kind. */
  providerCopyOutcome(kind: string, outcome: string): void;
}

function within<T extends string>(vocabulary: readonly T[], value: string): T | 'other' {
  return (vocabulary as readonly string[]).includes(value) ? (value as T) : 'other';
}

/** Registers the domain counters on a registry. */
export function createHotlineCounters(deps: { registry: Registry }): HotlineCounters {
  const registers = [deps.registry];
  const received = new Counter({
    name: 'hotline_inbound_messages_received_total',
    help: 'Inbound messages stored, by channel (this process since it started)',
    labelNames: ['channel'] as const,
    registers,
  });
  const processed = new Counter({
    name: 'hotline_inbound_messages_processed_total',
    help: 'Inbound messages processed (conversation turn or case update committed), by channel',
    labelNames: ['channel'] as const,
    registers,
  });
  const outbound = new Counter({
    name: 'hotline_outbound_messages_total',
    help: 'Outbound message status changes recorded, by channel and new status',
    labelNames: ['channel', 'status'] as const,
    registers,
  });
  const billed = new Counter({
    name: 'hotline_billed_messages_total',
    help: 'Outbound messages the provider bills per message (LINE pushes), by channel',
    labelNames: ['channel'] as const,
    registers,
  });
  billed.inc({ channel: 'line' }, 0);
  const completed = new Counter({ name: 'hotline_jobs_completed_total', help: 'Job runs that succeeded, by job name', labelNames: ['job'] as const, registers });
  const failures = new Counter({ name: 'hotline_job_failures_total', help: 'Job runs that threw, by job name', labelNames: ['job'] as const, registers });
  const retries = new Counter({ name: 'hotline_job_retries_total', help: 'Failed job runs scheduled to run again, by job name', labelNames: ['job'] as const, registers });
  const expired = new Counter({ name: 'hotline_referrals_expired_total', help: 'Referrals expired unanswered at their due time', registers });
  const attachments = new Counter({
    name: 'hotline_attachments_total',
    help: "Workers' files taken in, by source and outcome (stored, refused, failed)",
    labelNames: ['source', 'outcome'] as const,
    registers,
  });
  for (const source of ATTACHMENT_SOURCES) for (const outcome of ATTACHMENT_OUTCOMES) attachments.inc({ source, outcome }, 0);
  const missed = new Counter({
    name: 'hotline_voice_missed_calls_total',
    help: 'Calls to the voice line that ended without a message, by whether the number had an open case',
    labelNames: ['caller'] as const,
    registers,
  });
  missed.inc({ caller: 'open_case' }, 0);
  missed.inc({ caller: 'unknown' }, 0);
  const erasures = new Counter({
    name: 'hotline_erasures_total',
    help: 'Erasures of personal data run to their end (done or refused), by scope, source and outcome',
    labelNames: ['scope', 'source', 'outcome'] as const,
    registers,
  });
  const retentionErased = new Counter({
    name: 'hotline_retention_erased_total',
    help: 'Erasures made by the retention schedule, by scope (person, or one case)',
    labelNames: ['scope'] as const,
    registers,
  });
  for (const scope of ERASURE_SCOPES) retentionErased.inc({ scope }, 0);
  const retentionPurged = new Counter({
    name: 'hotline_retention_purged_total',
    help: 'Spool files, sessions, rate-limit rows and notifications purged by the retention schedule, by kind',
    labelNames: ['kind'] as const,
    registers,
  });
  for (const kind of RETENTION_PURGES) retentionPurged.inc({ kind }, 0);
  const copies = new Counter({
    name: 'hotline_erasure_provider_copies_total',
    help: "Provider copies (Twilio messages, media, recordings) an erasure had deleted, by kind and outcome",
    labelNames: ['kind', 'outcome'] as const,
    registers,
  });
  for (const kind of COPY_KINDS) for (const outcome of COPY_OUTCOMES) copies.inc({ kind, outcome }, 0);

  // Known series start at zero, so a rate is defined before the first event.
  for (const channel of CHANNELS) {
    received.inc({ channel }, 0);
    processed.inc({ channel }, 0);
  }
  const jobNames = new Set<string>();
  const jobOf = (name: string) => (jobNames.has(name) ? name : 'other');

  return {
    inboundReceived: (channel, count = 1) => received.inc({ channel: within(CHANNELS, channel) }, count),
    inboundProcessed: (channel, count = 1) => processed.inc({ channel: within(CHANNELS, channel) }, count),
    outboundStatus: (channel, status) => outbound.inc({ channel: within(CHANNELS, channel), status: within(OUTBOUND_STATUSES, status) }),
    billedMessage: (channel) => billed.inc({ channel: within(CHANNELS, channel) }),
    attachmentOutcome: (source, outcome) => attachments.inc({ source: within(ATTACHMENT_SOURCES, source), outcome: within(ATTACHMENT_OUTCOMES, outcome) }),
    jobsKnown(names) {
      for (const job of names) {
        jobNames.add(job);
        completed.inc({ job }, 0);
        failures.inc({ job }, 0);
        retries.inc({ job }, 0);
      }
    },
    jobCompleted: (job) => completed.inc({ job: jobOf(job) }),
    jobFailed(job, willRetry) {
      failures.inc({ job: jobOf(job) });
      if (willRetry) retries.inc({ job: jobOf(job) });
    },
    referralsExpired: (count) => {
      if (count > 0) expired.inc(count);
    },
    missedCall: (caller) => missed.inc({ caller }),
    erasureFinished: (scope, source, outcome) =>
      erasures.inc({ scope: within(ERASURE_SCOPES, scope), source: within(ERASURE_SOURCES, source), outcome: within(ERASURE_OUTCOMES, outcome) }),
    retentionErased: (scope, count) => {
      if (count > 0) retentionErased.inc({ scope: within(ERASURE_SCOPES, scope) }, count);
    },
    retentionPurged: (kind, count) => {
      if (count > 0) retentionPurged.inc({ kind: within(RETENTION_PURGES, kind) }, count);
    },
    providerCopyOutcome: (kind, outcome) => copies.inc({ kind: within(COPY_KINDS, kind), outcome: within(COPY_OUTCOMES, outcome) }),
  };
}
