import type { Kysely, Transaction } from 'kysely';
import type { AttachmentSource, AttachmentVariant, Database } from '../db/schema';
import type { SealedChunk } from './sealed-chunks';

type Executor = Kysely<Database> | Transaction<Database>;

// Attachments and their sealed chunks. Chunks go in one row each and come back a few at a time
// (keyset pages by seq), so neither storing nor serving a file holds more than a page of it.

/** How many chunks one read fetches: about a megabyte at a time. */
export const CHUNKS_PER_PAGE = 4;

/** A new attachment row, still pending; its id. */
export async function insertAttachment(
  db: Executor,
  attachment: {
    source: AttachmentSource;
    caseId?: string | null;
    messageId?: string | null;
    personId?: string | null;
    providerUrlEncrypted?: string | null;
    providerRef?: string | null;
    at: Date;
  },
): Promise<string> {
  const row = await db
    .insertInto('attachments')
    .values({
      source: attachment.source,
      case_id: attachment.caseId ?? null,
      message_id: attachment.messageId ?? null,
      person_id: attachment.personId ?? null,
      provider_url_encrypted: attachment.providerUrlEncrypted ?? null,
      provider_ref: attachment.providerRef ?? null,
      created_at: attachment.at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/**
 * The attachment's sealed data key (null: none yet), locked until commit so two variants share one
 * key, with the person and case it belongs to (the key is sealed under that person's key).
 */
export async function lockAttachmentKey(trx: Transaction<Database>, attachmentId: string): Promise<{ keyEncrypted: string | null; personId: string | null; caseId: string | null } | undefined> {
  const row = await trx.selectFrom('attachments').select(['key_encrypted', 'person_id', 'case_id']).where('id', '=', attachmentId).forUpdate().executeTakeFirst();
  return row && { keyEncrypted: row.key_encrypted, personId: row.person_id, caseId: row.case_id };
}

/** The sealed secrets (file key, provider URL) of attachments, to seal them again under their person's key. */
export async function listAttachmentSecrets(trx: Transaction<Database>, attachmentIds: readonly string[]) {
  if (attachmentIds.length === 0) return [];
  return trx.selectFrom('attachments').select(['id', 'key_encrypted', 'provider_url_encrypted']).where('id', 'in', [...attachmentIds]).forUpdate().execute();
}

/** Replaces an attachment's sealed secrets (the same secrets, sealed under its person's key). */
export async function setAttachmentSecrets(trx: Transaction<Database>, attachmentId: string, secrets: { keyEncrypted: string | null; providerUrlEncrypted: string | null }): Promise<void> {
  await trx.updateTable('attachments').set({ key_encrypted: secrets.keyEncrypted, provider_url_encrypted: secrets.providerUrlEncrypted }).where('id', '=', attachmentId).execute();
}

/** The attachment's sealed data key, for reading; undefined when there is no such attachment. */
export async function findAttachmentKey(db: Executor, attachmentId: string): Promise<{ keyEncrypted: string | null } | undefined> {
  const row = await db.selectFrom('attachments').select('key_encrypted').where('id', '=', attachmentId).executeTakeFirst();
  return row && { keyEncrypted: row.key_encrypted };
}

/** Records the attachment's sealed data key. */
export async function setAttachmentKey(db: Executor, attachmentId: string, keyEncrypted: string): Promise<void> {
  await db.updateTable('attachments').set({ key_encrypted: keyEncrypted }).where('id', '=', attachmentId).execute();
}

/** Writes one sealed chunk. */
export async function insertChunk(db: Executor, attachmentId: string, variant: AttachmentVariant, chunk: SealedChunk): Promise<void> {
  await db.insertInto('attachment_chunks').values({ attachment_id: attachmentId, variant, seq: chunk.seq, data: chunk.data }).execute();
}

/** Removes the chunks of one variant, or of every variant. */
export async function deleteChunks(db: Executor, attachmentId: string, variant?: AttachmentVariant): Promise<void> {
  let query = db.deleteFrom('attachment_chunks').where('attachment_id', '=', attachmentId);
  if (variant) query = query.where('variant', '=', variant);
  await query.execute();
}

/** The sealed chunks of one variant in seq order, fetched `pageSize` at a time. */
export async function* readChunks(
  db: Executor,
  attachmentId: string,
  variant: AttachmentVariant,
  pageSize = CHUNKS_PER_PAGE,
): AsyncGenerator<SealedChunk> {
  let after = -1;
  for (;;) {
    const page = await db
      .selectFrom('attachment_chunks')
      .select(['seq', 'data'])
      .where('attachment_id', '=', attachmentId)
      .where('variant', '=', variant)
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(pageSize)
      .execute();
    for (const row of page) yield row;
    const last = page.at(-1);
    if (!last || page.length < pageSize) return;
    after = last.seq;
  }
}

/** Marks the attachment stored, with what was learnt of its bytes. */
export async function markAttachmentStored(
  db: Executor,
  attachmentId: string,
  stored: { sizeBytes: number; at: Date; kind?: string | null; contentType?: string | null; width?: number | null; height?: number | null; hasThumbnail?: boolean },
): Promise<void> {
  await db
    .updateTable('attachments')
    .set({
      status: 'stored',
      size_bytes: stored.sizeBytes,
      stored_at: stored.at,
      kind: stored.kind ?? null,
      content_type: stored.contentType ?? null,
      width: stored.width ?? null,
      height: stored.height ?? null,
      has_thumbnail: stored.hasThumbnail ?? false,
    })
    .where('id', '=', attachmentId)
    .execute();
}

/** Marks the attachment refused (a type or size not accepted), with a reason code, not personal. */
export async function markAttachmentRefused(db: Executor, attachmentId: string, reason: string): Promise<void> {
  await db.updateTable('attachments').set({ status: 'refused', refused_reason: reason }).where('id', '=', attachmentId).execute();
}

/** Counts one more failed attempt; after the last one the attachment is marked failed. */
export async function recordAttachmentAttempt(db: Executor, attachmentId: string, outcome: 'retry' | 'failed'): Promise<void> {
  await db
    .updateTable('attachments')
    .set((eb) => ({ attempts: eb('attempts', '+', 1), ...(outcome === 'failed' ? { status: 'failed' } : {}) }))
    .where('id', '=', attachmentId)
    .execute();
}

/** Gives up on an attachment whose file could not be fetched, with the failure's code (not personal). */
export async function markAttachmentFailed(db: Executor, attachmentId: string, reason: string): Promise<void> {
  await db
    .updateTable('attachments')
    .set((eb) => ({ status: 'failed', refused_reason: reason, attempts: eb('attempts', '+', 1) }))
    .where('id', '=', attachmentId)
    .execute();
}

/** An attachment waiting to be fetched from its provider. */
export async function findAttachmentToFetch(db: Executor, attachmentId: string) {
  const row = await db
    .selectFrom('attachments')
    .select(['id', 'status', 'source', 'case_id', 'message_id', 'provider_url_encrypted'])
    .where('id', '=', attachmentId)
    .executeTakeFirst();
  return row && {
    id: row.id, status: row.status, source: row.source, caseId: row.case_id, messageId: row.message_id, providerUrlEncrypted: row.provider_url_encrypted,
  };
}

/** Where the provider's copy of an attachment is, and whether it was deleted there. */
export async function findProviderCopy(db: Executor, attachmentId: string) {
  const row = await db
    .selectFrom('attachments')
    .select(['source', 'provider_url_encrypted', 'provider_deleted_at'])
    .where('id', '=', attachmentId)
    .where('status', '=', 'stored')
    .executeTakeFirst();
  return row && { source: row.source, providerUrlEncrypted: row.provider_url_encrypted, providerDeletedAt: row.provider_deleted_at };
}

/** Records that the provider's copy is gone; the URL is no longer needed and is dropped. */
export async function markProviderCopyDeleted(db: Executor, attachmentId: string, at: Date): Promise<void> {
  await db.updateTable('attachments').set({ provider_deleted_at: at, provider_url_encrypted: null }).where('id', '=', attachmentId).execute();
}

/** A person's attachments not yet on any case join the case just opened for them. */
export async function adoptCaselessAttachments(db: Executor, personId: string, caseId: string): Promise<void> {
  await db.updateTable('attachments').set({ case_id: caseId }).where('person_id', '=', personId).where('case_id', 'is', null).execute();
}

/** Removes attachments and their chunks (a form that was refused keeps none of its files). */
export async function deleteAttachments(db: Executor, attachmentIds: readonly string[]): Promise<void> {
  if (attachmentIds.length === 0) return;
  await db.deleteFrom('attachments').where('id', 'in', attachmentIds).execute();
}

/** Gives attachments taken in before their case existed (or was opened) to that case and its person. */
export async function linkAttachmentsToCase(db: Executor, attachmentIds: readonly string[], caseId: string): Promise<void> {
  if (attachmentIds.length === 0) return;
  await db
    .updateTable('attachments')
    .set((eb) => ({ case_id: caseId, person_id: eb.selectFrom('cases').select('person_id').where('id', '=', caseId) }))
    .where('id', 'in', attachmentIds)
    .execute();
}
