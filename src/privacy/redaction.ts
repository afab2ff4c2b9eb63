import { findPhoneNumbersInText, type CountryCode } from 'libphonenumber-js';
import { LinkifyIt } from 'linkify-it';
import { asciiDigits } from '../language/digits';
import {
  CURRENCY_WORDS, DIGIT_WORDS, DOCUMENT_WORDS, EMAIL_AT_WORDS, EMAIL_COM_WORDS, EMAIL_DOT_WORDS, MARKER_WORDS, MESSENGER_WORDS,
} from './redaction.vocabulary';

// A case shared without the worker's consent travels without contact details: the words stay,
// the ways to reach or name the worker go. Every finder below reads a "shadow" of the text of the
// same length (any digits made ASCII, full-width @ and . made plain), so that what it finds is
// cut from the text as the worker wrote it. The finders err on the side of removing: a long
// number that was not a phone number is a small loss; a phone number left in is not. Amounts
// with thousands separators, amounts with a currency, and dates are kept.

/** What a removed detail is replaced with. */
export const REDACTED = '[…]';

interface Span {
  start: number;
  end: number;
}

const REGIONS: readonly CountryCode[] = ['TH', 'MY', 'MM', 'KH', 'LA', 'VN'];

/** The text with phone numbers, e-mail addresses, links, messenger handles and document numbers removed. */
export function redactContactDetails(text: string): string {
  const normal = text.normalize('NFC');
  const shadow = shadowOf(normal);
  const spans = [
    ...linkSpans(shadow), ...writtenEmailSpans(shadow), ...atHandleSpans(shadow), ...messengerHandleSpans(shadow),
    ...documentSpans(shadow), ...phoneSpans(shadow), ...spelledNumberSpans(shadow),
  ];
  return spans.length === 0 ? text : cut(normal, spans);
}

// --- The shadow -------------------------------------------------------------------------------

const LOOK_ALIKES: Record<string, string> = {
  '\uFF20': '@', '\uFF0E': '.', '\uFF08': '(', '\uFF09': ')', '\uFF1A': ':', '\u3002': '.',
  '\u200B': ' ', '\u200C': ' ', '\u2060': ' ', '\u00A0': ' ', '\u202F': ' ', '\u3000': ' ',
};
const LOOK_ALIKE = new RegExp(`[${Object.keys(LOOK_ALIKES).join('')}]`, 'gu');
// Burmese keyboards put the letter wa (ဝ) where the digit zero (၀) belongs, inside numbers.
const WA_AS_ZERO = /ဝ(?=[၀-၉])|(?<=[၀-၉])ဝ/gu;

function shadowOf(text: string): string {
  return asciiDigits(text.replace(WA_AS_ZERO, '၀')).replace(LOOK_ALIKE, (character) => LOOK_ALIKES[character] ?? character);
}

// --- Links and e-mail addresses -----------------------------------------------------------------

const linkify = new LinkifyIt({ fuzzyLink: true, fuzzyEmail: true });
for (const scheme of ['viber:', 'line:', 'tg:', 'whatsapp:', 'zalo:', 'skype:', 'fb-messenger:', 'tel:', 'sms:']) {
  linkify.add(scheme, { validate: (text, pos) => /^[^\s]+/u.exec(text.slice(pos))?.[0].length ?? 0 });
}

function linkSpans(shadow: string): Span[] {
  return (linkify.match(shadow) ?? []).map((match) => ({ start: match.index, end: match.lastIndex }));
}

const alternatives = (words: readonly string[]) =>
  [...words].sort((a, b) => b.length - a.length).map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '\\s+')).join('|');

