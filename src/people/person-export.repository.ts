import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema';

type Executor = Kysely<Database> | Transaction<Database>;

// Everything the hotline holds about one person, for the copy a coordinator makes for the worker
// or their lawyer. Each query takes the whole set of people (the person and those merged into
// them) or of their cases and identities at once: one query per kind, however many cases.

/** A person as stored (no personal data on the row itself). */
export async function findPersonForExport(db: Executor, personId: string) {
  return db.selectFrom('people').select(['id', 'created_at', 'erased_at']).where('id', '=', personId).executeTakeFirst();
}

/** The people merged into any of these (merges not undone): their ids, and when. */
export async function listPeopleMergedInto(db: Executor, personIds: readonly string[]) {
  if (personIds.length === 0) return [];
  return db
    .selectFrom('person_merges')
    .select(['merged_person_id', 'merged_at'])
    .where('kept_person_id', 'in', [...personIds])
    .where('undone_at', 'is', null)
    .orderBy('merged_at')
    .execute();
}

/** The channel identities of these people, oldest first, with their sealed addresses. */
export async function listIdentitiesForExport(db: Executor, personIds: readonly string[]) {
  if (personIds.length === 0) return [];
  return db
    .selectFrom('contacts')
    .select(['id', 'channel', 'address_encrypted', 'language', 'is_opted_out', 'opted_out_at', 'is_discreet', 'last_message_at', 'created_at', 'erased_at'])
    .where('person_id', 'in', [...personIds])
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** The cases of these people, oldest first, with the name of the organisation holding each. */
export async function listCasesForExport(db: Executor, personIds: readonly string[]) {
  if (personIds.length === 0) return [];
  return db
    .selectFrom('cases')
    .leftJoin('organisations as owner', 'owner.id', 'cases.owner_organisation_id')
    .select([
      'cases.id', 'cases.reference', 'cases.channel', 'cases.language', 'cases.status', 'cases.urgency', 'cases.categories',
      'cases.forced_labour_indicators', 'cases.sector', 'cases.origin_country', 'cases.origin_province', 'cases.destination_country',
      'cases.destination_province', 'cases.location_raw_encrypted', 'cases.gender', 'cases.age_band', 'cases.workers_affected',
      'cases.summary_encrypted', 'cases.employer_encrypted', 'cases.consent_given', 'cases.consent_at', 'cases.consent_wording',
      'cases.consent_wording_encrypted', 'cases.consent_source', 'cases.outcome', 'cases.amount_recovered', 'cases.recovered_currency',
      'cases.created_at', 'cases.updated_at', 'cases.resolved_at', 'cases.personal_data_erased_at', 'owner.name as organisation',
    ])
    .where('cases.person_id', 'in', [...personIds])
    .orderBy('cases.created_at')
    .orderBy('cases.id')
    .execute();
}

/** The messages of these cases or identities, both ways, in arrival order. */
export async function listMessagesForExport(db: Executor, caseIds: readonly string[], contactIds: readonly string[]) {
  if (caseIds.length === 0 && contactIds.length === 0) return [];
  return db
    .selectFrom('messages')
    .select(['id', 'case_id', 'contact_id', 'direction', 'channel', 'body_encrypted', 'raw_body_encrypted', 'language', 'status', 'event', 'created_at'])
    .where((eb) => eb.or([
      ...(caseIds.length > 0 ? [eb('case_id', 'in', [...caseIds])] : []),
      ...(contactIds.length > 0 ? [eb('contact_id', 'in', [...contactIds])] : []),
    ]))
    .orderBy('created_at')
    .orderBy('sequence')
    .execute();
}

/** The notes on these cases, oldest first, with the name of the organisation that wrote each. */
export async function listNotesForExport(db: Executor, caseIds: readonly string[]) {
  if (caseIds.length === 0) return [];
  return db
    .selectFrom('notes')
    .innerJoin('organisations', 'organisations.id', 'notes.organisation_id')
    .select(['notes.id', 'notes.case_id', 'notes.visibility', 'notes.body_encrypted', 'notes.created_at', 'organisations.name as organisation'])
    .where('notes.case_id', 'in', [...caseIds])
    .orderBy('notes.created_at')
    .orderBy('notes.id')
    .execute();
}

/** The referrals of these cases, oldest first, with the organisations' names. */
export async function listReferralsForExport(db: Executor, caseIds: readonly string[]) {
  if (caseIds.length === 0) return [];
  return db
    .selectFrom('referrals')
    .innerJoin('organisations as to_org', 'to_org.id', 'referrals.to_organisation_id')
    .leftJoin('organisations as from_org', 'from_org.id', 'referrals.from_organisation_id')
    .select([
      'referrals.id', 'referrals.case_id', 'referrals.status', 'referrals.reason_encrypted', 'referrals.decline_reason_encrypted',
      'referrals.due_at', 'referrals.created_at', 'referrals.responded_at', 'referrals.completed_at', 'from_org.name as from_name',
      'to_org.name as to_name',
    ])
    .where('referrals.case_id', 'in', [...caseIds])
    .orderBy('referrals.created_at')
    .orderBy('referrals.id')
    .execute();
}

/** The escalations of these cases to embassies, oldest first. */
export async function listEscalationsForExport(db: Executor, caseIds: readonly string[]) {
  if (caseIds.length === 0) return [];
  return db
    .selectFrom('escalations')
    .innerJoin('organisations as embassy', 'embassy.id', 'escalations.embassy_organisation_id')
    .select([
      'escalations.id', 'escalations.case_id', 'escalations.status', 'escalations.reason_encrypted', 'escalations.outcome_encrypted',
      'escalations.created_at', 'escalations.acknowledged_at', 'escalations.closed_at', 'embassy.name as embassy_name',
    ])
    .where('escalations.case_id', 'in', [...caseIds])
    .orderBy('escalations.created_at')
    .orderBy('escalations.id')
    .execute();
}

/**
 * The attachments of these cases or people, oldest first (ties in id order, as the case page
 * numbers them). Never their sealed keys or the provider's address.
 */
export async function listAttachmentsForExport(db: Executor, caseIds: readonly string[], personIds: readonly string[]) {
  if (caseIds.length === 0 && personIds.length === 0) return [];
  return db
    .selectFrom('attachments')
    .select(['id', 'case_id', 'message_id', 'source', 'status', 'kind', 'content_type', 'size_bytes', 'has_thumbnail', 'created_at'])
    .where((eb) => eb.or([
      ...(caseIds.length > 0 ? [eb('case_id', 'in', [...caseIds])] : []),
      ...(personIds.length > 0 ? [eb('person_id', 'in', [...personIds])] : []),
    ]))
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** The calls to the voice line of these cases or identities, oldest first. */
export async function listCallsForExport(db: Executor, caseIds: readonly string[], contactIds: readonly string[]) {
  if (caseIds.length === 0 && contactIds.length === 0) return [];
  return db
    .selectFrom('calls')
    .select(['id', 'case_id', 'contact_id', 'language', 'category', 'wants_callback', 'safe_time', 'recording_attachment_id', 'started_at', 'ended_at'])
    .where((eb) => eb.or([
      ...(caseIds.length > 0 ? [eb('case_id', 'in', [...caseIds])] : []),
      ...(contactIds.length > 0 ? [eb('contact_id', 'in', [...contactIds])] : []),
    ]))
    .orderBy('started_at')
    .orderBy('id')
    .execute();
}

/** The name of a staff member and of their organisation, for the line saying who made a copy. */
export async function findExporter(db: Executor, userId: string) {
  return db
    .selectFrom('users')
    .innerJoin('organisations', 'organisations.id', 'users.organisation_id')
    .select(['users.display_name as name', 'organisations.name as organisation'])
    .where('users.id', '=', userId)
    .executeTakeFirst();
}

/** The person a case belongs to, by reference; undefined for no such case. */
export async function findPersonOfReference(db: Executor, reference: string): Promise<string | undefined> {
  return (await db.selectFrom('cases').select('person_id').where('reference', '=', reference).executeTakeFirst())?.person_id;
}
