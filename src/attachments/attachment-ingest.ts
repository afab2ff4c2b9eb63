import type { Readable } from 'node:stream';
import type { Clock } from '../clock';
import { storeSealedVariants, type AttachmentStoreDeps } from './attachment-store';
import { markAttachmentRefused, markAttachmentStored } from './attachment.repository';
import { MAX_ATTACHMENT_BYTES, MAX_IMAGE_PIXELS, SNIFF_BYTES, sniff, type AttachmentKind, type AttachmentRefusal } from './inspect';
import { sanitizeImage } from './sanitize-image';

// One way in for every file, whoever brings it (a provider's media, the web form, the status page):
// the type is read from the first bytes; an image is decoded and re-encoded without its metadata and
// gets a thumbnail; a PDF or an audio file streams through to be sealed without being held whole.
// Anything else, or anything too large, is refused and the row says why (a code, never a name).

export interface IngestDeps extends AttachmentStoreDeps {
  clock: Clock;
}

export interface IngestLimits {
  maxBytes: number;
}

export type IngestResult =
  | { status: 'stored'; kind: AttachmentKind; contentType: string; sizeBytes: number }
  | { status: 'refused'; reason: AttachmentRefusal };

/** A file larger than the limit, found while reading it. */
export class TooLargeError extends Error {
  override readonly name = 'TooLargeError';
}

/**
 * Checks, cleans and seals a pending attachment's bytes, and marks it stored or refused. Errors of
 * the source itself (a download that fails midway) propagate with nothing stored, so the caller may
 * retry; a source that throws TooLargeError, or runs past `maxBytes`, is refused as `too_large`.
 */
export async function ingestAttachment(
  deps: IngestDeps,
  attachmentId: string,
  source: Readable | AsyncIterable<Uint8Array>,
  limits: IngestLimits = { maxBytes: MAX_ATTACHMENT_BYTES },
): Promise<IngestResult> {
  const reader = new PeekingReader(source[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>, limits.maxBytes);
  const result = await ingest(deps, attachmentId, reader).catch((error: unknown) => {
    if (error instanceof TooLargeError) return { status: 'refused' as const, reason: 'too_large' as const };
    throw error;
  });
  if (result.status === 'refused') {
    await reader.discard();
    await markAttachmentRefused(deps.db, attachmentId, result.reason);
  }
  return result;
}

async function ingest(deps: IngestDeps, attachmentId: string, reader: PeekingReader): Promise<IngestResult> {
  const head = await reader.peek(SNIFF_BYTES);
  if (head.length === 0) return { status: 'refused', reason: 'unsupported_type' };
  const sniffed = await sniff(head);
  if ('refused' in sniffed) return { status: 'refused', reason: sniffed.refused };

  if (sniffed.kind === 'image') {
    // An image is decoded whole anyway (at most maxBytes): its metadata goes before anything is kept.
    const bytes = await reader.readAll();
    const clean = await sanitizeImage(bytes, { maxBytes: reader.maxBytes, maxPixels: MAX_IMAGE_PIXELS });
    if ('refused' in clean) return { status: 'refused', reason: clean.refused };
    const [stored] = await storeSealedVariants(deps, attachmentId, [
      { variant: 'original', source: [clean.image] },
      { variant: 'thumbnail', source: [clean.thumbnail] },
    ], async (trx, [original]) => markAttachmentStored(trx, attachmentId, {
      sizeBytes: original?.sizeBytes ?? 0, at: deps.clock.now(), kind: 'image', contentType: clean.contentType,
      width: clean.width, height: clean.height, hasThumbnail: true,
    }));
    return { status: 'stored', kind: 'image', contentType: clean.contentType, sizeBytes: stored?.sizeBytes ?? 0 };
  }

  const [stored] = await storeSealedVariants(deps, attachmentId, [{ variant: 'original', source: reader.rest() }], async (trx, [original]) =>
    markAttachmentStored(trx, attachmentId, { sizeBytes: original?.sizeBytes ?? 0, at: deps.clock.now(), kind: sniffed.kind, contentType: sniffed.contentType }));
  return { status: 'stored', kind: sniffed.kind, contentType: sniffed.contentType, sizeBytes: stored?.sizeBytes ?? 0 };
}

/** Reads a byte source with a look at its head first, never past `maxBytes`. */
class PeekingReader {
  private readonly buffered: Buffer[] = [];
  private bufferedBytes = 0;
  private total = 0;
  private done = false;

  constructor(
    private readonly iterator: AsyncIterator<Uint8Array>,
    readonly maxBytes: number,
  ) {}

  /** At least `bytes` of the head (or the whole source if shorter), kept for `rest` and `readAll`. */
  async peek(bytes: number): Promise<Buffer> {
    while (this.bufferedBytes < bytes && !this.done) {
      const piece = await this.next();
      if (!piece) break;
      this.buffered.push(piece);
      this.bufferedBytes += piece.length;
    }
    return Buffer.concat(this.buffered);
  }

  /** Everything, in memory (images only: their size is bounded by maxBytes). */
  async readAll(): Promise<Buffer> {
    for (;;) {
      const piece = await this.next();
      if (!piece) break;
      this.buffered.push(piece);
    }
    const all = Buffer.concat(this.buffered);
    this.buffered.length = 0;
    return all;
  }

  /** The head already read, then the rest as it arrives. */
  async *rest(): AsyncGenerator<Buffer> {
    while (this.buffered.length > 0) yield this.buffered.shift() as Buffer;
    for (;;) {
      const piece = await this.next();
      if (!piece) return;
      yield piece;
    }
  }

  /** Stops reading (a refused file is not downloaded to its end). */
  async discard(): Promise<void> {
    this.buffered.length = 0;
    if (this.done) return;
    this.done = true;
    await this.iterator.return?.().catch(() => undefined);
  }

  private async next(): Promise<Buffer | undefined> {
    if (this.done) return undefined;
    const { value, done } = await this.iterator.next();
    if (done) {
      this.done = true;
      return undefined;
    }
    const piece = Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    this.total += piece.length;
    if (this.total > this.maxBytes) {
      await this.discard();
      throw new TooLargeError(`the file is larger than ${this.maxBytes} bytes`);
    }
    return piece;
  }
}
