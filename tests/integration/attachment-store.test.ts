import crypto from 'node:crypto';
import type { Readable } from 'node:stream';
import { sql } from 'kysely';
import { AttachmentNotStoredError, openSealed, storeSealed } from '../../src/attachments/attachment-store';
import { insertAttachment, readChunks } from '../../src/attachments/attachment.repository';
import { CHUNK_PLAINTEXT_BYTES, SealedChunkError } from '../../src/attachments/sealed-chunks';
import type { DatabaseHandle } from '../../src/db/database';
import { createPersonalDataCipher, generateKey } from '../../src/privacy/personal-data';
import { openTestDatabase } from '../support/database';

const MARKER = 'PASSPORT-KEPT-BY-BOSS-';
const AT = new Date('2026-12-02T08:00:00Z');

/** `size` bytes made up as they are read, 64 KiB at a time, and their SHA-256 once read through. */
function generatedBytes(size: number, fill: (offset: number, piece: Buffer) => void = (_, piece) => crypto.randomFillSync(piece)) {
  const hash = crypto.createHash('sha256');
  async function* source(): AsyncGenerator<Buffer> {
    for (let offset = 0; offset < size; offset += 64 * 1024) {
      const piece = Buffer.alloc(Math.min(64 * 1024, size - offset));
      fill(offset, piece);
      hash.update(piece);
      yield piece;
    }
  }
  return { source: source(), sha256: () => hash.digest('hex') };
}

