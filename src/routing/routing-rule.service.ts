import { recordAudit } from '../audit/audit.repository';
import { normaliseCaseReference } from '../cases/case-reference';
import { actorOf, caseOrNotFound, type Caller, type CaseWorkDeps } from '../cases/case-access';
import { errors } from '../http/errors';
import { findReferableOrganisation, listOrganisationNames } from '../orgs/organisation.repository';
import { checkRule, embassyFor, planRouting, type RoutableCase, type Rule, type RoutingSituation } from './routing';
import {
  activeEmbassies, activeRules, deleteRoutingRule, findRoutingRule, insertRoutingRule,
  listRoutingRules, routableFacts, routingSituationOf, updateRoutingRule, type RoutingRuleRow,
} from './routing-rule.repository';
import type { CreateRoutingRuleBody, TestRoutingRuleBody, UpdateRoutingRuleBody } from './routing-rule.schema';

// Coordinators keep the routing rules. Rules hold no personal data, so reading them is not
// audited; every change is. Trying a rule on a real case reads only its routable fields.

/** A rule as the API shows it. */
export function presentRule(row: RoutingRuleRow) {
  return {
    id: row.id, name: row.name, priority: row.priority, is_active: row.is_active, conditions: row.conditions, action: row.action,
    target_organisation: row.target_slug ? { slug: row.target_slug, name: row.target_name } : null, response_hours: row.response_hours,
    created_at: row.created_at, updated_at: row.updated_at,
  };
}

/** Every rule in priority order. */
export async function listRulesFor(deps: Pick<CaseWorkDeps, 'db'>) {
  return (await listRoutingRules(deps.db)).map(presentRule);
}

async function targetIdOf(deps: Pick<CaseWorkDeps, 'db'>, action: string | undefined, slug: string | null | undefined): Promise<string | null | undefined> {
  if (slug === undefined) return undefined;
  if (slug === null) return null;
  const target = await findReferableOrganisation(deps.db, slug);
  if (!target) throw errors.validation([{ field: 'target_organisation', reason: 'unknown_organisation' }]);
  if (action === 'escalate') throw errors.validation([{ field: 'target_organisation', reason: 'refer_needs_target_escalate_has_none' }]);
  return target.id;
}

/** Creates a rule. */
export async function createRuleFor(deps: CaseWorkDeps, caller: Caller, body: CreateRoutingRuleBody) {
  const targetId = await targetIdOf(deps, body.action, body.target_organisation);
  const id = await insertRoutingRule(deps.db, {
    name: body.name, priority: body.priority, is_active: body.is_active, conditions: body.conditions, action: body.action,
    target_organisation_id: targetId ?? null, response_hours: body.response_hours, at: deps.clock.now(),
  });
  await recordAudit(deps.db, { ...actorOf(caller), action: 'routing_rule.created', subjectType: 'routing_rule', subjectId: id });
  return presentRule(await ruleOrNotFound(deps, id));
}

async function ruleOrNotFound(deps: Pick<CaseWorkDeps, 'db'>, id: string): Promise<RoutingRuleRow> {
  const row = await findRoutingRule(deps.db, id);
  if (!row) throw errors.notFound();
  return row;
}

/** One rule. */
export async function getRuleFor(deps: Pick<CaseWorkDeps, 'db'>, id: string) {
  return presentRule(await ruleOrNotFound(deps, id));
}

/** Changes a rule; a `refer` rule keeps a target and an `escalate` rule has none. */
export async function updateRuleFor(deps: CaseWorkDeps, caller: Caller, id: string, body: UpdateRoutingRuleBody) {
  const existing = await ruleOrNotFound(deps, id);
  const action = body.action ?? existing.action;
  const targetId = await targetIdOf(deps, action, body.target_organisation);
  const finalTarget = targetId === undefined ? (action === 'escalate' ? null : existing.target_organisation_id) : targetId;
  if (action === 'refer' && !finalTarget) throw errors.validation([{ field: 'target_organisation', reason: 'refer_needs_target_escalate_has_none' }]);
  const { target_organisation: _slug, ...rest } = body;
  await updateRoutingRule(deps.db, id, { ...rest, target_organisation_id: finalTarget }, deps.clock.now());
  await recordAudit(deps.db, { ...actorOf(caller), action: 'routing_rule.updated', subjectType: 'routing_rule', subjectId: id, details: { fields: Object.keys(body) } });
  return presentRule(await ruleOrNotFound(deps, id));
}

