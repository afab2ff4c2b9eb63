import type { Transaction } from 'kysely';
import type { Database } from '../db/schema';

// What one domain tells the others (#12 §7). A service publishes what happened inside its own
// transaction; the subscribers (routing, notifications), registered at the composition root
// (`hotline.ts`), run in that same transaction, so their writes commit or roll back with it. This
// module imports no subscriber: a publisher never knows who listens.

/** Everything a domain may announce, by type. Events carry ids only, never personal data. */
export type DomainEvent =
  /** A case was opened with its intake already complete (the web form). */
  | { type: 'case.opened'; caseId: string }
  /** A conversation finished the intake questions of its case. */
  | { type: 'case.intake_completed'; caseId: string }
  /** Staff changed case fields the routing rules match on. */
  | { type: 'case.triage_changed'; caseId: string; fields: string[] }
  /** The worker wrote again on an open case (SMS, WhatsApp or the status page). */
  | { type: 'case.worker_wrote'; caseId: string }
  /** A referral was answered or withdrawn by one side; the other side is told. */
  | ReferralAnswered<'referral.accepted' | 'referral.declined' | 'referral.completed' | 'referral.withdrawn'>
  /** A referral's response time ran out unanswered. */
  | { type: 'referral.expired'; caseId: string; referralId: string; fromOrganisationId: string | null }
  /** A case was offered to an organisation (by hand or by a rule). */
  | { type: 'referral.offered'; caseId: string; referralId: string; toOrganisationId: string; actorUserId: string | null }
  /** A case was escalated to an embassy (by hand or by a rule). */
  | { type: 'escalation.opened'; caseId: string; escalationId: string; embassyId: string; actorUserId: string | null }
  /** A liaison (or coordinator) worked an escalation: the case's team is told. */
  | { type: 'escalation.acknowledged' | 'escalation.closed' | 'escalation.noted'; caseId: string; escalationId: string; actorUserId: string }
  /** Routing left the case with nobody holding it: it waits in the coordinators' triage queue. */
  | { type: 'case.needs_triage'; caseId: string }
  /** A held case has waited 48 hours for our answer. */
  | { type: 'case.overdue'; caseId: string }
  /** A worker who asked to be called back was not called by the end of the safe time they gave. */
  | { type: 'callback.window_missed'; caseId: string; callId: string }
  /** A worker asked for their personal data to be erased (keyword or status page); `caseId`: the case it came through, if any. */
  | { type: 'erasure.requested'; erasureId: string; caseId: string | null }
  /** A coordinator proposed an erasure: another coordinator must confirm it. */
  | { type: 'erasure.proposed'; erasureId: string; caseId: string | null; actorUserId: string }
  /** A person's personal data (or one case's, for retention) was erased; the case shells stay. */
  | { type: 'erasure.done'; erasureId: string; personId: string; caseIds: string[] }
  /** An erasure was refused: one of its cases is under a legal hold. */
  | { type: 'erasure.refused'; erasureId: string; personId: string; reason: 'legal_hold' };

/** One event per answer (distributed over `T`, so each type narrows on its own). */
type ReferralAnswered<T extends string> = T extends string
  ? {
      type: T;
      caseId: string;
      referralId: string;
      /** The organisation on the side that did not act, to be told (null: the hotline's coordinators). */
      otherSideOrganisationId: string | null;
      actorUserId: string | null;
    }
  : never;

export type DomainEventType = DomainEvent['type'];
export type DomainEventOf<T extends DomainEventType> = Extract<DomainEvent, { type: T }>;

/**
 * What a publisher lends its subscribers for one event, where its own may differ from the
 * composition root's: its clock (the demo seed backdates its arrivals) and whether email is on.
 * Subscribers use it over the root's; without it they use the root's.
 */
export interface PublishContext {
  clock: { now(): Date };
  mailEnabled: boolean;
}

/** A subscriber: runs in the publisher's transaction; a throw rolls the whole of it back. */
export type DomainEventHandler<T extends DomainEventType> = (
  trx: Transaction<Database>,
  event: DomainEventOf<T>,
  context: PublishContext | undefined,
) => Promise<void>;

/** What a service needs to announce an event. */
export interface DomainEventPublisher {
  /** Runs every subscriber of the event, in the order they subscribed, inside `trx`, lending them `context`. */
  publish(trx: Transaction<Database>, event: DomainEvent, context?: PublishContext): Promise<void>;
}

/** The registry the composition root subscribes to and hands to services as their publisher. */
export interface DomainEvents extends DomainEventPublisher {
  subscribe<T extends DomainEventType>(type: T, handler: DomainEventHandler<T>): void;
}

/** An empty registry: publishing to it does nothing until something subscribes. */
export function createDomainEvents(): DomainEvents {
  const handlers = new Map<DomainEventType, DomainEventHandler<DomainEventType>[]>();
  return {
    subscribe(type, handler) {
      handlers.set(type, [...(handlers.get(type) ?? []), handler as unknown as DomainEventHandler<DomainEventType>]);
    },
    async publish(trx, event, context) {
      // One after the other: subscribers share the transaction's connection.
      for (const handler of handlers.get(event.type) ?? []) await handler(trx, event, context);
    },
  };
}
