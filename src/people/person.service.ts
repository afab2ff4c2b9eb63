import { recordAudit } from '../audit/audit.repository';
import { actorOf, caseOrNotFound, type Caller, type CaseWorkDeps } from '../cases/case-access';
import { insertCaseEvent } from '../cases/case-event.repository';
import { findCaseInScope } from '../cases/case-query.repository';
import { caseScopeOf } from '../cases/case.policy';
import { chooseReplyIdentity, replyWindowOf, type ReplyWindow } from '../channels/reply-identity';
import { listIdentitiesOfPerson } from '../contacts/contact.repository';
import { inTransaction } from '../db/transaction';
import { errors } from '../http/errors';
import { maskAddress } from './masked-address';
import { openerFor } from '../privacy/person-keys';
import { resealMovedValues } from '../privacy/key-migration.service';
import {
  findContactChannel,
  findMergeForUpdate,
  findPersonOfCase,
  findReplyChoiceOfCase,
  insertMerge,
  isContactOfPerson,
  listCaseIdsOfPerson,
  listCaseReferences,
  listLiveMergesOfPerson,
  lockPeople,
  markMergeUndone,
  moveAllCases,
  moveAllContacts,
  moveRowsTo,
  setReplyContact,
} from './person.repository';

// One worker across channels: which identities a case can be answered on and which one the next
// reply goes to; the caseworker's pick of it; and coordinators merging two people into one (when
// a worker writes from a second channel) and undoing a merge made in error. Each change is a case
// event on every case it touches and a line in the audit log.

/** What happens to a reply on an identity whose window is closed. */
export type ClosedWindowReply = 'held' | 'refused';

/** One channel identity of a case's worker, as the case page shows it. */
export interface CaseChannel {
  id: string;
  channel: string;
  /** The address with all but its end hidden; null for a reader who may not see personal data. */
  maskedAddress: string | null;
  isOptedOut: boolean;
  lastMessageAt: Date | null;
  window: ReplyWindow;
  /** Outside the window: the reply waits for the worker (WhatsApp with a template) or is refused. */
  whenClosed: ClosedWindowReply;
  /** The next reply goes here. */
  isNext: boolean;
}

/** A case's channels, and whether a caseworker picked the one replies go to. */
export interface CaseChannels {
  identities: CaseChannel[];
  pickedId: string | null;
}

function maskedOrErased(channel: string, address: string | null): string | null {
  return address === null ? null : maskAddress(channel, address);
}

/**
 * The channel identities of a case's worker (read after the case page's own access check), with
 * the one the next reply goes to. `showAddresses` is false for the limited view.
 */
export async function listChannelsOfCase(deps: Pick<CaseWorkDeps, 'db' | 'cipher' | 'clock' | 'whatsappTemplateSid'>, caseId: string, showAddresses: boolean): Promise<CaseChannels> {
  const caseRow = await findReplyChoiceOfCase(deps.db, caseId);
  const rows = await listIdentitiesOfPerson(deps.db, caseRow.person_id);
  const identities = rows.map((row) => ({ id: row.id, channel: row.channel, isOptedOut: row.is_opted_out, lastMessageAt: row.last_message_at, sealed: row.address_encrypted }));
  const next = chooseReplyIdentity(identities, caseRow.reply_contact_id);
  const opener = await openerFor(deps.db, deps.cipher, showAddresses ? identities.map((identity) => identity.sealed) : []);
  const now = deps.clock.now();
  return {
    pickedId: identities.some((identity) => identity.id === caseRow.reply_contact_id) ? caseRow.reply_contact_id : null,
    identities: identities.map((identity) => ({
      id: identity.id,
      channel: identity.channel,
      maskedAddress: showAddresses ? maskedOrErased(identity.channel, opener.openOrErased(identity.sealed)) : null,
      isOptedOut: identity.isOptedOut,
      lastMessageAt: identity.lastMessageAt,
      window: replyWindowOf(identity, now),
      whenClosed: identity.channel === 'whatsapp' && deps.whatsappTemplateSid ? 'held' : 'refused',
      isNext: next?.id === identity.id && !identity.isOptedOut,
    })),
  };
}

/**
 * Sets the identity a case's replies go to, or (null) goes back to the one the worker used last.
 * The identity must be one of the case's worker's (400 `reply_contact_id` otherwise).
 */
export async function setReplyChannelFor(deps: CaseWorkDeps, caller: Caller, reference: string, contactId: string | null): Promise<void> {
  const found = await caseOrNotFound(deps, caller, reference, 'case.reply_channel_set');
  if (contactId !== null && !(await isContactOfPerson(deps.db, contactId, found.person_id))) {
    throw errors.validation([{ field: 'reply_contact_id', reason: 'not_this_worker' }]);
  }
  const now = deps.clock.now();
  const channel = contactId ? await findContactChannel(deps.db, contactId) : null;
  await inTransaction(deps, async (trx) => {
    await setReplyContact(trx, found.id, contactId, now);
    await insertCaseEvent(trx, {
      caseId: found.id, type: 'case.reply_channel_set', actorKind: 'staff', actorUserId: caller.principal.userId,
      organisationId: caller.principal.organisationId, data: { contactId, channel }, at: now,
    });
    await recordAudit(trx, { ...actorOf(caller), action: 'case.reply_channel_set', subjectType: 'case', subjectId: reference, caseId: found.id, details: { contactId, channel } });
  });
}

