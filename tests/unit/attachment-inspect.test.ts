import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import sharp from 'sharp';
import { MAX_IMAGE_PIXELS, sniff } from '../../src/attachments/inspect';
import { canDecodeHeic, sanitizeImage, type SanitizedImage, type SanitizeResult } from '../../src/attachments/sanitize-image';
import { AUDIO_AND_DOCUMENT_SAMPLES, HEIC_SAMPLE, REFUSED_SAMPLES } from '../support/attachment-samples';
import { CAMERA_TAGS, exifTags, withCameraTags } from '../support/exif';

async function photo(format: 'jpeg' | 'png' | 'webp', width = 64, height = 32, options: { alpha?: boolean } = {}): Promise<Buffer> {
  const base = sharp({ create: { width, height, channels: options.alpha ? 4 : 3, background: { r: 200, g: 40, b: 40, alpha: options.alpha ? 0.5 : 1 } } });
  return base.toFormat(format).toBuffer();
}

function expectNoMetadataBlocks(metadata: sharp.Metadata): void {
  expect(metadata.exif).toBeUndefined();
  expect(metadata.icc).toBeUndefined();
  expect(metadata.xmp).toBeUndefined();
  expect(metadata.iptc).toBeUndefined();
}

/**
 * A valid one-colour 1-bit PNG: 20000 × 20000 is 400 M pixels (over a gigabyte once decoded to RGB)
 * in a file of some tens of kB — the shape of a decompression bomb.
 */
function onePixelColourPng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 1; // bit depth
  header[9] = 0; // greyscale
  const row = Buffer.alloc(1 + Math.ceil(width / 8)); // filter byte 0, then black pixels
  const pixels = zlib.deflateSync(Buffer.concat(Array.from({ length: height }, () => row)), { level: 9 });
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', pixels), chunk('IEND', Buffer.alloc(0))]);
}

function expectSanitized(result: SanitizeResult): SanitizedImage {
  if ('refused' in result) throw new Error(`refused: ${result.refused}`);
  return result;
}

const METADATA_TAGS = ['GPSLatitude', 'GPSLongitude', 'GPSPosition', 'Make', 'Model', 'SerialNumber', 'Artist', 'Creator', 'By-line', 'Orientation', 'ProfileDescription', 'XMPToolkit'];

describe('sniffing the type from the bytes', () => {
  it.each([
    ['jpeg', 'image/jpeg'],
    ['png', 'image/png'],
    ['webp', 'image/webp'],
  ] as const)('recognises a %s photo as an image', async (format, contentType) => {
    expect(await sniff(await photo(format))).toEqual({ kind: 'image', contentType });
  });

  it('recognises an iPhone HEIC photo as an image', async () => {
    expect(await sniff(HEIC_SAMPLE)).toEqual({ kind: 'image', contentType: 'image/heic' });
  });

  it.each([
    ['amr', 'audio', 'audio/amr'],
    ['m4a', 'audio', 'audio/mp4'],
    ['aac', 'audio', 'audio/aac'],
    ['ogg', 'audio', 'audio/ogg'],
    ['opus', 'audio', 'audio/ogg'],
    ['mp3', 'audio', 'audio/mpeg'],
    ['wav', 'audio', 'audio/wav'],
    ['pdf', 'document', 'application/pdf'],
  ])('recognises %s as %s (%s)', async (sample, kind, contentType) => {
    expect(await sniff(AUDIO_AND_DOCUMENT_SAMPLES[sample] ?? Buffer.alloc(0))).toEqual({ kind, contentType });
  });

  it.each(Object.entries(REFUSED_SAMPLES))('refuses %s, whatever it is called', async (_name, bytes) => {
    expect(await sniff(bytes)).toEqual({ refused: 'unsupported_type' });
  });

  it('judges only the first 4100 bytes', async () => {
    const pdfAfterPadding = Buffer.concat([Buffer.alloc(5000), AUDIO_AND_DOCUMENT_SAMPLES['pdf'] ?? Buffer.alloc(0)]);
    expect(await sniff(pdfAfterPadding)).toEqual({ refused: 'unsupported_type' });
  });
});

