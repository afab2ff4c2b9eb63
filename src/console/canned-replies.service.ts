import type { Kysely } from 'kysely';
import { recordAudit, type AuditEntry } from '../audit/audit.repository';
import type { Database } from '../db/schema';
import { insertCannedReply } from './canned-replies.repository';

// Canned replies: the console's routes and case page call these, never the repository.

export {
  /** Removes a canned reply; false when there is none. */
  deleteCannedReply,
  /** The canned replies, of one language when given. */
  listCannedReplies,
} from './canned-replies.repository';

/** Adds a canned reply in a language, with its audit line, in one transaction. */
export async function addCannedReply(
  deps: { db: Kysely<Database> },
  actor: Pick<AuditEntry, 'actorKind' | 'actorUserId' | 'ip'> & { actorUserId: string },
  reply: { language: string; title: string; body: string },
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    await insertCannedReply(trx, { ...reply, userId: actor.actorUserId });
    await recordAudit(trx, { ...actor, action: 'canned_reply.created', subjectType: 'canned_reply' });
  });
}
