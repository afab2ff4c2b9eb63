// Do no harm: a worker's photo carries GPS coordinates, the phone's make and model and often the
// owner's name in its EXIF/XMP/IPTC blocks. Every image is decoded and re-encoded without any of them
// before it is stored, so nothing we keep can place the worker. Only images reach this module: audio
// and PDF are stored as they came (see the note at the end).
import type { Readable } from 'node:stream';
import sharp from 'sharp';
import { MAX_ATTACHMENT_BYTES, MAX_IMAGE_PIXELS, sniff } from './inspect';

export interface ImageLimits {
  /** Most pixels (width × height) an image may declare; checked from the header, before decoding. */
  maxPixels: number;
  /** Most bytes read from a stream input. */
  maxBytes: number;
}

export const DEFAULT_IMAGE_LIMITS: ImageLimits = { maxPixels: MAX_IMAGE_PIXELS, maxBytes: MAX_ATTACHMENT_BYTES };

/** The longest side of a thumbnail. */
export const THUMBNAIL_MAX_SIDE = 320;

export interface SanitizedImage {
  image: Buffer;
  contentType: 'image/jpeg' | 'image/png' | 'image/webp';
  /** After the EXIF orientation is applied: what a viewer shows. */
  width: number;
  height: number;
  /** WebP (keeps transparency), at most THUMBNAIL_MAX_SIDE on its longest side, no metadata. */
  thumbnail: Buffer;
}

export type ImageRefusal = 'heic_unsupported' | 'too_many_pixels' | 'unreadable_image' | 'unsupported_type' | 'too_large';

export type SanitizeResult = SanitizedImage | { refused: ImageRefusal };

/**
 * Prebuilt sharp decodes AVIF only: HEVC (the HEIC of iPhones) is patent-encumbered and left out.
 * HEIC we cannot decode we cannot strip either, so it is refused and the worker is asked for a JPEG
 * or a screenshot, rather than storing a photo whose GPS we cannot remove.
 */
export function canDecodeHeic(): boolean {
  const input = sharp.format.heif?.input as { fileSuffix?: string[] } | undefined;
  return Boolean(input?.fileSuffix?.includes('.heic'));
}

/** Re-encodes an image without any metadata (orientation applied) and makes its thumbnail; refuses bombs and HEIC it cannot decode. */
export async function sanitizeImage(input: Buffer | Readable, limits: ImageLimits = DEFAULT_IMAGE_LIMITS): Promise<SanitizeResult> {
  const bytes = Buffer.isBuffer(input) ? input : await readAtMost(input, limits.maxBytes);
  if (!bytes || bytes.length > limits.maxBytes) return { refused: 'too_large' };
  const sniffed = await sniff(bytes);
  if ('refused' in sniffed || sniffed.kind !== 'image') return { refused: 'unsupported_type' };
  if (/^image\/hei[cf]$/.test(sniffed.contentType) && !canDecodeHeic()) return { refused: 'heic_unsupported' };

  // The header alone gives the declared size: a 20000×20000 one-colour PNG is a few kB on the wire
  // and 1.6 GB decoded, so it is refused here, before any pixel is decoded.
  const header = await sharp(bytes, { limitInputPixels: false }).metadata().catch(() => undefined);
  if (!header?.format || !header.width || !header.height) return { refused: 'unreadable_image' };
  if (header.width * header.height > limits.maxPixels) return { refused: 'too_many_pixels' };
  const output = OUTPUT_FORMAT[header.format];
  if (!output) return { refused: 'unsupported_type' };

  try {
    // No withMetadata()/keepExif()/keepIccProfile(): sharp writes none of EXIF, XMP, IPTC or ICC, and
    // by default converts an embedded colour profile (an iPhone's Display P3) to sRGB first, so
    // colours stay right without it. An explicit toColourspace('srgb') gives the same pixels and
    // costs a quarter of the time of a 2 MB photo.
    const pipeline = sharp(bytes, { limitInputPixels: limits.maxPixels, failOn: 'error' }).rotate();
    const { data, info } = await encode(pipeline, output).toBuffer({ resolveWithObject: true });
    const thumbnail = await sharp(data, { limitInputPixels: limits.maxPixels })
      .resize(THUMBNAIL_MAX_SIDE, THUMBNAIL_MAX_SIDE, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 70, effort: 2 })
      .toBuffer();
    return { image: data, contentType: CONTENT_TYPE[output], width: info.width, height: info.height, thumbnail };
  } catch {
    // Truncated or corrupt data (failOn: 'error'), or a pixel limit the header understated.
    return { refused: 'unreadable_image' };
  }
}

type OutputFormat = 'jpeg' | 'png' | 'webp';

// Same family out as in; HEIC (when decodable) becomes JPEG, which every console browser shows.
const OUTPUT_FORMAT: Partial<Record<string, OutputFormat>> = { jpeg: 'jpeg', png: 'png', webp: 'webp', heif: 'jpeg' };

const CONTENT_TYPE: Record<OutputFormat, SanitizedImage['contentType']> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
};

function encode(pipeline: sharp.Sharp, format: OutputFormat): sharp.Sharp {
  // libjpeg-turbo, not mozjpeg: a tenth of the time for a 2 MB photo, files a little larger.
  if (format === 'jpeg') return pipeline.jpeg({ quality: 85 });
  if (format === 'png') return pipeline.png({ compressionLevel: 9 });
  return pipeline.webp({ quality: 85 });
}

/** The stream's bytes, or undefined as soon as more than `maxBytes` arrive (the stream is destroyed). */
async function readAtMost(stream: Readable, maxBytes: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    total += buffer.length;
    if (total > maxBytes) {
      stream.destroy();
      return undefined;
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

// Left for later: audio and PDF pass through unchanged, and they can carry metadata too — a PDF's
// Info dictionary and XMP (author, producing app, creation dates), an M4A's iTunes atoms and an
// MP3's ID3 tags (device, sometimes a name or place). Stripping them needs a PDF rewriter and an
// audio remuxer (ffmpeg); until then the console should treat them as the worker sent them.
