import { type Kysely, sql } from 'kysely';

// Issue #12: two migrations were edited after they had landed, so a database migrated by an
// earlier landed version differs from a new one, and Kysely never runs an edited migration again.
// This brings such a database to the schema today's 0001–0007 build, and changes nothing on a
// database they built: every step is guarded, so it is safe after any later migration too.
//
// - 0001 first created `messages_case_idx` (case_id, created_at); it was dropped from 0001 since
//   `messages_case_sequence_idx` (0002) serves the same lookups and each index slows the SMS intake.
// - 0007 as first landed had no `users.email_notifications`, no `case.overdue` notification kind
//   and no `case_events_overdue_idx`.
//
// What this cannot mend: 0007's `up()` cleared referral and escalation reasons that were not
// sealed (only the demo seed had written any), and no migration can bring them back.

const NOTIFICATION_KINDS = [
  'referral.received', 'referral.accepted', 'referral.declined', 'referral.withdrawn', 'referral.completed',
  'referral.expired', 'escalation.opened', 'escalation.acknowledged', 'escalation.noted', 'escalation.closed',
  'case.worker_replied', 'case.needs_triage', 'case.overdue',
];

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists messages_case_idx`.execute(db);

  await sql`alter table users add column if not exists email_notifications boolean not null default true`.execute(db);

  await sql`create index if not exists case_events_overdue_idx on case_events (case_id) where type = 'case.overdue'`.execute(db);

  // Only a constraint that lacks the kind is replaced: a later migration may have widened it.
  const { rows } = await sql<{ definition: string }>`
    select pg_get_constraintdef(oid) as definition from pg_constraint
    where conrelid = 'notifications'::regclass and conname = 'notifications_kind_check'`.execute(db);
  const current = rows[0];
  if (current && !current.definition.includes("'case.overdue'")) {
    await sql`alter table notifications drop constraint notifications_kind_check`.execute(db);
    await sql`alter table notifications add constraint notifications_kind_check
      check (kind in (${sql.join(NOTIFICATION_KINDS.map((kind) => sql.lit(kind)))}))`.execute(db);
  }
}

// Nothing to undo: the schema this leaves is the one today's 0001–0007 build, which their own
// `down()` take apart.
export async function down(): Promise<void> {}