// "x at y dot com", "x [at] y [dot] com", "x (at) y.com", "x แอท y ดอท คอม".
const BRACKETED = (word: string) => `\\s*[[({<]\\s*${word}\\s*[\\])}>]\\s*`;
const WRITTEN_AT = `(?:${BRACKETED('(?:at|@)')}|\\s+(?:${alternatives(EMAIL_AT_WORDS)})\\s+)`;
const WRITTEN_DOT = `(?:${BRACKETED('(?:dot|\\.)')}|\\s+(?:${alternatives(EMAIL_DOT_WORDS)})\\s+|\\.)`;
// The address ends in a common or a country's top-level domain, so that in "ask Aung at
// aung.legal at gmail dot com" the address found is the second, not "Aung at aung.legal".
const TOP_LEVEL = `(?:com|net|org|info|edu|gov|biz|io|me|[a-z]{2}|${alternatives(EMAIL_COM_WORDS)})`;
const WRITTEN_EMAIL = new RegExp(
  `(?<![\\p{L}\\p{N}._%+-])[a-z0-9._%+-]+(?:${WRITTEN_AT}|\\s*@\\s*)[a-z0-9-]+(?:${WRITTEN_DOT}[a-z0-9-]+)*${WRITTEN_DOT}${TOP_LEVEL}(?![\\p{L}\\p{N}])`,
  'giu',
);

function writtenEmailSpans(shadow: string): Span[] {
  return spansOf(shadow, WRITTEN_EMAIL);
}

// --- Handles ------------------------------------------------------------------------------------

const AT_HANDLE = /(?<![\p{L}\p{N}._%+@-])@[\p{L}\p{M}\p{N}._]{2,}/gu;

function atHandleSpans(shadow: string): Span[] {
  return spansOf(shadow, AT_HANDLE);
}

const isLatin = (word: string) => /^[\p{Script=Latin}\s]+$/u.test(word);
const MARKERS = `(?<marker>(?:\\s*(?:${alternatives(MARKER_WORDS)})(?![a-z0-9]))*\\s*[:=\\-–]?)\\s*`;
const HANDLE = '(?<handle>[@~]?[\\p{L}\\p{M}\\p{N}][\\p{L}\\p{M}\\p{N}._~+@-]*)';
// Latin names are whole words ("line", not "lines" or "online"); other scripts run words together.
const MESSENGER_LATIN = new RegExp(`(?<![\\p{L}\\p{N}])(?<keyword>${alternatives(MESSENGER_WORDS.filter(isLatin))})(?![\\p{L}\\p{N}])${MARKERS}${HANDLE}`, 'giu');
const MESSENGER_OTHER = new RegExp(`(?<keyword>${alternatives(MESSENGER_WORDS.filter((word) => !isLatin(word)))})${MARKERS}${HANDLE}`, 'gu');

/**
 * The handle after a messenger's name. With a marker ("Line ID x", "FB: x") whatever follows is
 * taken. Without one, only what looks like a handle: a Latin word after a name written in another
 * script ("ไลน์ somchai"), or a word with a digit or a dot after a Latin name ("line somchai99"),
 * so that "the production line manager" stays as it is.
 */
function messengerHandleSpans(shadow: string): Span[] {
  const spans: Span[] = [];
  for (const pattern of [MESSENGER_LATIN, MESSENGER_OTHER]) {
    for (const match of shadow.matchAll(pattern)) {
      const keyword = match.groups?.['keyword'] ?? '';
      const marked = /\S/u.test(match.groups?.['marker'] ?? '');
      const handle = (match.groups?.['handle'] ?? '').replace(/[._~+-]+$/u, '');
      if (!handle || !(marked || looksLikeHandle(handle, isLatin(keyword)))) continue;
      const end = (match.index ?? 0) + match[0].length;
      const start = end - (match.groups?.['handle'] ?? '').length;
      spans.push({ start, end: start + handle.length });
    }
  }
  return spans;
}

function looksLikeHandle(handle: string, afterLatinName: boolean): boolean {
  if (!/[a-z]/iu.test(handle)) return false;
  return afterLatinName ? /[\d._@~]/u.test(handle) : /^[@~]?[\p{Script=Latin}\d._~+@-]+$/u.test(handle);
}

// --- Identity documents -----------------------------------------------------------------------------

