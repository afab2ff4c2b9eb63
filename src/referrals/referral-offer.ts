import type { Transaction } from 'kysely';
import { recordAudit } from '../audit/audit.repository';
import { insertCaseEvent } from '../cases/case-event.repository';
import type { Clock } from '../clock';
import type { Database } from '../db/schema';
import type { DomainEventPublisher } from '../events/domain-events';
import type { NotifyDeps } from '../notifications/notification.service';
import type { PersonalDataCipher } from '../privacy/personal-data';
import { sealerForCase } from '../privacy/person-keys';
import { insertReferral } from './referral.repository';

/** What offering a referral needs, inside the caller's transaction. */
export interface OfferDeps extends NotifyDeps {
  cipher: PersonalDataCipher;
  clock: Clock;
  /** Where the offer is announced (notifications tell the receiving side). */
  events: DomainEventPublisher;
}

export interface ReferralOffer {
  caseId: string;
  caseReference: string;
  fromOrganisationId: string | null;
  toOrganisationId: string;
  ruleId: string | null;
  reason: string | null;
  responseHours: number;
  /** The person who referred by hand; null when a rule did. */
  actor: { userId: string; kind: 'user' | 'token'; ip: string | null } | null;
}

/**
 * Offers a case to an organisation: a pending referral due after its response time, a timeline
 * event, an audit line, a notice to the receiving organisation and the SLA job that expires it
 * if nobody answers in time.
 */
export async function offerReferral(trx: Transaction<Database>, deps: OfferDeps, offer: ReferralOffer): Promise<{ id: string; dueAt: Date }> {
  const now = deps.clock.now();
  const dueAt = new Date(now.getTime() + offer.responseHours * 3600_000);
  const reason = offer.reason?.trim() ? offer.reason.trim() : null;
  const id = await insertReferral(trx, {
    caseId: offer.caseId, fromOrganisationId: offer.fromOrganisationId, toOrganisationId: offer.toOrganisationId, ruleId: offer.ruleId,
    reasonSealed: reason === null ? null : (await sealerForCase(trx, deps.cipher, offer.caseId)).seal(reason), dueAt, createdByUserId: offer.actor?.userId ?? null, at: now,
  });
  await insertCaseEvent(trx, {
    caseId: offer.caseId,
    type: 'referral.created',
    actorKind: offer.actor ? 'staff' : 'system',
    actorUserId: offer.actor?.userId ?? null,
    organisationId: offer.fromOrganisationId,
    data: { referralId: id, toOrganisationId: offer.toOrganisationId, ruleId: offer.ruleId, dueAt: dueAt.toISOString() },
    at: now,
  });
  await recordAudit(trx, {
    actorKind: offer.actor ? offer.actor.kind : 'system',
    actorUserId: offer.actor?.userId ?? null,
    ip: offer.actor?.ip ?? null,
    action: 'referral.created',
    subjectType: 'referral',
    subjectId: id,
    caseId: offer.caseId,
    details: { reference: offer.caseReference, toOrganisationId: offer.toOrganisationId, ruleId: offer.ruleId },
    at: now,
  });
  await deps.events.publish(
    trx,
    { type: 'referral.offered', caseId: offer.caseId, referralId: id, toOrganisationId: offer.toOrganisationId, actorUserId: offer.actor?.userId ?? null },
    { clock: deps.clock, mailEnabled: deps.mailEnabled },
  );
  await deps.jobs.enqueue(trx, 'referral.expire', { referralId: id }, { delayMs: dueAt.getTime() - now.getTime() });
  return { id, dueAt };
}
