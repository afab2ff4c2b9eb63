import busboy from 'busboy';
import type { Request, Response } from 'express';
import type { Readable } from 'node:stream';
import { principalOf } from './access';
import { hasValidSessionCsrf } from './csrf';
import { errors } from './errors';

// multipart/form-data bodies (a form with files), read as a stream with busboy: text fields are
// collected, and each file goes to `onFile` as it arrives, one at a time, so a file is never held
// whole here and a slow consumer slows the upload rather than filling memory. Every count and size
// is bounded; a body that ends early, has the wrong boundary or breaks the limits is a 4xx, never
// a 500. `beforeFirstFile` sees the fields sent before the first file and may refuse the request
// (a CSRF check) before any file is handed on: a browser sends parts in the order of the form.

/** The bounds of one multipart body. */
export interface MultipartLimits {
  /** Most files; the form is flagged `tooManyFiles` beyond it and the extra ones are not read. */
  files: number;
  /** Most bytes per file; a longer file is cut, handed on one byte over, and flagged `tooLarge`. */
  fileBytes: number;
  /** Most text fields. */
  fields: number;
  /** Most bytes per text field. */
  fieldBytes: number;
}

/** A file as it arrives. */
export interface IncomingFile {
  field: string;
  /** The name the sender gave (its last path segment), for showing back only. */
  filename: string;
  /** The bytes as they arrive; a consumer that stops early leaves the rest to be skipped. */
  bytes: AsyncIterable<Buffer>;
}

/** A file that was handed on, with what the consumer made of it. */
export interface ReceivedFile<T> {
  field: string;
  filename: string;
  /** The file ran past `fileBytes`. */
  tooLarge: boolean;
  result: T;
}

/** A parsed multipart body. */
export interface MultipartForm<T> {
  fields: Record<string, string | string[]>;
  files: ReceivedFile<T>[];
  /** More files than `limits.files` were sent. */
  tooManyFiles: boolean;
}

export interface MultipartOptions<T> {
  limits: MultipartLimits;
  /** Called once, with the fields so far, when the first file starts; throw to refuse the request. */
  beforeFirstFile?: (fields: Record<string, string | string[]>) => void;
  /** Takes in one file. Rejecting fails the whole body (the caller cleans up what it kept). */
  onFile: (file: IncomingFile) => Promise<T>;
}

/** True when the request carries a multipart/form-data body. */
export function isMultipart(req: Request): boolean {
  return req.is('multipart/form-data') === 'multipart/form-data';
}

// Room for the part headers and boundaries around the fields and files.
const OVERHEAD_BYTES = 1024 * 1024;

function addField(fields: Record<string, string | string[]>, name: string, value: string): void {
  const previous = fields[name];
  if (previous === undefined) fields[name] = value;
  else if (Array.isArray(previous)) previous.push(value);
  else fields[name] = [previous, value];
}

/**
 * A file part's bytes for its consumer, one chunk at a time. Listening from the moment the part
 * starts catches a part that fails before its turn; a consumer that stops early (or fails) leaves
 * the rest to `drain`, because busboy reads on only once every file stream has ended.
 */
class PartReader implements AsyncIterableIterator<Buffer> {
  private readonly chunks: Buffer[] = [];
  private ended = false;
  private draining = false;
  private error: unknown;
  private wake: (() => void) | undefined;
  /** Resolves once the part has ended or failed. */
  readonly finished: Promise<void>;

  constructor(private readonly stream: Readable & { truncated?: boolean }) {
    stream.pause();
    this.finished = new Promise((resolve) => {
      stream.on('data', (chunk: Buffer) => {
        if (this.draining) return;
        this.chunks.push(chunk);
        stream.pause();
        this.wake?.();
      });
      stream.once('end', () => {
        this.ended = true;
        this.wake?.();
        resolve();
      });
      stream.once('error', (error: unknown) => {
        this.error = error;
        this.wake?.();
        resolve();
      });
      stream.once('close', () => resolve());
    });
  }

  /** The part ran past busboy's size limit. */
  get truncated(): boolean {
    return this.stream.truncated === true;
  }

  /** True when the part ends without a byte (a file input left empty sends such a part). */
  async isEmpty(): Promise<boolean> {
    while (this.chunks.length === 0 && !this.ended && this.error === undefined) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.stream.resume();
      });
      this.wake = undefined;
    }
    return this.chunks.length === 0 && this.error === undefined;
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Buffer> {
    return this;
  }

  async next(): Promise<IteratorResult<Buffer>> {
    for (;;) {
      const chunk = this.chunks.shift();
      if (chunk) return { value: chunk, done: false };
      if (this.error !== undefined) throw this.error;
      if (this.ended || this.draining) return { value: undefined, done: true };
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.stream.resume();
      });
      this.wake = undefined;
    }
  }

  async return(): Promise<IteratorResult<Buffer>> {
    this.drain();
    return { value: undefined, done: true };
  }

  /** Skips whatever the consumer did not read. */
  drain(): void {
    this.draining = true;
    this.chunks.length = 0;
    this.stream.resume();
  }
}

