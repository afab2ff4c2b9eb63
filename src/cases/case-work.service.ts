import type { Kysely } from 'kysely';
import { recordAudit } from '../audit/audit.repository';
import { queueOutboundMessage } from '../channels/sms/outbound';
import type { Clock } from '../clock';
import type { Database } from '../db/schema';
import { inTransaction } from '../db/transaction';
import type { Principal } from '../http/access';
import { AppError, errors } from '../http/errors';
import type { HotlineJobQueue } from '../jobs/job-queue';
import type { PersonalDataCipher } from '../privacy/personal-data';
import { insertCaseEvent } from './case-event.repository';
import {
  countCasesByStatus,
  findCaseId,
  findCaseInScope,
  listCases,
  listMessagesOfCase,
  listNotesOfCase,
  type CaseFilters,
  type Cursor,
} from './case-query.repository';
import { updateCase } from './case.repository';
import { canSeeNote, caseScopeOf } from './case.policy';
import type { UpdateCaseBody } from './cases.schema';

// Case work for caseworkers and coordinators: each function checks access first (a case outside
// the principal's scope answers 404, so its existence is not confirmed), then does the work and
// writes the audit log.

export interface CaseWorkDeps {
  db: Kysely<Database>;
  cipher: PersonalDataCipher;
  clock: Clock;
  jobs: Pick<HotlineJobQueue, 'enqueue' | 'wake'>;
}

export interface Caller {
  principal: Principal;
  ip: string | null;
}

const actorOf = (caller: Caller) => ({ actorKind: caller.principal.kind, actorUserId: caller.principal.userId, ip: caller.ip });

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
    data: shown.map((row) => ({
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
      waiting_for_reply: row.last_worker_message_at !== null && (row.last_staff_message_at === null || row.last_staff_message_at < row.last_worker_message_at),
      created_at: row.created_at,
      updated_at: row.updated_at,
    })),
    next_cursor: more && last ? encodeCursor({ updatedAt: last.cursor_at, id: last.id }) : null,
    counts: { status: counts },
  };
}

async function caseOrNotFound(deps: CaseWorkDeps, caller: Caller, reference: string, action: string) {
  const found = await findCaseInScope(deps.db, caseScopeOf(caller.principal), reference);
  if (found) return found;
  const hidden = await findCaseId(deps.db, reference);
  if (hidden) {
    await recordAudit(deps.db, { ...actorOf(caller), action: 'case.access_denied', subjectType: 'case', subjectId: reference, caseId: hidden, details: { attempted: action } });
  }
  throw errors.notFound();
}

/** A case with its messages and the notes the caller may see; the read is audited. */
export async function getCaseFor(deps: CaseWorkDeps, caller: Caller, reference: string) {
  const found = await caseOrNotFound(deps, caller, reference, 'case.read');
  const { cipher } = deps;
  const [messages, notes] = await Promise.all([listMessagesOfCase(deps.db, found.id), listNotesOfCase(deps.db, found.id)]);
  await recordAudit(deps.db, { ...actorOf(caller), action: 'case.read', subjectType: 'case', subjectId: reference, caseId: found.id });
  return {
    reference: found.reference,
    status: found.status,
    urgency: found.urgency,
    channel: found.channel,
    language: found.language,
    intake_complete: found.intake_complete,
    summary: cipher.openOptional(found.summary_encrypted),
    location_as_written: cipher.openOptional(found.location_raw_encrypted),
    employer: cipher.openOptional(found.employer_encrypted),
    categories: found.categories,
    forced_labour_indicators: found.forced_labour_indicators,
    sector: found.sector,
    origin_country: found.origin_country,
    origin_province: found.origin_province,
    destination_country: found.destination_country,
    destination_province: found.destination_province,
    gender: found.gender,
    age_band: found.age_band,
    workers_affected: found.workers_affected,
    consent: found.consent_given === null ? null : { given: found.consent_given, at: found.consent_at, wording: found.consent_wording },
    outcome: found.outcome,
    amount_recovered: found.amount_recovered,
    recovered_currency: found.recovered_currency,
    owner: found.owner,
    assigned_user_id: found.assigned_user_id,
    created_at: found.created_at,
    updated_at: found.updated_at,
    messages: messages.map((message) => ({
      id: message.id,
      direction: message.direction,
      channel: message.channel,
      body: cipher.openOptional(message.body_encrypted),
      status: message.status,
      error_code: message.error_code,
      encoding: message.encoding,
      segments: message.segments,
      from_staff: message.sent_by_user_id !== null,
      created_at: message.created_at,
      status_updated_at: message.status_updated_at,
    })),
    notes: notes
      .filter((note) => canSeeNote(caller.principal, { organisationId: note.organisation_id, visibility: note.visibility }))
      .map((note) => ({ id: note.id, body: cipher.open(note.body_encrypted), visibility: note.visibility, author: note.author, created_at: note.created_at })),
  };
}