const coordinatorsOnly = (caller: Caller) => {
  if (caller.principal.role !== 'coordinator') throw errors.forbidden();
};

/**
 * Merges the person of case `otherReference` into the person of case `reference` (coordinators
 * only, 403 otherwise): all identities and cases of the one move to the other in one transaction,
 * the rows moved are recorded for an exact undo, and every case of the kept person gets a
 * `person.merged` event. An unknown or unseen other case, or one of the same person, is 400 on
 * `other_reference`.
 */
export async function mergePeopleFor(deps: CaseWorkDeps, caller: Caller, reference: string, otherReference: string): Promise<{ mergeId: string }> {
  coordinatorsOnly(caller);
  const found = await caseOrNotFound(deps, caller, reference, 'person.merge');
  const other = await findCaseInScope(deps.db, caseScopeOf(caller.principal), otherReference);
  if (!other) throw errors.validation([{ field: 'other_reference', reason: 'unknown_case' }]);
  const now = deps.clock.now();
  const staff = { actorKind: 'staff' as const, actorUserId: caller.principal.userId, organisationId: caller.principal.organisationId, at: now };
  return inTransaction(deps, async (trx) => {
    await lockPeople(trx, [found.person_id, other.person_id]);
    // Read again under the lock: a merge committed meanwhile may have moved either case.
    const keptPersonId = await findPersonOfCase(trx, found.id);
    const mergedPersonId = await findPersonOfCase(trx, other.id);
    if (keptPersonId === mergedPersonId) throw errors.validation([{ field: 'other_reference', reason: 'same_worker' }]);
    await lockPeople(trx, [keptPersonId, mergedPersonId]);
    const contactIds = await moveAllContacts(trx, mergedPersonId, keptPersonId);
    const caseIds = await moveAllCases(trx, mergedPersonId, keptPersonId, now);
    // What moved is sealed again under the kept person's key: erasing them then erases it too.
    await resealMovedValues(trx, deps.cipher, keptPersonId);
    const mergeId = await insertMerge(trx, { keptPersonId, mergedPersonId, contactIds, caseIds, userId: caller.principal.userId, at: now });
    const data = { mergeId, keptReference: reference, mergedReference: otherReference };
    for (const caseId of await listCaseIdsOfPerson(trx, keptPersonId)) await insertCaseEvent(trx, { ...staff, caseId, type: 'person.merged', data });
    await recordAudit(trx, {
      ...actorOf(caller), action: 'person.merged', subjectType: 'person', subjectId: keptPersonId, caseId: found.id,
      details: { mergeId, mergedPersonId, contactIds, caseIds },
    });
    return { mergeId };
  });
}

/**
 * Undoes a merge (coordinators only): exactly the identities and cases it moved go back to the
 * merged person, wherever they are now and whatever was added since. Undoing one already undone is
 * 409; an unknown merge 404.
 */
export async function undoMergeFor(deps: CaseWorkDeps, caller: Caller, mergeId: string): Promise<{ caseReferences: string[] }> {
  coordinatorsOnly(caller);
  const now = deps.clock.now();
  const staff = { actorKind: 'staff' as const, actorUserId: caller.principal.userId, organisationId: caller.principal.organisationId, at: now };
  return inTransaction(deps, async (trx) => {
    const merge = await findMergeForUpdate(trx, mergeId);
    if (!merge) throw errors.notFound();
    if (merge.undone_at) throw errors.conflict([{ field: 'merge', reason: 'already_undone' }]);
    await lockPeople(trx, [merge.kept_person_id, merge.merged_person_id]);
    await moveRowsTo(trx, merge.merged_person_id, { contactIds: merge.contact_ids, caseIds: merge.case_ids }, now);
    await resealMovedValues(trx, deps.cipher, merge.merged_person_id);
    await markMergeUndone(trx, merge.id, caller.principal.userId, now);
    const affected = [...(await listCaseIdsOfPerson(trx, merge.kept_person_id)), ...(await listCaseIdsOfPerson(trx, merge.merged_person_id))];
    const data = { mergeId, mergedReferences: (await listCaseReferences(trx, merge.case_ids)).map((row) => row.reference) };
    for (const caseId of affected) await insertCaseEvent(trx, { ...staff, caseId, type: 'person.merge_undone', data });
    await recordAudit(trx, {
      ...actorOf(caller), action: 'person.merge_undone', subjectType: 'person', subjectId: merge.kept_person_id,
      details: { mergeId, mergedPersonId: merge.merged_person_id, contactIds: merge.contact_ids, caseIds: merge.case_ids },
    });
    return { caseReferences: (await listCaseReferences(trx, affected)).map((row) => row.reference) };
  });
}

/** A merge involving a case's worker, as the case page lists it. */
export interface MergeOfCase {
  id: string;
  mergedAt: Date;
  /** The cases the merge brought over. */
  mergedReferences: string[];
}

/** The merges not undone that involve a case's worker (read after the case page's access check). */
export async function listMergesOfCase(deps: Pick<CaseWorkDeps, 'db'>, caseId: string): Promise<MergeOfCase[]> {
  const personId = await findPersonOfCase(deps.db, caseId);
  const merges = await listLiveMergesOfPerson(deps.db, personId);
  return Promise.all(merges.map(async (merge) => ({
    id: merge.id, mergedAt: merge.merged_at, mergedReferences: (await listCaseReferences(deps.db, merge.case_ids)).map((row) => row.reference),
  })));
}
