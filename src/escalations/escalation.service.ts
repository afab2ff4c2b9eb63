import type { Transaction } from 'kysely';
import { refuseSharingWhileErasureOpen } from '../erasures/erasure-request.service';
import { recordAudit } from '../audit/audit.repository';
import { insertCaseEvent } from '../cases/case-event.repository';
import { insertNote } from '../cases/note.repository';
import { findActiveEmbassyId } from '../orgs/organisation.repository';
import { findCaseInScope, listMessagesOfCase, listNotesOfCase } from '../cases/case-query.repository';
import { actorOf, caseOrNotFound, type Caller, type CaseWorkDeps } from '../cases/case-access';
import { presentCase, presentEscalations, sealedValuesOf } from '../cases/case-view';
import { openerFor, sealerForCase } from '../privacy/person-keys';
import { listAttachmentsOfCase } from '../attachments/attachment-read.repository';
import type { Database } from '../db/schema';
import { inTransaction } from '../db/transaction';
import { isUniqueViolation } from '../db/errors';
import { errors } from '../http/errors';
import type { OfferDeps } from '../referrals/referral-offer';
import { listReferralsOfCase } from '../referrals/referral.repository';
import { activeEmbassies } from '../routing/routing-rule.repository';
import { embassyFor } from '../routing/routing';
import {
  findEscalation, hasOpenEscalation, insertEscalation, listEscalations, listEscalationsOfCase, setEscalationStatus,
} from './escalation.repository';

// Escalations take a case to the labour liaison of the worker's embassy. Liaisons see only the
// escalations of their own embassy; what they read of the case follows the worker's consent.

export interface EscalationOpening {
  caseId: string;
  caseReference: string;
  embassyId: string;
  ruleId: string | null;
  reason: string | null;
  actor: { userId: string; kind: 'user' | 'token'; ip: string | null; organisationId: string } | null;
}

/** Opens an escalation in the caller's transaction: event, audit and a notice to the embassy's liaisons. */
export async function openEscalation(trx: Transaction<Database>, deps: OfferDeps, opening: EscalationOpening): Promise<string> {
  const now = deps.clock.now();
  const reason = opening.reason?.trim() ? opening.reason.trim() : null;
  const id = await insertEscalation(trx, {
    caseId: opening.caseId, embassyId: opening.embassyId, ruleId: opening.ruleId, reasonSealed: reason === null ? null : (await sealerForCase(trx, deps.cipher, opening.caseId)).seal(reason),
    createdByUserId: opening.actor?.userId ?? null, at: now,
  });
  await insertCaseEvent(trx, {
    caseId: opening.caseId, type: 'escalation.created', actorKind: opening.actor ? 'staff' : 'system', actorUserId: opening.actor?.userId ?? null,
    organisationId: opening.actor?.organisationId ?? null, data: { escalationId: id, embassyOrganisationId: opening.embassyId, ruleId: opening.ruleId }, at: now,
  });
  await recordAudit(trx, {
    actorKind: opening.actor?.kind ?? 'system', actorUserId: opening.actor?.userId ?? null, ip: opening.actor?.ip ?? null,
    action: 'escalation.created', subjectType: 'escalation', subjectId: id, caseId: opening.caseId,
    details: { reference: opening.caseReference, embassyOrganisationId: opening.embassyId, ruleId: opening.ruleId }, at: now,
  });
  await deps.events.publish(
    trx,
    { type: 'escalation.opened', caseId: opening.caseId, escalationId: id, embassyId: opening.embassyId, actorUserId: opening.actor?.userId ?? null },
    { clock: deps.clock, mailEnabled: deps.mailEnabled },
  );
  return id;
}

