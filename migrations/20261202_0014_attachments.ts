import { type Kysely, sql } from 'kysely';

// Evidence attachments (issue #14): photos, documents and voice notes a worker sends on any channel
// or the web form. The row says what the file is and where it came from; the bytes live sealed in
// `attachment_chunks`, encrypted in chunks under a data key of the file's own, and that key is
// sealed with the personal-data cipher (`key_encrypted`) so that a key rotation re-wraps one short
// value per file and never re-encrypts the file. Chunks go with their attachment.
//
// Frozen once landed: the value lists are written out here, not imported.

const SOURCES = ['twilio', 'line', 'viber', 'web', 'status_page', 'voice', 'console'];
const STATUSES = ['pending', 'stored', 'refused', 'failed'];
const KINDS = ['image', 'document', 'audio'];
const VARIANTS = ['original', 'thumbnail'];

function list(values: string[]) {
  return sql.join(values.map((value) => sql.lit(value)));
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table attachments (
    id uuid primary key default gen_random_uuid(),
    case_id uuid references cases (id),
    message_id uuid references messages (id),
    person_id uuid references people (id),
    source text not null check (source in (${list(SOURCES)})),
    status text not null default 'pending' check (status in (${list(STATUSES)})),
    kind text check (kind in (${list(KINDS)})),
    content_type text,
    size_bytes bigint,
    width int,
    height int,
    has_thumbnail boolean not null default false,
    provider_url_encrypted text,
    provider_ref text,
    provider_deleted_at timestamptz,
    refused_reason text,
    key_encrypted text,
    attempts int not null default 0,
    created_at timestamptz not null default now(),
    stored_at timestamptz
  )`.execute(db);
  await sql`create index attachments_case_idx on attachments (case_id)`.execute(db);
  await sql`create index attachments_message_idx on attachments (message_id)`.execute(db);

  await sql`create table attachment_chunks (
    attachment_id uuid not null references attachments (id) on delete cascade,
    variant text not null check (variant in (${list(VARIANTS)})),
    seq int not null check (seq >= 0),
    data bytea not null,
    primary key (attachment_id, variant, seq)
  )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table attachment_chunks`.execute(db);
  await sql`drop table attachments`.execute(db);
}
