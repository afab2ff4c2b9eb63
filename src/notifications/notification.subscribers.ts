import type { DomainEventOf, DomainEvents } from '../events/domain-events';
import { sideOf } from './audiences';
import { notify, notifyWorkerWroteAgain, type NotifyDeps } from './notification.service';

const ANSWERS = ['referral.accepted', 'referral.declined', 'referral.completed', 'referral.withdrawn'] as const;

/** Tells people what happened: the other side of an answered referral, everyone concerned by an expired one, a case's team when the worker writes again. */
export function subscribeNotifications(events: DomainEvents, deps: NotifyDeps): void {
  for (const type of ANSWERS) {
    events.subscribe(type, async (trx, event: DomainEventOf<(typeof ANSWERS)[number]>) => {
      await notify(trx, deps, { kind: event.type, caseId: event.caseId, subjectId: event.referralId }, sideOf(event.otherSideOrganisationId), event.actorUserId);
    });
  }
  events.subscribe('referral.expired', async (trx, event) => {
    const notice = { kind: event.type, caseId: event.caseId, subjectId: event.referralId };
    await notify(trx, deps, notice, { roles: ['coordinator'] });
    if (event.fromOrganisationId) await notify(trx, deps, notice, sideOf(event.fromOrganisationId));
  });
  events.subscribe('case.worker_wrote', async (trx, event) => {
    await notifyWorkerWroteAgain(trx, deps, event.caseId);
  });
}
