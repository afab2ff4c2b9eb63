// What a worker's file really is, read from its first bytes (never from its name or the provider's
// Content-Type header, which a sender controls), and the bounds every attachment is held to.

/** The largest file we fetch or keep: larger downloads are stopped and refused. */
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

/** The most pixels an image may declare; above this it is refused before it is decoded (decompression bombs). */
export const MAX_IMAGE_PIXELS = 40_000_000;

/** How many leading bytes `sniff` needs (file-type's own sample size). */
export const SNIFF_BYTES = 4100;

export type AttachmentKind = 'image' | 'document' | 'audio';

/** Why an attachment was not kept; the worker is told in their language, the log gets only the code. */
export type AttachmentRefusal =
  | 'unsupported_type'
  | 'heic_unsupported'
  | 'too_many_pixels'
  | 'unreadable_image'
  | 'too_large'
  | 'timed_out'
  | 'foreign_host'
  | 'fetch_failed';

export type SniffResult = { kind: AttachmentKind; contentType: string } | { refused: 'unsupported_type' };

// file-type's answer → the kind and the Content-Type we store. Everything not listed is refused:
// video, AVIF, HEIC sequences, archives, executables, HTML, SVG (script), TIFF, GIF.
const ALLOWED: ReadonlyMap<string, { kind: AttachmentKind; contentType: string }> = new Map([
  ['image/jpeg', { kind: 'image', contentType: 'image/jpeg' }],
  ['image/png', { kind: 'image', contentType: 'image/png' }],
  ['image/webp', { kind: 'image', contentType: 'image/webp' }],
  ['image/heic', { kind: 'image', contentType: 'image/heic' }],
  ['image/heif', { kind: 'image', contentType: 'image/heif' }],
  ['application/pdf', { kind: 'document', contentType: 'application/pdf' }],
  ['audio/amr', { kind: 'audio', contentType: 'audio/amr' }],
  ['audio/x-m4a', { kind: 'audio', contentType: 'audio/mp4' }],
  ['audio/mp4', { kind: 'audio', contentType: 'audio/mp4' }],
  ['audio/aac', { kind: 'audio', contentType: 'audio/aac' }],
  ['audio/ogg', { kind: 'audio', contentType: 'audio/ogg' }],
  ['audio/ogg; codecs=opus', { kind: 'audio', contentType: 'audio/ogg' }],
  ['audio/opus', { kind: 'audio', contentType: 'audio/ogg' }],
  ['audio/mpeg', { kind: 'audio', contentType: 'audio/mpeg' }],
  ['audio/wav', { kind: 'audio', contentType: 'audio/wav' }],
  ['audio/vnd.wave', { kind: 'audio', contentType: 'audio/wav' }],
]);

/** The kind and Content-Type of a file from its first bytes (at least SNIFF_BYTES, or the whole file), or a refusal. */
export async function sniff(firstBytes: Buffer): Promise<SniffResult> {
  // file-type is ESM only: a dynamic import, which the CommonJS build turns into require() (Node ≥ 20.19
  // loads ESM that way) and Jest runs as a native import under --experimental-vm-modules.
  const { fileTypeFromBuffer } = await import('file-type');
  const detected = await fileTypeFromBuffer(firstBytes.subarray(0, SNIFF_BYTES));
  const allowed = detected ? ALLOWED.get(detected.mime) : undefined;
  return allowed ?? { refused: 'unsupported_type' };
}