describe('sanitising an image', () => {
  it('removes GPS, camera, author and orientation tags from a phone photo, applying the rotation', async () => {
    const original = withCameraTags(await photo('jpeg', 64, 32), CAMERA_TAGS);
    const before = exifTags(original);
    expect(before).toMatchObject({ Make: 'Acme', Model: 'Phone 9', Artist: 'Ma Thida' });
    expect(before['GPSLatitude']).toBeDefined();

    const clean = expectSanitized(await sanitizeImage(original));

    const after = exifTags(clean.image);
    for (const tag of METADATA_TAGS) expect(after[tag]).toBeUndefined();
    expect(after['FileType']).toBe('JPEG');
    expect(clean).toMatchObject({ contentType: 'image/jpeg', width: 32, height: 64 });
    expectNoMetadataBlocks(await sharp(clean.image).metadata());
    expect(await sharp(clean.image).metadata()).toMatchObject({ width: 32, height: 64 });
  });

  it.each(['png', 'webp'] as const)('re-encodes a %s image in its own format, without its metadata', async (format) => {
    const tagged = await sharp(await photo(format, 40, 30, { alpha: true }))
      .withExif({ IFD0: { Make: 'Acme', Model: 'Phone 9', Artist: 'Ma Thida' } })
      .toBuffer();
    expect(exifTags(tagged)['Make']).toBe('Acme');

    const clean = expectSanitized(await sanitizeImage(tagged));

    expect(clean.contentType).toBe(`image/${format}`);
    const after = exifTags(clean.image);
    for (const tag of METADATA_TAGS) expect(after[tag]).toBeUndefined();
    expect(await sharp(clean.image).metadata()).toMatchObject({ format, width: 40, height: 30, hasAlpha: true });
  });

  it('drops an embedded colour profile, converting the colours to sRGB', async () => {
    const withProfile = await sharp(await photo('jpeg')).withIccProfile('p3').toBuffer();
    expect((await sharp(withProfile).metadata()).icc).toBeDefined();

    const clean = expectSanitized(await sanitizeImage(withProfile));

    const metadata = await sharp(clean.image).metadata();
    expect(metadata.icc).toBeUndefined();
    expect(metadata.space).toBe('srgb');
    // The colour is still the sRGB red it was, not the P3 numbers read as sRGB (which differ).
    const mean = async (image: Buffer, options: sharp.SharpOptions = {}) => (await sharp(image, options).stats()).channels.slice(0, 3).map((channel) => channel.mean);
    const distance = (values: number[]) => Math.max(...values.map((value, index) => Math.abs(value - ([200, 40, 40][index] ?? 0))));
    expect(distance(await mean(withProfile, { ignoreIcc: true }))).toBeGreaterThan(8);
    expect(distance(await mean(clean.image))).toBeLessThan(4);
  });

  it('makes a WebP thumbnail of at most 320 px, without metadata', async () => {
    const original = withCameraTags(await photo('jpeg', 1200, 800), CAMERA_TAGS);

    const { thumbnail } = expectSanitized(await sanitizeImage(original));

    const metadata = await sharp(thumbnail).metadata();
    expect(metadata).toMatchObject({ format: 'webp', width: 213, height: 320 });
    expectNoMetadataBlocks(metadata);
    for (const tag of METADATA_TAGS) expect(exifTags(thumbnail)[tag]).toBeUndefined();
  });

  it('does not enlarge a small image for its thumbnail', async () => {
    const { thumbnail } = expectSanitized(await sanitizeImage(await photo('png', 50, 20)));
    expect(await sharp(thumbnail).metadata()).toMatchObject({ width: 50, height: 20 });
  });

  it('accepts a stream', async () => {
    const clean = expectSanitized(await sanitizeImage(Readable.from([await photo('png', 10, 10)])));
    expect(clean).toMatchObject({ contentType: 'image/png', width: 10, height: 10 });
  });

  it('refuses a stream longer than the byte limit', async () => {
    const bytes = await photo('png', 200, 200);
    expect(await sanitizeImage(Readable.from([bytes]), { maxPixels: MAX_IMAGE_PIXELS, maxBytes: bytes.length - 1 })).toEqual({ refused: 'too_large' });
  });

  it('refuses a decompression bomb from its header, without decoding it', async () => {
    const bomb = onePixelColourPng(20_000, 20_000);
    expect(bomb.length).toBeLessThan(200 * 1024);
    expect(await sharp(bomb, { limitInputPixels: false }).metadata()).toMatchObject({ format: 'png', width: 20_000, height: 20_000 });

    const started = process.hrtime.bigint();
    const result = await sanitizeImage(bomb);
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;

    expect(result).toEqual({ refused: 'too_many_pixels' });
    expect(elapsedMs).toBeLessThan(1000);
  });

  it('refuses an image just over the pixel limit and accepts one at it', async () => {
    const image = await photo('png', 100, 50);
    expect(await sanitizeImage(image, { maxPixels: 4999, maxBytes: 1024 * 1024 })).toEqual({ refused: 'too_many_pixels' });
    expect(expectSanitized(await sanitizeImage(image, { maxPixels: 5000, maxBytes: 1024 * 1024 })).width).toBe(100);
  });

  it('refuses a truncated image rather than storing part of it', async () => {
    const jpeg = await photo('jpeg', 400, 400);
    expect(await sanitizeImage(jpeg.subarray(0, Math.floor(jpeg.length / 2)))).toEqual({ refused: 'unreadable_image' });
  });

  it('refuses bytes that are not an image', async () => {
    expect(await sanitizeImage(AUDIO_AND_DOCUMENT_SAMPLES['pdf'] ?? Buffer.alloc(0))).toEqual({ refused: 'unsupported_type' });
    expect(await sanitizeImage(await sharp(await photo('png')).gif().toBuffer())).toEqual({ refused: 'unsupported_type' });
  });

  it('refuses a HEIC photo it cannot decode (prebuilt sharp has no HEVC) instead of keeping its metadata', async () => {
    expect(canDecodeHeic()).toBe(false);
    expect(await sanitizeImage(HEIC_SAMPLE)).toEqual({ refused: 'heic_unsupported' });
  });
});
