import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';

/** What the status page needs of a case, found by its reference. */
export async function findCaseForStatus(db: Kysely<Database>, reference: string) {
  return db.selectFrom('cases').select(['id', 'person_id', 'status', 'pin_hash', 'consent_given']).where('reference', '=', reference).executeTakeFirst();
}

/** The latest message a caseworker sent on a case (system notices are not shown). */
export async function latestCaseworkerReply(db: Kysely<Database>, caseId: string) {
  return db
    .selectFrom('messages')
    .select(['body_encrypted', 'created_at'])
    .where('case_id', '=', caseId)
    .where('direction', '=', 'out')
    .where('sent_by_user_id', 'is not', null)
    .orderBy('sequence', 'desc')
    .limit(1)
    .executeTakeFirst();
}
