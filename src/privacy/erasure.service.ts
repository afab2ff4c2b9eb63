import type { Kysely, Transaction } from 'kysely';
import { recordAudit, type AuditActorKind } from '../audit/audit.repository';
import { insertCaseEvent } from '../cases/case-event.repository';
import { normaliseCaseReference } from '../cases/case-reference';
import type { Clock } from '../clock';
import type { Database, ErasureReason, ErasureScope, ErasureStatus } from '../db/schema';
import { inTransaction } from '../db/transaction';
import type { DomainEventPublisher } from '../events/domain-events';
import type { HotlineJobEnqueuer } from '../jobs/hotline-jobs';
import type { HotlineCounters } from '../observability/hotline-counters';
import {
  closePendingMessages,
  countCaseContent,
  countPersonKeys,
  deleteNotesOfCases,
  eraseAttachments,
  eraseCallers,
  eraseCaseFields,
  eraseContacts,
  eraseEscalationTexts,
  eraseMessages,
  eraseReferralTexts,
  findCaseById,
  findCaseByReference,
  findPeopleByPhoneHashes,
  findPersonGroup,
  insertConfirmedErasure,
  insertProviderCopies,
  listCallSids,
  listAttachmentIds,
  listCasesOfPeople,
  listContactIdsOfPeople,
  listDeletedProviderRefs,
  listEventsOfCases,
  listHeldCases,
  listMessageIds,
  listTwilioHeldAttachments,
  listTwilioMessages,
  lockErasure,
  lockPeopleRows,
  markErasureDone,
  markErasureRefused,
  markPeopleErased,
  personExists,
  replaceEventData,
  type ErasureRow,
  type ProviderCopy,
} from './erasure.repository';
import { deletePersonKeys } from './person-key.repository';
import { forgetPersonKeys, openerFor, type PersonOpener } from './person-keys';
import type { PersonalDataCipher } from './personal-data';

// Erasing a worker's personal data (issue #16). A person's erasure reaches everyone merged with
// them (a merge not undone says they are one worker): their identities, cases, messages, notes,
// files, the texts of referrals and escalations, callers' numbers, the timeline's free text; then
// their data keys are destroyed, so whatever a backup still holds of them never opens again.
// One case's erasure (retention, when the worker has other cases still kept) reaches that case's
// content only. What stays is the case shell — categories, indicators, corridor, sector, status,
// outcome, amounts, dates — so the statistics do not move, and timeline events without content.
// Everything happens in one transaction; the copies Twilio keeps are deleted after, by a job.

/** What erasing needs. */
export interface ErasureDeps {
  db: Kysely<Database>;
  cipher: PersonalDataCipher;
  clock: Clock;
  jobs: Pick<HotlineJobEnqueuer, 'enqueue' | 'wake'>;
  events: DomainEventPublisher;
  counters?: Pick<HotlineCounters, 'erasureFinished'> | undefined;
}

/** Whose data: a person (with everyone merged with them), or one case's content only. */
export type ErasureTarget = { scope: 'person'; personId: string } | { scope: 'case'; caseId: string };

/** How many rows of each kind an erasure reaches (no personal data: counts only). */
export interface ErasureCounts {
  people: number;
  contacts: number;
  cases: number;
  messages: number;
  notes: number;
  attachments: number;
  referrals: number;
  escalations: number;
  calls: number;
  personKeys: number;
  providerCopies: number;
}

/** What an erasure would do, for a dry run. */
export interface ErasurePlan {
  scope: ErasureScope;
  /** The case references whose personal data would go. */
  caseReferences: string[];
  /** Cases under an active legal hold: with any, the erasure would be refused. */
  heldCaseReferences: string[];
  counts: ErasureCounts;
}

/** What became of an erasure asked to run. */
export interface ErasureOutcome {
  erasureId: string;
  status: ErasureStatus;
  /** False when there was nothing to run: already done or refused, or not confirmed yet. */
  ran: boolean;
  summary: Record<string, number>;
}

/** The erasure could not start: its person or case does not exist. */
export class ErasureTargetNotFound extends Error {
  override name = 'ErasureTargetNotFound';
}

