import type { DomainEventOf, DomainEvents, PublishContext } from '../events/domain-events';
import { findCaseHolders } from '../cases/case.repository';
import { caseTeamOf, sideOf } from './audiences';
import { notify, notifyWorkerWroteAgain, type NotifyDeps } from './notification.service';

const ANSWERS = ['referral.accepted', 'referral.declined', 'referral.completed', 'referral.withdrawn'] as const;
const ESCALATION_WORK = ['escalation.acknowledged', 'escalation.closed', 'escalation.noted'] as const;

/** The root's dependencies, with the publisher's clock and mail setting when it lent them. */
function withPublisher(deps: NotifyDeps, context: PublishContext | undefined): NotifyDeps {
  return context ? { ...deps, clock: context.clock, mailEnabled: context.mailEnabled } : deps;
}

/**
 * Tells people what happened: the receiving side of an offered referral and the other side of an
 * answered one, everyone concerned by an expired one, an embassy's liaisons of an escalation and
 * the case's team of their work on it, the coordinators of a case left for triage, a case's team
 * when the worker writes again or the case is overdue, the coordinators of a call-back that missed
 * its safe window, the coordinators of a worker's erasure request and of an erasure that waits for
 * a second coordinator's confirmation.
 */
export function subscribeNotifications(events: DomainEvents, rootDeps: NotifyDeps): void {
  events.subscribe('referral.offered', async (trx, event, context) => {
    const notice = { kind: 'referral.received' as const, caseId: event.caseId, subjectId: event.referralId };
    await notify(trx, withPublisher(rootDeps, context), notice, sideOf(event.toOrganisationId), event.actorUserId);
  });
  for (const type of ANSWERS) {
    events.subscribe(type, async (trx, event: DomainEventOf<(typeof ANSWERS)[number]>, context) => {
      const notice = { kind: event.type, caseId: event.caseId, subjectId: event.referralId };
      await notify(trx, withPublisher(rootDeps, context), notice, sideOf(event.otherSideOrganisationId), event.actorUserId);
    });
  }
  events.subscribe('referral.expired', async (trx, event, context) => {
    const deps = withPublisher(rootDeps, context);
    const notice = { kind: event.type, caseId: event.caseId, subjectId: event.referralId };
    await notify(trx, deps, notice, { roles: ['coordinator'] });
    if (event.fromOrganisationId) await notify(trx, deps, notice, sideOf(event.fromOrganisationId));
  });
  events.subscribe('escalation.opened', async (trx, event, context) => {
    const notice = { kind: event.type, caseId: event.caseId, subjectId: event.escalationId };
    await notify(trx, withPublisher(rootDeps, context), notice, { roles: ['liaison'], organisationId: event.embassyId }, event.actorUserId);
  });
  for (const type of ESCALATION_WORK) {
    events.subscribe(type, async (trx, event: DomainEventOf<(typeof ESCALATION_WORK)[number]>, context) => {
      const holders = await findCaseHolders(trx, event.caseId);
      if (!holders) return;
      const notice = { kind: event.type, caseId: event.caseId, subjectId: event.escalationId };
      await notify(trx, withPublisher(rootDeps, context), notice, caseTeamOf(holders), event.actorUserId);
    });
  }
  events.subscribe('case.needs_triage', async (trx, event, context) => {
    await notify(trx, withPublisher(rootDeps, context), { kind: event.type, caseId: event.caseId }, { roles: ['coordinator'] });
  });
  events.subscribe('case.overdue', async (trx, event, context) => {
    const holders = await findCaseHolders(trx, event.caseId);
    if (!holders) return;
    await notify(trx, withPublisher(rootDeps, context), { kind: event.type, caseId: event.caseId }, caseTeamOf(holders));
  });
  events.subscribe('callback.window_missed', async (trx, event, context) => {
    await notify(trx, withPublisher(rootDeps, context), { kind: event.type, caseId: event.caseId, subjectId: event.callId }, { roles: ['coordinator'] });
  });
  events.subscribe('erasure.requested', async (trx, event, context) => {
    await notify(trx, withPublisher(rootDeps, context), { kind: event.type, caseId: event.caseId, subjectId: event.erasureId }, { roles: ['coordinator'] });
  });
  events.subscribe('erasure.proposed', async (trx, event, context) => {
    const notice = { kind: 'erasure.to_confirm' as const, caseId: event.caseId, subjectId: event.erasureId };
    await notify(trx, withPublisher(rootDeps, context), notice, { roles: ['coordinator'] }, event.actorUserId);
  });
  events.subscribe('case.worker_wrote', async (trx, event, context) => {
    await notifyWorkerWroteAgain(trx, withPublisher(rootDeps, context), event.caseId);
  });
}
