import { type Kysely, sql } from 'kysely';

// Frozen once landed: vocabularies are written out here, not imported, so that a later change
// to the application's lists needs a migration of its own.

const ORG_KINDS = ['ngo', 'union', 'legal_aid', 'embassy', 'government', 'network'];
const ROLES = ['admin', 'coordinator', 'caseworker', 'liaison', 'researcher'];
const LANGUAGES = ['en', 'my', 'km', 'lo', 'th', 'vi'];
const CHANNELS = ['sms', 'whatsapp', 'web', 'console'];
const CASE_STATUSES = ['new', 'open', 'waiting', 'referred', 'resolved', 'closed'];
const URGENCIES = ['low', 'normal', 'high', 'emergency'];
const CATEGORIES = [
  'wages', 'documents', 'recruitment', 'contract', 'hours', 'injury', 'social_security', 'violence',
  'movement', 'arrest', 'trafficking', 'living', 'missing', 'info', 'other',
];
const INDICATORS = [
  'abuse_of_vulnerability', 'deception', 'restriction_of_movement', 'isolation', 'physical_sexual_violence',
  'intimidation_threats', 'retention_of_documents', 'withholding_of_wages', 'debt_bondage',
  'abusive_conditions', 'excessive_overtime',
];
const SECTORS = [
  'garment', 'fishing', 'seafood_processing', 'construction', 'agriculture', 'domestic_work', 'manufacturing',
  'hospitality', 'entertainment', 'other',
];
const OUTCOMES = [
  'wages_recovered', 'documents_returned', 'compensation_paid', 'repatriated', 'referred_elsewhere',
  'legal_case_filed', 'advice_given', 'lost_contact', 'other',
];
const GENDERS = ['female', 'male', 'other', 'undisclosed'];
const AGE_BANDS = ['under_18', '18_24', '25_34', '35_44', '45_54', '55_plus'];
const MESSAGE_STATUSES = [
  'received', 'queued', 'recorded', 'sending', 'sent', 'delivered', 'undelivered', 'failed', 'read',
];
const REFERRAL_STATUSES = ['pending', 'accepted', 'declined', 'expired', 'withdrawn', 'completed'];
const ESCALATION_STATUSES = ['open', 'acknowledged', 'closed'];
const JOB_STATUSES = ['pending', 'dispatched', 'running', 'done', 'dead'];

function oneOf(column: string, values: string[]) {
  return sql.raw(`${column} in (${values.map((value) => `'${value}'`).join(', ')})`);
}

function allOf(column: string, values: string[]) {
  return sql.raw(`${column} <@ array[${values.map((value) => `'${value}'`).join(', ')}]::text[]`);
}