/** Escalates a case by hand to the embassy of the worker's nationality (or one named), with a reason. */
export async function escalateByHand(deps: CaseWorkDeps, caller: Caller, reference: string, input: { reason: string; embassy?: string | undefined }): Promise<{ id: string }> {
  const found = await caseOrNotFound(deps, caller, reference, 'escalation.create');
  const embassies = await activeEmbassies(deps.db);
  let embassyId: string | undefined;
  if (input.embassy) {
    embassyId = await findActiveEmbassyId(deps.db, input.embassy);
    if (!embassyId) throw errors.validation([{ field: 'embassy', reason: 'unknown_embassy' }]);
  } else {
    embassyId = embassyFor(embassies, found)?.id;
    if (!embassyId) throw errors.conflict([{ field: 'origin_country', reason: 'no_embassy' }]);
  }
  const chosen = embassyId;
  try {
    return await inTransaction(deps, async (trx) => {
      await refuseSharingWhileErasureOpen(trx, found.person_id, 'reference');
      if (await hasOpenEscalation(trx, found.id, chosen)) throw errors.conflict([{ field: 'embassy', reason: 'already_escalated' }]);
      const { principal } = caller;
      const id = await openEscalation(trx, deps, {
        caseId: found.id, caseReference: found.reference, embassyId: chosen, ruleId: null, reason: input.reason,
        actor: { userId: principal.userId, kind: principal.kind, ip: caller.ip, organisationId: principal.organisationId },
      });
      return { id };
    });
  } catch (error) {
    if (isUniqueViolation(error, 'escalations_one_open_key')) throw errors.conflict([{ field: 'embassy', reason: 'already_escalated' }]);
    throw error;
  }
}

/** Who may work an escalation: the liaisons of its embassy, and coordinators. */
function mayWork(caller: Caller, escalation: { embassy_organisation_id: string }): boolean {
  const { principal } = caller;
  return principal.role === 'coordinator' || (principal.role === 'liaison' && principal.organisationId === escalation.embassy_organisation_id);
}

async function escalationOrNotFound(deps: CaseWorkDeps, caller: Caller, id: string) {
  const escalation = await findEscalation(deps.db, id);
  if (!escalation || !mayWork(caller, escalation)) {
    if (escalation) await recordAudit(deps.db, { ...actorOf(caller), action: 'escalation.access_denied', subjectType: 'escalation', subjectId: id, caseId: escalation.case_id });
    throw errors.notFound();
  }
  return escalation;
}

/** The escalations a liaison works (their embassy's) or, for coordinators, the network's; oldest first. */
export async function listEscalationsFor(deps: CaseWorkDeps, caller: Caller, filters: { status: readonly string[]; limit: number }) {
  const { principal } = caller;
  const rows = await listEscalations(deps.db, { embassyId: principal.role === 'liaison' ? principal.organisationId : undefined, status: filters.status, limit: filters.limit });
  await recordAudit(deps.db, { ...actorOf(caller), action: 'escalation.listed', subjectType: 'escalation', details: { count: rows.length } });
  return rows.map((row) => ({
    id: row.id, status: row.status, reference: row.reference, urgency: row.urgency, categories: row.categories,
    embassy: { slug: row.embassy_slug, name: row.embassy_name }, rule: row.rule_name, created_at: row.created_at,
    acknowledged_at: row.acknowledged_at, closed_at: row.closed_at,
  }));
}

/** One escalation with its case as the reader may see it (consent decides how much); audited. */
export async function getEscalationFor(deps: CaseWorkDeps, caller: Caller, id: string) {
  const escalation = await escalationOrNotFound(deps, caller, id);
  const found = await findCaseInScope(deps.db, { kind: 'network' }, escalation.reference);
  if (!found) throw errors.notFound();
  const [messages, notes, referrals, escalations, attachments] = await Promise.all([
    listMessagesOfCase(deps.db, found.id), listNotesOfCase(deps.db, found.id), listReferralsOfCase(deps.db, found.id), listEscalationsOfCase(deps.db, found.id),
    listAttachmentsOfCase(deps.db, found.id),
  ]);
  const record = { found, messages, notes, referrals, escalations: escalations.filter((item) => item.id === id), attachments };
  const opener = await openerFor(deps.db, deps.cipher, [...sealedValuesOf(record), escalation.reason_encrypted, escalation.outcome_encrypted]);
  const caseView = presentCase(opener, caller.principal, record);
  await recordAudit(deps.db, { ...actorOf(caller), action: 'escalation.read', subjectType: 'escalation', subjectId: id, caseId: found.id, details: { view: caseView.view } });
  // The escalation is read as the case is: without consent, its reason and outcome lose their contact details.
  const [own] = presentEscalations(opener, [escalation], { view: caseView.view, organisationId: caller.principal.organisationId });
  // A liaison does not need the partners' referral history, only the case and this escalation.
  return { escalation: own, case: caller.principal.role === 'liaison' ? { ...caseView, referrals: [] } : caseView };
}

