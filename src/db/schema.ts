import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

// The database's types, written once here and checked against the migrated schema by
// tests/integration/schema.test.ts (every table and column below must exist, and no other).

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type UpdatedAt = ColumnType<Date, Date | string | undefined, Date | string>;
type TextArray = ColumnType<string[], string[] | undefined, string[]>;
type Json<T> = ColumnType<T, string | undefined, string>;

/** How a worker's consent was recorded: by the worker on a channel, or by staff who heard it. */
export type ConsentSource = 'sms' | 'whatsapp' | 'messenger' | 'line' | 'viber' | 'voice' | 'web' | 'status_page' | 'staff';

export interface OrganisationsTable {
  id: Generated<string>;
  slug: string;
  name: string;
  kind: string;
  country: string;
  city: string | null;
  provinces: TextArray;
  languages: TextArray;
  categories: TextArray;
  nationalities: TextArray;
  discreet_by_default: Generated<boolean>;
  is_active: Generated<boolean>;
  /** IANA time zone its people read times in. */
  time_zone: Generated<string>;
  /** Its own retention period for cases it owns, shorter than RETENTION_MONTHS; null: the deployment's. */
  retention_months: number | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface UsersTable {
  id: Generated<string>;
  organisation_id: string;
  email: string;
  display_name: string;
  role: string;
  locale: Generated<string>;
  password_hash: string | null;
  failed_sign_ins: Generated<number>;
  locked_until: Timestamp | null;
  disabled_at: Timestamp | null;
  last_sign_in_at: Timestamp | null;
  /** Notices are also emailed (when SMTP_URL is set). */
  email_notifications: Generated<boolean>;
  /** The staff member's own phone, sealed: Twilio rings it first when they call a worker back. */
  phone_encrypted: string | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface SessionsTable {
  id_hash: string;
  user_id: string;
  csrf_secret: string;
  ip: string | null;
  user_agent: string | null;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  ended_at: Timestamp | null;
}

export interface ApiTokensTable {
  id: Generated<string>;
  user_id: string;
  name: string;
  token_hash: string;
  prefix: string;
  created_at: CreatedAt;
  last_used_at: Timestamp | null;
  expires_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

/** A worker, known by one or more channel identities (contacts) and owning their cases. No personal data here. */
export interface PeopleTable {
  id: Generated<string>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
  /** When the person's personal data was erased (their data key destroyed). */
  erased_at: Timestamp | null;
}

/** A person's own data key (base64 of 32 bytes), sealed with ENCRYPTION_KEY. Deleted when the person is erased. */
export interface PersonKeysTable {
  id: Generated<string>;
  person_id: string;
  key_encrypted: string;
  created_at: CreatedAt;
}

export type ErasureScope = 'person' | 'case';
export type ErasureSource = 'worker_keyword' | 'status_page' | 'console' | 'cli' | 'retention';
/** requested (by the worker) → proposed (one coordinator, with a reason) → confirmed (a second one) → done; or refused. */
export type ErasureStatus = 'requested' | 'proposed' | 'confirmed' | 'done' | 'refused';
export type ErasureReason = 'worker_request' | 'retention' | 'legal_order' | 'created_in_error' | 'other';
export type ErasureRefusalReason = 'legal_hold' | 'legal_obligation' | 'identity_not_confirmed' | 'other';

/** A request to erase a person's (or, for retention, one case's) personal data, and what became of it. */
export interface ErasuresTable {
  id: Generated<string>;
  person_id: string;
  case_id: string | null;
  scope: ErasureScope;
  source: ErasureSource;
  status: ErasureStatus;
  reason: ErasureReason | null;
  /** Staff's words on why, sealed with ENCRYPTION_KEY (not the person's key: it outlives the erasure). */
  reason_note_encrypted: string | null;
  requested_at: CreatedAt;
  /** 90 days after a worker's own request. */
  due_at: Timestamp | null;
  proposed_by_user_id: string | null;
  proposed_at: Timestamp | null;
  confirmed_by_user_id: string | null;
  confirmed_at: Timestamp | null;
  refused_by_user_id: string | null;
  refused_at: Timestamp | null;
  refusal_reason: ErasureRefusalReason | null;
  refusal_note_encrypted: string | null;
  done_at: Timestamp | null;
  /** Counts of what was erased, by kind (no personal data). */
  summary: Json<Record<string, number>>;
}

/** A copy a provider keeps (a Twilio message, media file or recording) that an erasure deletes. */
export interface ErasureProviderCopiesTable {
  id: Generated<string>;
  erasure_id: string;
  provider: string;
  kind: 'message' | 'media' | 'recording' | 'call';
  /** The provider's id or path of the copy (no personal data). */
  ref: string;
  status: Generated<'pending' | 'deleted' | 'gone' | 'failed'>;
  attempts: Generated<number>;
  last_error: string | null;
  done_at: Timestamp | null;
}

/** A case held for legal reasons: neither retention nor an erasure request erases it until released or expired. */
export interface LegalHoldsTable {
  id: Generated<string>;
  case_id: string;
  /** Sealed with ENCRYPTION_KEY. */
  reason_encrypted: string;
  held_until: Timestamp;
  created_by_user_id: string;
  created_at: CreatedAt;
  released_by_user_id: string | null;
  released_at: Timestamp | null;
}

/** Two people merged into one by a coordinator; `contact_ids` and `case_ids` moved, so the merge can be undone exactly. */
export interface PersonMergesTable {
  id: Generated<string>;
  kept_person_id: string;
  merged_person_id: string;
  contact_ids: TextArray;
  case_ids: TextArray;
  merged_by_user_id: string;
  merged_at: Timestamp;
  undone_by_user_id: string | null;
  undone_at: Timestamp | null;
}

/** One identity of a person on one channel: a phone number, a LINE or Viber user id, a Messenger id. */
export interface ContactsTable {
  id: Generated<string>;
  /** Set by a trigger when not given: a new identity is a new person. */
  person_id: Generated<string>;
  channel: string;
  address_hash: string;
  /** Null once erased. */
  address_encrypted: string | null;
  language: string | null;
  is_opted_out: Generated<boolean>;
  opted_out_at: Timestamp | null;
  is_discreet: Generated<boolean>;
  conversation: Json<Record<string, unknown>>;
  last_message_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
  erased_at: Timestamp | null;
}

export interface CasesTable {
  id: Generated<string>;
  reference: string;
  contact_id: string | null;
  /** Set by a trigger when not given: the contact's person, or a new one. */
  person_id: Generated<string>;
  /** The identity a caseworker chose to answer on; null: the one the worker used last. */
  reply_contact_id: string | null;
  channel: string;
  language: string;
  status: Generated<string>;
  urgency: Generated<string>;
  intake_complete: Generated<boolean>;
  categories: TextArray;
  forced_labour_indicators: TextArray;
  sector: string | null;
  origin_country: string | null;
  origin_province: string | null;
  destination_country: string | null;
  destination_province: string | null;
  location_raw_encrypted: string | null;
  gender: string | null;
  age_band: string | null;
  workers_affected: Generated<number>;
  summary_encrypted: string | null;
  employer_encrypted: string | null;
  employer_key: string | null;
  consent_given: boolean | null;
  consent_at: Timestamp | null;
  /** Plain wording of consent recorded before migration 0008, until the application seals it. */
  consent_wording: string | null;
  consent_wording_encrypted: string | null;
  /** How the consent was recorded: the worker on a channel (`sms`, `whatsapp`, `web`, `status_page`) or `staff`. */
  consent_source: ConsentSource | null;
  consent_recorded_by_user_id: string | null;
  pin_hash: string | null;
  outcome: string | null;
  /** numeric(14,2), returned as a string to keep every digit. */
  amount_recovered: ColumnType<string, string | number, string | number> | null;
  recovered_currency: string | null;
  owner_organisation_id: string | null;
  assigned_user_id: string | null;
  first_response_at: Timestamp | null;
  resolved_at: Timestamp | null;
  last_worker_message_at: Timestamp | null;
  last_staff_message_at: Timestamp | null;
  /** Statistics record key in [0, 2^20), random by default; never published (cell-key perturbation). */
  record_key: Generated<number>;
  created_at: ColumnType<Date, Date | string | undefined, Date | string>;
  updated_at: UpdatedAt;
  personal_data_erased_at: Timestamp | null;
  erasure_id: string | null;
}

export interface CaseEventsTable {
  id: Generated<string>;
  case_id: string;
  type: string;
  actor_kind: string;
  actor_user_id: string | null;
  organisation_id: string | null;
  data: Json<Record<string, unknown>>;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface MessagesTable {
  id: Generated<string>;
  case_id: string | null;
  contact_id: string | null;
  direction: string;
  channel: string;
  provider_id: string | null;
  body_encrypted: string | null;
  raw_body_encrypted: string | null;
  language: string | null;
  encoding: string | null;
  segments: number | null;
  status: string;
  error_code: string | null;
  media: Json<unknown[]>;
  sent_by_user_id: string | null;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  status_updated_at: UpdatedAt;
  /** Arrival order; inbound messages of one contact are processed in this order. */
  sequence: Generated<string>;
  processed_at: Timestamp | null;
  /** The reply template an outbound message was rendered from (no personal data). */
  template: string | null;
  /** Inbound: not words the worker wrote but a `follow`, `unfollow`, `sticker` or `location`. */
  event: string | null;
  /** LINE: a free reply token (inbound: received with the message; outbound: to be used for it). */
  reply_token: string | null;
  reply_token_expires_at: Timestamp | null;
}

export interface NotesTable {
  id: Generated<string>;
  case_id: string;
  organisation_id: string;
  author_user_id: string;
  visibility: string;
  body_encrypted: string;
  created_at: CreatedAt;
}

export interface RoutingRulesTable {
  id: Generated<string>;
  name: string;
  priority: number;
  is_active: Generated<boolean>;
  conditions: Json<Record<string, unknown>>;
  action: string;
  target_organisation_id: string | null;
  response_hours: Generated<number>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface ReferralsTable {
  id: Generated<string>;
  case_id: string;
  from_organisation_id: string | null;
  to_organisation_id: string;
  routing_rule_id: string | null;
  status: Generated<string>;
  reason_encrypted: string | null;
  decline_reason_encrypted: string | null;
  due_at: Timestamp;
  created_by_user_id: string | null;
  responded_at: Timestamp | null;
  completed_at: Timestamp | null;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  updated_at: UpdatedAt;
}

export interface EscalationsTable {
  id: Generated<string>;
  case_id: string;
  embassy_organisation_id: string;
  routing_rule_id: string | null;
  status: Generated<string>;
  reason_encrypted: string | null;
  outcome_encrypted: string | null;
  created_by_user_id: string | null;
  acknowledged_by_user_id: string | null;
  acknowledged_at: Timestamp | null;
  closed_at: Timestamp | null;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  updated_at: UpdatedAt;
}

export interface NotificationsTable {
  id: Generated<string>;
  user_id: string;
  kind: string;
  case_id: string | null;
  subject_id: string | null;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  read_at: Timestamp | null;
  email_status: string | null;
  emailed_at: Timestamp | null;
}

export interface AuditLogTable {
  id: Generated<string>;
  at: ColumnType<Date, Date | string | undefined, never>;
  actor_kind: string;
  actor_user_id: string | null;
  action: string;
  subject_type: string;
  subject_id: string | null;
  case_id: string | null;
  ip: string | null;
  details: Json<Record<string, unknown>>;
}

export interface JobsOutboxTable {
  id: Generated<string>;
  name: string;
  payload: Json<Record<string, unknown>>;
  status: Generated<string>;
  attempts: Generated<number>;
  run_after: ColumnType<Date, Date | string | undefined, Date | string>;
  locked_until: Timestamp | null;
  last_error: string | null;
  created_at: CreatedAt;
  dispatched_at: Timestamp | null;
  finished_at: Timestamp | null;
}

export interface CannedRepliesTable {
  id: Generated<string>;
  language: string;
  title: string;
  body: string;
  created_by_user_id: string | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface RateLimitsTable {
  key: string;
  hits: number;
  window_ends_at: Timestamp;
  locked_until: Timestamp | null;
}

export interface SettingsTable {
  key: string;
  value: Json<unknown>;
  updated_at: UpdatedAt;
}

/**
 * Statistics rollup kept by triggers on `cases` (migration 0003): '' stands for "not recorded",
 * category '*' for each case counted once. Every measure is a sum, histograms included.
 */
export interface StatsCaseMonthTable {
  month: ColumnType<Date, Date | string, Date | string>;
  category: string;
  origin_country: string;
  destination_country: string;
  sector: string;
  currency: string;
  cases: number;
  /** bigint, returned as a string. */
  workers: ColumnType<string, string | number, string | number>;
  resolved: number;
  /** numeric(16,2), returned as a string. */
  amount: ColumnType<string, string | number, string | number>;
  response_histogram: ColumnType<number[], number[], number[]>;
  resolution_histogram: ColumnType<number[], number[], number[]>;
  /** Sum of the record keys of the row's cases (bigint, returned as a string): cell keys for perturbation. */
  key_sum: ColumnType<string, string | number | undefined, string | number>;
}

/** Where an attachment came from: a provider's media, the web form, the status page, or staff. */
export type AttachmentSource = 'twilio' | 'line' | 'viber' | 'web' | 'status_page' | 'voice' | 'console';
/** One stored form of an attachment's bytes. */
export type AttachmentVariant = 'original' | 'thumbnail';

/** An evidence file: what it is and where it came from. Its bytes are sealed in `attachment_chunks`. */
export interface AttachmentsTable {
  id: Generated<string>;
  case_id: string | null;
  message_id: string | null;
  person_id: string | null;
  source: AttachmentSource;
  /** pending, stored, refused, failed or erased. */
  status: Generated<string>;
  /** image, document or audio, once the bytes were checked. */
  kind: string | null;
  content_type: string | null;
  /** bigint, returned as a string. */
  size_bytes: ColumnType<string | null, string | number | null | undefined, string | number | null>;
  width: number | null;
  height: number | null;
  has_thumbnail: Generated<boolean>;
  /** Where to fetch the file from the provider, sealed. */
  provider_url_encrypted: string | null;
  /** The provider's media id (not personal), for deleting it there. */
  provider_ref: string | null;
  provider_deleted_at: Timestamp | null;
  refused_reason: string | null;
  /** The file's own data key (base64), sealed with the personal-data cipher. */
  key_encrypted: string | null;
  attempts: Generated<number>;
  created_at: CreatedAt;
  stored_at: Timestamp | null;
}

/** One sealed chunk of an attachment's bytes: IV, ciphertext and GCM tag. */
export interface AttachmentChunksTable {
  attachment_id: string;
  variant: AttachmentVariant;
  seq: number;
  /** A Buffer on PostgreSQL, a Uint8Array on PGlite. */
  data: Uint8Array;
}

/** A recorded prompt of the voice line, in one language; its audio is an attachment. */
export interface VoicePromptsTable {
  /** Random: Twilio fetches the audio at /voice/prompts/<id> without credentials. */
  id: Generated<string>;
  prompt_key: string;
  language: string;
  attachment_id: string;
  created_at: CreatedAt;
}

/** One phone call to the voice line, from ring to case. */
export interface CallsTable {
  id: Generated<string>;
  /** Twilio's CallSid (CA…). */
  call_sid: string;
  /** The caller's voice identity, once they have a case (or had one). */
  contact_id: string | null;
  case_id: string | null;
  /** The caller's number, sealed, kept only while the call lasts. */
  caller_encrypted: string | null;
  language: string | null;
  /** Where the call is in its menus (no personal data). */
  state: Json<Record<string, unknown>>;
  category: string | null;
  wants_callback: boolean | null;
  /** morning, afternoon, evening or any. */
  safe_time: string | null;
  recording_attachment_id: string | null;
  /** Twilio's last CallStatus. */
  status: Generated<string>;
  started_at: CreatedAt;
  ended_at: Timestamp | null;
  /** When the call-back left the queue: the worker was reached, or every try was used. */
  callback_closed_at: Timestamp | null;
  /** reached or max_attempts. */
  callback_closed_as: string | null;
  /** When coordinators were told the call-back missed its safe window. */
  callback_flagged_at: Timestamp | null;
}

/** One try at calling a worker back: the caseworker's leg first, then the worker's. */
export interface CallbackAttemptsTable {
  id: Generated<string>;
  call_id: string;
  case_id: string;
  /** The caseworker (or coordinator) who called. */
  user_id: string;
  /** Twilio's CallSid of the leg to the caseworker's phone. */
  caseworker_call_sid: string | null;
  /** dialling, bridged, ended, caseworker_unreachable or failed. */
  status: Generated<string>;
  /** reached, no_answer, someone_else, not_safe, or voicemail (set by machine detection). */
  outcome: string | null;
  /** Twilio's AnsweredBy on the worker's side (human, machine_start, fax, unknown…). */
  answered_by: string | null;
  created_at: CreatedAt;
  outcome_at: Timestamp | null;
}

/** Every table of the hotline's database. */
export interface Database {
  organisations: OrganisationsTable;
  users: UsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  people: PeopleTable;
  person_keys: PersonKeysTable;
  erasures: ErasuresTable;
  erasure_provider_copies: ErasureProviderCopiesTable;
  legal_holds: LegalHoldsTable;
  person_merges: PersonMergesTable;
  contacts: ContactsTable;
  cases: CasesTable;
  case_events: CaseEventsTable;
  messages: MessagesTable;
  notes: NotesTable;
  routing_rules: RoutingRulesTable;
  referrals: ReferralsTable;
  escalations: EscalationsTable;
  notifications: NotificationsTable;
  audit_log: AuditLogTable;
  jobs_outbox: JobsOutboxTable;
  settings: SettingsTable;
  stats_case_month: StatsCaseMonthTable;
  rate_limits: RateLimitsTable;
  canned_replies: CannedRepliesTable;
  attachments: AttachmentsTable;
  attachment_chunks: AttachmentChunksTable;
  voice_prompts: VoicePromptsTable;
  calls: CallsTable;
  callback_attempts: CallbackAttemptsTable;
}

type ColumnList<T> = { [K in keyof T]-?: true };

/** The columns of each table, kept in step with the interfaces above by the compiler. */
export const schemaColumns: { [T in keyof Database]: ColumnList<Database[T]> } = {
  organisations: {
    id: true, slug: true, name: true, kind: true, country: true, city: true, provinces: true, languages: true,
    categories: true, nationalities: true, discreet_by_default: true, is_active: true, time_zone: true, retention_months: true, created_at: true, updated_at: true,
  },
  users: {
    id: true, organisation_id: true, email: true, display_name: true, role: true, locale: true, password_hash: true,
    failed_sign_ins: true, locked_until: true, disabled_at: true, last_sign_in_at: true, email_notifications: true, phone_encrypted: true, created_at: true,
    updated_at: true,
  },
  sessions: {
    id_hash: true, user_id: true, csrf_secret: true, ip: true, user_agent: true, created_at: true, last_seen_at: true,
    expires_at: true, ended_at: true,
  },
  api_tokens: {
    id: true, user_id: true, name: true, token_hash: true, prefix: true, created_at: true, last_used_at: true,
    expires_at: true, revoked_at: true,
  },
  people: { id: true, created_at: true, updated_at: true, erased_at: true },
  person_keys: { id: true, person_id: true, key_encrypted: true, created_at: true },
  erasures: {
    id: true, person_id: true, case_id: true, scope: true, source: true, status: true, reason: true, reason_note_encrypted: true,
    requested_at: true, due_at: true, proposed_by_user_id: true, proposed_at: true, confirmed_by_user_id: true, confirmed_at: true,
    refused_by_user_id: true, refused_at: true, refusal_reason: true, refusal_note_encrypted: true, done_at: true, summary: true,
  },
  erasure_provider_copies: {
    id: true, erasure_id: true, provider: true, kind: true, ref: true, status: true, attempts: true, last_error: true, done_at: true,
  },
  legal_holds: {
    id: true, case_id: true, reason_encrypted: true, held_until: true, created_by_user_id: true, created_at: true,
    released_by_user_id: true, released_at: true,
  },
  person_merges: {
    id: true, kept_person_id: true, merged_person_id: true, contact_ids: true, case_ids: true, merged_by_user_id: true,
    merged_at: true, undone_by_user_id: true, undone_at: true,
  },
  contacts: {
    id: true, person_id: true, channel: true, address_hash: true, address_encrypted: true, language: true, is_opted_out: true,
    opted_out_at: true, is_discreet: true, conversation: true, last_message_at: true, created_at: true, updated_at: true, erased_at: true,
  },
  cases: {
    id: true, reference: true, contact_id: true, person_id: true, reply_contact_id: true, channel: true, language: true, status: true, urgency: true,
    intake_complete: true, categories: true, forced_labour_indicators: true, sector: true, origin_country: true,
    origin_province: true, destination_country: true, destination_province: true, location_raw_encrypted: true,
    gender: true, age_band: true, workers_affected: true, summary_encrypted: true, employer_encrypted: true,
    employer_key: true, consent_given: true, consent_at: true, consent_wording: true, consent_wording_encrypted: true,
    consent_source: true, consent_recorded_by_user_id: true, pin_hash: true, outcome: true,
    amount_recovered: true, recovered_currency: true, owner_organisation_id: true, assigned_user_id: true,
    first_response_at: true, resolved_at: true, last_worker_message_at: true, last_staff_message_at: true,
    record_key: true, created_at: true, updated_at: true, personal_data_erased_at: true, erasure_id: true,
  },
  case_events: {
    id: true, case_id: true, type: true, actor_kind: true, actor_user_id: true, organisation_id: true, data: true,
    created_at: true,
  },
  messages: {
    id: true, case_id: true, contact_id: true, direction: true, channel: true, provider_id: true, body_encrypted: true,
    raw_body_encrypted: true, language: true, encoding: true, segments: true, status: true, error_code: true,
    media: true, sent_by_user_id: true, created_at: true, status_updated_at: true, sequence: true, processed_at: true,
    template: true, event: true, reply_token: true, reply_token_expires_at: true,
  },
  notes: {
    id: true, case_id: true, organisation_id: true, author_user_id: true, visibility: true, body_encrypted: true,
    created_at: true,
  },
  routing_rules: {
    id: true, name: true, priority: true, is_active: true, conditions: true, action: true,
    target_organisation_id: true, response_hours: true, created_at: true, updated_at: true,
  },
  referrals: {
    id: true, case_id: true, from_organisation_id: true, to_organisation_id: true, routing_rule_id: true,
    status: true, reason_encrypted: true, decline_reason_encrypted: true, due_at: true, created_by_user_id: true, responded_at: true,
    completed_at: true, created_at: true, updated_at: true,
  },
  escalations: {
    id: true, case_id: true, embassy_organisation_id: true, routing_rule_id: true, status: true, reason_encrypted: true,
    outcome_encrypted: true, created_by_user_id: true, acknowledged_by_user_id: true, acknowledged_at: true, closed_at: true,
    created_at: true, updated_at: true,
  },
  notifications: {
    id: true, user_id: true, kind: true, case_id: true, subject_id: true, created_at: true, read_at: true,
    email_status: true, emailed_at: true,
  },
  audit_log: {
    id: true, at: true, actor_kind: true, actor_user_id: true, action: true, subject_type: true, subject_id: true,
    case_id: true, ip: true, details: true,
  },
  jobs_outbox: {
    id: true, name: true, payload: true, status: true, attempts: true, run_after: true, locked_until: true,
    last_error: true, created_at: true, dispatched_at: true, finished_at: true,
  },
  settings: { key: true, value: true, updated_at: true },
  stats_case_month: {
    month: true, category: true, origin_country: true, destination_country: true, sector: true, currency: true,
    cases: true, workers: true, resolved: true, amount: true, response_histogram: true, resolution_histogram: true, key_sum: true,
  },
  rate_limits: { key: true, hits: true, window_ends_at: true, locked_until: true },
  canned_replies: { id: true, language: true, title: true, body: true, created_by_user_id: true, created_at: true, updated_at: true },
  attachments: {
    id: true, case_id: true, message_id: true, person_id: true, source: true, status: true, kind: true, content_type: true,
    size_bytes: true, width: true, height: true, has_thumbnail: true, provider_url_encrypted: true, provider_ref: true,
    provider_deleted_at: true, refused_reason: true, key_encrypted: true, attempts: true, created_at: true, stored_at: true,
  },
  attachment_chunks: { attachment_id: true, variant: true, seq: true, data: true },
  voice_prompts: { id: true, prompt_key: true, language: true, attachment_id: true, created_at: true },
  calls: {
    id: true, call_sid: true, contact_id: true, case_id: true, caller_encrypted: true, language: true, state: true, category: true,
    wants_callback: true, safe_time: true, recording_attachment_id: true, status: true, started_at: true, ended_at: true,
    callback_closed_at: true, callback_closed_as: true, callback_flagged_at: true,
  },
  callback_attempts: {
    id: true, call_id: true, case_id: true, user_id: true, caseworker_call_sid: true, status: true, outcome: true, answered_by: true,
    created_at: true, outcome_at: true,
  },
};

export type Organisation = Selectable<OrganisationsTable>;
export type NewOrganisation = Insertable<OrganisationsTable>;
export type UserRow = Selectable<UsersTable>;
export type CaseRow = Selectable<CasesTable>;
export type NewCase = Insertable<CasesTable>;
export type CaseUpdate = Updateable<CasesTable>;
export type MessageRow = Selectable<MessagesTable>;
export type OutboxRow = Selectable<JobsOutboxTable>;
