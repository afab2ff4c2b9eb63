import type { InboundSpool } from '../channels/sms/inbound-spool';
import type { HotlineCounters } from '../observability/hotline-counters';
import type { Logger } from '../observability/logger';
import { eraseNow, type ErasureDeps } from './erasure.service';
import {
  listCasesPastRetention,
  listIdlePeoplePastRetention,
  purgeOldNotifications,
  purgeSessionsEndedBefore,
  purgeSpentRateLimits,
  type DueCase,
} from './retention.repository';

// The retention schedule (issue #16), daily and from the CLI. A case resolved or closed longer ago
// than RETENTION_MONTHS (or its owning organisation's shorter period), and under no legal hold, has
// its personal data erased: the whole worker when every case of theirs is due (or erased already),
// else that case alone. A worker with no case kept who has not been heard from for the period (an
// intake left before its case opened, a number that only sent STOP) is erased too. Each is an
// erasure of its own (source and reason `retention`), so it is recorded, audited and idempotent
// like any other. Then what nobody needs any more is purged:
// spool files the drain could never store, ended sessions, spent rate limits, old notifications.

/** What retention needs: an erasure's dependencies, the period, and this process's spool. */
export interface RetentionDeps extends ErasureDeps {
  /** RETENTION_MONTHS. */
  retentionMonths: number;
  /** The inbound spool of this process's data directory; unset, no spool is purged here. */
  spool?: Pick<InboundSpool, 'purgeOlderThan'> | undefined;
  logger: Logger;
  counters?: Pick<HotlineCounters, 'erasureFinished' | 'retentionErased' | 'retentionPurged'> | undefined;
}

/** What a run did (or, as a dry run, would do): counts only. */
export interface RetentionReport {
  /** Workers erased whole: every case of theirs was due. */
  people: number;
  /** Cases erased alone: their worker has other cases still kept. */
  cases: number;
  /** Workers erased with no case kept, not heard from for the period (never counted in `people`). */
  idle: number;
  /** Erasures refused: a legal hold came between the search and the erasure. */
  refused: number;
  /** Inbound spool files the drain could not store in 30 days. */
  spoolFiles: number;
  sessions: number;
  rateLimits: number;
  notifications: number;
}

/**
 * A spooled message is kept 30 days: the drain retries it every 30 seconds meanwhile, so only one
 * that could not be stored for a month (its key gone, its content unreadable) is removed.
 */
const SPOOL_KEPT_DAYS = 30;
const SESSIONS_KEPT_DAYS = 30;
const DAY_MS = 86_400_000;
/** Due cases read per round; a round's erasures each run in their own transaction. */
const BATCH = 200;
const EVERY_DUE_CASE = 100_000_000;

/** What a run would do now, changing nothing. */
export async function planRetention(deps: RetentionDeps): Promise<RetentionReport> {
  const now = deps.clock.now();
  const due = await listCasesPastRetention(deps.db, now, deps.retentionMonths, EVERY_DUE_CASE);
  const { people, cases } = splitByScope(due);
  const idle = await listIdlePeoplePastRetention(deps.db, now, deps.retentionMonths, EVERY_DUE_CASE);
  return { people: people.length, cases: cases.length, idle: idle.length, refused: 0, ...(await purge(deps, now, true)) };
}

/** Erases what is past its retention and purges the rest; a second run straight after does nothing. */
export async function runRetention(deps: RetentionDeps): Promise<RetentionReport> {
  const now = deps.clock.now();
  const report: RetentionReport = { people: 0, cases: 0, idle: 0, refused: 0, spoolFiles: 0, sessions: 0, rateLimits: 0, notifications: 0 };
  const seen = new Set<string>();
  for (;;) {
    // A case found again was refused (a hold placed meanwhile): it is not tried twice in one run.
    const due = (await listCasesPastRetention(deps.db, now, deps.retentionMonths, BATCH + seen.size)).filter((row) => !seen.has(row.caseId));
    if (due.length === 0) break;
    for (const row of due) seen.add(row.caseId);
    const { people, cases } = splitByScope(due);
    for (const personId of people) count(report, 'people', await eraseNow(deps, { target: { scope: 'person', personId }, source: 'retention', reason: 'retention' }));
    for (const caseId of cases) count(report, 'cases', await eraseNow(deps, { target: { scope: 'case', caseId }, source: 'retention', reason: 'retention' }));
  }
  const seenIdle = new Set<string>();
  for (;;) {
    const idle = (await listIdlePeoplePastRetention(deps.db, now, deps.retentionMonths, BATCH + seenIdle.size)).filter((personId) => !seenIdle.has(personId));
    if (idle.length === 0) break;
    for (const personId of idle) {
      seenIdle.add(personId);
      count(report, 'idle', await eraseNow(deps, { target: { scope: 'person', personId }, source: 'retention', reason: 'retention' }));
    }
  }
  Object.assign(report, await purge(deps, now, false));
  deps.counters?.retentionErased('person', report.people + report.idle);
  deps.counters?.retentionErased('case', report.cases);
  deps.counters?.retentionPurged('spool', report.spoolFiles);
  deps.counters?.retentionPurged('sessions', report.sessions);
  deps.counters?.retentionPurged('rate_limits', report.rateLimits);
  deps.counters?.retentionPurged('notifications', report.notifications);
  deps.logger.info({ ...report, retentionMonths: deps.retentionMonths }, 'retention: personal data past its period erased, old records purged');
  return report;
}

function count(report: RetentionReport, scope: 'people' | 'cases' | 'idle', outcome: { status: string }): void {
  if (outcome.status === 'done') report[scope] += 1;
  else if (outcome.status === 'refused') report.refused += 1;
}

/** Whole workers (each once) and the cases to erase alone. */
function splitByScope(due: readonly DueCase[]): { people: string[]; cases: string[] } {
  const people = [...new Set(due.filter((row) => row.wholePerson).map((row) => row.personId))];
  const cases = due.filter((row) => !row.wholePerson).map((row) => row.caseId);
  return { people, cases };
}

/**
 * Removes a spool's files not stored in SPOOL_KEPT_DAYS (a dry run counts them), and warns when any
 * went: retention's purge, and each web process's own once a day (`scheduleSpoolDrain`).
 */
export function purgeStaleSpool(spool: Pick<InboundSpool, 'purgeOlderThan'>, logger: Logger, now: Date, dryRun = false): number {
  const removed = spool.purgeOlderThan(new Date(now.getTime() - SPOOL_KEPT_DAYS * DAY_MS), { dryRun });
  if (!dryRun && removed > 0) logger.warn({ spoolFiles: removed }, `inbound spool files not stored in ${SPOOL_KEPT_DAYS} days were removed`);
  return removed;
}

async function purge(deps: RetentionDeps, now: Date, dryRun: boolean) {
  return {
    spoolFiles: deps.spool ? purgeStaleSpool(deps.spool, deps.logger, now, dryRun) : 0,
    sessions: await purgeSessionsEndedBefore(deps.db, new Date(now.getTime() - SESSIONS_KEPT_DAYS * DAY_MS), dryRun),
    rateLimits: await purgeSpentRateLimits(deps.db, now, dryRun),
    notifications: await purgeOldNotifications(deps.db, now, deps.retentionMonths, dryRun),
  };
}
