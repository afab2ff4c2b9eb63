import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import type { Kysely, Transaction } from 'kysely';
import type { AttachmentVariant, Database } from '../db/schema';
import type { PersonalDataCipher } from '../privacy/personal-data';
import { deleteChunks, findAttachmentKey, insertChunk, lockAttachmentKey, readChunks, setAttachmentKey } from './attachment.repository';
import { chunkAadPrefix, decryptChunks, encryptChunks, generateDataKey } from './sealed-chunks';

// Storing and serving an attachment's bytes, sealed at rest. The file's data key is sealed with the
// personal-data cipher, so a key rotation re-wraps the key and never the file; the bytes stream
// through in chunks, so a 16 MB file costs a chunk or two of memory, not 16 MB.

/** What storing and serving need. */
export interface AttachmentStoreDeps {
  db: Kysely<Database>;
  cipher: PersonalDataCipher;
}

/** Where a variant's bytes go or come from. */
export interface SealedVariant {
  attachmentId: string;
  variant: AttachmentVariant;
}

/** An attachment that is not there, or has no bytes sealed yet. */
export class AttachmentNotStoredError extends Error {
  override readonly name = 'AttachmentNotStoredError';
}

/** Counts and hashes the plaintext as it passes on to be sealed. */
async function* measured(source: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>, totals: { bytes: number; hash: crypto.Hash }): AsyncGenerator<Uint8Array> {
  for await (const piece of source) {
    const bytes = typeof piece === 'string' ? Buffer.from(piece) : piece;
    totals.bytes += bytes.length;
    totals.hash.update(bytes);
    yield bytes;
  }
}

/**
 * Seals a variant's bytes into the database, replacing any it had, in one transaction: a source that
 * fails midway leaves no chunk behind. The first variant stored gives the attachment its data key.
 */
export async function storeSealed(
  deps: AttachmentStoreDeps,
  input: SealedVariant & { source: ByteSource },
): Promise<{ sizeBytes: number; sha256: string }> {
  const [stored] = await storeSealedVariants(deps, input.attachmentId, [input]);
  if (!stored) throw new AttachmentNotStoredError('nothing was stored');
  return stored;
}

/** Bytes to seal: chunks as they come, or all at once. */
export type ByteSource = AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string> | Readable;

/**
 * Seals several variants of one attachment in one transaction (one commit, which is most of the cost
 * on a durable server), then runs `andThen` in it with what was stored — marking the row stored, so
 * the file and its status arrive together or not at all.
 */
export async function storeSealedVariants(
  deps: AttachmentStoreDeps,
  attachmentId: string,
  variants: readonly { variant: AttachmentVariant; source: ByteSource }[],
  andThen?: (trx: Transaction<Database>, stored: { sizeBytes: number; sha256: string }[]) => Promise<void>,
): Promise<{ sizeBytes: number; sha256: string }[]> {
  return deps.db.transaction().execute(async (trx) => {
    const row = await lockAttachmentKey(trx, attachmentId);
    if (!row) throw new AttachmentNotStoredError('no such attachment');
    let key: Buffer;
    if (row.keyEncrypted) {
      key = Buffer.from(deps.cipher.open(row.keyEncrypted), 'base64');
    } else {
      key = generateDataKey();
      await setAttachmentKey(trx, attachmentId, deps.cipher.seal(key.toString('base64')));
    }
    const stored: { sizeBytes: number; sha256: string }[] = [];
    for (const { variant, source } of variants) {
      const totals = { bytes: 0, hash: crypto.createHash('sha256') };
      await deleteChunks(trx, attachmentId, variant);
      const chunks = encryptChunks(measured(source, totals), key, chunkAadPrefix(attachmentId, variant));
      for await (const chunk of chunks) await insertChunk(trx, attachmentId, variant, chunk);
      stored.push({ sizeBytes: totals.bytes, sha256: totals.hash.digest('hex') });
    }
    await andThen?.(trx, stored);
    return stored;
  });
}

/**
 * A stream of a variant's bytes, opened chunk by chunk as it is read (pipe it to the response).
 * Throws AttachmentNotStoredError up front when there is nothing to open; a chunk that does not
 * open destroys the stream with a SealedChunkError.
 */
export async function openSealed(deps: AttachmentStoreDeps, input: SealedVariant): Promise<Readable> {
  const row = await findAttachmentKey(deps.db, input.attachmentId);
  if (!row?.keyEncrypted) throw new AttachmentNotStoredError('no sealed bytes for this attachment');
  const key = Buffer.from(deps.cipher.open(row.keyEncrypted), 'base64');
  const chunks = readChunks(deps.db, input.attachmentId, input.variant);
  return Readable.from(decryptChunks(chunks, key, chunkAadPrefix(input.attachmentId, input.variant)), { objectMode: false });
}
