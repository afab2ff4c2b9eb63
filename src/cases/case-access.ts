import type { i18n } from 'i18next';
import type { Kysely } from 'kysely';
import { recordAudit } from '../audit/audit.repository';
import type { Clock } from '../clock';
import type { Database } from '../db/schema';
import type { DomainEventPublisher } from '../events/domain-events';
import type { HotlineCounters } from '../observability/hotline-counters';
import type { Principal } from '../http/access';
import { errors } from '../http/errors';
import type { HotlineJobEnqueuer } from '../jobs/hotline-jobs';
import type { PersonalDataCipher } from '../privacy/personal-data';
import { findCaseId, findCaseInScope } from './case-query.repository';
import { caseScopeOf } from './case.policy';

// What every service working on a case shares: its dependencies, the caller, and the access check
// that comes first. Below the case, routing, referral and escalation services, so they need not
// import each other to share it.

export interface CaseWorkDeps {
  db: Kysely<Database>;
  cipher: PersonalDataCipher;
  clock: Clock;
  jobs: HotlineJobEnqueuer;
  /** True when SMTP_URL is set: notices are also emailed. */
  mailEnabled: boolean;
  /** Where the services announce what happened (routing and notifications subscribe). */
  events: DomainEventPublisher;
  /** TWILIO_WHATSAPP_TEMPLATE_SID: unset, a WhatsApp reply outside the 24-hour window is refused. */
  whatsappTemplateSid?: string | undefined;
  /** Renders the worker-facing notice of a held reply (WhatsApp's news template), in the case's language. */
  workerText?: i18n | undefined;
  /** Counts queued replies; unset, nothing is counted. */
  counters?: Pick<HotlineCounters, 'outboundStatus'> | undefined;
}

export interface Caller {
  principal: Principal;
  ip: string | null;
}

/** The audit actor of a caller. */
export const actorOf = (caller: Caller) => ({ actorKind: caller.principal.kind, actorUserId: caller.principal.userId, ip: caller.ip });

/** The case by reference if the caller may see it; otherwise 404 (and a refused read is audited). */
export async function caseOrNotFound(deps: CaseWorkDeps, caller: Caller, reference: string, action: string) {
  const found = await findCaseInScope(deps.db, caseScopeOf(caller.principal), reference);
  if (found) return found;
  const hidden = await findCaseId(deps.db, reference);
  if (hidden) {
    await recordAudit(deps.db, { ...actorOf(caller), action: 'case.access_denied', subjectType: 'case', subjectId: reference, caseId: hidden, details: { attempted: action } });
  }
  throw errors.notFound();
}
