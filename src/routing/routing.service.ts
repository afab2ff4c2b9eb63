import type { Transaction } from 'kysely';
import { insertCaseEvent } from '../cases/case-event.repository';
import type { Database } from '../db/schema';
import { openEscalation } from '../escalations/escalation.service';
import { createDomainEvents, type DomainEventPublisher } from '../events/domain-events';
import { subscribeNotifications } from '../notifications/notification.subscribers';
import type { NotifyDeps } from '../notifications/notification.service';
import { offerReferral, type OfferDeps } from '../referrals/referral-offer';
import { planRouting, type RoutingPlan } from './routing';
import { activeEmbassies, activeRules, findRoutableCase, routableFacts, routingSituationOf } from './routing-rule.repository';

/** Why routing runs. */
export type RoutingTrigger = 'case_opened' | 'intake_completed' | 'triage_changed' | 'referral_declined' | 'referral_expired';

/** The case fields rules match on: a change to any of them routes the case again. */
export const ROUTED_FIELDS = [
  'destination_country', 'destination_province', 'origin_country', 'categories', 'sector', 'language', 'urgency', 'channel',
] as const;

/** What routing needs; `events` is optional only for the demo seed, which calls it without one. */
export type RoutingDeps = Omit<OfferDeps, 'events'> & { events?: DomainEventPublisher };

/**
 * The demo seed's arrivals call routeCase directly, without a publisher: the notices of what
 * routing does then go straight to the notification subscribers.
 */
function notificationsOnly(deps: NotifyDeps): DomainEventPublisher {
  const events = createDomainEvents();
  subscribeNotifications(events, deps);
  return events;
}

export interface RoutingOutcome {
  referralId: string | null;
  escalationIds: string[];
  /** Nobody holds the case after routing: it waits in the coordinators' triage queue. */
  toTriage: boolean;
}

/**
 * Runs the active rules on a case inside the caller's transaction (the case row is locked, so two
 * triggers at once cannot both refer it) and does what they say: offer a referral, open
 * escalations. A case nobody holds afterwards goes to the coordinators' triage queue, and they
 * are told (once per case while unread).
 */
export async function routeCase(trx: Transaction<Database>, routingDeps: RoutingDeps, caseId: string, trigger: RoutingTrigger): Promise<RoutingOutcome> {
  const deps: OfferDeps = { ...routingDeps, events: routingDeps.events ?? notificationsOnly(routingDeps) };
  const caseRow = await findRoutableCase(trx, caseId, { lock: true });
  if (!caseRow || caseRow.status === 'resolved' || caseRow.status === 'closed') return { referralId: null, escalationIds: [], toTriage: false };
  const embassies = await activeEmbassies(trx);
  const situation = await routingSituationOf(trx, caseRow, embassies);
  const plan: RoutingPlan = planRouting(routableFacts(caseRow), await activeRules(trx), situation);
  const escalationIds: string[] = [];
  for (const escalation of plan.escalations) {
    escalationIds.push(await openEscalation(trx, deps, {
      caseId, caseReference: caseRow.reference, embassyId: escalation.embassyId, ruleId: escalation.rule.id, reason: null, actor: null,
    }));
  }
  let referralId: string | null = null;
  if (plan.referral) {
    const offered = await offerReferral(trx, deps, {
      caseId, caseReference: caseRow.reference, fromOrganisationId: null, toOrganisationId: plan.referral.organisationId,
      ruleId: plan.referral.rule.id, reason: null, responseHours: plan.referral.rule.responseHours, actor: null,
    });
    referralId = offered.id;
  }
  const toTriage = !situation.placed && referralId === null;
  if (toTriage && trigger !== 'triage_changed') {
    await insertCaseEvent(trx, { caseId, type: 'case.needs_triage', actorKind: 'system', data: { trigger }, at: deps.clock.now() });
    await deps.events.publish(trx, { type: 'case.needs_triage', caseId }, { clock: deps.clock, mailEnabled: deps.mailEnabled });
  }
  return { referralId, escalationIds, toTriage };
}
