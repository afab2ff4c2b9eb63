// Workers answer menus with whatever digits their keyboard has: "၁" from a Burmese keyboard means
// "1" as much as "1" does.

// The zero of each digit system; the nine digits that follow it are contiguous.
const DIGIT_ZEROS = [
  0x1040, // Myanmar
  0x1090, // Myanmar Shan
  0x17e0, // Khmer
  0x0e50, // Thai
  0x0ed0, // Lao
  0xff10, // full-width
] as const;

const NON_ASCII_DIGIT = /[\u1040-\u1049\u1090-\u1099\u17E0-\u17E9\u0E50-\u0E59\u0ED0-\u0ED9\uFF10-\uFF19]/gu;
// "1,600" and "1.600" are one amount, not the menu numbers 1 and 600; any other run of digits is
// one number.
const NUMBER = /\d{1,3}(?:[.,]\d{3})+(?!\d)|\d+/g;

/** The text with Myanmar, Shan, Khmer, Thai, Lao and full-width digits replaced by ASCII 0–9. */
export function asciiDigits(text: string): string {
  // Apply to Unicode text only: Zawgyi reuses U+1090–1097 for letters.
  return text.replace(NON_ASCII_DIGIT, (digit) => String(valueOf(digit)));
}

/** The distinct menu numbers 1..max in an answer such as "1 3", "၁", "#2" or "1 and 3", in order of first appearance. */
export function parseMenuNumbers(text: string, max: number): number[] {
  const chosen: number[] = [];
  for (const [match] of asciiDigits(text).matchAll(NUMBER)) {
    const value = Number(match.replace(/[.,]/g, ''));
    if (value >= 1 && value <= max && !chosen.includes(value)) chosen.push(value);
  }
  return chosen;
}

function valueOf(digit: string): number {
  const codePoint = digit.codePointAt(0) ?? 0;
  const zero = DIGIT_ZEROS.find((start) => codePoint >= start && codePoint <= start + 9) ?? codePoint;
  return codePoint - zero;
}
