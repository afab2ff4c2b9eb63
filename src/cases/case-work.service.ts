import { recordAudit } from '../audit/audit.repository';
import { replyRouteOf, type Unreachable } from '../channels/reply-identity';
import { WHATSAPP_NEWS_TEMPLATE, queueOutboundMessage } from '../channels/sms/outbound';
import type { Clock } from '../clock';
import { inTransaction } from '../db/transaction';
import { AppError, errors } from '../http/errors';
import { listIdentitiesOfPerson } from '../contacts/contact.repository';
import { hasHeldReplies } from '../messages/message.repository';
import { findQueuedMessage } from '../messages/message.repository';
import { findAssigneeCandidate } from '../users/user.repository';
import { insertCaseEvent } from './case-event.repository';
import { insertNote } from './note.repository';
import {
  countCasesByStatus,
  listCases,
  listMessagesOfCase,
  listNotesOfCase,
  type CaseFilters,
  type Cursor,
} from './case-query.repository';
import { lockCaseForUpdate, updateCase, updateCaseAdvancingVersion } from './case.repository';
import { caseScopeOf, mayRecordConsent } from './case.policy';
import { recordConsent } from './consent.service';
import { presentCase, sealedValuesOf, type CaseDetail } from './case-view';
import { openerFor, sealerForCase, sealerForContact } from '../privacy/person-keys';
import { listReferralsOfCase } from '../referrals/referral.repository';
import { listEscalationsOfCase } from '../escalations/escalation.repository';
import { listAttachmentsOfCase } from '../attachments/attachment-read.repository';
import type { UpdateCaseBody } from './cases.schema';
import { actorOf, caseOrNotFound, type Caller, type CaseWorkDeps } from './case-access';

export { actorOf, caseOrNotFound, type Caller, type CaseWorkDeps } from './case-access';

// Case work for caseworkers and coordinators: each function checks access first (a case outside
// the principal's scope answers 404, so its existence is not confirmed), then does the work and
// writes the audit log.

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(text: string | undefined): Cursor | undefined {
  if (!text) return undefined;
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Partial<Cursor>;
    if (typeof value.updatedAt === 'string' && typeof value.id === 'string' && !Number.isNaN(Date.parse(value.updatedAt))) {
      return { updatedAt: value.updatedAt, id: value.id };
    }
  } catch {
    // fall through to the validation error
  }
  throw errors.validation([{ field: 'cursor', reason: 'invalid' }]);
}

/** A case unanswered for this long is overdue (the default response time of a referral). */
export const OVERDUE_AFTER_MS = 48 * 3600_000;

/** The `overdueBefore` filter for "overdue" as of now. */
export function overdueSince(clock: Clock): Date {
  return new Date(clock.now().getTime() - OVERDUE_AFTER_MS);
}

/** A page of the cases the caller may see, with counts per status for the same filters. */
export async function listCasesFor(deps: CaseWorkDeps, caller: Caller, filters: CaseFilters, page: { limit: number; cursor?: string | undefined }) {
  const scope = caseScopeOf(caller.principal);
  const rows = await listCases(deps.db, scope, filters, { limit: page.limit, after: decodeCursor(page.cursor) });
  const counts = await countCasesByStatus(deps.db, scope, filters);
  const more = rows.length > page.limit;
  const shown = rows.slice(0, page.limit);
  const last = shown[shown.length - 1];
  await recordAudit(deps.db, { ...actorOf(caller), action: 'case.listed', subjectType: 'case', details: { count: shown.length } });
  return {
    data: shown.map((row) => {
      const waiting = row.last_worker_message_at !== null && (row.last_staff_message_at === null || row.last_staff_message_at < row.last_worker_message_at);
      return {
        reference: row.reference,
        status: row.status,
        urgency: row.urgency,
        categories: row.categories,
        channel: row.channel,
        language: row.language,
        origin_country: row.origin_country,
        destination_country: row.destination_country,
        destination_province: row.destination_province,
        owner: row.owner,
        assigned_to_me: row.assigned_user_id === caller.principal.userId,
        assignee: row.assignee_name,
        waiting_for_reply: waiting,
        /** Since when the worker's last message waits for an answer; null when nothing waits. */
        waiting_since: waiting ? row.last_worker_message_at : null,
        created_at: row.created_at,
        updated_at: row.updated_at,
      };
    }),
    next_cursor: more && last ? encodeCursor({ updatedAt: last.cursor_at, id: last.id }) : null,
    counts: { status: counts },
  };
}

/** A case as the caller may see it (see `readCaseFor`), without its version. */
export async function getCaseFor(deps: CaseWorkDeps, caller: Caller, reference: string): Promise<CaseDetail> {
  return (await readCaseFor(deps, caller, reference)).detail;
}

/** How a case read is audited: its page or the API (`case.read`), or its printable summary. */
export type CaseReadAction = 'case.read' | 'case.summary_viewed';