async function assigneeAllowed(deps: CaseWorkDeps, caller: Caller, userId: string, ownerOrganisationId: string | null): Promise<boolean> {
  const user = await deps.db.selectFrom('users').select(['organisation_id', 'role', 'disabled_at']).where('id', '=', userId).executeTakeFirst();
  if (!user || user.disabled_at || (user.role !== 'caseworker' && user.role !== 'coordinator')) return false;
  return caller.principal.role === 'coordinator' ? user.organisation_id === ownerOrganisationId || user.role === 'coordinator' : user.organisation_id === caller.principal.organisationId;
}

/** Changes triage and outcome fields; each change is a timeline event and the write is audited. */
export async function updateCaseFor(deps: CaseWorkDeps, caller: Caller, reference: string, changes: UpdateCaseBody): Promise<void> {
  const found = await caseOrNotFound(deps, caller, reference, 'case.update');
  if (changes.assigned_user_id && !(await assigneeAllowed(deps, caller, changes.assigned_user_id, found.owner_organisation_id))) {
    throw errors.validation([{ field: 'assigned_user_id', reason: 'not_allowed' }]);
  }
  const now = deps.clock.now();
  const changed = Object.entries(changes).filter(([field, value]) => JSON.stringify((found as Record<string, unknown>)[field] ?? null) !== JSON.stringify(value));
  if (changed.length === 0) return;
  const resolvedNow = changes.status && ['resolved', 'closed'].includes(changes.status) && !found.resolved_at;
  await deps.db.transaction().execute(async (trx) => {
    await updateCase(trx, found.id, { ...changes, ...(resolvedNow ? { resolved_at: now } : {}) }, now);
    for (const [field, value] of changed) {
      await insertCaseEvent(trx, {
        caseId: found.id,
        type: field === 'status' ? 'case.status_changed' : field === 'assigned_user_id' ? 'case.assigned' : 'case.updated',
        actorKind: 'staff',
        actorUserId: caller.principal.userId,
        organisationId: caller.principal.organisationId,
        data: { field, from: stringish((found as Record<string, unknown>)[field]), to: stringish(value) },
        at: now,
      });
    }
    await recordAudit(trx, { ...actorOf(caller), action: 'case.updated', subjectType: 'case', subjectId: reference, caseId: found.id, details: { fields: changed.map(([field]) => field) } });
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
    const row = await trx
      .insertInto('notes')
      .values({ case_id: found.id, organisation_id: caller.principal.organisationId, author_user_id: caller.principal.userId, visibility: note.visibility, body_encrypted: deps.cipher.seal(note.body), created_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    await insertCaseEvent(trx, { caseId: found.id, type: 'note.added', actorKind: 'staff', actorUserId: caller.principal.userId, organisationId: caller.principal.organisationId, data: { noteId: row.id, visibility: note.visibility }, at: now });
    await recordAudit(trx, { ...actorOf(caller), action: 'note.created', subjectType: 'note', subjectId: row.id, caseId: found.id });
    return row;
  });
}

/** Queues a reply to the worker on the case's channel (never to a contact who opted out). */
export async function replyFor(deps: CaseWorkDeps, caller: Caller, reference: string, body: string) {
  const found = await caseOrNotFound(deps, caller, reference, 'message.create');
  if (!found.contact_id) throw new AppError('conflict', [{ field: 'reference', reason: 'no_contact' }]);
  const contact = await deps.db.selectFrom('contacts').select(['id', 'channel', 'is_opted_out']).where('id', '=', found.contact_id).executeTakeFirstOrThrow();
  if (contact.is_opted_out) throw new AppError('conflict', [{ field: 'reference', reason: 'opted_out' }]);
  const now = deps.clock.now();
  const messageId = await inTransaction({ db: deps.db, jobs: deps.jobs }, async (trx) => {
    const id = await queueOutboundMessage(
      trx,
      { cipher: deps.cipher, clock: deps.clock, enqueueSend: (tx, queued) => deps.jobs.enqueue(tx, 'sms.send', { messageId: queued }) },
      { contactId: contact.id, caseId: found.id, channel: contact.channel === 'whatsapp' ? 'whatsapp' : 'sms', body, language: found.language, template: null, sentByUserId: caller.principal.userId },
    );
    await updateCase(trx, found.id, {
      last_staff_message_at: now,
      ...(found.first_response_at ? {} : { first_response_at: now }),
      ...(found.status === 'new' ? { status: 'open' } : {}),
    }, now);
    await recordAudit(trx, { ...actorOf(caller), action: 'message.queued', subjectType: 'message', subjectId: id, caseId: found.id });
    return id;
  });
  const message = await deps.db.selectFrom('messages').select(['id', 'status', 'encoding', 'segments']).where('id', '=', messageId).executeTakeFirstOrThrow();
  return message;
}
