import crypto from 'node:crypto';
import v8 from 'node:v8';
import vm from 'node:vm';
import {
  CHUNK_PLAINTEXT_BYTES, chunkAadPrefix, decryptChunks, encryptChunks, generateDataKey, SealedChunkError, type SealedChunk,
} from '../../src/attachments/sealed-chunks';

const PREFIX = chunkAadPrefix('7f1c4a52-0000-4000-8000-000000000001', 'original');
const MB = 1024 * 1024;

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

async function* from<T>(items: Iterable<T>): AsyncGenerator<T> {
  yield* items;
}

async function sealed(bytes: Buffer, key: Buffer, prefix = PREFIX): Promise<SealedChunk[]> {
  return collect(encryptChunks(from([bytes]), key, prefix));
}

async function opened(chunks: SealedChunk[], key: Buffer, prefix = PREFIX): Promise<Buffer> {
  return Buffer.concat(await collect(decryptChunks(from(chunks), key, prefix)));
}

describe('sealed chunks', () => {
  const key = generateDataKey();

  it('seals each chunk as IV, at most 256 KiB of ciphertext and a tag', async () => {
    const bytes = crypto.randomBytes(2 * CHUNK_PLAINTEXT_BYTES + 3);
    const chunks = await sealed(bytes, key);
    expect(chunks.map((chunk) => [chunk.seq, chunk.data.length])).toEqual([
      [0, 12 + CHUNK_PLAINTEXT_BYTES + 16], [1, 12 + CHUNK_PLAINTEXT_BYTES + 16], [2, 12 + 3 + 16],
    ]);
    expect((await opened(chunks, key)).equals(bytes)).toBe(true);
  });

  it('seals an empty file as one empty last chunk', async () => {
    const chunks = await sealed(Buffer.alloc(0), key);
    expect(chunks.map((chunk) => chunk.data.length)).toEqual([28]);
    expect(await opened(chunks, key)).toHaveLength(0);
  });

  it('refuses a stream with no chunks at all', async () => {
    await expect(opened([], key)).rejects.toThrow(SealedChunkError);
  });

  it('refuses a file cut after a full chunk, which has no last chunk', async () => {
    const chunks = await sealed(crypto.randomBytes(CHUNK_PLAINTEXT_BYTES + 1), key);
    await expect(opened(chunks.slice(0, 1), key)).rejects.toThrow(SealedChunkError);
  });

  it('refuses a chunk added after the last', async () => {
    const chunks = await sealed(crypto.randomBytes(10), key);
    const extra = (await sealed(crypto.randomBytes(10), key))[0];
    await expect(opened([...chunks, { seq: 1, data: extra?.data ?? Buffer.alloc(0) }], key)).rejects.toThrow(SealedChunkError);
  });

  it('refuses chunks opened as another attachment, under the same key', async () => {
    const chunks = await sealed(crypto.randomBytes(10), key);
    await expect(opened(chunks, key, chunkAadPrefix('7f1c4a52-0000-4000-8000-000000000002', 'original'))).rejects.toThrow(SealedChunkError);
  });

  it('refuses the wrong key', async () => {
    const chunks = await sealed(crypto.randomBytes(10), key);
    await expect(opened(chunks, generateDataKey())).rejects.toThrow(SealedChunkError);
  });

  it('gives out no byte of a chunk whose tag does not check', async () => {
    const chunks = await sealed(Buffer.from('the boss keeps my passport'), key);
    const [chunk] = chunks;
    if (!chunk) throw new Error('no chunk');
    const data = Buffer.from(chunk.data);
    data[data.length - 1] = (data[data.length - 1] ?? 0) ^ 1;
    const given: Buffer[] = [];
    await expect((async () => {
      for await (const piece of decryptChunks(from([{ seq: 0, data }]), key, PREFIX)) given.push(piece);
    })()).rejects.toThrow(SealedChunkError);
    expect(given).toEqual([]);
  });

  it('reads no more of the source than the chunk it is sealing and one piece ahead', async () => {
    let read = 0;
    const piece = crypto.randomBytes(100_000);
    async function* source(): AsyncGenerator<Buffer> {
      for (let i = 0; i < 100; i += 1) {
        read += piece.length;
        yield piece;
      }
    }
    const aheadAtEachChunk: number[] = [];
    for await (const chunk of encryptChunks(source(), key, PREFIX)) aheadAtEachChunk.push(read - chunk.seq * CHUNK_PLAINTEXT_BYTES);
    expect(aheadAtEachChunk.length).toBe(Math.ceil((100 * piece.length) / CHUNK_PLAINTEXT_BYTES));
    expect(Math.max(...aheadAtEachChunk)).toBeLessThanOrEqual(CHUNK_PLAINTEXT_BYTES + piece.length);
  });

  // Live memory after a full collection, sampled as a 64 MB stream is sealed and opened again: a
  // pipeline that held the file would show 64 MB or more. The garbage of each chunk is collected
  // first (gc exposed at run time), so the bound is about what is held, not when V8 collects.
  it('holds a bounded amount of memory while sealing and opening a 64 MB stream', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const live = () => {
      gc();
      const usage = process.memoryUsage();
      return usage.heapUsed + usage.arrayBuffers;
    };
    const piece = crypto.randomBytes(MB);
    async function* source(): AsyncGenerator<Buffer> {
      for (let i = 0; i < 64; i += 1) yield piece;
    }
    const before = live();
    let peak = 0;
    let bytes = 0;
    let seen = 0;
    const opening = decryptChunks(encryptChunks(source(), key, PREFIX), key, PREFIX);
    for await (const plaintext of opening) {
      bytes += plaintext.length;
      seen += 1;
      if (seen % 16 === 0) peak = Math.max(peak, live() - before);
    }
    expect(bytes).toBe(64 * MB);
    expect(peak).toBeLessThan(40 * MB);
  });
});
