import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema';

type Executor = Kysely<Database> | Transaction<Database>;

export const ESCALATION_STATUSES = ['open', 'acknowledged', 'closed'] as const;
export type EscalationStatus = (typeof ESCALATION_STATUSES)[number];

/** Inserts an open escalation. */
export async function insertEscalation(
  db: Executor,
  values: { caseId: string; embassyId: string; ruleId: string | null; reasonSealed: string | null; createdByUserId: string | null; at: Date },
): Promise<string> {
  const row = await db
    .insertInto('escalations')
    .values({
      case_id: values.caseId, embassy_organisation_id: values.embassyId, routing_rule_id: values.ruleId, status: 'open',
      reason_encrypted: values.reasonSealed, created_by_user_id: values.createdByUserId, created_at: values.at, updated_at: values.at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Whether the case has an escalation to this embassy that is not closed. */
export async function hasOpenEscalation(db: Executor, caseId: string, embassyId: string): Promise<boolean> {
  const row = await db.selectFrom('escalations').select('id').where('case_id', '=', caseId).where('embassy_organisation_id', '=', embassyId).where('status', '<>', 'closed').executeTakeFirst();
  return row !== undefined;
}

const columns = [
  'escalations.id', 'escalations.case_id', 'escalations.embassy_organisation_id', 'escalations.status', 'escalations.reason_encrypted',
  'escalations.outcome_encrypted', 'escalations.created_at', 'escalations.acknowledged_at', 'escalations.closed_at', 'escalations.routing_rule_id',
  'embassy.name as embassy_name', 'embassy.slug as embassy_slug', 'routing_rules.name as rule_name', 'cases.reference',
  'cases.owner_organisation_id', 'cases.assigned_user_id', 'creator.organisation_id as created_by_organisation_id',
] as const;

function baseQuery(db: Executor) {
  return db
    .selectFrom('escalations')
    .innerJoin('organisations as embassy', 'embassy.id', 'escalations.embassy_organisation_id')
    .innerJoin('cases', 'cases.id', 'escalations.case_id')
    .leftJoin('routing_rules', 'routing_rules.id', 'escalations.routing_rule_id')
    .leftJoin('users as creator', 'creator.id', 'escalations.created_by_user_id');
}

/** One escalation with its case reference, locked when asked. */
export async function findEscalation(db: Executor, id: string, options: { lock: boolean } = { lock: false }) {
  let query = baseQuery(db).select([...columns]).where('escalations.id', '=', id);
  if (options.lock) query = query.forUpdate('escalations');
  return query.executeTakeFirst();
}

/** The escalations of a case, oldest first. */
export async function listEscalationsOfCase(db: Executor, caseId: string) {
  return baseQuery(db).select([...columns]).where('escalations.case_id', '=', caseId).orderBy('escalations.created_at').orderBy('escalations.id').execute();
}

/** Escalations to one embassy (or all), oldest first, by status. */
export async function listEscalations(db: Executor, filters: { embassyId?: string | undefined; status: readonly string[]; limit: number }) {
  let query = baseQuery(db).select([...columns, 'cases.urgency', 'cases.categories']).where('escalations.status', 'in', filters.status);
  if (filters.embassyId) query = query.where('escalations.embassy_organisation_id', '=', filters.embassyId);
  return query.orderBy('escalations.created_at').orderBy('escalations.id').limit(filters.limit).execute();
}

/** Changes an escalation's status and the fields that go with it. */
export async function setEscalationStatus(
  db: Executor,
  id: string,
  change: { status: EscalationStatus; at: Date; acknowledgedByUserId?: string; outcomeSealed?: string },
): Promise<void> {
  await db
    .updateTable('escalations')
    .set({
      status: change.status,
      updated_at: change.at,
      ...(change.status === 'acknowledged' ? { acknowledged_at: change.at, acknowledged_by_user_id: change.acknowledgedByUserId ?? null } : {}),
      ...(change.status === 'closed' ? { closed_at: change.at, outcome_encrypted: change.outcomeSealed ?? null } : {}),
    })
    .where('id', '=', id)
    .execute();
}
