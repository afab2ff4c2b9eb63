import type { Transaction } from 'kysely';
import type { Clock } from '../clock';
import type { Database } from '../db/schema';
import type { HotlineJobQueue } from '../jobs/hotline-jobs';
import { findCaseHolders } from '../cases/case.repository';
import { caseTeamOf } from './audiences';
import { insertNotifications, type Audience } from './notification.repository';

/** What a notice is about. Labels and email wording live in locales/ (`console:notifications.kind.*`). */
export const NOTIFICATION_KINDS = [
  'referral.received', 'referral.accepted', 'referral.declined', 'referral.withdrawn', 'referral.completed',
  'referral.expired', 'escalation.opened', 'escalation.acknowledged', 'escalation.noted', 'escalation.closed',
  'case.worker_replied', 'case.needs_triage', 'case.overdue', 'callback.window_missed',
  'erasure.requested', 'erasure.to_confirm',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** What writing a notice needs: the clock, the queue for emails, and whether email is configured. */
export interface NotifyDeps {
  clock: Clock;
  jobs: Pick<HotlineJobQueue, 'enqueue'>;
  /** True when SMTP_URL is set: each notice is also emailed. */
  mailEnabled: boolean;
}

/**
 * Notifies an audience in the caller's transaction (the actor themself is left out) and queues
 * one email per notice when email is configured and its reader has not turned email off. Notices carry a kind and ids, never personal data.
 */
export async function notify(
  trx: Transaction<Database>,
  deps: NotifyDeps,
  notice: { kind: NotificationKind; caseId: string | null; subjectId?: string | null },
  audience: Audience,
  actorUserId: string | null = null,
): Promise<number> {
  const written = await insertNotifications(
    trx,
    { kind: notice.kind, caseId: notice.caseId, subjectId: notice.subjectId ?? null, at: deps.clock.now(), email: deps.mailEnabled },
    audience,
    actorUserId,
  );
  for (const row of written) {
    if (row.email_status === 'queued') await deps.jobs.enqueue(trx, 'notification.email', { notificationId: row.id });
  }
  return written.length;
}

/** A worker wrote again (SMS, WhatsApp or the status page) on a case someone holds: its team is told. */
export async function notifyWorkerWroteAgain(trx: Transaction<Database>, deps: NotifyDeps, caseId: string): Promise<void> {
  const holders = await findCaseHolders(trx, caseId);
  if (!holders?.intake_complete || (!holders.assigned_user_id && !holders.owner_organisation_id)) return;
  await notify(trx, deps, { kind: 'case.worker_replied', caseId }, caseTeamOf(holders));
}
