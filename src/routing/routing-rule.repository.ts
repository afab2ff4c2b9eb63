import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema';
import type { Embassy, RoutableCase, Rule, RoutingSituation } from './routing';
import { routingConditions } from './routing-rule.schema';

type Executor = Kysely<Database> | Transaction<Database>;

const ruleColumns = [
  'routing_rules.id', 'routing_rules.name', 'routing_rules.priority', 'routing_rules.is_active', 'routing_rules.conditions',
  'routing_rules.action', 'routing_rules.target_organisation_id', 'routing_rules.response_hours', 'routing_rules.created_at',
  'routing_rules.updated_at',
] as const;

/** Every rule in priority order, with the slug and name of its target organisation. */
export async function listRoutingRules(db: Executor) {
  return db
    .selectFrom('routing_rules')
    .leftJoin('organisations', 'organisations.id', 'routing_rules.target_organisation_id')
    .select([...ruleColumns, 'organisations.slug as target_slug', 'organisations.name as target_name'])
    .orderBy('routing_rules.priority')
    .orderBy('routing_rules.created_at')
    .execute();
}

/** One rule by id. */
export async function findRoutingRule(db: Executor, id: string) {
  return db
    .selectFrom('routing_rules')
    .leftJoin('organisations', 'organisations.id', 'routing_rules.target_organisation_id')
    .select([...ruleColumns, 'organisations.slug as target_slug', 'organisations.name as target_name'])
    .where('routing_rules.id', '=', id)
    .executeTakeFirst();
}

export type RoutingRuleRow = NonNullable<Awaited<ReturnType<typeof findRoutingRule>>>;

/** The planner's view of a stored rule (conditions re-validated: a bad row matches nothing). */
export function toRule(row: Pick<RoutingRuleRow, 'id' | 'name' | 'priority' | 'conditions' | 'action' | 'target_organisation_id' | 'response_hours'>): Rule | undefined {
  const conditions = routingConditions.safeParse(row.conditions);
  if (!conditions.success || (row.action !== 'refer' && row.action !== 'escalate')) return undefined;
  return {
    id: row.id, name: row.name, priority: row.priority, conditions: conditions.data, action: row.action,
    targetOrganisationId: row.target_organisation_id, responseHours: row.response_hours,
  };
}

/** Active rules in priority order whose target organisation (if any) is active. */
export async function activeRules(db: Executor): Promise<Rule[]> {
  const rows = await db
    .selectFrom('routing_rules')
    .leftJoin('organisations', 'organisations.id', 'routing_rules.target_organisation_id')
    .select([...ruleColumns])
    .where('routing_rules.is_active', '=', true)
    .where((eb) => eb.or([eb('routing_rules.target_organisation_id', 'is', null), eb('organisations.is_active', '=', true)]))
    .orderBy('routing_rules.priority')
    .orderBy('routing_rules.created_at')
    .execute();
  return rows.flatMap((row) => toRule(row) ?? []);
}

/** Active embassy labour liaison offices. */
export async function activeEmbassies(db: Executor): Promise<Embassy[]> {
  return db
    .selectFrom('organisations')
    .select(['id', 'country', 'nationalities'])
    .where('kind', '=', 'embassy')
    .where('is_active', '=', true)
    .orderBy('slug')
    .execute();
}

/**
 * The routable fields of a case, locking its row when asked (routing a case twice at once would
 * race). The lock is FOR NO KEY UPDATE: it keeps out every other writer of the case, but not the
 * inserts of rows that refer to it (an event the voice line adds while the call goes on).
 */
export async function findRoutableCase(db: Executor, caseId: string, options: { lock: boolean }) {
  let query = db
    .selectFrom('cases')
    .select(['id', 'reference', 'status', 'owner_organisation_id', 'destination_country', 'destination_province', 'origin_country', 'categories', 'sector', 'language', 'urgency', 'channel'])
    .where('id', '=', caseId);
  if (options.lock) query = query.forNoKeyUpdate();
  return query.executeTakeFirst();
}

/** What has already happened to a case, for the planner. */
export async function routingSituationOf(db: Executor, caseRow: { id: string; owner_organisation_id: string | null }, embassies: readonly Embassy[]): Promise<RoutingSituation> {
  const [referrals, escalations] = await Promise.all([
    db.selectFrom('referrals').select(['to_organisation_id', 'status']).where('case_id', '=', caseRow.id).execute(),
    db.selectFrom('escalations').select('embassy_organisation_id').where('case_id', '=', caseRow.id).execute(),
  ]);
  return {
    placed: caseRow.owner_organisation_id !== null || referrals.some((referral) => referral.status === 'pending' || referral.status === 'accepted'),
    referredOrganisationIds: new Set(referrals.map((referral) => referral.to_organisation_id)),
    escalatedEmbassyIds: new Set(escalations.map((escalation) => escalation.embassy_organisation_id)),
    embassies,
  };
}

/** The facts of a case row as the planner reads them. */
export function routableFacts(row: RoutableCase): RoutableCase {
  return {
    destination_country: row.destination_country, destination_province: row.destination_province, origin_country: row.origin_country,
    categories: row.categories, sector: row.sector, language: row.language, urgency: row.urgency, channel: row.channel,
  };
}

/** Inserts a rule. */
export async function insertRoutingRule(db: Executor, values: { name: string; priority: number; is_active: boolean; conditions: object; action: string; target_organisation_id: string | null; response_hours: number; at: Date }): Promise<string> {
  const row = await db
    .insertInto('routing_rules')
    .values({
      name: values.name, priority: values.priority, is_active: values.is_active, conditions: JSON.stringify(values.conditions),
      action: values.action, target_organisation_id: values.target_organisation_id, response_hours: values.response_hours,
      created_at: values.at, updated_at: values.at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Updates a rule. */
export async function updateRoutingRule(db: Executor, id: string, values: { name?: string; priority?: number; is_active?: boolean; conditions?: object; action?: string; target_organisation_id?: string | null; response_hours?: number }, at: Date): Promise<void> {
  const { conditions, ...rest } = values;
  await db
    .updateTable('routing_rules')
    .set({ ...rest, ...(conditions ? { conditions: JSON.stringify(conditions) } : {}), updated_at: at })
    .where('id', '=', id)
    .execute();
}

/** Deletes a rule (referrals it made keep their history; their rule link becomes empty). */
export async function deleteRoutingRule(db: Executor, id: string): Promise<boolean> {
  const result = await db.deleteFrom('routing_rules').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