/** The SHA-256 and length of everything a stream gives, without keeping it. */
async function digestOf(stream: Readable): Promise<{ sha256: string; bytes: number }> {
  const hash = crypto.createHash('sha256');
  let bytes = 0;
  for await (const piece of stream as AsyncIterable<Buffer>) {
    hash.update(piece);
    bytes += piece.length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

describe('the sealed attachment store', () => {
  let handle: DatabaseHandle;
  const keyA = generateKey();
  const cipher = createPersonalDataCipher({ current: keyA });
  const deps = () => ({ db: handle.db, cipher });

  beforeAll(async () => {
    handle = await openTestDatabase();
  });
  afterAll(async () => {
    await handle.close();
  });

  const newAttachment = () => insertAttachment(handle.db, { source: 'web', at: AT });

  async function chunkSeqs(attachmentId: string, variant = 'original'): Promise<number[]> {
    const { rows } = await sql<{ seq: number }>`
      select seq from attachment_chunks where attachment_id = ${attachmentId} and variant = ${variant} order by seq`.execute(handle.db);
    return rows.map((row) => row.seq);
  }

  async function storeBytes(attachmentId: string, size: number, variant: 'original' | 'thumbnail' = 'original') {
    const generated = generatedBytes(size);
    const stored = await storeSealed(deps(), { attachmentId, variant, source: generated.source });
    return { ...stored, expected: generated.sha256() };
  }

  it.each([
    ['nothing', 0, 1],
    ['one byte', 1, 1],
    ['exactly one chunk', CHUNK_PLAINTEXT_BYTES, 1],
    ['one byte more than a chunk', CHUNK_PLAINTEXT_BYTES + 1, 2],
  ])('stores %s and gives back the same bytes', async (_, size, chunks) => {
    const attachmentId = await newAttachment();
    const stored = await storeBytes(attachmentId, size);
    expect(stored).toEqual({ sizeBytes: size, sha256: stored.expected, expected: stored.expected });
    expect(await chunkSeqs(attachmentId)).toEqual([...Array(chunks).keys()]);
    expect(await digestOf(await openSealed(deps(), { attachmentId, variant: 'original' }))).toEqual({ sha256: stored.expected, bytes: size });
  });

  it('round-trips a 16 MB file streamed in, in 64 chunks', async () => {
    const attachmentId = await newAttachment();
    const size = 16 * 1024 * 1024;
    const stored = await storeBytes(attachmentId, size);
    expect(stored.sizeBytes).toBe(size);
    expect(stored.sha256).toBe(stored.expected);
    expect(await chunkSeqs(attachmentId)).toHaveLength(64);
    expect(await digestOf(await openSealed(deps(), { attachmentId, variant: 'original' }))).toEqual({ sha256: stored.expected, bytes: size });
  });

  it('reads chunks a page at a time, in seq order', async () => {
    const attachmentId = await newAttachment();
    await storeBytes(attachmentId, 5 * CHUNK_PLAINTEXT_BYTES + 7);
    const seqs: number[] = [];
    for await (const chunk of readChunks(handle.db, attachmentId, 'original', 2)) seqs.push(chunk.seq);
    expect(seqs).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('keeps no plaintext in the chunk rows, and the data key only sealed', async () => {
    const attachmentId = await newAttachment();
    const text = Buffer.from(MARKER.repeat(40_000));
    await storeSealed(deps(), { attachmentId, variant: 'original', source: [text] });
    const { rows } = await sql<{ found: number; control: number }>`
      select count(*) filter (where position(convert_to(${MARKER}, 'UTF8') in data) > 0)::int as found,
             count(*) filter (where position(convert_to(${MARKER}, 'UTF8') in data || convert_to(${MARKER}, 'UTF8')) > 0)::int as control
      from attachment_chunks where attachment_id = ${attachmentId}`.execute(handle.db);
    expect(rows[0]).toEqual({ found: 0, control: 4 });
    const row = await handle.db.selectFrom('attachments').select('key_encrypted').where('id', '=', attachmentId).executeTakeFirstOrThrow();
    expect(row.key_encrypted).toMatch(/^v1\./);
    expect(Buffer.from(cipher.open(row.key_encrypted ?? ''), 'base64')).toHaveLength(32);
  });

  it('gives the thumbnail the same data key as the original, and keeps them apart', async () => {
    const attachmentId = await newAttachment();
    await storeBytes(attachmentId, 1000, 'original');
    const keyBefore = (await handle.db.selectFrom('attachments').select('key_encrypted').where('id', '=', attachmentId).executeTakeFirstOrThrow()).key_encrypted;
    const thumbnail = await storeBytes(attachmentId, 300, 'thumbnail');
    const keyAfter = (await handle.db.selectFrom('attachments').select('key_encrypted').where('id', '=', attachmentId).executeTakeFirstOrThrow()).key_encrypted;
    expect(keyAfter).toBe(keyBefore);
    expect(await digestOf(await openSealed(deps(), { attachmentId, variant: 'thumbnail' }))).toEqual({ sha256: thumbnail.expected, bytes: 300 });
  });

  describe('refuses to open a file that was tampered with', () => {
    const opened = async (attachmentId: string, variant: 'original' | 'thumbnail' = 'original') =>
      digestOf(await openSealed(deps(), { attachmentId, variant }));

    it('a flipped bit in a chunk', async () => {
      const attachmentId = await newAttachment();
      await storeBytes(attachmentId, 3 * CHUNK_PLAINTEXT_BYTES);
      await sql`update attachment_chunks set data = set_byte(data, 100, get_byte(data, 100) # 1)
        where attachment_id = ${attachmentId} and seq = 1`.execute(handle.db);
      await expect(opened(attachmentId)).rejects.toThrow(SealedChunkError);
    });

    it('two chunks swapped', async () => {
      const attachmentId = await newAttachment();
      await storeBytes(attachmentId, 3 * CHUNK_PLAINTEXT_BYTES);
      await sql`update attachment_chunks set seq = 1000 where attachment_id = ${attachmentId} and seq = 0`.execute(handle.db);
      await sql`update attachment_chunks set seq = 0 where attachment_id = ${attachmentId} and seq = 1`.execute(handle.db);
      await sql`update attachment_chunks set seq = 1 where attachment_id = ${attachmentId} and seq = 1000`.execute(handle.db);
      await expect(opened(attachmentId)).rejects.toThrow(SealedChunkError);
    });

    it('the last chunk dropped', async () => {
      const attachmentId = await newAttachment();
      await storeBytes(attachmentId, 2 * CHUNK_PLAINTEXT_BYTES + 10);
      await sql`delete from attachment_chunks where attachment_id = ${attachmentId} and seq = 2`.execute(handle.db);
      await expect(opened(attachmentId)).rejects.toThrow(SealedChunkError);
    });

    it('a chunk in the middle dropped', async () => {
      const attachmentId = await newAttachment();
      await storeBytes(attachmentId, 2 * CHUNK_PLAINTEXT_BYTES + 10);
      await sql`delete from attachment_chunks where attachment_id = ${attachmentId} and seq = 1`.execute(handle.db);
      await expect(opened(attachmentId)).rejects.toThrow(SealedChunkError);
    });

    it('a chunk moved in from another attachment', async () => {
      const [victim, other] = [await newAttachment(), await newAttachment()];
      await storeBytes(victim, 10);
      await storeBytes(other, 10);
      await sql`update attachment_chunks set data = (select data from attachment_chunks where attachment_id = ${other} and seq = 0)
        where attachment_id = ${victim} and seq = 0`.execute(handle.db);
      await expect(opened(victim)).rejects.toThrow(SealedChunkError);
    });

    it('a chunk moved from the thumbnail to the original under the same data key', async () => {
      const attachmentId = await newAttachment();
      await storeBytes(attachmentId, 10, 'original');
      await storeBytes(attachmentId, 10, 'thumbnail');
      await sql`update attachment_chunks set data = (select data from attachment_chunks where attachment_id = ${attachmentId} and variant = 'thumbnail')
        where attachment_id = ${attachmentId} and variant = 'original'`.execute(handle.db);
      await expect(opened(attachmentId)).rejects.toThrow(SealedChunkError);
    });
  });

  it('leaves no chunk and no key behind when the source fails midway', async () => {
    const attachmentId = await newAttachment();
    async function* failing(): AsyncGenerator<Buffer> {
      for (let i = 0; i < 10; i += 1) yield crypto.randomBytes(64 * 1024);
      throw new Error('the provider hung up');
    }
    await expect(storeSealed(deps(), { attachmentId, variant: 'original', source: failing() })).rejects.toThrow('the provider hung up');
    expect(await chunkSeqs(attachmentId)).toEqual([]);
    const row = await handle.db.selectFrom('attachments').select('key_encrypted').where('id', '=', attachmentId).executeTakeFirstOrThrow();
    expect(row.key_encrypted).toBeNull();
    await expect(openSealed(deps(), { attachmentId, variant: 'original' })).rejects.toThrow(AttachmentNotStoredError);
  });

  it('keeps the bytes stored before when storing them again fails midway', async () => {
    const attachmentId = await newAttachment();
    const first = await storeBytes(attachmentId, CHUNK_PLAINTEXT_BYTES * 2);
    async function* failing(): AsyncGenerator<Buffer> {
      yield crypto.randomBytes(CHUNK_PLAINTEXT_BYTES * 3);
      throw new Error('the provider hung up');
    }
    await expect(storeSealed(deps(), { attachmentId, variant: 'original', source: failing() })).rejects.toThrow('the provider hung up');
    expect(await digestOf(await openSealed(deps(), { attachmentId, variant: 'original' }))).toEqual({ sha256: first.expected, bytes: CHUNK_PLAINTEXT_BYTES * 2 });
  });

  it('opens a file stored under the old key after the key rotates, and not without the old key', async () => {
    const attachmentId = await newAttachment();
    const stored = await storeBytes(attachmentId, CHUNK_PLAINTEXT_BYTES + 5);
    const keyB = generateKey();
    const rotated = createPersonalDataCipher({ current: keyB, previous: [keyA] });
    expect(await digestOf(await openSealed({ db: handle.db, cipher: rotated }, { attachmentId, variant: 'original' })))
      .toEqual({ sha256: stored.expected, bytes: CHUNK_PLAINTEXT_BYTES + 5 });
    const forgotten = createPersonalDataCipher({ current: keyB });
    await expect(openSealed({ db: handle.db, cipher: forgotten }, { attachmentId, variant: 'original' })).rejects.toThrow(/no key/);
  });

  it('deletes the chunks with their attachment', async () => {
    const attachmentId = await newAttachment();
    await storeBytes(attachmentId, 10);
    await handle.db.deleteFrom('attachments').where('id', '=', attachmentId).execute();
    expect(await chunkSeqs(attachmentId)).toEqual([]);
  });

  it('refuses an attachment that does not exist', async () => {
    const attachmentId = crypto.randomUUID();
    await expect(storeSealed(deps(), { attachmentId, variant: 'original', source: [Buffer.from('x')] })).rejects.toThrow(AttachmentNotStoredError);
    await expect(openSealed(deps(), { attachmentId, variant: 'original' })).rejects.toThrow(AttachmentNotStoredError);
  });
});