// Passports and work permits: a few letters and six or more digits ("MB1234567", "WP-12345678").
// Set apart from its number, the prefix must be in capitals, so that "lot 12345678" keeps its word.
const CURRENCY_CODE = '(?!(?:RM|US|USD|THB|MMK|VND|KHR|LAK|MYR)[\\s-]?\\d)';
const LETTERS_AND_DIGITS: readonly RegExp[] = [
  new RegExp(`(?<![\\p{L}\\p{N}])${CURRENCY_CODE.toLowerCase()}[a-z]{1,3}\\d{6,9}(?![\\p{L}\\p{N}])`, 'giu'),
  new RegExp(`(?<![\\p{L}\\p{N}])${CURRENCY_CODE}\\p{Lu}{1,3}[\\s-]\\d{6,9}(?![\\p{L}\\p{N}])`, 'gu'),
];
// A Myanmar national registration card: "12/MaYaKa(N)123456", "၁၂/မရက(နိုင်)၁၂၃၄၅၆".
const MYANMAR_NRC = /(?<!\d)\d{1,2}\s*\/\s*[\p{L}\p{M}]{2,20}\s*\(\s*[\p{L}\p{M}]{1,10}\s*\)\s*\d{5,6}(?!\d)/gu;
// Any number of four or more digits after a document's name: "work permit number 4567".
const AFTER_DOCUMENT = new RegExp(
  `(?<![\\p{L}\\p{N}])(?:${alternatives(DOCUMENT_WORDS)})${MARKERS}(?<handle>[a-z]{0,3}[\\s-]?\\d[\\d/-]*)`,
  'giu',
);

function documentSpans(shadow: string): Span[] {
  const named: Span[] = [];
  for (const match of shadow.matchAll(AFTER_DOCUMENT)) {
    const handle = match.groups?.['handle'] ?? '';
    if ((handle.match(/\d/gu) ?? []).length < 4) continue;
    const end = (match.index ?? 0) + match[0].length;
    named.push({ start: end - handle.length, end });
  }
  return [...LETTERS_AND_DIGITS.flatMap((pattern) => spansOf(shadow, pattern)), ...spansOf(shadow, MYANMAR_NRC), ...named];
}

// --- Phone numbers ---------------------------------------------------------------------------------

