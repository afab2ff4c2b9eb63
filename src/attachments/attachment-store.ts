import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import type { Kysely, Transaction } from 'kysely';
import type { AttachmentVariant, Database } from '../db/schema';
import type { PersonalDataCipher } from '../privacy/personal-data';
import { openerFor, resealUnder, sealerFor, sealerForCase, type PersonSealer } from '../privacy/person-keys';
import { deleteChunks, findAttachmentKey, insertChunk, listAttachmentSecrets, lockAttachmentKey, readChunks, setAttachmentKey, setAttachmentSecrets } from './attachment.repository';
import { chunkAadPrefix, decryptChunks, encryptChunks, generateDataKey } from './sealed-chunks';

// Storing and serving an attachment's bytes, sealed at rest. The file's data key is sealed under the
// key of the person who sent it (issue #16: destroying that key erases the file everywhere), or with
// ENCRYPTION_KEY for files of no person (the voice line's recorded prompts), so a key rotation
// re-wraps keys and never the file; the bytes stream through in chunks, so a 16 MB file costs a
// chunk or two of memory, not 16 MB.

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
      key = Buffer.from((await openerFor(trx, deps.cipher, [row.keyEncrypted])).open(row.keyEncrypted), 'base64');
    } else {
      key = generateDataKey();
      await setAttachmentKey(trx, attachmentId, (await sealerOfAttachment(trx, deps.cipher, row))(key.toString('base64')));
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

/** Seals under the attachment's person's key: the sender's, else its case's; ENCRYPTION_KEY for a file of no person. */
async function sealerOfAttachment(
  trx: Transaction<Database>,
  cipher: PersonalDataCipher,
  row: { personId: string | null; caseId: string | null },
): Promise<(plaintext: string) => string> {
  if (row.personId) return (await sealerFor(trx, cipher, row.personId)).seal;
  if (row.caseId) return (await sealerForCase(trx, cipher, row.caseId)).seal;
  return (plaintext) => cipher.seal(plaintext);
}

/**
 * Seals the secrets of attachments taken in before their person was known (a web form's files)
 * again, under that person's key, in the caller's transaction (the one that gives them their case).
 */
export async function sealAttachmentsUnder(trx: Transaction<Database>, cipher: PersonalDataCipher, sealer: PersonSealer, attachmentIds: readonly string[]): Promise<void> {
  const rows = await listAttachmentSecrets(trx, attachmentIds);
  const opener = await openerFor(trx, cipher, rows.flatMap((row) => [row.key_encrypted, row.provider_url_encrypted]), [sealer]);
  for (const row of rows) {
    const keyEncrypted = row.key_encrypted === null ? null : resealUnder(opener, sealer, row.key_encrypted);
    const providerUrlEncrypted = row.provider_url_encrypted === null ? null : resealUnder(opener, sealer, row.provider_url_encrypted);
    if (keyEncrypted === row.key_encrypted && providerUrlEncrypted === row.provider_url_encrypted) continue;
    await setAttachmentSecrets(trx, row.id, { keyEncrypted, providerUrlEncrypted });
  }
}

/**
 * A stream of a variant's bytes, opened chunk by chunk as it is read (pipe it to the response).
 * Throws AttachmentNotStoredError up front when there is nothing to open (an erased person's file
 * included); a chunk that does not open destroys the stream with a SealedChunkError.
 */
export async function openSealed(deps: AttachmentStoreDeps, input: SealedVariant): Promise<Readable> {
  const row = await findAttachmentKey(deps.db, input.attachmentId);
  if (!row?.keyEncrypted) throw new AttachmentNotStoredError('no sealed bytes for this attachment');
  const keyText = (await openerFor(deps.db, deps.cipher, [row.keyEncrypted])).openOrErased(row.keyEncrypted);
  if (keyText === null) throw new AttachmentNotStoredError('the attachment belonged to an erased person');
  const key = Buffer.from(keyText, 'base64');
  const chunks = readChunks(deps.db, input.attachmentId, input.variant);
  return Readable.from(decryptChunks(chunks, key, chunkAadPrefix(input.attachmentId, input.variant)), { objectMode: false });
}
