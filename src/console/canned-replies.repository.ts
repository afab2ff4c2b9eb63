import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';

/** The canned replies of one language, or of all languages. */
export async function listCannedReplies(db: Kysely<Database>, language?: string) {
  return db
    .selectFrom('canned_replies')
    .select(['id', 'language', 'title', 'body'])
    .$if(language !== undefined, (qb) => qb.where('language', '=', language ?? ''))
    .orderBy('language')
    .orderBy('title')
    .execute();
}

/** Adds a canned reply. */
export async function insertCannedReply(db: Kysely<Database>, reply: { language: string; title: string; body: string; userId: string }): Promise<void> {
  await db.insertInto('canned_replies').values({ language: reply.language, title: reply.title, body: reply.body, created_by_user_id: reply.userId }).execute();
}

/** Deletes a canned reply; returns whether one was deleted. */
export async function deleteCannedReply(db: Kysely<Database>, id: string): Promise<boolean> {
  const result = await db.deleteFrom('canned_replies').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