/** Everything one erasure reaches. */
interface Reach {
  scope: ErasureScope;
  /** The people whose keys go (none for one case). */
  personIds: string[];
  cases: { id: string; reference: string }[];
  contactIds: string[];
  messageIds: string[];
  attachmentIds: string[];
}

const MESSAGE_SID = /^(SM|MM)[0-9a-fA-F]{32}$/;
const MEDIA_SID = /^ME[0-9a-fA-F]{32}$/;
const RECORDING_SID = /^RE[0-9a-fA-F]{32}$/;
const CALL_SID = /^CA[0-9a-fA-F]{32}$/;
const TWILIO_MEDIA_PATH = /\/Messages\/((?:SM|MM)[0-9a-fA-F]{32})\/Media\/(ME[0-9a-fA-F]{32})$/;

/** How an operator names whose data to erase. */
export type ErasureSubject = { reference: string } | { phone: string } | { personId: string };

/**
 * The people a CLI erasure reaches, one per worker: a case's person, every person with an identity
 * on that number (SMS, WhatsApp, voice), or the person named; people merged together count once.
 */
export async function findPeopleToErase(deps: Pick<ErasureDeps, 'db' | 'cipher'>, subject: ErasureSubject): Promise<string[]> {
  let found: string[];
  if ('reference' in subject) {
    const reference = normaliseCaseReference(subject.reference);
    const row = reference ? await findCaseByReference(deps.db, reference) : undefined;
    found = row ? [row.person_id] : [];
  } else if ('phone' in subject) {
    found = await findPeopleByPhoneHashes(deps.db, deps.cipher.lookupHashes(subject.phone));
  } else {
    found = (await personExists(deps.db, subject.personId)) ? [subject.personId] : [];
  }
  const covered = new Set<string>();
  const people: string[] = [];
  for (const personId of found) {
    if (covered.has(personId)) continue;
    for (const member of await findPersonGroup(deps.db, personId)) covered.add(member);
    people.push(personId);
  }
  return people;
}

/** What a dry run prints: the counts of what would go, and any hold that would refuse it. */
export async function planErasure(deps: Pick<ErasureDeps, 'db' | 'cipher' | 'clock'>, target: ErasureTarget): Promise<ErasurePlan> {
  const reach = await reachOf(deps.db, target);
  const held = await listHeldCases(deps.db, reach.cases.map((item) => item.id), deps.clock.now());
  const copies = await collectProviderCopies(deps.db, deps.cipher, reach);
  const content = await countCaseContent(deps.db, reach.cases.map((item) => item.id), reach.contactIds);
  return {
    scope: reach.scope,
    caseReferences: reach.cases.map((item) => item.reference),
    heldCaseReferences: held.map((item) => item.reference),
    counts: {
      people: reach.personIds.length,
      contacts: reach.contactIds.length,
      cases: reach.cases.length,
      messages: reach.messageIds.length,
      attachments: reach.attachmentIds.length,
      ...content,
      personKeys: await countPersonKeys(deps.db, reach.personIds),
      providerCopies: copies.length,
    },
  };
}

/**
 * Runs a confirmed erasure in one transaction. An erasure already done (or refused, or not yet
 * confirmed) is left as it is. One reaching a case under an active legal hold is refused instead.
 */
export async function runErasure(deps: ErasureDeps, erasureId: string): Promise<ErasureOutcome> {
  const outcome = await inTransaction(deps, async (trx) => {
    const erasure = await lockErasure(trx, erasureId);
    if (!erasure) throw new ErasureTargetNotFound(`no erasure ${erasureId}`);
    return runLocked(trx, deps, erasure);
  });
  return afterCommit(deps, outcome);
}

/**
 * Records an erasure decided by the CLI or the retention schedule (confirmed at once: no second
 * coordinator) and runs it, in one transaction.
 */
