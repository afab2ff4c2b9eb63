import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';

// Real photos as a phone makes them (GPS, camera, owner in EXIF/XMP/IPTC), and exiftool's reading
// of what metadata a file carries. exiftool comes from Debian's libimage-exiftool-perl.

function tempFile(prefix: string, bytes: Buffer): { file: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'exif-'));
  const file = path.join(dir, prefix);
  fs.writeFileSync(file, bytes);
  return { file, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Every metadata tag exiftool finds in the file, by name (groups dropped). */
export function exifTags(image: Buffer): Record<string, unknown> {
  const temp = tempFile('image', image);
  try {
    const [tags] = JSON.parse(execFileSync('exiftool', ['-json', '-a', '-G1', temp.file], { encoding: 'utf8' })) as Record<string, unknown>[];
    return Object.fromEntries(Object.entries(tags ?? {}).map(([key, value]) => [key.replace(/^.*:/, ''), value]));
  } finally {
    temp.remove();
  }
}

/** Writes tags into an image with exiftool, as a phone camera would. */
export function withCameraTags(image: Buffer, tags: string[]): Buffer {
  const temp = tempFile('camera', image);
  try {
    execFileSync('exiftool', ['-q', '-overwrite_original', ...tags, temp.file]);
    return fs.readFileSync(temp.file);
  } finally {
    temp.remove();
  }
}

export const CAMERA_TAGS = [
  '-GPSLatitude=13.7563', '-GPSLatitudeRef=N', '-GPSLongitude=100.5018', '-GPSLongitudeRef=E',
  '-Make=Acme', '-Model=Phone 9', '-SerialNumber=SN123456', '-Artist=Ma Thida',
  '-XMP:Creator=Ma Thida', '-IPTC:By-line=Ma Thida', '-Orientation#=6',
];

/** The metadata tags that place or name a worker; none may survive. */
export const IDENTIFYING_TAGS = ['GPSLatitude', 'GPSLongitude', 'GPSPosition', 'Make', 'Model', 'SerialNumber', 'Artist', 'Creator', 'By-line'];

/**
 * A JPEG as a phone sends it: noisy pixels (so it does not compress away; `width`×`height` about
 * 1.3 bytes a pixel at quality 92) and GPS, camera and owner tags.
 */
export async function phonePhoto(width = 320, height = 240): Promise<Buffer> {
  const noise = await sharp({ create: { width, height, channels: 3, background: { r: 128, g: 128, b: 128 }, noise: { type: 'gaussian', mean: 128, sigma: 60 } } })
    .jpeg({ quality: 92 })
    .toBuffer();
  return withCameraTags(noise, CAMERA_TAGS);
}
