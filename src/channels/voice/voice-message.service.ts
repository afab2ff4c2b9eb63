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
import { readCallState } from './voice-call';
import { findCallMessage, isCallMessageFiled } from './voice.repository';

// The part of taking a caller's message that the caller need not wait for: the webhook that heard
// the message inserted the case's row (or found the caller's open case) and the recording's
// attachment, and queued this job in the same transaction. Here, in one transaction, the message
// is filed on its case like any channel's: a new case's opening is recorded, its intake completed
// and routing runs (`case.intake_completed`); an open case hears that the worker wrote again.
//
// The job locks the case's row, not the call's: the caller is still in the menus, and each of
// their answers locks the call. The case's lock keeps a second run out until the first commits;
// the `call.message_left` event it writes is what tells a second run there is nothing left to do.

export interface VoiceMessageDeps {
  db: Kysely<Database>;
  clock: Clock;
  /** The routing and notification jobs the filing causes (and the runner woken after commit). */
  jobs: Pick<HotlineJobEnqueuer, 'enqueue' | 'wake'>;
  events: DomainEventPublisher;
  /** True when SMTP_URL is set: notices to staff are also emailed. */
  mailEnabled: boolean;
}

/** What a run of the job did. */
export type FilingOutcome = 'filed' | 'already_filed' | 'no_message';

/** Files a call's message on its case; run again, it changes nothing. */
export async function fileCallMessage(deps: VoiceMessageDeps, callId: string): Promise<FilingOutcome> {
  return inTransaction(deps, async (trx) => {
    const call = await findCallMessage(trx, callId);
    if (!call?.case_id || !call.recording_attachment_id) return 'no_message';
    const kept = await lockCaseAgainstWriters(trx, call.case_id);
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
    await insertCaseEvent(trx, { caseId: kept.id, type: 'call.message_left', actorKind: 'worker', data: { callId: call.id, attachmentId: call.recording_attachment_id }, at: now });
    return 'filed';
  });
}
