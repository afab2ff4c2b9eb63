import { type Kysely, sql } from 'kysely';

// Referrals, escalations and notifications (issue #6). The free text of a referral or an
// escalation (why, why not, what came of it) is written by staff about a worker, so it is sealed
// like notes: the columns are renamed to say so. Only the demo seed wrote these columns before
// this migration, in plain text; values that are not sealed are cleared rather than exposed.
// Notifications hold ids and a kind, never personal data: the person opens the case to read more.

const NOTIFICATION_KINDS = [
  'referral.received', 'referral.accepted', 'referral.declined', 'referral.withdrawn', 'referral.completed',
  'referral.expired', 'escalation.opened', 'escalation.acknowledged', 'escalation.noted', 'escalation.closed',
  'case.worker_replied', 'case.needs_triage', 'case.overdue',
];

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table referrals rename column reason to reason_encrypted`.execute(db);
  await sql`alter table referrals rename column decline_reason to decline_reason_encrypted`.execute(db);
  await sql`update referrals set reason_encrypted = null where reason_encrypted not like 'v1.%'`.execute(db);
  await sql`update referrals set decline_reason_encrypted = null where decline_reason_encrypted not like 'v1.%'`.execute(db);
  await sql`create index referrals_outgoing_idx on referrals (from_organisation_id, status)`.execute(db);

  await sql`alter table escalations rename column reason to reason_encrypted`.execute(db);
  await sql`alter table escalations alter column reason_encrypted drop not null`.execute(db);
  await sql`alter table escalations rename column outcome to outcome_encrypted`.execute(db);
  await sql`update escalations set reason_encrypted = null where reason_encrypted not like 'v1.%'`.execute(db);
  await sql`update escalations set outcome_encrypted = null where outcome_encrypted not like 'v1.%'`.execute(db);

  // The hourly look for cases left unanswered finds the ones it already flagged by this event.
  await sql`create index case_events_overdue_idx on case_events (case_id) where type = 'case.overdue'`.execute(db);
  // The coordinators' triage queue: open cases nobody owns, newest activity first.
  await sql`create index cases_unowned_idx on cases (updated_at, id) where owner_organisation_id is null`.execute(db);

  await db.schema
    .createTable('notifications')
    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('user_id', 'uuid', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('kind', 'text', (col) => col.notNull().check(sql`kind in (${sql.join(NOTIFICATION_KINDS.map((kind) => sql.lit(kind)))})`))
    .addColumn('case_id', 'uuid', (col) => col.references('cases.id').onDelete('cascade'))
    .addColumn('subject_id', 'uuid')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('read_at', 'timestamptz')
    .addColumn('email_status', 'text', (col) => col.check(sql`email_status in ('queued', 'sent', 'failed')`))
    .addColumn('emailed_at', 'timestamptz')
    .execute();
  // Each person chooses whether their notices are also emailed (when SMTP_URL is set).
  await db.schema.alterTable('users').addColumn('email_notifications', 'boolean', (col) => col.notNull().defaultTo(true)).execute();
  await db.schema.createIndex('notifications_user_idx').on('notifications').columns(['user_id', 'created_at']).execute();
  // One unread notice of a kind per case and person: ten texts from a worker make one "replied".
  await sql`create unique index notifications_one_unread_key on notifications (user_id, kind, case_id)
    where read_at is null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('notifications').execute();
  await db.schema.alterTable('users').dropColumn('email_notifications').execute();
  await sql`drop index cases_unowned_idx`.execute(db);
  await sql`drop index case_events_overdue_idx`.execute(db);
  await sql`drop index referrals_outgoing_idx`.execute(db);
  await sql`alter table escalations rename column outcome_encrypted to outcome`.execute(db);
  await sql`update escalations set reason_encrypted = '' where reason_encrypted is null`.execute(db);
  await sql`alter table escalations alter column reason_encrypted set not null`.execute(db);
  await sql`alter table escalations rename column reason_encrypted to reason`.execute(db);
  await sql`alter table referrals rename column decline_reason_encrypted to decline_reason`.execute(db);
  await sql`alter table referrals rename column reason_encrypted to reason`.execute(db);
}
