// How many SMS segments a text costs. Operators bill per segment, and Malaysian operators may
// deliver each segment as a separate SMS, so replies are kept to a few segments.

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SegmentCount {
  encoding: SmsEncoding;
  segments: number;
  /** Septets for GSM-7, UTF-16 code units for UCS-2. */
  units: number;
}

/** The most segments a reply to a worker may take. */
export const MAX_REPLY_SEGMENTS = 3;

// The counter is one self-contained function so that the console's reply box runs this very code
// (served as /assets/sms-segments.js, see console/reply-counter.routes.ts): one count, not two.
// It may use nothing from outside its own body.
/** Builds the segment counter; its source is also what the browser runs. */
export function segmentCounter(): (text: string) => SegmentCount {
  // GSM 03.38 basic character set, in table order (0x1B, the escape to the extension table, left out).
  const GSM_BASIC = new Set(
    '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
      '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
  );
  // The extension table: each costs an escape septet plus its own.
  const GSM_EXTENSION = new Set('^{}\\[~]|€\f');

  const GSM = { single: 160, concatenated: 153 } as const;
  const UCS2 = { single: 70, concatenated: 67 } as const;

  const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

  /** The encoding, segment count and length (septets or UTF-16 units) of an SMS body. */
  function countSegments(text: string): SegmentCount {
    const septets = gsmSeptets(text);
    if (septets) return { encoding: 'GSM-7', units: sum(septets), segments: packSegments(septets, GSM) };
    const clusters = ucs2Clusters(text);
    return { encoding: 'UCS-2', units: text.length, segments: packSegments(clusters, UCS2) };
  }

  /** The septet cost of each character, or undefined when one character is outside GSM-7. */
  function gsmSeptets(text: string): number[] | undefined {
    const costs: number[] = [];
    for (const char of text) {
      if (GSM_BASIC.has(char)) costs.push(1);
      else if (GSM_EXTENSION.has(char)) costs.push(2);
      else return undefined;
    }
    return costs;
  }

  /** The UTF-16 length of each grapheme cluster, which a phone must receive whole in one segment. */
  function ucs2Clusters(text: string): number[] {
    const lengths: number[] = [];
    for (const { segment } of graphemes.segment(text)) {
      // A cluster longer than a whole segment cannot stay whole; it is cut between code points.
      if (segment.length <= UCS2.concatenated) lengths.push(segment.length);
      else for (const codePoint of segment) lengths.push(codePoint.length);
    }
    return lengths;
  }

  /** Packs indivisible pieces (an escape pair, a grapheme cluster) into as few segments as fit. */
  function packSegments(pieces: readonly number[], limits: { single: number; concatenated: number }): number {
    if (sum(pieces) <= limits.single) return 1;
    let segments = 1;
    let used = 0;
    for (const piece of pieces) {
      if (used + piece > limits.concatenated) {
        segments += 1;
        used = 0;
      }
      used += piece;
    }
    return segments;
  }

  function sum(values: readonly number[]): number {
    return values.reduce((total, value) => total + value, 0);
  }

  return countSegments;
}

/** The encoding, segment count and length (septets or UTF-16 units) of an SMS body. */
export const countSegments = segmentCounter();

/** True when the text fits in at most `max` segments. */
export function fitsInSegments(text: string, max: number): boolean {
  return countSegments(text).segments <= max;
}
