import { type Kysely, sql } from 'kysely';

// A worker's data rights (issue #16): per-person data keys (crypto-shredding), erasure requests and
// their two-person confirmation, the provider copies an erasure must delete, legal holds, and an
// organisation's own retention period.
//
// `person_keys` holds each person's data key, sealed with ENCRYPTION_KEY. Erasing a person deletes
// their row, so their values in any database copy — a backup included — no longer open. Backups of
// this one table are kept short (README, "Backups and erasure"); everything else may be kept longer.
//
// Frozen once landed: the value lists are written out here, not imported.

const ERASURE_SCOPES = ['person', 'case'];
const ERASURE_SOURCES = ['worker_keyword', 'status_page', 'console', 'cli', 'retention'];
const ERASURE_STATUSES = ['requested', 'proposed', 'confirmed', 'done', 'refused'];
const ERASURE_REASONS = ['worker_request', 'retention', 'legal_order', 'created_in_error', 'other'];
const REFUSAL_REASONS = ['legal_hold', 'legal_obligation', 'identity_not_confirmed', 'other'];
const COPY_KINDS = ['message', 'media', 'recording'];
const COPY_STATUSES = ['pending', 'deleted', 'gone', 'failed'];
const ATTACHMENT_STATUSES = ['pending', 'stored', 'refused', 'failed', 'erased'];
const PREVIOUS_ATTACHMENT_STATUSES = ['pending', 'stored', 'refused', 'failed'];
const NOTIFICATION_KINDS = [
  'referral.received', 'referral.accepted', 'referral.declined', 'referral.withdrawn', 'referral.completed',
  'referral.expired', 'escalation.opened', 'escalation.acknowledged', 'escalation.noted', 'escalation.closed',
  'case.worker_replied', 'case.needs_triage', 'case.overdue', 'callback.window_missed',
  'erasure.requested', 'erasure.to_confirm',
];
const PREVIOUS_NOTIFICATION_KINDS = NOTIFICATION_KINDS.filter((kind) => !kind.startsWith('erasure.'));