export async function eraseNow(
  deps: ErasureDeps,
  request: { target: ErasureTarget; source: 'cli' | 'retention'; reason: ErasureReason },
): Promise<ErasureOutcome> {
  const { target } = request;
  const outcome = await inTransaction(deps, async (trx) => {
    const personId = target.scope === 'person' ? target.personId : (await findCaseById(trx, target.caseId))?.person_id;
    if (!personId || (target.scope === 'person' && !(await personExists(trx, personId)))) throw new ErasureTargetNotFound(`no such ${target.scope}`);
    const erasureId = await insertConfirmedErasure(trx, {
      personId, caseId: target.scope === 'case' ? target.caseId : null, scope: target.scope, source: request.source, reason: request.reason, at: deps.clock.now(),
    });
    const erasure = await lockErasure(trx, erasureId);
    if (!erasure) throw new Error('the erasure just recorded is gone');
    return runLocked(trx, deps, erasure);
  });
  return afterCommit(deps, outcome);
}

function afterCommit(deps: ErasureDeps, outcome: ErasureOutcome & { scope: ErasureScope; source: string }): ErasureOutcome {
  if (outcome.ran) {
    // Unwrapped keys of the erased stay in this process's cache until evicted; drop them now.
    forgetPersonKeys(deps.cipher);
    deps.counters?.erasureFinished(outcome.scope, outcome.source, outcome.status);
  }
  return { erasureId: outcome.erasureId, status: outcome.status, ran: outcome.ran, summary: outcome.summary };
}

async function runLocked(trx: Transaction<Database>, deps: ErasureDeps, erasure: ErasureRow): Promise<ErasureOutcome & { scope: ErasureScope; source: string }> {
  const base = { erasureId: erasure.id, scope: erasure.scope, source: erasure.source };
  if (erasure.status !== 'confirmed') return { ...base, status: erasure.status as ErasureStatus, ran: false, summary: erasure.summary };
  const now = deps.clock.now();
  const target: ErasureTarget = erasure.scope === 'case' && erasure.caseId ? { scope: 'case', caseId: erasure.caseId } : { scope: 'person', personId: erasure.personId };
  // A merge or an undo waits for the erasure (both lock people first), so the group read next stays the group.
  if (target.scope === 'person') await lockPeopleRows(trx, await findPersonGroup(trx, target.personId));
  const reach = await reachOf(trx, target);
  const held = await listHeldCases(trx, reach.cases.map((item) => item.id), now);
  if (held.length > 0) {
    await refuseForLegalHold(trx, deps, erasure, held.length, now);
    return { ...base, status: 'refused', ran: true, summary: {} };
  }
  const summary = await eraseReach(trx, deps, erasure, reach, now);
  return { ...base, status: 'done', ran: true, summary };
}

async function refuseForLegalHold(trx: Transaction<Database>, deps: ErasureDeps, erasure: ErasureRow, heldCases: number, now: Date): Promise<void> {
  await markErasureRefused(trx, erasure.id, 'legal_hold', now);
  await recordAudit(trx, {
    ...auditActorOf(erasure), action: 'erasure.refused', subjectType: 'erasure', subjectId: erasure.id, caseId: erasure.caseId,
    details: { scope: erasure.scope, source: erasure.source, refusal_reason: 'legal_hold', held_cases: heldCases }, at: now,
  });
  await deps.events.publish(trx, { type: 'erasure.refused', erasureId: erasure.id, personId: erasure.personId, reason: 'legal_hold' });
  await deps.jobs.enqueue(trx, 'erasure.tell_worker', { erasureId: erasure.id });
}

