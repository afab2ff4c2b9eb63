import type { Transaction } from 'kysely';
import type { Database } from '../db/schema';

export interface NewNote {
  caseId: string;
  organisationId: string;
  authorUserId: string;
  visibility: 'organisation' | 'partners';
  bodyEncrypted: string;
  at: Date;
}

/** Adds a note (its body sealed by the caller) and returns its id. */
export async function insertNote(trx: Transaction<Database>, note: NewNote): Promise<string> {
  const row = await trx
    .insertInto('notes')
    .values({ case_id: note.caseId, organisation_id: note.organisationId, author_user_id: note.authorUserId, visibility: note.visibility, body_encrypted: note.bodyEncrypted, created_at: note.at })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