function list(values: string[]) {
  return sql.join(values.map((value) => sql.lit(value)));
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table person_keys (
    id uuid primary key default gen_random_uuid(),
    person_id uuid not null unique references people (id),
    key_encrypted text not null,
    created_at timestamptz not null default now()
  )`.execute(db);

  await sql`alter table people add column erased_at timestamptz`.execute(db);

  await sql`create table erasures (
    id uuid primary key default gen_random_uuid(),
    person_id uuid not null references people (id),
    case_id uuid references cases (id),
    scope text not null check (scope in (${list(ERASURE_SCOPES)})),
    source text not null check (source in (${list(ERASURE_SOURCES)})),
    status text not null check (status in (${list(ERASURE_STATUSES)})),
    reason text check (reason in (${list(ERASURE_REASONS)})),
    reason_note_encrypted text,
    requested_at timestamptz not null default now(),
    due_at timestamptz,
    proposed_by_user_id uuid references users (id),
    proposed_at timestamptz,
    confirmed_by_user_id uuid references users (id),
    confirmed_at timestamptz,
    refused_by_user_id uuid references users (id),
    refused_at timestamptz,
    refusal_reason text check (refusal_reason in (${list(REFUSAL_REASONS)})),
    refusal_note_encrypted text,
    done_at timestamptz,
    summary jsonb not null default '{}',
    check (scope = 'person' or case_id is not null),
    check (confirmed_by_user_id is null or proposed_by_user_id is null or confirmed_by_user_id <> proposed_by_user_id),
    check (status <> 'refused' or refusal_reason is not null)
  )`.execute(db);
  await sql`create index erasures_open_idx on erasures (due_at, requested_at) where status in ('requested', 'proposed', 'confirmed')`.execute(db);
  await sql`create index erasures_person_idx on erasures (person_id)`.execute(db);
  await sql`create index erasures_case_idx on erasures (case_id)`.execute(db);

  await sql`create table erasure_provider_copies (
    id uuid primary key default gen_random_uuid(),
    erasure_id uuid not null references erasures (id),
    provider text not null,
    kind text not null check (kind in (${list(COPY_KINDS)})),
    ref text not null,
    status text not null default 'pending' check (status in (${list(COPY_STATUSES)})),
    attempts integer not null default 0,
    last_error text,
    done_at timestamptz,
    unique (erasure_id, provider, kind, ref)
  )`.execute(db);

  await sql`create table legal_holds (
    id uuid primary key default gen_random_uuid(),
    case_id uuid not null references cases (id),
    reason_encrypted text not null,
    held_until timestamptz not null,
    created_by_user_id uuid not null references users (id),
    created_at timestamptz not null default now(),
    released_by_user_id uuid references users (id),
    released_at timestamptz
  )`.execute(db);
  await sql`create index legal_holds_active_idx on legal_holds (case_id) where released_at is null`.execute(db);

  await sql`alter table cases add column personal_data_erased_at timestamptz, add column erasure_id uuid references erasures (id)`.execute(db);
  // An erased case keeps its consent answer and time (statistics, the record that it was asked) without the wording.
  await sql`alter table cases drop constraint cases_consent_recorded`.execute(db);
  await sql`alter table cases add constraint cases_consent_recorded check (consent_given is null or personal_data_erased_at is not null
    or (consent_at is not null and (consent_wording is not null or consent_wording_encrypted is not null)))`.execute(db);
  // Retention finds closed and resolved cases by age.
  await sql`create index cases_retention_idx on cases ((coalesce(resolved_at, updated_at))) where status in ('resolved', 'closed') and personal_data_erased_at is null`.execute(db);

  await sql`alter table contacts add column erased_at timestamptz, alter column address_encrypted drop not null`.execute(db);
  await sql`alter table organisations add column retention_months integer check (retention_months between 1 and 120)`.execute(db);

  await sql`alter table attachments drop constraint attachments_status_check`.execute(db);
  await sql`alter table attachments add constraint attachments_status_check check (status in (${list(ATTACHMENT_STATUSES)}))`.execute(db);

  await sql`alter table notifications drop constraint notifications_kind_check`.execute(db);
  await sql`alter table notifications add constraint notifications_kind_check check (kind in (${list(NOTIFICATION_KINDS)}))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const erased = await sql<{ n: number }>`select count(*)::int as n from people where erased_at is not null`.execute(db);
  if ((erased.rows[0]?.n ?? 0) > 0) throw new Error('cannot go below 0017: people were erased; undoing would bring back empty contacts');
  const keyed = await sql<{ n: number }>`select count(*)::int as n from person_keys`.execute(db);
  if ((keyed.rows[0]?.n ?? 0) > 0) throw new Error('cannot go below 0017: values are sealed under per-person keys; undoing would lose them');
  await sql`delete from notifications where kind like 'erasure.%'`.execute(db);
  await sql`alter table notifications drop constraint notifications_kind_check`.execute(db);
  await sql`alter table notifications add constraint notifications_kind_check check (kind in (${list(PREVIOUS_NOTIFICATION_KINDS)}))`.execute(db);
  await sql`alter table attachments drop constraint attachments_status_check`.execute(db);
  await sql`alter table attachments add constraint attachments_status_check check (status in (${list(PREVIOUS_ATTACHMENT_STATUSES)}))`.execute(db);
  await sql`alter table organisations drop column retention_months`.execute(db);
  await sql`alter table contacts drop column erased_at, alter column address_encrypted set not null`.execute(db);
  await sql`drop index cases_retention_idx`.execute(db);
  await sql`alter table cases drop constraint cases_consent_recorded`.execute(db);
  await sql`alter table cases add constraint cases_consent_recorded check (consent_given is null or (consent_at is not null and (consent_wording is not null or consent_wording_encrypted is not null)))`.execute(db);
  await sql`alter table cases drop column personal_data_erased_at, drop column erasure_id`.execute(db);
  await sql`drop table legal_holds`.execute(db);
  await sql`drop table erasure_provider_copies`.execute(db);
  await sql`drop table erasures`.execute(db);
  await sql`alter table people drop column erased_at`.execute(db);
  await sql`drop table person_keys`.execute(db);
}