async function eraseReach(trx: Transaction<Database>, deps: ErasureDeps, erasure: ErasureRow, reach: Reach, now: Date): Promise<Record<string, number>> {
  const caseIds = reach.cases.map((item) => item.id);
  // Before anything is emptied: which copies Twilio keeps (their ids are in what is erased next).
  const copies = await collectProviderCopies(trx, deps.cipher, reach);
  const content = await countCaseContent(trx, caseIds, reach.contactIds);
  await closePendingMessages(trx, reach.messageIds, now);
  const summary: Record<string, number> = {
    people: reach.personIds.length,
    contacts: await eraseContacts(trx, reach.contactIds, now),
    cases: await eraseCaseFields(trx, caseIds, { erasureId: erasure.id, now }),
    messages: await eraseMessages(trx, reach.messageIds),
    notes: await deleteNotesOfCases(trx, caseIds),
    attachments: await eraseAttachments(trx, reach.attachmentIds),
    referrals: content.referrals,
    escalations: content.escalations,
    calls: content.calls,
    eventsScrubbed: await scrubCaseEvents(trx, caseIds),
    personKeys: await deletePersonKeys(trx, reach.personIds),
    providerCopies: await insertProviderCopies(trx, erasure.id, copies),
  };
  await eraseReferralTexts(trx, caseIds);
  await eraseEscalationTexts(trx, caseIds);
  await eraseCallers(trx, caseIds, reach.contactIds);
  await markPeopleErased(trx, reach.personIds, now);
  const staff = erasure.confirmedByUserId && erasure.source !== 'cli' && erasure.source !== 'retention';
  for (const caseId of caseIds) {
    await insertCaseEvent(trx, {
      caseId, type: 'personal_data.erased', actorKind: staff ? 'staff' : 'system', actorUserId: staff ? erasure.confirmedByUserId : null,
      data: { erasureId: erasure.id, scope: erasure.scope, reason: erasure.reason }, at: now,
    });
  }
  if (summary['providerCopies'] ?? 0) await deps.jobs.enqueue(trx, 'erasure.delete_provider_copies', { erasureId: erasure.id });
  await markErasureDone(trx, erasure.id, summary, now);
  await recordAudit(trx, {
    ...auditActorOf(erasure), action: 'erasure.done', subjectType: 'erasure', subjectId: erasure.id, caseId: erasure.caseId,
    details: { scope: erasure.scope, source: erasure.source, reason: erasure.reason, ...summary }, at: now,
  });
  await deps.events.publish(trx, { type: 'erasure.done', erasureId: erasure.id, personId: erasure.personId, caseIds });
  return summary;
}

function auditActorOf(erasure: ErasureRow): { actorKind: AuditActorKind; actorUserId: string | null } {
  if (erasure.source === 'cli') return { actorKind: 'cli', actorUserId: null };
  if (erasure.source === 'retention' || !erasure.confirmedByUserId) return { actorKind: 'system', actorUserId: null };
  return { actorKind: 'user', actorUserId: erasure.confirmedByUserId };
}

async function reachOf(db: Kysely<Database> | Transaction<Database>, target: ErasureTarget): Promise<Reach> {
  if (target.scope === 'case') {
    const found = await findCaseById(db, target.caseId);
    if (!found) throw new ErasureTargetNotFound('no such case');
    const messageIds = await listMessageIds(db, [found.id], []);
    return {
      scope: 'case', personIds: [], cases: [{ id: found.id, reference: found.reference }], contactIds: [], messageIds,
      attachmentIds: await listAttachmentIds(db, { personIds: [], caseIds: [found.id], messageIds }),
    };
  }
  if (!(await personExists(db, target.personId))) throw new ErasureTargetNotFound('no such person');
  const personIds = await findPersonGroup(db, target.personId);
  const cases = (await listCasesOfPeople(db, personIds)).map((row) => ({ id: row.id, reference: row.reference }));
  const contactIds = await listContactIdsOfPeople(db, personIds);
  const caseIds = cases.map((item) => item.id);
  const messageIds = await listMessageIds(db, caseIds, contactIds);
  return { scope: 'person', personIds, cases, contactIds, messageIds, attachmentIds: await listAttachmentIds(db, { personIds, caseIds, messageIds }) };
}

/**
 * The copies Twilio still keeps of what the erasure reaches: each message it carried, each media
 * file not yet deleted there (from the attachment, or from the message when it was never fetched),
 * each call recording not yet deleted, and each call's log (it keeps the caller's number).
 */
