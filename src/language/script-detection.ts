import type { Language } from '../cases/case.vocabulary';

// Guesses a message's language from the scripts its letters are written in. Each of Burmese,
// Khmer, Lao and Thai has a script of its own; Vietnamese and English share Latin and are told
// apart only by Vietnamese letters and tone marks.

type Script = 'my' | 'km' | 'lo' | 'th' | 'latin';

const MYANMAR = /[\u1000-\u109F\uAA60-\uAA7F\uA9E0-\uA9FF]/u;
const KHMER = /[\u1780-\u17FF\u19E0-\u19FF]/u;
const LAO = /[\u0E80-\u0EFF]/u;
const THAI = /[\u0E00-\u0E7F]/u;
const LATIN_LETTER = /(?=\p{L})\p{Script=Latin}/u;
// Inside a script's blocks, vowel signs are marks and Khmer's lunar-date signs are symbols; all
// of them are writing. Digits and punctuation are not, because every language uses them alike.
const WRITING = /[\p{L}\p{M}\p{So}]/u;

// ă â đ ê ô ơ ư, the letters with hook above or dot below (U+1EA0–1EF9), and vowels carrying a
// grave, acute or tilde. English from the hotline's workers almost never carries accents, so any
// of these is taken as Vietnamese.
const VIETNAMESE_LETTER = /[ăâđêôơưĂÂĐÊÔƠƯ\u1EA0-\u1EF9àáãèéìíĩòóõùúũýÀÁÃÈÉÌÍĨÒÓÕÙÚŨÝ]/u;
// A tone mark left combining after NFC (grave, acute, tilde, hook above, dot below on a vowel).
const VIETNAMESE_COMBINING_TONE = /[aeiouyăâêôơư][\u0300\u0301\u0303\u0309\u0323]/iu;

// Ties go to the first script here; Latin is last because workers mix Latin words into the rest.
const SCRIPTS_BY_PRIORITY: readonly Script[] = ['my', 'km', 'lo', 'th', 'latin'];
// Fewer letters than this in the worker's own script may be a stray character, not the language.
const MIN_LETTERS_TO_OUTWEIGH_LATIN = 2;

/** True when the text contains any character of the Myanmar blocks (Burmese, Shan, Mon, Karen...). */
export function hasMyanmarScript(text: string): boolean {
  return MYANMAR.test(text);
}

/** The language a message is most likely written in, judged by script; undefined when it has no letters. */
export function detectLanguage(text: string): Language | undefined {
  const normalised = text.normalize('NFC');
  const winner = dominantScript(countLettersByScript(normalised));
  if (winner === undefined) return undefined;
  if (winner !== 'latin') return winner;
  // Vietnamese typed without diacritics ("chu khong tra luong") is plain Latin and cannot be told
  // from English by script; it comes out as 'en' and the worker can still pick a language.
  return isVietnameseLatin(normalised) ? 'vi' : 'en';
}

function scriptOf(char: string): Script | undefined {
  if (MYANMAR.test(char)) return WRITING.test(char) ? 'my' : undefined;
  if (KHMER.test(char)) return WRITING.test(char) ? 'km' : undefined;
  if (LAO.test(char)) return WRITING.test(char) ? 'lo' : undefined;
  if (THAI.test(char)) return WRITING.test(char) ? 'th' : undefined;
  return LATIN_LETTER.test(char) ? 'latin' : undefined;
}

function countLettersByScript(text: string): Map<Script, number> {
  const counts = new Map<Script, number>();
  for (const char of text) {
    const script = scriptOf(char);
    if (script) counts.set(script, (counts.get(script) ?? 0) + 1);
  }
  return counts;
}

function dominantScript(counts: Map<Script, number>): Script | undefined {
  const ownScripts = SCRIPTS_BY_PRIORITY.filter((script) => script !== 'latin');
  const hasOwnScript = ownScripts.some((script) => (counts.get(script) ?? 0) >= MIN_LETTERS_TO_OUTWEIGH_LATIN);
  const candidates = hasOwnScript ? ownScripts : SCRIPTS_BY_PRIORITY;
  let best: Script | undefined;
  let bestCount = 0;
  for (const script of candidates) {
    const count = counts.get(script) ?? 0;
    if (count > bestCount) {
      best = script;
      bestCount = count;
    }
  }
  return best;
}

function isVietnameseLatin(text: string): boolean {
  return VIETNAMESE_LETTER.test(text) || VIETNAMESE_COMBINING_TONE.test(text);
}
