import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema';

type Executor = Kysely<Database> | Transaction<Database>;

export type AuditActorKind = 'user' | 'token' | 'worker' | 'system' | 'cli';

/** One line of the audit log: who did what to which record, from where. No personal data in `details`. */
export interface AuditEntry {
  actorKind: AuditActorKind;
  actorUserId?: string | null;
  action: string;
  subjectType: string;
  subjectId?: string | null;
  caseId?: string | null;
  ip?: string | null;
  details?: Record<string, string | number | boolean | null | string[]>;
  at?: Date;
}

/** Appends to the audit log (which refuses updates and deletes). */
export async function recordAudit(db: Executor, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      actor_kind: entry.actorKind,
      actor_user_id: entry.actorUserId ?? null,
      action: entry.action,
      subject_type: entry.subjectType,
      subject_id: entry.subjectId ?? null,
      case_id: entry.caseId ?? null,
      // A worker's address is their personal data, and audit lines outlive an erasure: staff addresses only.
      ip: entry.actorKind === 'worker' ? null : (entry.ip ?? null),
      details: JSON.stringify(entry.details ?? {}),
      ...(entry.at ? { at: entry.at } : {}),
    })
    .execute();
}
