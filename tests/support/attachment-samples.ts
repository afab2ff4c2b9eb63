// The smallest files each format's signature needs, built from their published layouts: enough for
// a type sniffer, no real audio. Images are made with sharp in the tests themselves.

/** An ISO base media file (MP4/HEIF family) with only its `ftyp` box naming the brand. */
function isoBaseMedia(brand: string, compatible: string[]): Buffer {
  const brands = Buffer.from([brand, '\0\0\0\0', ...compatible].join(''), 'latin1');
  const size = 8 + brands.length;
  const header = Buffer.alloc(8);
  header.writeUInt32BE(size, 0);
  header.write('ftyp', 4, 'latin1');
  return Buffer.concat([header, brands, Buffer.alloc(64)]);
}

/** An Ogg page whose first packet is the given codec header (`OpusHead`, `\x01vorbis`). */
function oggPage(packet: string): Buffer {
  const page = Buffer.alloc(27 + 1);
  page.write('OggS', 0, 'latin1');
  page[5] = 0x02; // beginning of stream
  page[26] = 1; // one segment
  page[27] = 19;
  return Buffer.concat([page, Buffer.from(packet, 'latin1'), Buffer.alloc(64)]);
}

function wav(): Buffer {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(36, 4);
  header.write('WAVE', 8, 'latin1');
  header.write('fmt ', 12, 'latin1');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(8000, 24);
  header.writeUInt32LE(16000, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'latin1');
  return header;
}

/** MPEG-1 Layer III frames (128 kbit/s, 44.1 kHz), silent. */
function mp3(): Buffer {
  const frame = Buffer.alloc(417);
  frame.set([0xff, 0xfb, 0x90, 0x64]);
  return Buffer.concat([frame, frame, frame]);
}

/** An ADTS AAC frame header followed by its (empty) payload, repeated. */
function adtsAac(): Buffer {
  const frame = Buffer.alloc(32);
  frame.set([0xff, 0xf1, 0x50, 0x80, 0x04, 0x1f, 0xfc]);
  return Buffer.concat([frame, frame, frame]);
}

export const AUDIO_AND_DOCUMENT_SAMPLES: Record<string, Buffer> = {
  amr: Buffer.concat([Buffer.from('#!AMR\n', 'latin1'), Buffer.alloc(32, 0x3c)]),
  m4a: isoBaseMedia('M4A ', ['M4A ', 'mp42', 'isom']),
  aac: adtsAac(),
  ogg: oggPage('\x01vorbis'),
  opus: oggPage('OpusHead'),
  mp3: mp3(),
  wav: wav(),
  pdf: Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n', 'latin1'),
};

export const HEIC_SAMPLE = isoBaseMedia('heic', ['mif1', 'heic']);

/** Files that must be refused, each as it would arrive named photo.jpg. */
export const REFUSED_SAMPLES: Record<string, Buffer> = {
  'a Windows executable': Buffer.concat([Buffer.from('MZ', 'latin1'), Buffer.alloc(58), Buffer.from([0x80, 0, 0, 0]), Buffer.alloc(64)]),
  'a ZIP archive': Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0, 0, 0]), Buffer.alloc(40)]),
  'an HTML page': Buffer.from('<!doctype html><html><script>alert(1)</script></html>', 'utf8'),
  'an SVG image': Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', 'utf8'),
  'an MP4 video': isoBaseMedia('isom', ['isom', 'iso2', 'mp41']),
  'a GIF image': Buffer.concat([Buffer.from('GIF89a', 'latin1'), Buffer.alloc(32)]),
  'an AVIF image': isoBaseMedia('avif', ['mif1', 'avif']),
  'nothing at all': Buffer.alloc(0),
};

/** A real WAV recording: 8 kHz mono 16-bit PCM (as Twilio records calls), a tone of `hertz` for `seconds`. */
export function toneWav(seconds = 1, hertz = 440): Buffer {
  const rate = 8000;
  const samples = Math.round(seconds * rate);
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i += 1) data.writeInt16LE(Math.round(Math.sin((2 * Math.PI * hertz * i) / rate) * 8000), i * 2);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8, 'latin1');
  header.write('fmt ', 12, 'latin1');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'latin1');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}
