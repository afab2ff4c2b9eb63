import { type Kysely, sql } from 'kysely';

// Call-backs (issue #15, second part). A caseworker calls a worker back through Twilio: Twilio
// rings the caseworker's own phone first (kept sealed on their profile), then the worker's, with
// the hotline's number shown. Each try is a `callback_attempts` row; the call that asked for the
// call-back says when the call-back left the queue (reached, or out of tries) and when it was
// flagged to coordinators for missing its safe window. No phone number is stored in clear.
//
// Frozen once landed: the value lists are written out here, not imported.

const OUTCOMES = ['reached', 'no_answer', 'someone_else', 'not_safe', 'voicemail'];
const ATTEMPT_STATUSES = ['dialling', 'bridged', 'ended', 'caseworker_unreachable', 'failed'];
const CLOSED_AS = ['reached', 'max_attempts'];
const NOTIFICATION_KINDS = [
  'referral.received', 'referral.accepted', 'referral.declined', 'referral.withdrawn', 'referral.completed',
  'referral.expired', 'escalation.opened', 'escalation.acknowledged', 'escalation.noted', 'escalation.closed',
  'case.worker_replied', 'case.needs_triage', 'case.overdue', 'callback.window_missed',
];
const PREVIOUS_NOTIFICATION_KINDS = NOTIFICATION_KINDS.filter((kind) => kind !== 'callback.window_missed');

function list(values: string[]) {
  return sql.join(values.map((value) => sql.lit(value)));
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table users add column phone_encrypted text`.execute(db);

  await sql`alter table calls
    add column callback_closed_at timestamptz,
    add column callback_closed_as text check (callback_closed_as in (${list(CLOSED_AS)})),
    add column callback_flagged_at timestamptz`.execute(db);
  // The queue: call-backs still wanted, oldest first.
  await sql`create index calls_callback_queue_idx on calls (started_at) where wants_callback and callback_closed_at is null`.execute(db);

  await sql`create table callback_attempts (
    id uuid primary key default gen_random_uuid(),
    call_id uuid not null references calls (id),
    case_id uuid not null references cases (id),
    user_id uuid not null references users (id),
    caseworker_call_sid text unique,
    status text not null default 'dialling' check (status in (${list(ATTEMPT_STATUSES)})),
    outcome text check (outcome in (${list(OUTCOMES)})),
    answered_by text,
    created_at timestamptz not null default now(),
    outcome_at timestamptz
  )`.execute(db);
  await sql`create index callback_attempts_call_idx on callback_attempts (call_id, created_at)`.execute(db);

  await sql`alter table notifications drop constraint notifications_kind_check`.execute(db);
  await sql`alter table notifications add constraint notifications_kind_check check (kind in (${list(NOTIFICATION_KINDS)}))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`delete from notifications where kind = 'callback.window_missed'`.execute(db);
  await sql`alter table notifications drop constraint notifications_kind_check`.execute(db);
  await sql`alter table notifications add constraint notifications_kind_check check (kind in (${list(PREVIOUS_NOTIFICATION_KINDS)}))`.execute(db);
  await sql`drop table callback_attempts`.execute(db);
  await sql`drop index calls_callback_queue_idx`.execute(db);
  await sql`alter table calls drop column callback_closed_at, drop column callback_closed_as, drop column callback_flagged_at`.execute(db);
  await sql`alter table users drop column phone_encrypted`.execute(db);
}