/**
 * Reads a multipart/form-data request. Throws a 400 (malformed_body) for a body that does not
 * parse, ends early or has too many fields, a 413 for a field or a whole body over its bound, or
 * what `beforeFirstFile` or `onFile` threw, always after every file handed on has settled, so
 * that the caller can remove what `onFile` kept.
 */
export async function readMultipart<T>(req: Request, options: MultipartOptions<T>): Promise<MultipartForm<T>> {
  const { limits } = options;
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: req.headers,
      defParamCharset: 'utf8',
      // One byte over the limit tells a file at the limit from a longer one.
      limits: { files: limits.files, fileSize: limits.fileBytes + 1, fields: limits.fields, fieldSize: limits.fieldBytes, fieldNameSize: 100, parts: limits.files + limits.fields + 1, headerPairs: 20 },
    });
  } catch {
    // No boundary, or not multipart at all.
    throw errors.malformedBody();
  }

  const fields: Record<string, string | string[]> = {};
  const files: ReceivedFile<T>[] = [];
  const pending: Promise<unknown>[] = [];
  let queue: Promise<unknown> = Promise.resolve();
  let tooManyFiles = false;
  let failure: unknown;
  let gateChecked = false;
  const fail = (error: unknown) => {
    failure ??= error;
  };

  parser.on('field', (name, value, info) => {
    if (info.nameTruncated || info.valueTruncated) return fail(errors.payloadTooLarge());
    addField(fields, name, value);
  });
  parser.on('file', (field, stream, info) => {
    const part = new PartReader(stream);
    if (!gateChecked) {
      gateChecked = true;
      try {
        options.beforeFirstFile?.(fields);
      } catch (error) {
        fail(error);
      }
    }
    const filename = info.filename ?? '';
    // One file at a time: the next waits (and busboy with it) until the one before is taken in.
    const taken = queue.then(async () => {
      if (failure !== undefined) return part.drain();
      try {
        // A browser sends a file input left empty as a part with no name and no bytes: no file.
        if (filename === '' && (await part.isEmpty())) return;
        const result = await options.onFile({ field, filename, bytes: part });
        part.drain();
        await part.finished;
        files.push({ field, filename, tooLarge: part.truncated, result });
      } finally {
        part.drain();
      }
    });
    queue = taken.catch(() => undefined);
    pending.push(taken.catch((error: unknown) => fail(error)));
  });
  parser.on('filesLimit', () => {
    tooManyFiles = true;
  });
  parser.on('fieldsLimit', () => fail(errors.malformedBody()));
  parser.on('partsLimit', () => fail(errors.malformedBody()));

  const maxBodyBytes = limits.files * (limits.fileBytes + 1) + limits.fields * limits.fieldBytes + OVERHEAD_BYTES;
  let bodyBytes = 0;
  let stopped = false;
  const parsed = new Promise<void>((resolve) => {
    const stop = (error: unknown) => {
      if (stopped) return;
      stopped = true;
      // A broken body fails the files being read too; those failures are the body's, not theirs.
      failure = error;
      req.unpipe(parser);
      req.resume();
      parser.destroy();
      resolve();
    };
    parser.on('error', () => stop(errors.malformedBody()));
    parser.on('close', () => resolve());
    req.on('data', (chunk: Buffer) => {
      bodyBytes += chunk.length;
      if (bodyBytes > maxBodyBytes) stop(errors.payloadTooLarge());
    });
    req.on('aborted', () => stop(errors.malformedBody()));
    req.on('error', () => stop(errors.malformedBody()));
  });
  req.pipe(parser);
  await parsed;
  await Promise.all(pending);
  if (failure !== undefined) throw failure;
  return { fields, files, tooManyFiles };
}

/**
 * For a route declared `multipartForm`: a `beforeFirstFile` (call it again once the body is read)
 * that refuses the request unless its fields carry the session's form token. Nothing of a file is
 * taken in before this passes.
 */
export function sessionCsrfGate(req: Request, res: Response): (fields: Record<string, string | string[]>) => void {
  return (fields) => {
    const principal = principalOf(res);
    if (!principal.csrfPending) return;
    req.body = fields;
    if (!hasValidSessionCsrf(req, principal.formToken ?? '')) throw errors.csrfFailed();
  };
}