const CURRENCY = alternatives(CURRENCY_WORDS);
const AMOUNTS: readonly RegExp[] = [
  // "1,500,000" and the Vietnamese "9.000.000": grouped by thousands, no leading zero.
  /(?<![\d.,])[1-9]\d{0,2}(?:,\d{3})+(?:\.\d{1,2})?(?!\d|[.,]\d)/gu,
  /(?<![\d.,])[1-9]\d{0,2}(?:\.\d{3})+(?:,\d{1,2})?(?!\d|[.,]\d)/gu,
  // "15000 baht", "15 000 000 đồng", "$300", "RM 1200".
  new RegExp(`(?<![\\d.,])[1-9]\\d{0,2}(?:[ ,.]?\\d{3})*(?:[.,]\\d{1,2})?\\s?(?:${CURRENCY})`, 'giu'),
  new RegExp(`(?:${CURRENCY})\\s?[1-9]\\d{0,2}(?:[ ,.]?\\d{3})*(?:[.,]\\d{1,2})?(?!\\d)`, 'giu'),
];
// Dates: 12/03/2025, 12-03-68, 12.03.2568; 2025-03-12.
const DAY_FIRST = /(?<![\d/.-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?!\d|[/.-]\d)/gu;
const YEAR_FIRST = /(?<![\d/.-])\d{4}([/.-])(\d{1,2})\1(\d{1,2})(?!\d|[/.-]\d)/gu;

function dateSpans(shadow: string): Span[] {
  const spans: Span[] = [];
  for (const match of shadow.matchAll(DAY_FIRST)) {
    const [first, second] = [Number(match[1]), Number(match[3])];
    if (first >= 1 && second >= 1 && first <= 31 && second <= 31 && Math.min(first, second) <= 12) spans.push(spanOf(match));
  }
  for (const match of shadow.matchAll(YEAR_FIRST)) {
    const [month, day] = [Number(match[2]), Number(match[3])];
    if (month >= 1 && month <= 12 && day >= 1 && day <= 31) spans.push(spanOf(match));
  }
  return spans;
}

// Separators that libphonenumber does not take inside a number, but workers type.
const LOOSE_SEPARATOR = /[,_/\u2010-\u2015\u00B7]/gu;
// Digits joined by up to four separators; seven or more of them make a number worth removing.
const DIGIT_RUN = /\+?(?:\(\s*)?\d(?:[ \t.()-]{0,4}\d)*/gu;

/** Phone numbers (and other long numbers) found by libphonenumber and by their digits alone. */
function phoneSpans(shadow: string): Span[] {
  const kept = [...AMOUNTS.flatMap((pattern) => spansOf(shadow, pattern)), ...dateSpans(shadow)];
  let numbers = shadow.replace(LOOSE_SEPARATOR, '-');
  for (const span of kept) numbers = numbers.slice(0, span.start) + '|'.repeat(span.end - span.start) + numbers.slice(span.end);
  // `extended`: possible numbers, not only valid ones; a worker's typo is still their number.
  const found = REGIONS.flatMap((region) =>
    findPhoneNumbersInText(numbers, { defaultCountry: region, extended: true }).map((match) => ({ start: match.startsAt, end: match.endsAt })),
  );
  return [...found, ...spansOf(numbers, DIGIT_RUN)].filter((span) => isLongNumber(numbers.slice(span.start, span.end)));
}

function isLongNumber(candidate: string): boolean {
  const digits = candidate.replace(/\D/gu, '');
  return digits.length >= 8 || (digits.length >= 7 && /^[+(]?\s*[+0]/u.test(candidate));
}

// --- Numbers spelled in words ------------------------------------------------------------------

const SPELLED_SEPARATOR = '[\\s,.\\-–—/]';
const spelled = (words: readonly string[], latin: boolean) => {
  const word = `(?:${alternatives(words)})`;
  return latin
    ? new RegExp(`(?<![\\p{L}\\p{M}])${word}(?:${SPELLED_SEPARATOR}+${word}){6,}(?![\\p{L}\\p{M}])`, 'giu')
    : new RegExp(`${word}(?:${SPELLED_SEPARATOR}*${word}){6,}`, 'gu');
};
const SPELLED_NUMBERS: readonly RegExp[] = [
  spelled(DIGIT_WORDS.latin, true), spelled(DIGIT_WORDS.th, false), spelled(DIGIT_WORDS.my, false), spelled(DIGIT_WORDS.km, false),
  spelled(DIGIT_WORDS.lo, false),
];

/** Seven or more digit words in a row: "zero eight one …", "ศูนย์แปดหนึ่ง…", "không chín một …". */
function spelledNumberSpans(shadow: string): Span[] {
  return SPELLED_NUMBERS.flatMap((pattern) => spansOf(shadow, pattern));
}

// --- Cutting ------------------------------------------------------------------------------------

function spanOf(match: RegExpMatchArray): Span {
  const start = match.index ?? 0;
  return { start, end: start + match[0].length };
}

function spansOf(text: string, pattern: RegExp): Span[] {
  return [...text.matchAll(pattern)].map(spanOf);
}

/** The text with each span (overlapping ones merged) replaced by one `REDACTED`. */
function cut(text: string, spans: readonly Span[]): string {
  const merged: Span[] = [];
  for (const span of [...spans].filter((item) => item.end > item.start).sort((a, b) => a.start - b.start)) {
    const last = merged[merged.length - 1];
    if (last && span.start <= last.end) last.end = Math.max(last.end, span.end);
    else merged.push({ ...span });
  }
  let result = '';
  let from = 0;
  for (const span of merged) {
    result += text.slice(from, span.start) + REDACTED;
    from = span.end;
  }
  return result + text.slice(from);
}
