import { hasMyanmarScript } from './script-detection';

// Many phones in Myanmar still type Zawgyi, a font encoding that puts Burmese letters on the wrong
// Unicode code points. Burmese is stored and shown as Unicode; the text as received is kept too.

export interface BurmeseText {
  /** The text to store and show: Unicode. */
  text: string;
  /** The text exactly as received. */
  raw: string;
  wasZawgyi: boolean;
}

interface MyanmarTools {
  ZawgyiDetector: new () => { getZawgyiProbability(text: string): number };
  ZawgyiConverter: new () => { zawgyiToUnicode(text: string): string };
}

// myanmar-tools ships no type declarations, so it is required and given the shape above.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const myanmarTools = require('myanmar-tools') as MyanmarTools;
// Both are pure and stateless; the detector decodes its Markov model once, on construction.
const detector = new myanmarTools.ZawgyiDetector();
const converter = new myanmarTools.ZawgyiConverter();

// Google's advice: convert automatically only from 0.95 up; short strings score near 0.5.
const ZAWGYI_THRESHOLD = 0.95;

// The detector was trained on Burmese and Shan only, so Mon and Karen text can score as Zawgyi
// (Karen month names score 1.0). A Zawgyi keyboard never produces these, while Mon and Karen
// spelling does: letters Unicode 5.1 added for Mon, Karen, Shan and others, on which Zawgyi did not
// squat; a Karen tone mark or Mon medial (U+1060–1064, Zawgyi's stacked letters and kinzi) after a
// vowel sign or after another of them; Mon nga (U+105A, Zawgyi's ါ်) before asat; Mon aa + ai.
// None of these occurs in myanmar-tools' 576 lines of Zawgyi test text.
const NEVER_IN_ZAWGYI = new RegExp(
  [
    // Marks first: a letter followed by a mark in a class reads to ESLint like a combined character.
    '[\\u1035\\u103E\\u105E\\u105F\\u1022\\u1028\\u103F\\u105B-\\u105D\\u1098-\\u109F\\uA9E0-\\uA9FF\\uAA60-\\uAA7F]',
    '[\\u102B-\\u1032\\u1036-\\u1038][\\u1060-\\u1064]',
    '[\\u1060-\\u1063][\\u103A\\u1060-\\u1064]',
    '\\u105A\\u103A',
    '[\\u102B\\u102C]\\u1032',
  ].join('|'),
  'u',
);

/** Burmese text as Unicode: converted from Zawgyi when the detector is sure, otherwise unchanged; never throws. */
export function normaliseBurmese(raw: string): BurmeseText {
  if (!isConfidentlyZawgyi(raw)) return unchanged(raw);
  const converted = toUnicode(raw);
  return converted === undefined ? unchanged(raw) : { text: converted, raw, wasZawgyi: true };
}

function isConfidentlyZawgyi(text: string): boolean {
  if (!hasMyanmarScript(text) || NEVER_IN_ZAWGYI.test(text)) return false;
  try {
    return detector.getZawgyiProbability(text) >= ZAWGYI_THRESHOLD;
  } catch {
    return false;
  }
}

function toUnicode(text: string): string | undefined {
  try {
    return converter.zawgyiToUnicode(text);
  } catch {
    // A message must never be lost to a conversion bug; the caseworker still sees the raw text.
    return undefined;
  }
}

function unchanged(raw: string): BurmeseText {
  return { text: raw, raw, wasZawgyi: false };
}

/**
 * Zawgyi text converted to Unicode without asking the detector, or undefined when conversion fails.
 * Only for matching a short answer against a closed list of words: the detector cannot judge a
 * two-syllable "yes", and a wrong conversion there matches nothing instead of being stored.
 */
export function zawgyiToUnicodeForMatching(text: string): string | undefined {
  if (!hasMyanmarScript(text)) return undefined;
  return toUnicode(text);
}
