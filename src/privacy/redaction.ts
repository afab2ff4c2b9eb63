// A case shared without the worker's consent travels without contact details: the words stay,
// the ways to reach or name the worker go. The patterns err on the side of removing: a long
// number that was not a phone number is a small loss; a phone number left in is not.

/** What a removed detail is replaced with. */
export const REDACTED = '[…]';

const PATTERNS: readonly RegExp[] = [
  // Links and e-mail addresses.
  /(?:https?:\/\/|www\.)[^\s]+/giu,
  /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu,
  // Messenger handles (@name) and "line/fb/facebook/viber/wechat/telegram/whatsapp: name".
  /(?<![\p{L}\p{N}])@[\p{L}\p{N}._-]{3,}/gu,
  /\b(?:line|line\s*id|fb|facebook|viber|wechat|telegram|whatsapp|zalo|imo)\s*[:=]\s*[^\s,;]+/giu,
  // Identity documents: a few capitals and six or more digits (passports, work permits).
  /(?<![\p{L}\p{N}])\p{Lu}{1,3}[\s-]?\p{Nd}{6,10}(?![\p{L}\p{N}])/gu,
  // Phone numbers in any digit system: seven or more digits with spaces, dots, dashes or brackets.
  /\+?\p{Nd}(?:[\s().-]{0,2}\p{Nd}){6,}/gu,
];

// "1,500,000" is an amount of money, not a phone number.
const GROUPED_AMOUNT = /^\p{Nd}{1,3}(?:,\p{Nd}{3})+$/u;

/** The text with phone numbers, e-mail addresses, links, messenger handles and document numbers removed. */
export function redactContactDetails(text: string): string {
  let result = text;
  for (const pattern of PATTERNS) {
    result = result.replace(pattern, (match) => (GROUPED_AMOUNT.test(match) ? match : REDACTED));
  }
  return result;
}
