import { sql, type Kysely, type Transaction } from 'kysely';
import type { AttachmentVariant, Database } from '../db/schema';
import { CHUNK_OVERHEAD_BYTES } from './sealed-chunks';

type Executor = Kysely<Database> | Transaction<Database>;

// Reading attachments for staff: what a case holds, and one file with the case it belongs to.
// Never the sealed key or the provider's address: those stay with the store and the fetcher.

const COLUMNS = [
  'id', 'case_id', 'message_id', 'status', 'kind', 'content_type', 'size_bytes', 'width', 'height', 'has_thumbnail',
  'refused_reason', 'created_at',
] as const;

/** A case's attachments, oldest first (ties in id order, so the numbering of downloads is stable). */
export async function listAttachmentsOfCase(db: Executor, caseId: string) {
  return db.selectFrom('attachments').select(COLUMNS).where('case_id', '=', caseId).orderBy('created_at').orderBy('id').execute();
}

/** One attachment by id, with the id of its case; undefined when there is none. */
export async function findAttachmentWithCase(db: Executor, attachmentId: string) {
  return db.selectFrom('attachments').select(COLUMNS).where('id', '=', attachmentId).executeTakeFirst();
}

/** The place of an attachment among its case's (1 for the first), in the order `listAttachmentsOfCase` gives. */
export async function attachmentPosition(db: Executor, caseId: string, attachmentId: string): Promise<number> {
  // Compared in SQL against the row itself: its timestamp has microseconds a JavaScript Date would lose.
  const row = await db
    .selectFrom('attachments')
    .select(sql<string>`count(*)`.as('position'))
    .where('case_id', '=', caseId)
    .where(sql<boolean>`(created_at, id) <= (select this.created_at, this.id from attachments as this where this.id = ${attachmentId})`)
    .executeTakeFirstOrThrow();
  return Number(row.position);
}

/** The plaintext size of a sealed variant, from its chunks' sizes (a thumbnail's size is not kept on the row). */
export async function sealedVariantBytes(db: Executor, attachmentId: string, variant: AttachmentVariant): Promise<number> {
  const row = await db
    .selectFrom('attachment_chunks')
    .select([sql<string>`coalesce(sum(octet_length(data)), 0)`.as('sealed'), sql<string>`count(*)`.as('chunks')])
    .where('attachment_id', '=', attachmentId)
    .where('variant', '=', variant)
    .executeTakeFirstOrThrow();
  return Number(row.sealed) - Number(row.chunks) * CHUNK_OVERHEAD_BYTES;
}

/** An attachment row as read for staff. */
export type AttachmentReadRow = Awaited<ReturnType<typeof listAttachmentsOfCase>>[number];