/**
 * A case with its messages, notes, referrals and escalations as the caller may see them, and the
 * version it was drawn from (to send back with a change); the read is audited as `action`, with
 * the view (full or limited) it was shown in.
 */
export async function readCaseFor(deps: CaseWorkDeps, caller: Caller, reference: string, action: CaseReadAction = 'case.read'): Promise<{ detail: CaseDetail; version: string }> {
  // The version is read with the case itself, never after: a later read could name a newer
  // version than the one shown, and a change sent back with it would then overwrite unseen work.
  const found = await caseOrNotFound(deps, caller, reference, action);
  const [messages, notes, referrals, escalations, attachments] = await Promise.all([
    listMessagesOfCase(deps.db, found.id), listNotesOfCase(deps.db, found.id), listReferralsOfCase(deps.db, found.id), listEscalationsOfCase(deps.db, found.id),
    listAttachmentsOfCase(deps.db, found.id),
  ]);
  const record = { found, messages, notes, referrals, escalations, attachments };
  const detail = presentCase(await openerFor(deps.db, deps.cipher, sealedValuesOf(record)), caller.principal, record);
  await recordAudit(deps.db, { ...actorOf(caller), action, subjectType: 'case', subjectId: reference, caseId: found.id, details: { view: detail.view } });
  return { detail, version: found.version };
}

async function assigneeAllowed(deps: CaseWorkDeps, caller: Caller, userId: string, ownerOrganisationId: string | null): Promise<boolean> {
  const user = await findAssigneeCandidate(deps.db, userId);
  if (!user || user.disabled_at || (user.role !== 'caseworker' && user.role !== 'coordinator')) return false;
  return caller.principal.role === 'coordinator' ? user.organisation_id === ownerOrganisationId || user.role === 'coordinator' : user.organisation_id === caller.principal.organisationId;
}

/**
 * Changes triage and outcome fields, or records the worker's consent as staff heard it; each
 * change is a timeline event and the write is audited. Consent may be recorded only by the owning
 * organisation's staff and coordinators: anyone else gets 403 `consent_not_yours` and nothing is
 * written. The changed fields are published as `case.triage_changed` (routing runs the rules again
 * when they match on one). With `expectedVersion`
 * (the version the caller read), a case changed since answers 409 `case_changed` and nothing is written.
 */
export async function updateCaseFor(deps: CaseWorkDeps, caller: Caller, reference: string, body: UpdateCaseBody, expectedVersion?: string): Promise<void> {
  const found = await caseOrNotFound(deps, caller, reference, 'case.update');
  const { consent, ...changes } = body;
  if (consent !== undefined && !mayRecordConsent(caller.principal, found.owner_organisation_id)) {
    await recordAudit(deps.db, { ...actorOf(caller), action: 'case.consent_refused', subjectType: 'case', subjectId: reference, caseId: found.id });
    throw errors.consentNotYours();
  }
  if (changes.assigned_user_id && !(await assigneeAllowed(deps, caller, changes.assigned_user_id, found.owner_organisation_id))) {
    throw errors.validation([{ field: 'assigned_user_id', reason: 'not_allowed' }]);
  }
  const now = deps.clock.now();
  const staffEvent = { actorKind: 'staff' as const, actorUserId: caller.principal.userId, organisationId: caller.principal.organisationId, at: now };
  await inTransaction(deps, async (trx) => {
    // The row stays locked until commit: a second save waits here, then sees the first one's
    // version and its values, so neither the check nor the events work from a stale read.
    const current = await lockCaseForUpdate(trx, found.id);
    if (expectedVersion !== undefined && current.version !== expectedVersion) throw errors.caseChanged();
    const changed = Object.entries(changes).filter(([field, value]) => JSON.stringify((current as Record<string, unknown>)[field] ?? null) !== JSON.stringify(value));
    const storedWording = current.consent_wording_encrypted
      ? (await openerFor(trx, deps.cipher, [current.consent_wording_encrypted])).openOrErased(current.consent_wording_encrypted)
      : current.consent_wording;
    const consentChanged = consent !== undefined && (consent.given !== current.consent_given || consent.wording !== storedWording || current.consent_source !== 'staff');
    if (changed.length === 0 && !consentChanged) return;
    const resolvedNow = changes.status && ['resolved', 'closed'].includes(changes.status) && !current.resolved_at;
    for (const [field, value] of changed) {
      await insertCaseEvent(trx, {
        ...staffEvent,
        caseId: found.id,
        type: field === 'status' ? 'case.status_changed' : field === 'assigned_user_id' ? 'case.assigned' : 'case.updated',
        data: { field, from: stringish((current as Record<string, unknown>)[field]), to: stringish(value) },
      });
    }
    if (consentChanged) {
      await recordConsent(trx, deps, { caseId: found.id, reference }, { given: consent.given, wording: consent.wording, source: 'staff' }, {
        actorKind: caller.principal.kind, userId: caller.principal.userId, organisationId: caller.principal.organisationId, ip: caller.ip,
        via: caller.principal.kind === 'token' ? 'api' : 'console',
      }, now);
    }
    // Last, so that the version moves on even when only the consent changed.
    await updateCaseAdvancingVersion(trx, found.id, changed.length > 0 ? { ...changes, ...(resolvedNow ? { resolved_at: now } : {}) } : {}, now);
    if (changed.length > 0) {
      await recordAudit(trx, {
        ...actorOf(caller), action: 'case.updated', subjectType: 'case', subjectId: reference, caseId: found.id,
        details: { fields: changed.map(([field]) => field) },
      });
    }
    if (changed.length > 0) await deps.events.publish(trx, { type: 'case.triage_changed', caseId: found.id, fields: changed.map(([field]) => field) });
  });
}

