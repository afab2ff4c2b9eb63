import type { Kysely, Transaction } from 'kysely';
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
