import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema';

type Executor = Kysely<Database> | Transaction<Database>;

export const REFERRAL_STATUSES = ['pending', 'accepted', 'declined', 'expired', 'withdrawn', 'completed'] as const;
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];

/** Inserts a pending referral. */
export async function insertReferral(
  db: Executor,
  values: { caseId: string; fromOrganisationId: string | null; toOrganisationId: string; ruleId: string | null; reasonSealed: string | null; dueAt: Date; createdByUserId: string | null; at: Date },
): Promise<string> {
  const row = await db
    .insertInto('referrals')
    .values({
      case_id: values.caseId, from_organisation_id: values.fromOrganisationId, to_organisation_id: values.toOrganisationId,
      routing_rule_id: values.ruleId, status: 'pending', reason_encrypted: values.reasonSealed, due_at: values.dueAt,
      created_by_user_id: values.createdByUserId, created_at: values.at, updated_at: values.at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** A referral with its case, locked for a change of status. */
export async function findReferralForUpdate(db: Executor, id: string) {
  return db
    .selectFrom('referrals')
    .innerJoin('cases', 'cases.id', 'referrals.case_id')
    .select([
      'referrals.id', 'referrals.case_id', 'referrals.from_organisation_id', 'referrals.to_organisation_id', 'referrals.status',
      'referrals.due_at', 'referrals.created_by_user_id', 'cases.reference', 'cases.owner_organisation_id', 'cases.status as case_status',
    ])
    .where('referrals.id', '=', id)
    .forUpdate('referrals')
    .executeTakeFirst();
}

/** Changes a referral's status and the times that go with it. */
export async function setReferralStatus(
  db: Executor,
  id: string,
  change: { status: ReferralStatus; at: Date; declineReasonSealed?: string | null; responded?: boolean; completed?: boolean },
): Promise<void> {
  await db
    .updateTable('referrals')
    .set({
      status: change.status,
      updated_at: change.at,
      ...(change.declineReasonSealed !== undefined ? { decline_reason_encrypted: change.declineReasonSealed } : {}),
      ...(change.responded ? { responded_at: change.at } : {}),
      ...(change.completed ? { completed_at: change.at } : {}),
    })
    .where('id', '=', id)
    .execute();
}

const listColumns = [
  'referrals.id', 'referrals.status', 'referrals.due_at', 'referrals.created_at', 'referrals.responded_at', 'referrals.completed_at',
  'referrals.routing_rule_id', 'referrals.reason_encrypted', 'referrals.decline_reason_encrypted', 'referrals.from_organisation_id',
  'referrals.to_organisation_id', 'from_org.slug as from_slug', 'from_org.name as from_name', 'to_org.slug as to_slug',
  'to_org.name as to_name', 'to_org.country as to_country', 'routing_rules.name as rule_name',
] as const;

/** The referrals of a case, oldest first, with organisation names. */
export async function listReferralsOfCase(db: Executor, caseId: string) {
  return db
    .selectFrom('referrals')
    .innerJoin('organisations as to_org', 'to_org.id', 'referrals.to_organisation_id')
    .leftJoin('organisations as from_org', 'from_org.id', 'referrals.from_organisation_id')
    .leftJoin('routing_rules', 'routing_rules.id', 'referrals.routing_rule_id')
    .select([...listColumns])
    .where('referrals.case_id', '=', caseId)
    .orderBy('referrals.created_at')
    .orderBy('referrals.id')
    .execute();
}

export interface ReferralFilters {
  /** Only referrals to (incoming) or from (outgoing) this organisation; none: the whole network. */
  toOrganisationId?: string | undefined;
  fromOrganisationId?: string | undefined;
  /** Referrals to or from this organisation. */
  involvingOrganisationId?: string | undefined;
  status?: readonly string[] | undefined;
  /** Pending referrals past their due time as of this instant. */
  overdueAt?: Date | undefined;
  limit: number;
}

/** Referrals across cases, soonest due first, with the case reference. */
export async function listReferrals(db: Executor, filters: ReferralFilters) {
  let query = db
    .selectFrom('referrals')
    .innerJoin('cases', 'cases.id', 'referrals.case_id')
    .innerJoin('organisations as to_org', 'to_org.id', 'referrals.to_organisation_id')
    .leftJoin('organisations as from_org', 'from_org.id', 'referrals.from_organisation_id')
    .leftJoin('routing_rules', 'routing_rules.id', 'referrals.routing_rule_id')
    .select([...listColumns, 'cases.reference', 'cases.urgency', 'cases.categories'])
    .where('cases.status', '<>', 'closed');
  if (filters.toOrganisationId) query = query.where('referrals.to_organisation_id', '=', filters.toOrganisationId);
  if (filters.fromOrganisationId) query = query.where('referrals.from_organisation_id', '=', filters.fromOrganisationId);
  const involving = filters.involvingOrganisationId;
  if (involving) query = query.where((eb) => eb.or([eb('referrals.to_organisation_id', '=', involving), eb('referrals.from_organisation_id', '=', involving)]));
  if (filters.status?.length) query = query.where('referrals.status', 'in', filters.status);
  if (filters.overdueAt) query = query.where('referrals.status', '=', 'pending').where('referrals.due_at', '<', filters.overdueAt);
  return query.orderBy('referrals.due_at').orderBy('referrals.id').limit(filters.limit).execute();
}

/** Pending referrals whose due time has passed (the SLA sweep). */
export async function dueReferralIds(db: Executor, now: Date, limit: number): Promise<string[]> {
  const rows = await db.selectFrom('referrals').select('id').where('status', '=', 'pending').where('due_at', '<=', now).orderBy('due_at').limit(limit).execute();
  return rows.map((row) => row.id);
}

/** Whether an organisation has a pending or accepted referral of the case. */
export async function hasLiveReferral(db: Executor, caseId: string, organisationId: string): Promise<boolean> {
  const row = await db
    .selectFrom('referrals')
    .select('id')
    .where('case_id', '=', caseId)
    .where('to_organisation_id', '=', organisationId)
    .where('status', 'in', ['pending', 'accepted'])
    .executeTakeFirst();
  return row !== undefined;
}

/** The reference of a referral's case, or undefined when there is no such referral. */
export async function findReferralCaseReference(db: Executor, referralId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('referrals')
    .innerJoin('cases', 'cases.id', 'referrals.case_id')
    .select('cases.reference')
    .where('referrals.id', '=', referralId)
    .executeTakeFirst();
  return row?.reference;
}