const country = sql.raw(`~ '^[A-Z]{2}$'`);

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('organisations')
    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('slug', 'text', (col) => col.notNull().unique().check(sql`slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'`))
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('kind', 'text', (col) => col.notNull().check(oneOf('kind', ORG_KINDS)))
    .addColumn('country', 'text', (col) => col.notNull().check(sql`country ${country}`))
    .addColumn('city', 'text')
    .addColumn('provinces', sql`text[]`, (col) => col.notNull().defaultTo(sql`'{}'`))
    .addColumn('languages', sql`text[]`, (col) => col.notNull().defaultTo(sql`'{}'`).check(allOf('languages', LANGUAGES)))
    .addColumn('categories', sql`text[]`, (col) => col.notNull().defaultTo(sql`'{}'`).check(allOf('categories', CATEGORIES)))
    .addColumn('nationalities', sql`text[]`, (col) => col.notNull().defaultTo(sql`'{}'`))
    .addColumn('discreet_by_default', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('is_active', 'boolean', (col) => col.notNull().defaultTo(true))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organisation_id', 'uuid', (col) => col.notNull().references('organisations.id'))
    .addColumn('email', 'text', (col) => col.notNull().check(sql`email = lower(email) and email like '%@%'`))
    .addColumn('display_name', 'text', (col) => col.notNull())
    .addColumn('role', 'text', (col) => col.notNull().check(oneOf('role', ROLES)))
    .addColumn('locale', 'text', (col) => col.notNull().defaultTo('en').check(oneOf('locale', LANGUAGES)))
    .addColumn('password_hash', 'text')
    .addColumn('failed_sign_ins', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('locked_until', 'timestamptz')
    .addColumn('disabled_at', 'timestamptz')
    .addColumn('last_sign_in_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('users_email_key').unique().on('users').column('email').execute();
  await db.schema.createIndex('users_organisation_idx').on('users').columns(['organisation_id', 'role']).execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id_hash', 'text', (col) => col.primaryKey())
    .addColumn('user_id', 'uuid', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('csrf_secret', 'text', (col) => col.notNull())
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull())
    .addColumn('last_seen_at', 'timestamptz', (col) => col.notNull())
    .addColumn('expires_at', 'timestamptz', (col) => col.notNull())
    .addColumn('ended_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('sessions_user_idx').on('sessions').column('user_id').execute();

  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('user_id', 'uuid', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('token_hash', 'text', (col) => col.notNull().unique())
    .addColumn('prefix', 'text', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('last_used_at', 'timestamptz')
    .addColumn('expires_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('api_tokens_user_idx').on('api_tokens').column('user_id').execute();

  await db.schema
    .createTable('contacts')
    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('channel', 'text', (col) => col.notNull().check(oneOf('channel', ['sms', 'whatsapp'])))
    .addColumn('address_hash', 'text', (col) => col.notNull())
    .addColumn('address_encrypted', 'text', (col) => col.notNull())
    .addColumn('language', 'text', (col) => col.check(oneOf('language', LANGUAGES)))
    .addColumn('is_opted_out', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('opted_out_at', 'timestamptz')
    .addColumn('is_discreet', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('conversation', 'jsonb', (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('last_message_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('contacts_address_key').unique().on('contacts').columns(['channel', 'address_hash']).execute();

  await db.schema
    .createTable('cases')
    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('reference', 'text', (col) => col.notNull().unique().check(sql`reference ~ '^[2-9A-HJKMNP-Z]{3}-[2-9A-HJKMNP-Z]{3}$'`))
    .addColumn('contact_id', 'uuid', (col) => col.references('contacts.id'))
    .addColumn('channel', 'text', (col) => col.notNull().check(oneOf('channel', CHANNELS)))
    .addColumn('language', 'text', (col) => col.notNull().check(oneOf('language', LANGUAGES)))
    .addColumn('status', 'text', (col) => col.notNull().defaultTo('new').check(oneOf('status', CASE_STATUSES)))
    .addColumn('urgency', 'text', (col) => col.notNull().defaultTo('normal').check(oneOf('urgency', URGENCIES)))
    .addColumn('intake_complete', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('categories', sql`text[]`, (col) => col.notNull().defaultTo(sql`'{}'`).check(allOf('categories', CATEGORIES)))
    .addColumn('forced_labour_indicators', sql`text[]`, (col) =>
      col.notNull().defaultTo(sql`'{}'`).check(allOf('forced_labour_indicators', INDICATORS)),
    )
    .addColumn('sector', 'text', (col) => col.check(oneOf('sector', SECTORS)))
    .addColumn('origin_country', 'text', (col) => col.check(sql`origin_country ${country}`))
    .addColumn('origin_province', 'text')
    .addColumn('destination_country', 'text', (col) => col.check(sql`destination_country ${country}`))
    .addColumn('destination_province', 'text')
    .addColumn('location_raw_encrypted', 'text')
    .addColumn('gender', 'text', (col) => col.check(oneOf('gender', GENDERS)))
    .addColumn('age_band', 'text', (col) => col.check(oneOf('age_band', AGE_BANDS)))
    .addColumn('workers_affected', 'integer', (col) => col.notNull().defaultTo(1).check(sql`workers_affected between 1 and 100000`))
    .addColumn('summary_encrypted', 'text')
    .addColumn('employer_encrypted', 'text')
    .addColumn('employer_key', 'text')
    .addColumn('consent_given', 'boolean')
    .addColumn('consent_at', 'timestamptz')
    .addColumn('consent_wording', 'text')
    .addColumn('pin_hash', 'text')
    .addColumn('outcome', 'text', (col) => col.check(oneOf('outcome', OUTCOMES)))
    .addColumn('amount_recovered', 'numeric(14, 2)', (col) => col.check(sql`amount_recovered >= 0`))
    .addColumn('recovered_currency', 'text', (col) => col.check(sql`recovered_currency ~ '^[A-Z]{3}$'`))
    .addColumn('owner_organisation_id', 'uuid', (col) => col.references('organisations.id'))
    .addColumn('assigned_user_id', 'uuid', (col) => col.references('users.id'))
    .addColumn('first_response_at', 'timestamptz')
    .addColumn('resolved_at', 'timestamptz')
    .addColumn('last_worker_message_at', 'timestamptz')
    .addColumn('last_staff_message_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('cases_amount_has_currency', sql`(amount_recovered is null) = (recovered_currency is null)`)
    .addCheckConstraint('cases_consent_recorded', sql`consent_given is null or (consent_at is not null and consent_wording is not null)`)
    .execute();
  await db.schema.createIndex('cases_inbox_idx').on('cases').columns(['owner_organisation_id', 'status', 'updated_at']).execute();
  await db.schema.createIndex('cases_status_updated_idx').on('cases').columns(['status', 'updated_at']).execute();
  await db.schema.createIndex('cases_created_idx').on('cases').column('created_at').execute();
  await db.schema.createIndex('cases_destination_idx').on('cases').columns(['destination_country', 'destination_province']).execute();
  await db.schema.createIndex('cases_contact_idx').on('cases').columns(['contact_id', 'created_at']).execute();
  await db.schema.createIndex('cases_assigned_idx').on('cases').columns(['assigned_user_id', 'status']).execute();
  await db.schema.createIndex('cases_categories_idx').on('cases').using('gin').column('categories').execute();
  await db.schema.createIndex('cases_employer_idx').on('cases').column('employer_key').execute();

  await db.schema
    .createTable('case_events')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('case_id', 'uuid', (col) => col.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('type', 'text', (col) => col.notNull())
    .addColumn('actor_kind', 'text', (col) => col.notNull().check(oneOf('actor_kind', ['worker', 'staff', 'system'])))
    .addColumn('actor_user_id', 'uuid', (col) => col.references('users.id'))
    .addColumn('organisation_id', 'uuid', (col) => col.references('organisations.id'))
    .addColumn('data', 'jsonb', (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('case_events_case_idx').on('case_events').columns(['case_id', 'created_at']).execute();

  await db.schema
    .createTable('messages')
    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('case_id', 'uuid', (col) => col.references('cases.id').onDelete('cascade'))
    .addColumn('contact_id', 'uuid', (col) => col.references('contacts.id').onDelete('cascade'))
    .addColumn('direction', 'text', (col) => col.notNull().check(oneOf('direction', ['in', 'out'])))
    .addColumn('channel', 'text', (col) => col.notNull().check(oneOf('channel', CHANNELS)))
    .addColumn('provider_id', 'text', (col) => col.unique())
    .addColumn('body_encrypted', 'text')
    .addColumn('raw_body_encrypted', 'text')
    .addColumn('language', 'text', (col) => col.check(oneOf('language', LANGUAGES)))
    .addColumn('encoding', 'text', (col) => col.check(oneOf('encoding', ['GSM-7', 'UCS-2'])))
    .addColumn('segments', 'integer')
    .addColumn('status', 'text', (col) => col.notNull().check(oneOf('status', MESSAGE_STATUSES)))
    .addColumn('error_code', 'text')
    .addColumn('media', 'jsonb', (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('sent_by_user_id', 'uuid', (col) => col.references('users.id'))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('status_updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('messages_contact_idx').on('messages').columns(['contact_id', 'created_at']).execute();

  await db.schema
    .createTable('notes')
    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('case_id', 'uuid', (col) => col.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('organisation_id', 'uuid', (col) => col.notNull().references('organisations.id'))
    .addColumn('author_user_id', 'uuid', (col) => col.notNull().references('users.id'))
    .addColumn('visibility', 'text', (col) => col.notNull().check(oneOf('visibility', ['organisation', 'partners'])))
    .addColumn('body_encrypted', 'text', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('notes_case_idx').on('notes').columns(['case_id', 'created_at']).execute();

  await db.schema
    .createTable('routing_rules')
    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('priority', 'integer', (col) => col.notNull())
    .addColumn('is_active', 'boolean', (col) => col.notNull().defaultTo(true))
    .addColumn('conditions', 'jsonb', (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('action', 'text', (col) => col.notNull().check(oneOf('action', ['refer', 'escalate'])))
    .addColumn('target_organisation_id', 'uuid', (col) => col.references('organisations.id'))
    .addColumn('response_hours', 'integer', (col) => col.notNull().defaultTo(48).check(sql`response_hours between 1 and 720`))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('routing_rules_refer_has_target', sql`action <> 'refer' or target_organisation_id is not null`)
    .execute();
  await db.schema.createIndex('routing_rules_priority_idx').on('routing_rules').columns(['is_active', 'priority']).execute();

  await db.schema
    .createTable('referrals')
    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('case_id', 'uuid', (col) => col.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('from_organisation_id', 'uuid', (col) => col.references('organisations.id'))
    .addColumn('to_organisation_id', 'uuid', (col) => col.notNull().references('organisations.id'))
    .addColumn('routing_rule_id', 'uuid', (col) => col.references('routing_rules.id').onDelete('set null'))
    .addColumn('status', 'text', (col) => col.notNull().defaultTo('pending').check(oneOf('status', REFERRAL_STATUSES)))
    .addColumn('reason', 'text')
    .addColumn('decline_reason', 'text')
    .addColumn('due_at', 'timestamptz', (col) => col.notNull())
    .addColumn('created_by_user_id', 'uuid', (col) => col.references('users.id'))
    .addColumn('responded_at', 'timestamptz')
    .addColumn('completed_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('referrals_case_idx').on('referrals').columns(['case_id', 'created_at']).execute();
  await db.schema.createIndex('referrals_inbox_idx').on('referrals').columns(['to_organisation_id', 'status']).execute();
  await sql`create index referrals_due_idx on referrals (due_at) where status = 'pending'`.execute(db);
  await sql`create unique index referrals_one_live_key on referrals (case_id, to_organisation_id)
    where status in ('pending', 'accepted')`.execute(db);

  await db.schema
    .createTable('escalations')
    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('case_id', 'uuid', (col) => col.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('embassy_organisation_id', 'uuid', (col) => col.notNull().references('organisations.id'))
    .addColumn('routing_rule_id', 'uuid', (col) => col.references('routing_rules.id').onDelete('set null'))
    .addColumn('status', 'text', (col) => col.notNull().defaultTo('open').check(oneOf('status', ESCALATION_STATUSES)))
    .addColumn('reason', 'text', (col) => col.notNull())
    .addColumn('outcome', 'text')
    .addColumn('created_by_user_id', 'uuid', (col) => col.references('users.id'))
    .addColumn('acknowledged_by_user_id', 'uuid', (col) => col.references('users.id'))
    .addColumn('acknowledged_at', 'timestamptz')
    .addColumn('closed_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('escalations_inbox_idx').on('escalations').columns(['embassy_organisation_id', 'status', 'created_at']).execute();
  await db.schema.createIndex('escalations_case_idx').on('escalations').column('case_id').execute();
  await sql`create unique index escalations_one_open_key on escalations (case_id, embassy_organisation_id)
    where status <> 'closed'`.execute(db);

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('actor_kind', 'text', (col) => col.notNull().check(oneOf('actor_kind', ['user', 'token', 'worker', 'system', 'cli'])))
    .addColumn('actor_user_id', 'uuid')
    .addColumn('action', 'text', (col) => col.notNull())
    .addColumn('subject_type', 'text', (col) => col.notNull())
    .addColumn('subject_id', 'text')
    .addColumn('case_id', 'uuid')
    .addColumn('ip', 'text')
    .addColumn('details', 'jsonb', (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
    .execute();
  await db.schema.createIndex('audit_log_at_idx').on('audit_log').column('at').execute();
  await db.schema.createIndex('audit_log_case_idx').on('audit_log').columns(['case_id', 'at']).execute();
  await db.schema.createIndex('audit_log_actor_idx').on('audit_log').columns(['actor_user_id', 'at']).execute();
  await sql`
    create function audit_log_refuse_change() returns trigger language plpgsql as $$
    begin
      raise exception 'audit_log is append-only: % refused', tg_op using errcode = 'insufficient_privilege';
    end;
    $$`.execute(db);
  await sql`create trigger audit_log_append_only before update or delete on audit_log
    for each row execute function audit_log_refuse_change()`.execute(db);
  await sql`create trigger audit_log_no_truncate before truncate on audit_log
    for each statement execute function audit_log_refuse_change()`.execute(db);

  await db.schema
    .createTable('jobs_outbox')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('payload', 'jsonb', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull().defaultTo('pending').check(oneOf('status', JOB_STATUSES)))
    .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('run_after', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('locked_until', 'timestamptz')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('dispatched_at', 'timestamptz')
    .addColumn('finished_at', 'timestamptz')
    .execute();
  await sql`create index jobs_outbox_due_idx on jobs_outbox (run_after) where status in ('pending', 'running')`.execute(db);

  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (col) => col.primaryKey())
    .addColumn('value', 'jsonb', (col) => col.notNull())
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'settings', 'jobs_outbox', 'audit_log', 'escalations', 'referrals', 'routing_rules', 'notes', 'messages',
    'case_events', 'cases', 'contacts', 'api_tokens', 'sessions', 'users', 'organisations',
  ]) {
    await db.schema.dropTable(table).execute();
  }
  await sql`drop function audit_log_refuse_change()`.execute(db);
}
