import type { Kysely, Transaction } from 'kysely';
import type { Database, ErasureReason, ErasureRefusalReason, ErasureSource, ErasureStatus } from '../db/schema';

type Executor = Kysely<Database> | Transaction<Database>;

/** Where a worker's own request comes from: the keyword on a chat channel, or the status page's button. */
export const WORKER_ERASURE_SOURCES = ['worker_keyword', 'status_page'] as const satisfies readonly ErasureSource[];
export type WorkerErasureSource = (typeof WORKER_ERASURE_SOURCES)[number];

/** The statuses of an erasure still to be acted on (a `confirmed` one waits for its job to run). */
export const OPEN_ERASURE_STATUSES: readonly ErasureStatus[] = ['requested', 'proposed', 'confirmed'];

const ERASURE_COLUMNS = [
  'erasures.id', 'erasures.person_id', 'erasures.case_id', 'erasures.scope', 'erasures.source', 'erasures.status', 'erasures.reason',
  'erasures.reason_note_encrypted', 'erasures.requested_at', 'erasures.due_at', 'erasures.proposed_by_user_id', 'erasures.proposed_at',
  'erasures.confirmed_by_user_id', 'erasures.confirmed_at', 'erasures.refused_by_user_id', 'erasures.refused_at', 'erasures.refusal_reason',
  'erasures.refusal_note_encrypted', 'erasures.done_at',
] as const;

/** Locks a person's row for the rest of the transaction (one open request per person, whatever the channel); whether they are erased. */
export async function lockPersonForErasure(trx: Transaction<Database>, personId: string): Promise<{ erased: boolean } | undefined> {
  const row = await trx.selectFrom('people').select(['id', 'erased_at']).where('id', '=', personId).forUpdate().executeTakeFirst();
  return row ? { erased: row.erased_at !== null } : undefined;
}

/** The person's erasure still open (requested, proposed or confirmed), if any. */
export async function findOpenErasureOfPerson(db: Executor, personId: string) {
  return db
    .selectFrom('erasures')
    .select(ERASURE_COLUMNS)
    .where('person_id', '=', personId)
    .where('status', 'in', OPEN_ERASURE_STATUSES)
    .orderBy('requested_at')
    .limit(1)
    .executeTakeFirst();
}