async function collectProviderCopies(db: Kysely<Database> | Transaction<Database>, cipher: PersonalDataCipher, reach: Reach): Promise<ProviderCopy[]> {
  const copies = new Map<string, ProviderCopy>();
  const add = (kind: ProviderCopy['kind'], ref: string) => copies.set(`${kind}:${ref}`, { provider: 'twilio', kind, ref });
  // A media file is known by its own id (ME…); its path needs its message's, best read from its URL.
  const media = new Map<string, string>();
  const addMedia = (path: string, mediaSid: string) => media.set(mediaSid, `${path}/${mediaSid}`);
  const deleted = new Set(await listDeletedProviderRefs(db, reach.attachmentIds));
  const attachments = await listTwilioHeldAttachments(db, reach.attachmentIds);
  const messages = await listTwilioMessages(db, reach.messageIds);
  const messageUrls = messages.flatMap((message) => sealedMediaUrls(message.media));
  const opener = await openerFor(db, cipher, [...messageUrls, ...attachments.map((attachment) => attachment.provider_url_encrypted)]);
  for (const attachment of attachments) {
    const ref = attachment.provider_ref ?? '';
    if (attachment.source === 'voice' && RECORDING_SID.test(ref)) add('recording', ref);
    const message = attachment.message_provider_id ?? '';
    if (attachment.source === 'twilio' && MEDIA_SID.test(ref) && MESSAGE_SID.test(message)) addMedia(message, ref);
  }
  const fromUrls = [...messageUrls, ...attachments.flatMap((attachment) => (attachment.provider_url_encrypted ? [attachment.provider_url_encrypted] : []))];
  for (const url of fromUrls) {
    const match = TWILIO_MEDIA_PATH.exec(openedOrEmpty(opener, url));
    if (match?.[1] && match[2]) addMedia(match[1], match[2]);
  }
  for (const [mediaSid, ref] of media) if (!deleted.has(mediaSid)) add('media', ref);
  for (const message of messages) if (message.provider_id && MESSAGE_SID.test(message.provider_id)) add('message', message.provider_id);
  for (const callSid of await listCallSids(db, reach.cases.map((item) => item.id), reach.contactIds)) if (CALL_SID.test(callSid)) add('call', callSid);
  return [...copies.values()];
}

function sealedMediaUrls(media: unknown): string[] {
  if (!Array.isArray(media)) return [];
  return media.flatMap((item) => (typeof item === 'object' && item !== null && typeof (item as { url?: unknown }).url === 'string' ? [(item as { url: string }).url] : []));
}

/** A URL that no longer opens (its key destroyed or rotated away) names no copy we could find. */
function openedOrEmpty(opener: PersonOpener, sealed: string): string {
  try {
    return opener.open(sealed);
  } catch {
    return '';
  }
}

// What a timeline event may keep: ids, codes, counts, times — each under a key some writer of
// events uses. Anything else (a key nobody should have written, or text with spaces) goes.
const EVENT_DATA_KEYS = new Set([
  'attachmentId', 'attempt', 'attemptId', 'callId', 'casesMoved', 'categories', 'channel', 'contactId', 'country', 'dueAt',
  'embassyOrganisationId', 'encoding', 'erasureId', 'escalationId', 'field', 'from', 'given', 'keptReference', 'kind', 'language',
  'maxAttempts', 'mergeId', 'mergedReference', 'mergedReferences', 'messageId', 'noteId', 'outcome', 'province', 'reason', 'referralId',
  'ruleId', 'safeTime', 'scope', 'segments', 'since', 'source', 'template', 'to', 'toOrganisationId', 'trigger', 'visibility',
]);
const CODE = /^[A-Za-z0-9_.:+-]{0,80}$/;

function isCode(value: unknown): boolean {
  if (value === null || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value === 'string') return CODE.test(value);
  return Array.isArray(value) && value.length <= 64 && value.every((item) => typeof item === 'string' && CODE.test(item));
}

/** An event's data with only ids and codes kept. */
export function scrubEventData(data: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(data).filter(([key, value]) => EVENT_DATA_KEYS.has(key) && isCode(value)));
}

async function scrubCaseEvents(trx: Transaction<Database>, caseIds: readonly string[]): Promise<number> {
  let scrubbed = 0;
  for (const event of await listEventsOfCases(trx, caseIds)) {
    const data = typeof event.data === 'object' && event.data !== null ? event.data : {};
    const kept = scrubEventData(data);
    if (Object.keys(kept).length === Object.keys(data).length) continue;
    await replaceEventData(trx, event.id, kept);
    scrubbed += 1;
  }
  return scrubbed;
}
