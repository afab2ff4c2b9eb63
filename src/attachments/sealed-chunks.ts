import crypto from 'node:crypto';

// An attachment's bytes, sealed in chunks under a data key of the file's own (AES-256-GCM). Each
// chunk is 12 bytes of random IV, the ciphertext of at most CHUNK_PLAINTEXT_BYTES, and the 16-byte
// tag. Its additional data names the file, the variant, its place and whether it is the last, so a
// chunk cannot be moved to another file or place, and a file cut short after any chunk fails to
// open. Neither direction ever holds more than one chunk (and the piece of input that filled it).

export const CHUNK_PLAINTEXT_BYTES = 256 * 1024;
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** What sealing adds to each chunk (IV and tag): a variant's plaintext size is its sealed size less this per chunk. */
export const CHUNK_OVERHEAD_BYTES = IV_BYTES + TAG_BYTES;

/** One sealed chunk as stored: its place in the file and IV + ciphertext + tag. */
export interface SealedChunk {
  seq: number;
  data: Uint8Array;
}

/** A sealed file that does not open: tampered, reordered, moved, cut short, or the wrong key. */
export class SealedChunkError extends Error {
  override readonly name = 'SealedChunkError';
}

/** A new random data key for one file. */
export function generateDataKey(): Buffer {
  return crypto.randomBytes(KEY_BYTES);
}

/** What every chunk of one variant of one file is bound to. */
export function chunkAadPrefix(attachmentId: string, variant: string): string {
  return `${attachmentId}|${variant}`;
}

function chunkAad(aadPrefix: string, seq: number, isLast: boolean): Buffer {
  return Buffer.from(`${aadPrefix}|${seq}|${isLast ? 1 : 0}`);
}

function checkKey(key: Uint8Array): void {
  if (key.length !== KEY_BYTES) throw new SealedChunkError('a data key must be 32 bytes');
}

function sealChunk(key: Uint8Array, aad: Buffer, plaintext: Uint8Array): Buffer {
  const iv = crypto.randomBytes(IV_BYTES);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
}

function openChunk(key: Uint8Array, aad: Buffer, sealed: Uint8Array): Buffer {
  if (sealed.length < IV_BYTES + TAG_BYTES) throw new SealedChunkError('a sealed chunk is too short');
  const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
  decipher.setAAD(aad);
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  try {
    // GCM's update() hands out unverified bytes; nothing leaves before final() has checked the tag.
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new SealedChunkError('a sealed chunk does not open: tampered, moved, cut short or the wrong key');
  }
}

/** Takes exactly `size` bytes off the front of `pending` (which holds at least that many). */
function takeBytes(pending: Buffer[], size: number): Buffer {
  const parts: Buffer[] = [];
  let needed = size;
  while (needed > 0) {
    const head = pending[0];
    if (!head) break;
    if (head.length <= needed) {
      parts.push(head);
      pending.shift();
      needed -= head.length;
    } else {
      parts.push(head.subarray(0, needed));
      pending[0] = head.subarray(needed);
      needed = 0;
    }
  }
  return Buffer.concat(parts, size);
}

/**
 * Seals a byte stream into chunks of at most CHUNK_PLAINTEXT_BYTES. A chunk goes out only once more
 * bytes are known to follow it, so the last one (possibly empty, for an empty file) is marked last.
 */
export async function* encryptChunks(
  source: AsyncIterable<Uint8Array | string>,
  key: Uint8Array,
  aadPrefix: string,
): AsyncGenerator<SealedChunk> {
  checkKey(key);
  const pending: Buffer[] = [];
  let pendingBytes = 0;
  let seq = 0;
  for await (const piece of source) {
    const bytes = typeof piece === 'string' ? Buffer.from(piece) : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    if (bytes.length === 0) continue;
    pending.push(bytes);
    pendingBytes += bytes.length;
    while (pendingBytes > CHUNK_PLAINTEXT_BYTES) {
      const plaintext = takeBytes(pending, CHUNK_PLAINTEXT_BYTES);
      pendingBytes -= CHUNK_PLAINTEXT_BYTES;
      yield { seq, data: sealChunk(key, chunkAad(aadPrefix, seq, false), plaintext) };
      seq += 1;
    }
  }
  yield { seq, data: sealChunk(key, chunkAad(aadPrefix, seq, true), takeBytes(pending, pendingBytes)) };
}

/**
 * Opens sealed chunks back into the file's bytes, in order. Holds one chunk back to learn whether
 * it is the last, so a missing, extra, reordered or altered chunk throws SealedChunkError.
 */
export async function* decryptChunks(
  chunks: AsyncIterable<SealedChunk>,
  key: Uint8Array,
  aadPrefix: string,
): AsyncGenerator<Buffer> {
  checkKey(key);
  let held: SealedChunk | undefined;
  let expected = 0;
  for await (const chunk of chunks) {
    if (chunk.seq !== expected) throw new SealedChunkError(`sealed chunk ${expected} is missing`);
    if (held) {
      const plaintext = openChunk(key, chunkAad(aadPrefix, held.seq, false), held.data);
      if (plaintext.length > 0) yield plaintext;
    }
    held = chunk;
    expected += 1;
  }
  if (!held) throw new SealedChunkError('a sealed file has no chunks');
  const plaintext = openChunk(key, chunkAad(aadPrefix, held.seq, true), held.data);
  if (plaintext.length > 0) yield plaintext;
}
