import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/schema';

type Executor = Kysely<Database> | Transaction<Database>;

// Call-backs' rows: the calls that asked for one (on their case) and the tries at making it.

/** Who sees which call-backs: every one (coordinators), or those of cases an organisation owns. */
export type CallbackScope = { kind: 'network' } | { kind: 'organisation'; organisationId: string };

/** Case statuses whose call-backs are no longer wanted. */
const DONE_STATUSES = ['resolved', 'closed'];
/** Outcomes of a try that reached the worker's phone: these count towards the limit. */
export const COUNTED_OUTCOMES = ['reached', 'no_answer', 'someone_else', 'not_safe', 'voicemail'];

/** The call-backs still wanted in a scope, oldest call first, with their case, recording and tries. */
export async function listOpenCallbacks(db: Executor, scope: CallbackScope, limit: number) {
  let query = db
    .selectFrom('calls')
    .innerJoin('cases', 'cases.id', 'calls.case_id')
    .leftJoin('organisations', 'organisations.id', 'cases.owner_organisation_id')
    .leftJoin('attachments', 'attachments.id', 'calls.recording_attachment_id')
    .select((eb) => [
      'calls.id', 'calls.started_at', 'calls.safe_time', 'calls.language', 'calls.callback_flagged_at', 'calls.recording_attachment_id',
      'attachments.status as recording_status', 'cases.reference', 'cases.consent_given', 'cases.destination_country', 'organisations.time_zone as owner_time_zone',
      eb.selectFrom('callback_attempts').select((inner) => inner.fn.countAll<string>().as('n'))
        .whereRef('callback_attempts.call_id', '=', 'calls.id').where('callback_attempts.outcome', 'in', COUNTED_OUTCOMES).as('attempts'),
      eb.selectFrom('callback_attempts').select('callback_attempts.outcome')
        .whereRef('callback_attempts.call_id', '=', 'calls.id').where('callback_attempts.outcome', 'is not', null)
        .orderBy('callback_attempts.outcome_at', 'desc').limit(1).as('last_outcome'),
    ])
    .where('calls.wants_callback', '=', true)
    .where('calls.callback_closed_at', 'is', null)
    .where('cases.status', 'not in', DONE_STATUSES);
  if (scope.kind === 'organisation') query = query.where('cases.owner_organisation_id', '=', scope.organisationId);
  return query.orderBy('calls.started_at').limit(limit).execute();
}

/** The tries still waiting for their outcome (ringing, or in the call), of the given calls. */
export async function listUnfinishedAttempts(db: Executor, callIds: readonly string[]) {
  if (callIds.length === 0) return [];
  return db
    .selectFrom('callback_attempts')
    .select(['id', 'call_id', 'user_id', 'status', 'created_at'])
    .where('call_id', 'in', callIds)
    .where('outcome', 'is', null)
    .where('status', 'in', ['dialling', 'bridged', 'ended'])
    .orderBy('created_at')
    .execute();
}

/** A call that asked for a call-back, locked, with what calling back needs: its case's owner and the worker's sealed number. */
export async function lockCallback(trx: Transaction<Database>, callId: string) {
  return trx
    .selectFrom('calls')
    .innerJoin('cases', 'cases.id', 'calls.case_id')
    .leftJoin('contacts', 'contacts.id', 'calls.contact_id')
    .select([
      'calls.id', 'calls.case_id', 'calls.wants_callback', 'calls.callback_closed_at', 'cases.owner_organisation_id', 'cases.status as case_status',
      'cases.reference', 'contacts.address_encrypted',
    ])
    .where('calls.id', '=', callId)
    .forUpdate('calls')
    .executeTakeFirst();
}