function stringish(value: unknown): string | string[] | null {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map(String);
  return value instanceof Date ? value.toISOString() : String(value);
}

/** Adds a note, private to the caller's organisation or shared with the case's partners. */
export async function addNoteFor(deps: CaseWorkDeps, caller: Caller, reference: string, note: { body: string; visibility: 'organisation' | 'partners' }): Promise<{ id: string }> {
  const found = await caseOrNotFound(deps, caller, reference, 'note.create');
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (trx) => {
    const sealer = await sealerForCase(trx, deps.cipher, found.id);
    const row = { id: await insertNote(trx, { caseId: found.id, organisationId: caller.principal.organisationId, authorUserId: caller.principal.userId, visibility: note.visibility, bodyEncrypted: sealer.seal(note.body), at: now }) };
    await insertCaseEvent(trx, { caseId: found.id, type: 'note.added', actorKind: 'staff', actorUserId: caller.principal.userId, organisationId: caller.principal.organisationId, data: { noteId: row.id, visibility: note.visibility }, at: now });
    await recordAudit(trx, { ...actorOf(caller), action: 'note.created', subjectType: 'note', subjectId: row.id, caseId: found.id });
    return row;
  });
}

/** Why a reply cannot go, as the caseworker is told (409). */
const REPLY_REFUSALS: Record<Unreachable, () => AppError> = {
  no_channel: () => new AppError('conflict', [{ field: 'reference', reason: 'no_contact' }]),
  opted_out: () => new AppError('conflict', [{ field: 'reference', reason: 'opted_out' }]),
  window_closed: () => new AppError('conflict', [{ field: 'body', reason: 'reply_window_closed' }]),
  no_template: () => new AppError('conflict', [{ field: 'body', reason: 'reply_window_no_template' }]),
};

/** Queues a reply to the worker on the case's channel (never to a contact who opted out). */
export async function replyFor(deps: CaseWorkDeps, caller: Caller, reference: string, body: string) {
  const found = await caseOrNotFound(deps, caller, reference, 'message.create');
  const identities = (await listIdentitiesOfPerson(deps.db, found.person_id)).map((row) => ({
    id: row.id, channel: row.channel, isOptedOut: row.is_opted_out, lastMessageAt: row.last_message_at,
  }));
  const now = deps.clock.now();
  // Outside WhatsApp's and Messenger's 24-hour window a reply is not sent blind: Messenger refuses
  // it; WhatsApp sends its approved "we have news" template and holds the reply until the worker answers.
  const route = replyRouteOf(identities, found.reply_contact_id, now, Boolean(deps.whatsappTemplateSid));
  if ('unreachable' in route) throw REPLY_REFUSALS[route.unreachable]();
  const { target, holding } = route;
  const channel = target.channel;
  const messageId = await inTransaction({ db: deps.db, jobs: deps.jobs }, async (trx) => {
    const sealer = await sealerForContact(trx, deps.cipher, target.id);
    const queue = { cipher: deps.cipher, sealer, clock: deps.clock, counters: deps.counters, enqueueSend: (tx: typeof trx, queued: string) => deps.jobs.enqueue(tx, 'sms.send', { messageId: queued }) };
    if (holding && !(await hasHeldReplies(trx, target.id))) {
      await queueOutboundMessage(trx, queue, {
        contactId: target.id, caseId: found.id, channel, body: deps.workerText?.getFixedT(found.language, 'sms')(WHATSAPP_NEWS_TEMPLATE) ?? '',
        language: found.language, template: WHATSAPP_NEWS_TEMPLATE, sentByUserId: null,
      });
    }
    const id = await queueOutboundMessage(trx, queue, {
      contactId: target.id, caseId: found.id, channel, body, language: found.language, template: null, sentByUserId: caller.principal.userId, hold: holding,
    });
    await updateCase(trx, found.id, {
      last_staff_message_at: now,
      ...(found.first_response_at ? {} : { first_response_at: now }),
      ...(found.status === 'new' ? { status: 'open' } : {}),
    }, now);
    await recordAudit(trx, { ...actorOf(caller), action: holding ? 'message.held' : 'message.queued', subjectType: 'message', subjectId: id, caseId: found.id });
    return id;
  });
  return findQueuedMessage(deps.db, messageId);
}
