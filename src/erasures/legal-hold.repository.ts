import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema';

type Executor = Kysely<Database> | Transaction<Database>;

/** A new hold on a case; returns its id. */
export async function insertLegalHold(
  db: Executor,
  values: { caseId: string; reasonSealed: string; heldUntil: Date; createdByUserId: string; at: Date },
): Promise<string> {
  const row = await db
    .insertInto('legal_holds')
    .values({ case_id: values.caseId, reason_encrypted: values.reasonSealed, held_until: values.heldUntil, created_by_user_id: values.createdByUserId, created_at: values.at })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The holds in force on some cases at `now` (not released, not past their end), soonest ending first. */
export async function listActiveHolds(db: Executor, caseIds: readonly string[], now: Date) {
  if (caseIds.length === 0) return [];
  return db
    .selectFrom('legal_holds')
    .leftJoin('users', 'users.id', 'legal_holds.created_by_user_id')
    .select(['legal_holds.id', 'legal_holds.case_id', 'legal_holds.reason_encrypted', 'legal_holds.held_until', 'legal_holds.created_at', 'users.display_name as created_by_name'])
    .where('legal_holds.case_id', 'in', caseIds)
    .where('legal_holds.released_at', 'is', null)
    .where('legal_holds.held_until', '>', now)
    .orderBy('legal_holds.held_until')
    .execute();
}

/** Ends a hold in force on a case; false when there is no such hold (unknown, another case's, released already). */
export async function markLegalHoldReleased(trx: Transaction<Database>, values: { holdId: string; caseId: string; userId: string; at: Date }): Promise<boolean> {
  const result = await trx
    .updateTable('legal_holds')
    .set({ released_by_user_id: values.userId, released_at: values.at })
    .where('id', '=', values.holdId)
    .where('case_id', '=', values.caseId)
    .where('released_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
