import type { i18n } from 'i18next';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock';
import type { Database } from '../db/schema';
import { isLanguage } from '../language/negotiation';
import { findNotificationForEmail, setEmailStatus } from './notification.repository';
import { PermanentMailError, type Mailer } from './mailer';

export interface NotificationEmailDeps {
  db: Kysely<Database>;
  clock: Clock;
  i18n: i18n;
  mailer: Mailer | undefined;
  publicUrl: string;
}

/**
 * Emails one notice in its reader's language: what happened and the case reference, with a link
 * to sign in. Nothing a worker said goes into an email. Sent once: a notice already sent or
 * failed is left alone; a refusal for good is recorded, a passing failure is retried by the job.
 */
export async function sendNotificationEmail(deps: NotificationEmailDeps, notificationId: string): Promise<'sent' | 'skipped' | 'failed'> {
  const notice = await findNotificationForEmail(deps.db, notificationId);
  if (!notice || notice.email_status !== 'queued' || notice.disabled_at || !deps.mailer) return 'skipped';
  const t = deps.i18n.getFixedT(isLanguage(notice.locale) ? notice.locale : 'en', 'console');
  const subject = t('notifications.email.subject', { what: t(`notifications.kind.${notice.kind}`), reference: notice.reference ?? '' });
  const text = t('notifications.email.body', {
    what: t(`notifications.kind.${notice.kind}`),
    reference: notice.reference ?? '',
    link: `${deps.publicUrl}/console/notifications`,
  });
  try {
    await deps.mailer.send({ to: notice.email, subject, text });
  } catch (error) {
    if (!(error instanceof PermanentMailError)) throw error;
    await setEmailStatus(deps.db, notice.id, 'failed', deps.clock.now());
    return 'failed';
  }
  await setEmailStatus(deps.db, notice.id, 'sent', deps.clock.now());
  return 'sent';
}
