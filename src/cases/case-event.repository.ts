import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/schema';

type Executor = Kysely<Database> | Transaction<Database>;

/** One entry of a case's timeline. `data` holds ids and codes, never personal data. */
export interface CaseEvent {
  caseId: string;
  type: string;
  actorKind: 'worker' | 'staff' | 'system';
  actorUserId?: string | null;
  organisationId?: string | null;
  data?: Record<string, string | number | boolean | null | string[]>;
  at: Date;
}

/** Appends an event to a case's timeline. */
export async function insertCaseEvent(db: Executor, event: CaseEvent): Promise<void> {
  await db
    .insertInto('case_events')
    .values({
      case_id: event.caseId,
      type: event.type,
      actor_kind: event.actorKind,
      actor_user_id: event.actorUserId ?? null,
      organisation_id: event.organisationId ?? null,
      data: JSON.stringify(event.data ?? {}),
      created_at: event.at,
    })
    .execute();
}

/** A case's events of the given types, oldest first, with the acting organisation's name. */
export async function listCaseEvents(db: Executor, caseId: string, types: readonly string[]) {
  if (types.length === 0) return [];
  return db
    .selectFrom('case_events')
    .leftJoin('organisations', 'organisations.id', 'case_events.organisation_id')
    .select(['case_events.id', 'case_events.type', 'case_events.actor_kind', 'case_events.data', 'case_events.created_at', 'organisations.name as organisation'])
    .where('case_events.case_id', '=', caseId)
    .where('case_events.type', 'in', types)
    .orderBy('case_events.created_at')
    .orderBy('case_events.id')
    .execute();
}

/** Whether a case already has an event of one of `types` whose data holds `key` = `value` (a job that must act once). */
export async function hasCaseEventWith(db: Executor, caseId: string, types: readonly string[], key: string, value: string): Promise<boolean> {
  const row = await db
    .selectFrom('case_events')
    .select('id')
    .where('case_id', '=', caseId)
    .where('type', 'in', types)
    .where(sql<string>`data ->> ${key}`, '=', value)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