const NEXT: Record<string, readonly string[]> = { open: ['acknowledged', 'closed'], acknowledged: ['closed'], closed: [] };

/** Acknowledges or closes (with an outcome) an escalation; the case's team is told. */
export async function changeEscalationStatus(deps: CaseWorkDeps, caller: Caller, id: string, change: { status: 'acknowledged' | 'closed'; outcome?: string | undefined }): Promise<void> {
  await escalationOrNotFound(deps, caller, id);
  await inTransaction(deps, async (trx) => {
    const escalation = await findEscalation(trx, id, { lock: true });
    if (!escalation) throw errors.notFound();
    if (!NEXT[escalation.status]?.includes(change.status)) throw errors.conflict([{ field: 'status', reason: 'not_allowed_from', params: { from: escalation.status } }]);
    const now = deps.clock.now();
    const { principal } = caller;
    await setEscalationStatus(trx, id, { status: change.status, at: now, acknowledgedByUserId: principal.userId, ...(change.outcome ? { outcomeSealed: (await sealerForCase(trx, deps.cipher, escalation.case_id)).seal(change.outcome.trim()) } : {}) });
    await insertCaseEvent(trx, {
      caseId: escalation.case_id, type: `escalation.${change.status}`, actorKind: 'staff', actorUserId: principal.userId,
      organisationId: principal.organisationId, data: { escalationId: id, embassyOrganisationId: escalation.embassy_organisation_id }, at: now,
    });
    await recordAudit(trx, { ...actorOf(caller), action: `escalation.${change.status}`, subjectType: 'escalation', subjectId: id, caseId: escalation.case_id, at: now });
    const type = change.status === 'closed' ? 'escalation.closed' : 'escalation.acknowledged';
    await deps.events.publish(trx, { type, caseId: escalation.case_id, escalationId: id, actorUserId: principal.userId }, { clock: deps.clock, mailEnabled: deps.mailEnabled });
  });
}

/** Adds a liaison's note to the escalated case, shared with the case's partners; the case's team is told. */
export async function addEscalationNote(deps: CaseWorkDeps, caller: Caller, id: string, body: string): Promise<{ id: string }> {
  const escalation = await escalationOrNotFound(deps, caller, id);
  if (escalation.status === 'closed') throw errors.conflict([{ field: 'status', reason: 'closed' }]);
  const now = deps.clock.now();
  const { principal } = caller;
  return inTransaction(deps, async (trx) => {
    const sealer = await sealerForCase(trx, deps.cipher, escalation.case_id);
    const note = { id: await insertNote(trx, { caseId: escalation.case_id, organisationId: principal.organisationId, authorUserId: principal.userId, visibility: 'partners', bodyEncrypted: sealer.seal(body), at: now }) };
    await insertCaseEvent(trx, {
      caseId: escalation.case_id, type: 'escalation.noted', actorKind: 'staff', actorUserId: principal.userId, organisationId: principal.organisationId,
      data: { escalationId: id, noteId: note.id }, at: now,
    });
    await recordAudit(trx, { ...actorOf(caller), action: 'note.created', subjectType: 'note', subjectId: note.id, caseId: escalation.case_id, details: { escalationId: id }, at: now });
    await deps.events.publish(
      trx, { type: 'escalation.noted', caseId: escalation.case_id, escalationId: id, actorUserId: principal.userId }, { clock: deps.clock, mailEnabled: deps.mailEnabled },
    );
    return note;
  });
}

/** The states an escalation moves through, in order. */
export { ESCALATION_STATUSES } from './escalation.repository';
