import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import sharp from 'sharp';
import { ingestAttachment } from '../../src/attachments/attachment-ingest';
import { openSealed } from '../../src/attachments/attachment-store';
import { insertAttachment } from '../../src/attachments/attachment.repository';
import type { DatabaseHandle } from '../../src/db/database';
import { createPersonalDataCipher, generateKey } from '../../src/privacy/personal-data';
import { AUDIO_AND_DOCUMENT_SAMPLES, REFUSED_SAMPLES } from '../support/attachment-samples';
import { createFakeClock } from '../support/clock';
import { openTestDatabase } from '../support/database';
import { IDENTIFYING_TAGS, exifTags, phonePhoto } from '../support/exif';

const AT = new Date('2026-12-02T08:00:00Z');

async function bytesOf(stream: Readable): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for await (const piece of stream as AsyncIterable<Buffer>) pieces.push(piece);
  return Buffer.concat(pieces);
}

/** The bytes in pieces of `size`, as a download delivers them. */
function inPieces(bytes: Buffer, size = 1000): Readable {
  const pieces: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += size) pieces.push(bytes.subarray(offset, offset + size));
  return Readable.from(pieces);
}

describe('taking in a file', () => {
  let handle: DatabaseHandle;
  const cipher = createPersonalDataCipher({ current: generateKey() });
  const deps = () => ({ db: handle.db, cipher, clock: createFakeClock(AT) });

  beforeAll(async () => {
    handle = await openTestDatabase();
  });
  afterAll(async () => {
    await handle.close();
  });

  const newAttachment = () => insertAttachment(handle.db, { source: 'web', at: AT });
  const row = (id: string) => handle.db.selectFrom('attachments').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  it('stores a phone photo without its GPS, camera or owner tags, with a thumbnail', async () => {
    const original = await phonePhoto(640, 480);
    expect(exifTags(original)['GPSLatitude']).toBeDefined();
    const id = await newAttachment();
    const result = await ingestAttachment(deps(), id, inPieces(original));
    expect(result).toMatchObject({ status: 'stored', kind: 'image', contentType: 'image/jpeg' });
    const stored = await bytesOf(await openSealed(deps(), { attachmentId: id, variant: 'original' }));
    const tags = exifTags(stored);
    for (const tag of IDENTIFYING_TAGS) expect(tags[tag]).toBeUndefined();
    // Orientation 6 was applied: the stored photo stands upright.
    expect(await sharp(stored).metadata()).toMatchObject({ width: 480, height: 640 });
    const thumbnail = await sharp(await bytesOf(await openSealed(deps(), { attachmentId: id, variant: 'thumbnail' }))).metadata();
    expect(thumbnail.format).toBe('webp');
    expect(Math.max(thumbnail.width ?? 0, thumbnail.height ?? 0)).toBeLessThanOrEqual(320);
    expect(await row(id)).toMatchObject({ status: 'stored', kind: 'image', content_type: 'image/jpeg', width: 480, height: 640, has_thumbnail: true, size_bytes: String(stored.length) });
  });

  it.each(Object.entries(AUDIO_AND_DOCUMENT_SAMPLES))('stores %s as it came, streamed', async (_name, sample) => {
    const id = await newAttachment();
    const result = await ingestAttachment(deps(), id, inPieces(sample, 7));
    expect(result.status).toBe('stored');
    expect((await bytesOf(await openSealed(deps(), { attachmentId: id, variant: 'original' }))).equals(sample)).toBe(true);
    expect(await row(id)).toMatchObject({ status: 'stored', has_thumbnail: false, size_bytes: String(sample.length) });
  });

  it.each(Object.entries(REFUSED_SAMPLES))('refuses %s and keeps none of it', async (_name, sample) => {
    const id = await newAttachment();
    expect(await ingestAttachment(deps(), id, inPieces(sample))).toEqual({ status: 'refused', reason: 'unsupported_type' });
    expect(await row(id)).toMatchObject({ status: 'refused', refused_reason: 'unsupported_type', key_encrypted: null });
    const chunks = await handle.db.selectFrom('attachment_chunks').select('seq').where('attachment_id', '=', id).execute();
    expect(chunks).toHaveLength(0);
  });

  it('refuses a PDF over the limit midway, stops reading it, and keeps no chunk of it', async () => {
    const id = await newAttachment();
    let served = 0;
    async function* big(): AsyncGenerator<Buffer> {
      yield AUDIO_AND_DOCUMENT_SAMPLES['pdf'] as Buffer;
      for (let i = 0; i < 100; i += 1) {
        served += 1;
        yield crypto.randomBytes(64 * 1024);
      }
    }
    expect(await ingestAttachment(deps(), id, big(), { maxBytes: 1024 * 1024 })).toEqual({ status: 'refused', reason: 'too_large' });
    expect(served).toBeLessThan(20);
    expect(await row(id)).toMatchObject({ status: 'refused', refused_reason: 'too_large' });
    expect(await handle.db.selectFrom('attachment_chunks').select('seq').where('attachment_id', '=', id).execute()).toHaveLength(0);
  });

  it('lets a failing download fail, with nothing stored, so the job can try again', async () => {
    const id = await newAttachment();
    async function* broken(): AsyncGenerator<Buffer> {
      yield AUDIO_AND_DOCUMENT_SAMPLES['pdf'] as Buffer;
      yield crypto.randomBytes(300 * 1024);
      throw new Error('connection reset');
    }
    await expect(ingestAttachment(deps(), id, broken())).rejects.toThrow('connection reset');
    expect(await row(id)).toMatchObject({ status: 'pending' });
    expect(await handle.db.selectFrom('attachment_chunks').select('seq').where('attachment_id', '=', id).execute()).toHaveLength(0);
  });
});