/** A new try at a call-back, before Twilio is asked to ring the caseworker. */
export async function insertAttempt(trx: Transaction<Database>, attempt: { callId: string; caseId: string; userId: string; at: Date }): Promise<string> {
  const row = await trx
    .insertInto('callback_attempts')
    .values({ call_id: attempt.callId, case_id: attempt.caseId, user_id: attempt.userId, created_at: attempt.at })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** A try, locked, with the sealed number of the worker it calls. */
export async function lockAttempt(trx: Transaction<Database>, attemptId: string) {
  return trx
    .selectFrom('callback_attempts')
    .innerJoin('calls', 'calls.id', 'callback_attempts.call_id')
    .leftJoin('contacts', 'contacts.id', 'calls.contact_id')
    .select([
      'callback_attempts.id', 'callback_attempts.call_id', 'callback_attempts.case_id', 'callback_attempts.user_id', 'callback_attempts.status',
      'callback_attempts.outcome', 'callback_attempts.caseworker_call_sid', 'callback_attempts.created_at', 'contacts.address_encrypted',
    ])
    .where('callback_attempts.id', '=', attemptId)
    .forUpdate('callback_attempts')
    .executeTakeFirst();
}

/** Changes a try. */
export async function updateAttempt(
  db: Executor,
  attemptId: string,
  changes: { status?: string; outcome?: string; outcomeAt?: Date; answeredBy?: string; caseworkerCallSid?: string },
): Promise<void> {
  await db
    .updateTable('callback_attempts')
    .set({
      ...(changes.status !== undefined ? { status: changes.status } : {}),
      ...(changes.outcome !== undefined ? { outcome: changes.outcome } : {}),
      ...(changes.outcomeAt !== undefined ? { outcome_at: changes.outcomeAt } : {}),
      ...(changes.answeredBy !== undefined ? { answered_by: changes.answeredBy } : {}),
      ...(changes.caseworkerCallSid !== undefined ? { caseworker_call_sid: changes.caseworkerCallSid } : {}),
    })
    .where('id', '=', attemptId)
    .execute();
}

/** How many tries of a call reached the worker's phone. */
export async function countCountedAttempts(db: Executor, callId: string): Promise<number> {
  const row = await db
    .selectFrom('callback_attempts')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('call_id', '=', callId)
    .where('outcome', 'in', COUNTED_OUTCOMES)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Takes a call-back out of the queue. */
export async function closeCallback(db: Executor, callId: string, closedAs: 'reached' | 'max_attempts', at: Date): Promise<void> {
  await db.updateTable('calls').set({ callback_closed_at: at, callback_closed_as: closedAs }).where('id', '=', callId).where('callback_closed_at', 'is', null).execute();
}

/**
 * Call-backs still wanted, never tried and never flagged, asked for before `askedBefore` (no window
 * ends sooner than a few hours after the call), with what deciding their window needs.
 */
export async function listUntriedCallbacks(db: Executor, askedBefore: Date, limit: number) {
  return db
    .selectFrom('calls')
    .innerJoin('cases', 'cases.id', 'calls.case_id')
    .leftJoin('organisations', 'organisations.id', 'cases.owner_organisation_id')
    .select(['calls.id', 'calls.case_id', 'calls.started_at', 'calls.safe_time', 'cases.destination_country', 'organisations.time_zone as owner_time_zone'])
    .where('calls.wants_callback', '=', true)
    .where('calls.callback_closed_at', 'is', null)
    .where('calls.callback_flagged_at', 'is', null)
    .where('cases.status', 'not in', DONE_STATUSES)
    .where('calls.started_at', '<', askedBefore)
    .where((eb) => eb.not(eb.exists(eb.selectFrom('callback_attempts').select('callback_attempts.id')
      .whereRef('callback_attempts.call_id', '=', 'calls.id').where('callback_attempts.outcome', 'in', COUNTED_OUTCOMES))))
    .orderBy('calls.started_at')
    .limit(limit)
    .execute();
}

/** Marks a call-back flagged for missing its window; false when it already was. */
export async function markCallbackFlagged(db: Executor, callId: string, at: Date): Promise<boolean> {
  const result = await db.updateTable('calls').set({ callback_flagged_at: at }).where('id', '=', callId).where('callback_flagged_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