/** Deletes a rule. */
export async function deleteRuleFor(deps: CaseWorkDeps, caller: Caller, id: string): Promise<void> {
  if (!(await deleteRoutingRule(deps.db, id))) throw errors.notFound();
  await recordAudit(deps.db, { ...actorOf(caller), action: 'routing_rule.deleted', subjectType: 'routing_rule', subjectId: id });
}

/**
 * Tries a rule (saved or not) on a sample case or a real one: whether each condition holds, what
 * the rule would do on its own, and what the whole rule set would do with it in place.
 */
export async function testRuleFor(deps: CaseWorkDeps, caller: Caller, body: TestRoutingRuleBody) {
  const targetId = body.rule.action === 'refer' ? await targetIdOf(deps, 'refer', body.rule.target_organisation) : null;
  const candidate: Rule = {
    id: body.rule.id ?? 'candidate', name: body.rule.name, priority: body.rule.priority, conditions: body.rule.conditions,
    action: body.rule.action, targetOrganisationId: targetId ?? null, responseHours: body.rule.response_hours,
  };
  const embassies = await activeEmbassies(deps.db);
  let facts: RoutableCase;
  let situation: RoutingSituation = { placed: false, referredOrganisationIds: new Set<string>(), escalatedEmbassyIds: new Set<string>(), embassies };
  if ('reference' in body.case) {
    const reference = normaliseCaseReference(body.case.reference);
    if (!reference) throw errors.validation([{ field: 'case.reference', reason: 'invalid_format' }]);
    const found = await caseOrNotFound(deps, caller, reference, 'routing_rule.test');
    facts = routableFacts(found);
    situation = await routingSituationOf(deps.db, found, embassies);
    await recordAudit(deps.db, { ...actorOf(caller), action: 'routing_rule.tested', subjectType: 'case', subjectId: reference, caseId: found.id });
  } else {
    facts = body.case;
  }
  const { matches, checks } = checkRule(candidate.conditions, facts);
  const others = (await activeRules(deps.db)).filter((rule) => rule.id !== candidate.id);
  const ruleSet = body.rule.is_active ? [...others, candidate].sort((a, b) => a.priority - b.priority) : others;
  const plan = planRouting(facts, ruleSet, situation);
  const embassy = candidate.action === 'escalate' ? embassyFor(embassies, facts) : undefined;
  const names = await organisationNames(deps, [
    ...(plan.referral ? [plan.referral.organisationId] : []), ...plan.escalations.map((item) => item.embassyId), ...(targetId ? [targetId] : []), ...(embassy ? [embassy.id] : []),
  ]);
  return {
    matches,
    checks: checks.map((check) => ({ condition: check.key, expected: check.expected, actual: check.actual, met: check.met })),
    would: !matches
      ? null
      : candidate.action === 'refer'
        ? { action: 'refer', organisation: targetId ? names.get(targetId) ?? null : null, response_hours: candidate.responseHours }
        : { action: 'escalate', embassy: embassy ? names.get(embassy.id) ?? null : null },
    rule_set: {
      referral: plan.referral ? { rule: plan.referral.rule.name, organisation: names.get(plan.referral.organisationId) ?? null, by_this_rule: plan.referral.rule === candidate } : null,
      escalations: plan.escalations.map((item) => ({ rule: item.rule.name, embassy: names.get(item.embassyId) ?? null, by_this_rule: item.rule === candidate })),
      skipped: plan.skipped.map((item) => ({ rule: item.rule.name, reason: item.reason, this_rule: item.rule === candidate })),
      to_triage: !situation.placed && plan.referral === null,
    },
  };
}

async function organisationNames(deps: Pick<CaseWorkDeps, 'db'>, ids: string[]): Promise<Map<string, { slug: string; name: string }>> {
  if (ids.length === 0) return new Map();
  const rows = await listOrganisationNames(deps.db, ids);
  return new Map(rows.map((row) => [row.id, { slug: row.slug, name: row.name }]));
}
