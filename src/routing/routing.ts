import type { RoutingConditionKey, RoutingConditions } from './routing-rule.schema';
import { ROUTING_CONDITION_KEYS } from './routing-rule.schema';

// How rules place a case, as a pure function of the case's fields, the rules and what has already
// happened to the case. Every matching `escalate` rule escalates (once per embassy); the first
// matching `refer` rule whose organisation has not already had the case (declined, let it expire,
// or was withdrawn) refers it, but only while nobody holds the case: a case that is owned or has
// a live referral stays where it is when triage changes, so rules never duplicate a referral.

/** The fields of a case that rules match on. */
export interface RoutableCase {
  destination_country: string | null;
  destination_province: string | null;
  origin_country: string | null;
  categories: readonly string[];
  sector: string | null;
  language: string;
  urgency: string;
  channel: string;
}

/** A routing rule, as the planner sees it. */
export interface Rule {
  id: string;
  name: string;
  priority: number;
  conditions: RoutingConditions;
  action: 'refer' | 'escalate';
  targetOrganisationId: string | null;
  responseHours: number;
}

/** An embassy's labour liaison office: where it sits and whose nationals it serves. */
export interface Embassy {
  id: string;
  country: string;
  nationalities: readonly string[];
}

/** What has already happened to the case. */
export interface RoutingSituation {
  /** An organisation owns the case or has a pending or accepted referral for it. */
  placed: boolean;
  /** Organisations that had a referral of this case in any state (never offered twice by rules). */
  referredOrganisationIds: ReadonlySet<string>;
  /** Embassies the case was ever escalated to. */
  escalatedEmbassyIds: ReadonlySet<string>;
  embassies: readonly Embassy[];
}

export interface ConditionCheck {
  key: RoutingConditionKey;
  expected: readonly string[];
  actual: string | readonly string[] | null;
  met: boolean;
}

/** Checks each condition of a rule against a case; the rule matches when all are met. */
export function checkRule(conditions: RoutingConditions, facts: RoutableCase): { matches: boolean; checks: ConditionCheck[] } {
  const checks: ConditionCheck[] = [];
  for (const key of ROUTING_CONDITION_KEYS) {
    const expected = conditions[key];
    if (!expected) continue;
    const actual = facts[key];
    const met = Array.isArray(actual)
      ? actual.some((value: string) => expected.includes(value as never))
      : typeof actual === 'string' && expected.includes(actual as never);
    checks.push({ key, expected, actual, met });
  }
  return { matches: checks.every((check) => check.met), checks };
}

/** The labour liaison for the worker's nationality in the destination country, if the network has one. */
export function embassyFor(embassies: readonly Embassy[], facts: Pick<RoutableCase, 'destination_country' | 'origin_country'>): Embassy | undefined {
  const { destination_country: destination, origin_country: origin } = facts;
  if (!destination || !origin) return undefined;
  return embassies.find((embassy) => embassy.country === destination && embassy.nationalities.includes(origin));
}

export type SkipReason = 'case_already_placed' | 'organisation_already_referred' | 'no_embassy' | 'already_escalated' | 'later_rule';

export interface RoutingPlan {
  referral: { rule: Rule; organisationId: string } | null;
  escalations: { rule: Rule; embassyId: string }[];
  /** Rules that matched but did nothing, and why. */
  skipped: { rule: Rule; reason: SkipReason }[];
}

/** Decides what the rules do with a case. `rules` must be the active rules in priority order. */
export function planRouting(facts: RoutableCase, rules: readonly Rule[], situation: RoutingSituation): RoutingPlan {
  const plan: RoutingPlan = { referral: null, escalations: [], skipped: [] };
  const escalating = new Set(situation.escalatedEmbassyIds);
  for (const rule of rules) {
    if (!checkRule(rule.conditions, facts).matches) continue;
    if (rule.action === 'escalate') {
      const embassy = embassyFor(situation.embassies, facts);
      if (!embassy) plan.skipped.push({ rule, reason: 'no_embassy' });
      else if (escalating.has(embassy.id)) plan.skipped.push({ rule, reason: 'already_escalated' });
      else {
        escalating.add(embassy.id);
        plan.escalations.push({ rule, embassyId: embassy.id });
      }
      continue;
    }
    if (plan.referral) plan.skipped.push({ rule, reason: 'later_rule' });
    else if (situation.placed) plan.skipped.push({ rule, reason: 'case_already_placed' });
    else if (!rule.targetOrganisationId || situation.referredOrganisationIds.has(rule.targetOrganisationId)) {
      plan.skipped.push({ rule, reason: 'organisation_already_referred' });
    } else plan.referral = { rule, organisationId: rule.targetOrganisationId };
  }
  return plan;
}
