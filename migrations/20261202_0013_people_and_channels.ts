import { type Kysely, sql } from 'kysely';

// One person across channels (issue #13). A worker may write on SMS today, LINE tomorrow and report
// on the web; WhatsApp is moving to usernames, so a phone number cannot be the key. `contacts` stay
// what they were, one identity on one channel (sealed, found by keyed hash), and each now belongs
// to a `people` row; cases belong to a person. Existing data: each contact becomes its own person
// (the person takes the contact's id), and each web case without a contact its own person (the
// person takes the case's id); both are uuids drawn at random, so they cannot collide.
//
// Also: the chat channels (Messenger, LINE, Viber) and the voice line join the channel checks; a
// message can be `held` (a reply waiting for the worker to reopen WhatsApp's 24-hour window);
// inbound rows keep what kind of event they were (a follow, an unfollow, a sticker, a location)
// and LINE's short-lived reply token; a case remembers the identity a caseworker chose to answer on;
// merges of two people are recorded so that each can be undone exactly.
//
// Frozen once landed: the value lists are written out here, not imported.

const IDENTITY_CHANNELS = ['sms', 'whatsapp', 'messenger', 'line', 'viber', 'voice'];
const CHANNELS = [...IDENTITY_CHANNELS, 'web', 'console'];
const MESSAGE_STATUSES = [
  'received', 'queued', 'held', 'recorded', 'sending', 'sent', 'delivered', 'undelivered', 'failed', 'read',
];
const INBOUND_EVENTS = ['follow', 'unfollow', 'sticker', 'location'];
const CONSENT_SOURCES = ['sms', 'whatsapp', 'messenger', 'line', 'viber', 'voice', 'web', 'status_page', 'staff'];

function list(values: string[]) {
  return sql.join(values.map((value) => sql.lit(value)));
}

async function replaceCheck(db: Kysely<unknown>, table: string, name: string, column: string, values: string[]): Promise<void> {
  await sql`alter table ${sql.table(table)} drop constraint if exists ${sql.id(name)}`.execute(db);
  await sql`alter table ${sql.table(table)} add constraint ${sql.id(name)} check (${sql.ref(column)} in (${list(values)}))`.execute(db);
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table people (
    id uuid primary key default gen_random_uuid(),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`.execute(db);

  await sql`alter table contacts add column person_id uuid references people (id)`.execute(db);
  await sql`insert into people (id, created_at) select id, created_at from contacts`.execute(db);
  await sql`update contacts set person_id = id`.execute(db);
  await sql`alter table contacts alter column person_id set not null`.execute(db);
  await sql`create index contacts_person_idx on contacts (person_id)`.execute(db);

  await sql`alter table cases add column person_id uuid references people (id)`.execute(db);
  await sql`update cases set person_id = contact_id where contact_id is not null`.execute(db);
  await sql`insert into people (id, created_at) select id, created_at from cases where contact_id is null`.execute(db);
  await sql`update cases set person_id = id where contact_id is null`.execute(db);
  await sql`alter table cases alter column person_id set not null`.execute(db);
  await sql`create index cases_person_idx on cases (person_id)`.execute(db);

  // Every identity and every case has a person from its first row: a new contact gets a new person;
  // a new case gets its contact's person, or a new one (a web report). Inserts need not know.
  await sql`create function assign_contact_person() returns trigger language plpgsql as $$
    begin
      if new.person_id is null then
        insert into people (created_at) values (new.created_at) returning id into new.person_id;
      end if;
      return new;
    end $$`.execute(db);
  await sql`create function assign_case_person() returns trigger language plpgsql as $$
    begin
      if new.person_id is null and new.contact_id is not null then
        select person_id into new.person_id from contacts where id = new.contact_id;
      end if;
      if new.person_id is null then
        insert into people (created_at) values (new.created_at) returning id into new.person_id;
      end if;
      return new;
    end $$`.execute(db);
  await sql`create trigger contacts_assign_person before insert on contacts for each row execute function assign_contact_person()`.execute(db);
  await sql`create trigger cases_assign_person before insert on cases for each row execute function assign_case_person()`.execute(db);
  // The identity a caseworker chose to answer on; null: the one the worker used last.
  await sql`alter table cases add column reply_contact_id uuid references contacts (id)`.execute(db);

  await replaceCheck(db, 'contacts', 'contacts_channel_check', 'channel', IDENTITY_CHANNELS);
  await replaceCheck(db, 'cases', 'cases_channel_check', 'channel', CHANNELS);
  await replaceCheck(db, 'messages', 'messages_channel_check', 'channel', CHANNELS);
  await replaceCheck(db, 'messages', 'messages_status_check', 'status', MESSAGE_STATUSES);
  await replaceCheck(db, 'cases', 'cases_consent_source_check', 'consent_source', CONSENT_SOURCES);

  await sql`alter table messages add column event text check (event in (${list(INBOUND_EVENTS)}))`.execute(db);
  await sql`alter table messages add column reply_token text`.execute(db);
  await sql`alter table messages add column reply_token_expires_at timestamptz`.execute(db);
  // Held replies are released when the worker writes again on the identity they wait for.
  await sql`create index messages_held_idx on messages (contact_id) where status = 'held'`.execute(db);

  await sql`create table person_merges (
    id uuid primary key default gen_random_uuid(),
    kept_person_id uuid not null references people (id),
    merged_person_id uuid not null references people (id),
    contact_ids uuid[] not null,
    case_ids uuid[] not null,
    merged_by_user_id uuid not null references users (id),
    merged_at timestamptz not null,
    undone_by_user_id uuid references users (id),
    undone_at timestamptz,
    check (kept_person_id <> merged_person_id)
  )`.execute(db);
  await sql`create index person_merges_kept_idx on person_merges (kept_person_id)`.execute(db);
  await sql`create index person_merges_merged_idx on person_merges (merged_person_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table person_merges`.execute(db);
  await sql`drop index messages_held_idx`.execute(db);
  await sql`alter table messages drop column reply_token_expires_at, drop column reply_token, drop column event`.execute(db);
  await sql`update messages set status = 'queued' where status = 'held'`.execute(db);
  await replaceCheck(db, 'messages', 'messages_status_check', 'status', MESSAGE_STATUSES.filter((status) => status !== 'held'));
  await replaceCheck(db, 'cases', 'cases_consent_source_check', 'consent_source', ['sms', 'whatsapp', 'web', 'status_page', 'staff']);
  // Rows of the new channels cannot go back under the old checks: down() refuses rather than drop them.
  await replaceCheck(db, 'messages', 'messages_channel_check', 'channel', ['sms', 'whatsapp', 'web', 'console']);
  await replaceCheck(db, 'cases', 'cases_channel_check', 'channel', ['sms', 'whatsapp', 'web', 'console']);
  await replaceCheck(db, 'contacts', 'contacts_channel_check', 'channel', ['sms', 'whatsapp']);
  await sql`drop trigger cases_assign_person on cases`.execute(db);
  await sql`drop trigger contacts_assign_person on contacts`.execute(db);
  await sql`drop function assign_case_person()`.execute(db);
  await sql`drop function assign_contact_person()`.execute(db);
  await sql`alter table cases drop column reply_contact_id, drop column person_id`.execute(db);
  await sql`alter table contacts drop column person_id`.execute(db);
  await sql`drop table people`.execute(db);
}
