import type { DomainEvents } from '../events/domain-events';
import type { OfferDeps } from '../referrals/referral-offer';
import { ROUTED_FIELDS, routeCase } from './routing.service';

/**
 * Routes a case when it is ready (opened complete, or its intake finished), when staff change a
 * field the rules match on, and when its referral is declined or expires.
 */
export function subscribeRouting(events: DomainEvents, deps: OfferDeps): void {
  events.subscribe('case.opened', async (trx, event) => {
    await routeCase(trx, deps, event.caseId, 'case_opened');
  });
  events.subscribe('case.intake_completed', async (trx, event) => {
    await routeCase(trx, deps, event.caseId, 'intake_completed');
  });
  events.subscribe('case.triage_changed', async (trx, event) => {
    if (event.fields.some((field) => (ROUTED_FIELDS as readonly string[]).includes(field))) await routeCase(trx, deps, event.caseId, 'triage_changed');
  });
  events.subscribe('referral.declined', async (trx, event) => {
    await routeCase(trx, deps, event.caseId, 'referral_declined');
  });
  events.subscribe('referral.expired', async (trx, event) => {
    await routeCase(trx, deps, event.caseId, 'referral_expired');
  });
}