/** The person's latest request of their own (keyword or status page) that coordinators refused, if any. */
export async function findLatestRefusedWorkerRequest(db: Executor, personId: string) {
  return db
    .selectFrom('erasures')
    .select(['requested_at', 'refused_at', 'refusal_reason'])
    .where('person_id', '=', personId)
    .where('status', '=', 'refused')
    .where('source', 'in', WORKER_ERASURE_SOURCES)
    .orderBy('requested_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** The person's most recent case, for a request that came without one. */
export async function findLatestCaseOfPerson(db: Executor, personId: string): Promise<string | undefined> {
  const row = await db.selectFrom('cases').select('id').where('person_id', '=', personId).orderBy('created_at', 'desc').limit(1).executeTakeFirst();
  return row?.id;
}

/** A new erasure row; returns its id. */
export async function insertErasure(
  db: Executor,
  values: {
    personId: string; caseId: string | null; source: ErasureSource; status: 'requested' | 'proposed'; reason: ErasureReason;
    reasonNoteSealed: string | null; requestedAt: Date; dueAt: Date | null; proposedByUserId: string | null;
  },
): Promise<string> {
  const row = await db
    .insertInto('erasures')
    .values({
      person_id: values.personId, case_id: values.caseId, scope: 'person', source: values.source, status: values.status, reason: values.reason,
      reason_note_encrypted: values.reasonNoteSealed, requested_at: values.requestedAt, due_at: values.dueAt,
      proposed_by_user_id: values.proposedByUserId, proposed_at: values.proposedByUserId ? values.requestedAt : null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The open erasures, the soonest due first (staff-started ones, which have no due date, last). */
export async function listOpenErasures(db: Executor, limit: number) {
  return db
    .selectFrom('erasures')
    .leftJoin('users as proposer', 'proposer.id', 'erasures.proposed_by_user_id')
    .select([...ERASURE_COLUMNS, 'proposer.display_name as proposed_by_name'])
    .where('erasures.status', 'in', OPEN_ERASURE_STATUSES)
    .orderBy('erasures.due_at', (ob) => ob.asc().nullsLast())
    .orderBy('erasures.requested_at')
    .orderBy('erasures.id')
    .limit(limit)
    .execute();
}

/** One erasure, with the names of the staff who acted on it. */
export async function findErasureById(db: Executor, id: string) {
  return db
    .selectFrom('erasures')
    .leftJoin('users as proposer', 'proposer.id', 'erasures.proposed_by_user_id')
    .leftJoin('users as confirmer', 'confirmer.id', 'erasures.confirmed_by_user_id')
    .leftJoin('users as refuser', 'refuser.id', 'erasures.refused_by_user_id')
    .select([...ERASURE_COLUMNS, 'proposer.display_name as proposed_by_name', 'confirmer.display_name as confirmed_by_name', 'refuser.display_name as refused_by_name'])
    .where('erasures.id', '=', id)
    .executeTakeFirst();
}

/** Locks one erasure for a change of status. */
export async function lockErasure(trx: Transaction<Database>, id: string) {
  return trx.selectFrom('erasures').select(['id', 'person_id', 'case_id', 'status', 'proposed_by_user_id']).where('id', '=', id).forUpdate().executeTakeFirst();
}

/** requested → proposed, with the coordinator's reason and sealed note. */
export async function markErasureProposed(trx: Transaction<Database>, id: string, by: { userId: string; reason: ErasureReason; noteSealed: string | null; at: Date }): Promise<boolean> {
  const result = await trx
    .updateTable('erasures')
    .set({ status: 'proposed', reason: by.reason, reason_note_encrypted: by.noteSealed, proposed_by_user_id: by.userId, proposed_at: by.at })
    .where('id', '=', id)
    .where('status', '=', 'requested')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * proposed → confirmed by a coordinator other than the proposer. The condition is here as well as
 * in the service (and the table's check): a second coordinator is the whole point of the step.
 */
export async function markErasureConfirmed(trx: Transaction<Database>, id: string, by: { userId: string; at: Date }): Promise<boolean> {
  const result = await trx
    .updateTable('erasures')
    .set({ status: 'confirmed', confirmed_by_user_id: by.userId, confirmed_at: by.at })
    .where('id', '=', id)
    .where('status', '=', 'proposed')
    .where('proposed_by_user_id', '<>', by.userId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** requested or proposed → refused, with the legal reason and a sealed note. */
export async function markErasureRefused(
  trx: Transaction<Database>,
  id: string,
  by: { userId: string; reason: ErasureRefusalReason; noteSealed: string | null; at: Date },
): Promise<boolean> {
  const result = await trx
    .updateTable('erasures')
    .set({ status: 'refused', refusal_reason: by.reason, refusal_note_encrypted: by.noteSealed, refused_by_user_id: by.userId, refused_at: by.at })
    .where('id', '=', id)
    .where('status', 'in', ['requested', 'proposed'])
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** The cases of some people (references only), oldest first. */
export async function listCasesOfPeople(db: Executor, personIds: readonly string[]) {
  if (personIds.length === 0) return [];
  return db
    .selectFrom('cases')
    .select(['id', 'person_id', 'reference', 'personal_data_erased_at'])
    .where('person_id', 'in', personIds)
    .orderBy('created_at')
    .execute();
}

/** A case's person and erasure fields, by reference. */
export async function findCaseForErasure(db: Executor, reference: string) {
  return db.selectFrom('cases').select(['id', 'reference', 'person_id', 'personal_data_erased_at', 'erasure_id']).where('reference', '=', reference).executeTakeFirst();
}

/** A case's person and erasure fields, by id. */
export async function findCaseForErasureById(db: Executor, caseId: string) {
  return db.selectFrom('cases').select(['id', 'reference', 'person_id', 'personal_data_erased_at', 'erasure_id']).where('id', '=', caseId).executeTakeFirst();
}

/** Starts the legal clock of an open erasure staff began before the worker asked. */
export async function setErasureDueAtIfUnset(trx: Transaction<Database>, id: string, dueAt: Date): Promise<void> {
  await trx.updateTable('erasures').set({ due_at: dueAt }).where('id', '=', id).where('due_at', 'is', null).execute();
}
