import { type Kysely, type Transaction } from 'kysely';
import type { Role } from '../cases/case.vocabulary';
import type { Database } from '../db/schema';

type Executor = Kysely<Database> | Transaction<Database>;

/** Who a notice goes to: named people, or the active staff of some roles, in one organisation or anywhere. */
export type Audience =
  | { userIds: readonly string[] }
  | { roles: readonly Role[]; organisationId?: string | null };

/** Active people in an audience, and whether each wants notices by email. */
async function recipientsOf(db: Executor, audience: Audience): Promise<{ id: string; email_notifications: boolean }[]> {
  let query = db.selectFrom('users').select(['id', 'email_notifications']).where('disabled_at', 'is', null);
  if ('userIds' in audience) {
    if (audience.userIds.length === 0) return [];
    query = query.where('id', 'in', audience.userIds);
  } else {
    query = query.where('role', 'in', audience.roles);
    if (audience.organisationId) query = query.where('organisation_id', '=', audience.organisationId);
  }
  return query.execute();
}

/**
 * Inserts one notice per person; a person who already has the same unread notice for the case
 * gets no second one. With `email` each is marked for email, unless its reader turned email off.
 * Returns the notices written, with whether each is to be emailed.
 */
export async function insertNotifications(
  db: Executor,
  notice: { kind: string; caseId: string | null; subjectId: string | null; at: Date; email: boolean },
  audience: Audience,
  exceptUserId: string | null,
): Promise<{ id: string; email_status: string | null }[]> {
  const recipients = (await recipientsOf(db, audience)).filter((recipient) => recipient.id !== exceptUserId);
  if (recipients.length === 0) return [];
  return db
    .insertInto('notifications')
    .values(recipients.map((recipient) => ({
      user_id: recipient.id, kind: notice.kind, case_id: notice.caseId, subject_id: notice.subjectId, created_at: notice.at,
      email_status: notice.email && recipient.email_notifications ? 'queued' : null,
    })))
    .onConflict((oc) => oc.columns(['user_id', 'kind', 'case_id']).where('read_at', 'is', null).doNothing())
    .returning(['id', 'email_status'])
    .execute();
}

/** A person's notices, newest first, with the case reference. */
export async function listNotificationsOf(db: Executor, userId: string, options: { unreadOnly: boolean; limit: number }) {
  let query = db
    .selectFrom('notifications')
    .leftJoin('cases', 'cases.id', 'notifications.case_id')
    .select(['notifications.id', 'notifications.kind', 'notifications.subject_id', 'notifications.created_at', 'notifications.read_at', 'cases.reference'])
    .where('notifications.user_id', '=', userId);
  if (options.unreadOnly) query = query.where('notifications.read_at', 'is', null);
  return query.orderBy('notifications.created_at', 'desc').orderBy('notifications.id', 'desc').limit(options.limit).execute();
}

/** How many unread notices a person has. */
export async function countUnreadOf(db: Executor, userId: string): Promise<number> {
  const row = await db
    .selectFrom('notifications')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Marks a person's notices read: one, or all unread when `id` is null. Returns how many changed. */
export async function markNotificationsRead(db: Executor, userId: string, id: string | null, at: Date): Promise<number> {
  let query = db.updateTable('notifications').set({ read_at: at }).where('user_id', '=', userId).where('read_at', 'is', null);
  if (id) query = query.where('id', '=', id);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Marks every unread notice of a person about a case read (they opened the case). */
export async function markCaseNotificationsRead(db: Executor, userId: string, caseId: string, at: Date): Promise<void> {
  await db.updateTable('notifications').set({ read_at: at }).where('user_id', '=', userId).where('case_id', '=', caseId).where('read_at', 'is', null).execute();
}

/** Marks every unread notice of a person about one subject (an erasure) read: they opened it. */
export async function markSubjectNotificationsRead(db: Executor, userId: string, subjectId: string, at: Date): Promise<void> {
  await db.updateTable('notifications').set({ read_at: at }).where('user_id', '=', userId).where('subject_id', '=', subjectId).where('read_at', 'is', null).execute();
}

/** One notice with what its email needs: the person's address and language, and the case reference. */
export async function findNotificationForEmail(db: Executor, id: string) {
  return db
    .selectFrom('notifications')
    .innerJoin('users', 'users.id', 'notifications.user_id')
    .leftJoin('cases', 'cases.id', 'notifications.case_id')
    .select(['notifications.id', 'notifications.kind', 'notifications.email_status', 'users.email', 'users.locale', 'users.disabled_at', 'cases.reference'])
    .where('notifications.id', '=', id)
    .executeTakeFirst();
}

/** Records how an email went. */
export async function setEmailStatus(db: Executor, id: string, status: 'sent' | 'failed', at: Date): Promise<void> {
  await db.updateTable('notifications').set({ email_status: status, emailed_at: at }).where('id', '=', id).execute();
}

/** Whether a notification with this id belongs to this user. */
export async function isNotificationOf(db: Kysely<Database>, userId: string, id: string): Promise<boolean> {
  const own = await db.selectFrom('notifications').select('id').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
  return own !== undefined;
}
