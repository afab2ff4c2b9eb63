import { type Kysely, sql } from 'kysely';

// The voice line (issue #15, first part): one row per phone call, from ring to case, and the
// recorded prompts a deployment plays instead of text-to-speech (Twilio has no voice for Burmese,
// Khmer or Lao). A call keeps the caller's number sealed only while it lasts: a call that ends
// without a message from a number with no open case leaves nothing personal behind. Prompt audio
// is an attachment like any other file, served to Twilio under the prompt's own random id.
//
// Frozen once landed: the value lists are written out here, not imported.

const LANGUAGES = ['en', 'my', 'km', 'lo', 'th', 'vi'];
const CALL_STATUSES = ['queued', 'ringing', 'in-progress', 'completed', 'busy', 'failed', 'no-answer', 'canceled'];
const SAFE_TIMES = ['morning', 'afternoon', 'evening', 'any'];

function list(values: string[]) {
  return sql.join(values.map((value) => sql.lit(value)));
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table voice_prompts (
    id uuid primary key default gen_random_uuid(),
    prompt_key text not null,
    language text not null check (language in (${list(LANGUAGES)})),
    attachment_id uuid not null references attachments (id),
    created_at timestamptz not null default now(),
    unique (prompt_key, language)
  )`.execute(db);

  await sql`create table calls (
    id uuid primary key default gen_random_uuid(),
    call_sid text not null unique,
    contact_id uuid references contacts (id),
    case_id uuid references cases (id),
    caller_encrypted text,
    language text check (language in (${list(LANGUAGES)})),
    state jsonb not null default '{}'::jsonb,
    category text,
    wants_callback boolean,
    safe_time text check (safe_time in (${list(SAFE_TIMES)})),
    recording_attachment_id uuid references attachments (id),
    status text not null default 'in-progress' check (status in (${list(CALL_STATUSES)})),
    started_at timestamptz not null default now(),
    ended_at timestamptz
  )`.execute(db);
  await sql`create index calls_contact_idx on calls (contact_id)`.execute(db);
  await sql`create index calls_case_idx on calls (case_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table calls`.execute(db);
  await sql`drop table voice_prompts`.execute(db);
}
