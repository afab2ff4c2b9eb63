import { COUNTRIES, PROVINCES, type CountryCode } from './places';

// Reads a place out of a worker's answer to "where do you work?", in any supported language.
// Workers name places their own way ("Mahachai", "KL"), so every alias counts.

export interface PlaceMatch {
  country?: CountryCode;
  /** ISO 3166-2 code of the province. */
  province?: string;
}

// Names of the countries in English, Thai, Burmese, Khmer, Lao and Vietnamese. "ไทย", "ລາວ" and
// "ลาว" also name languages; that is fine for an answer to "where do you work?".
const COUNTRY_NAMES: Readonly<Record<CountryCode, readonly string[]>> = {
  TH: ['Thailand', 'Thai', 'Thái Lan', 'ไทย', 'ประเทศไทย', 'ထိုင်း', 'ថៃ', 'ໄທ'],
  MY: ['Malaysia', 'Malaixia', 'Mã Lai', 'มาเลเซีย', 'မလေးရှား', 'ម៉ាឡេស៊ី', 'ມາເລເຊຍ'],
  MM: ['Myanmar', 'Burma', 'Miến Điện', 'พม่า', 'เมียนมา', 'မြန်မာ', 'មីយ៉ាន់ម៉ា', 'ມຽນມາ'],
  KH: ['Cambodia', 'Campuchia', 'กัมพูชา', 'เขมร', 'ကမ္ဘောဒီးယား', 'កម្ពុជា', 'ກຳປູເຈຍ'],
  LA: ['Laos', 'Lào', 'ลาว', 'လာအို', 'ឡាវ', 'ລາວ'],
  VN: ['Vietnam', 'Viet Nam', 'Việt Nam', 'เวียดนาม', 'ဗီယက်နမ်', 'វៀតណាម', 'ຫວຽດນາມ'],
};

// E.164 country codes are prefix-free, so a plain prefix test is exact.
const DIALLING_CODES: readonly { prefix: string; country: CountryCode }[] = [
  { prefix: '+66', country: 'TH' },
  { prefix: '+60', country: 'MY' },
  { prefix: '+95', country: 'MM' },
  { prefix: '+855', country: 'KH' },
  { prefix: '+856', country: 'LA' },
  { prefix: '+84', country: 'VN' },
];

// Thai, Lao, Khmer and Burmese run words together, so their names are found as substrings.
const UNSPACED_SCRIPT = /[\u0E00-\u0EFF\u1000-\u109F\u1780-\u17FF\uA9E0-\uA9FF\uAA60-\uAA7F]/u;
const NOT_LATIN_WORD = /[^\p{Script=Latin}\p{N}]+/gu;
// Invisible word separators (Khmer and Burmese use U+200B) and spaces inside an unspaced script.
const INVISIBLE_OR_SPACE = /[\s\u200B-\u200D\u2060\uFEFF]+/gu;

// A place name folded once, the way answers are folded.
interface Candidate<T> {
  value: T;
  /** Lower-case NFKC; spaces removed for unspaced scripts, words padded with spaces for Latin. */
  pattern: string;
  unspaced: boolean;
}

const PROVINCE_CANDIDATES = PROVINCES.flatMap((province) =>
  [province.name, ...province.aliases].filter((name) => !province.ambiguous?.includes(name)).map((name) => candidate({ code: province.code, country: province.country }, name)),
);

const COUNTRY_CANDIDATES = COUNTRIES.flatMap((country) => COUNTRY_NAMES[country].map((name) => candidate(country, name)));

/** The province (and so the country) named in an answer, or failing that the country; {} when none. */
export function matchPlace(answer: string): PlaceMatch {
  const prepared = prepare(answer);
  const province = longestMatch(prepared, PROVINCE_CANDIDATES);
  if (province) return { country: province.country, province: province.code };
  const country = longestMatch(prepared, COUNTRY_CANDIDATES);
  return country ? { country } : {};
}

/** The country of an E.164 number (a `whatsapp:` prefix allowed), if it is one the hotline serves. */
export function countryFromPhone(e164: string): CountryCode | undefined {
  const number = e164.trim().replace(/^whatsapp:/i, '');
  return DIALLING_CODES.find(({ prefix }) => number.startsWith(prefix))?.country;
}

interface PreparedAnswer {
  /** Latin words only, lower-case, each surrounded by single spaces. */
  latinWords: string;
  /** The whole answer, lower-case, without spaces. */
  unspaced: string;
}

function prepare(answer: string): PreparedAnswer {
  const folded = answer.normalize('NFKC').toLowerCase();
  return { latinWords: latinWordsOf(folded), unspaced: folded.replace(INVISIBLE_OR_SPACE, '') };
}

// Punctuation and other scripts become word breaks, so "K.L." reads "k l" and "KLONG" stays one word.
function latinWordsOf(folded: string): string {
  return ` ${folded.replace(NOT_LATIN_WORD, ' ').trim()} `;
}

function candidate<T>(value: T, name: string): Candidate<T> {
  const folded = name.normalize('NFKC').toLowerCase();
  const unspaced = UNSPACED_SCRIPT.test(folded);
  return { value, unspaced, pattern: unspaced ? folded.replace(INVISIBLE_OR_SPACE, '') : latinWordsOf(folded) };
}

function occursIn(prepared: PreparedAnswer, { pattern, unspaced }: Candidate<unknown>): boolean {
  if (unspaced) return prepared.unspaced.includes(pattern);
  return pattern.trim() !== '' && prepared.latinWords.includes(pattern);
}

// The longest name wins, so "ကော့သောင်းဘက်" (Ranong) beats "ကော့သောင်း" (Kawthaung) inside it;
// ties go to the first candidate, and destination countries come first.
function longestMatch<T>(prepared: PreparedAnswer, candidates: readonly Candidate<T>[]): T | undefined {
  let best: Candidate<T> | undefined;
  for (const current of candidates) {
    if (!occursIn(prepared, current)) continue;
    if (!best || current.pattern.trim().length > best.pattern.trim().length) best = current;
  }
  return best?.value;
}
