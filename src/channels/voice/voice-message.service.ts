import type { Kysely } from 'kysely';
import { adoptAttachmentsIntoCase } from '../../attachments/attachment-intake.service';
import { insertCaseEvent } from '../../cases/case-event.repository';
import { lockCaseAgainstWriters, updateCase } from '../../cases/case.repository';
import { recordCaseOpened } from '../../cases/case.service';
import type { Clock } from '../../clock';
import type { Database } from '../../db/schema';
import { inTransaction } from '../../db/transaction';
import type { DomainEventPublisher } from '../../events/domain-events';
import type { HotlineJobEnqueuer } from '../../jobs/hotline-jobs';
import { isLanguage } from '../../language/negotiation';
import type { PersonalDataCipher } from '../../privacy/personal-data';
import { readCallState } from './voice-call';
import { findCallMessage, findCaseOfCall, insertCallCase, isCallMessageFiled } from './voice.repository';

// A caller's message, from the webhook that hears it to its place on a case, in three steps so
// that no caller waits on more than the first two:
//
// 1. The webhook's transaction (voice.service.ts) keeps the recording as a pending attachment,
//    makes the caller a voice contact, and queues `voice.file_message` with the call's row.
// 2. Right after, a new case's row is inserted in a statement of its own (`openCaseOfCall`), so
//    that the reference read out at the end of the call is the case's own, unique by the
//    database's constraint. (A message that joins the caller's open case skips this.)
// 3. The job files the message, in one transaction, like any channel's: a new case's opening is
//    recorded, its intake completed and routing runs (`case.intake_completed`); an open case
//    hears that the worker wrote again. Should step 2 have failed, the job opens the case first.
//
// The job locks the case's row, not the call's: the caller is still in the menus, and each of
// their answers locks the call. The case's lock keeps a second run out until the first commits;
// the `call.message_left` event it writes is what tells a second run there is nothing left to do.

export interface VoiceMessageDeps {
  db: Kysely<Database>;
  cipher: PersonalDataCipher;
  clock: Clock;
  /** The routing and notification jobs the filing causes (and the runner woken after commit). */
  jobs: Pick<HotlineJobEnqueuer, 'enqueue' | 'wake'>;
  events: DomainEventPublisher;
  /** True when SMTP_URL is set: notices to staff are also emailed. */
  mailEnabled: boolean;
}

/** A call that took a message, as opening its case needs it. */
export interface CallWithMessage {
  id: string;
  recording_attachment_id: string;
  contact_id: string | null;
  language: string | null;
  category: string | null;
  started_at: Date;
}

/**
 * The case of a call's message on channel `voice`: its row, in one statement run on its own, with
 * the recording's attachment and the call linked to it; or the case another request opened first.
 */
export async function openCaseOfCall(deps: Pick<VoiceMessageDeps, 'db' | 'cipher' | 'clock'>, call: CallWithMessage): Promise<{ id: string; reference: string }> {
  const opened = await insertCallCase(deps.db, {
    callId: call.id,
    attachmentId: call.recording_attachment_id,
    contactId: call.contact_id,
    language: isLanguage(call.language) ? call.language : 'en',
    categories: [call.category ?? 'other'],
    // The message is the recording; there are no written words, so nothing to seal.
    summaryEncrypted: null,
    receivedAt: call.started_at,
    at: deps.clock.now(),
  });
  if (opened) return opened;
  const existing = await findCaseOfCall(deps.db, call.id);
  if (!existing) throw new Error('the call\'s case was neither opened nor found');
  return existing;
}

/** What a run of the job did. */
export type FilingOutcome = 'filed' | 'already_filed' | 'no_message';

/** Files a call's message on its case (opening the case first if the webhook could not); run again, it changes nothing. */
export async function fileCallMessage(deps: VoiceMessageDeps, callId: string): Promise<FilingOutcome> {
  const call = await findCallMessage(deps.db, callId);
  if (!call?.recording_attachment_id) return 'no_message';
  const attachmentId = call.recording_attachment_id;
  const caseId = call.case_id ?? (await openCaseOfCall(deps, { ...call, recording_attachment_id: attachmentId })).id;
  return inTransaction(deps, async (trx) => {
    const kept = await lockCaseAgainstWriters(trx, caseId);
    if (!kept) return 'no_message';
    if (await isCallMessageFiled(trx, kept.id, call.id)) return 'already_filed';
    const now = deps.clock.now();
    const context = { clock: deps.clock, mailEnabled: deps.mailEnabled };
    if (readCallState(call.state).openedCase) {
      await recordCaseOpened(trx, deps, kept, { channel: 'voice', language: isLanguage(call.language) ? call.language : 'en' });
      await adoptAttachmentsIntoCase(trx, kept.personId, kept.id);
      // All the line asks is asked: routing may run. Consent is left for the caseworker to ask.
      await updateCase(trx, kept.id, { intake_complete: true }, now);
      await insertCaseEvent(trx, { caseId: kept.id, type: 'case.intake_completed', actorKind: 'worker', data: { channel: 'voice' }, at: now });
      await deps.events.publish(trx, { type: 'case.intake_completed', caseId: kept.id }, context);
    } else {
      await updateCase(trx, kept.id, { last_worker_message_at: now }, now);
      await deps.events.publish(trx, { type: 'case.worker_wrote', caseId: kept.id }, context);
    }
    await insertCaseEvent(trx, { caseId: kept.id, type: 'call.message_left', actorKind: 'worker', data: { callId: call.id, attachmentId }, at: now });
    return 'filed';
  });
}
