import { asciiDigits } from '../../language/digits';
import type { Language } from '../../cases/case.vocabulary';
import { normaliseCaseReference } from '../../cases/case-reference';
import { LANGUAGE_NAMES } from '../../language/language-names';
import { zawgyiToUnicodeForMatching } from '../../language/zawgyi';

// Keywords a worker can text at any time, in English and in each language's own words. A keyword
// is the whole message (Twilio's rule for STOP and friends), except STATUS and NEW, which may be
// followed by a reference or by the worker's story.

export type Keyword =
  | { kind: 'stop' }
  | { kind: 'start' }
  | { kind: 'help' }
  /** With a PIN, the worker joins this channel to the case (STATUS <reference> <PIN>). */
  | { kind: 'status'; reference?: string; pin?: string }
  | { kind: 'new'; story: string }
  | { kind: 'language_menu' }
  | { kind: 'language'; language: Language }
  | { kind: 'discreet'; on: boolean }
  /** The worker asks for their personal data to be erased (issue #16). */
  | { kind: 'erase' };

/** Twilio's own opt-out words, and each language's word for "stop". */
const STOP_WORDS = [
  'stop', 'stopall', 'unsubscribe', 'cancel', 'end', 'quit',
  'ရပ်', 'ရပ်ပါ', 'ရပ်တော့', 'ឈប់', 'ឈប់ផ្ញើ', 'ຢຸດ', 'ຢຸດສົ່ງ', 'หยุด', 'เลิก', 'ยกเลิก', 'dung', 'dung lai', 'huy',
];
/** Words that opt back in; Twilio's YES counts only for a contact who opted out (see isStartWord). */
const START_WORDS = ['start', 'unstop', 'စတင်', 'ចាប់ផ្តើម', 'ເລີ່ມ', 'เริ่ม', 'bat dau'];
const HELP_WORDS = ['help', 'info', 'အကူအညီ', 'ជំនួយ', 'ຊ່ວຍ', 'ຊ່ວຍເຫຼືອ', 'ช่วย', 'ช่วยด้วย', 'ช่วยเหลือ', 'giup', 'giup do'];
const STATUS_WORDS = ['status', 'အခြေအနေ', 'ស្ថានភាព', 'ສະຖານະ', 'สถานะ', 'trang thai', 'tinh trang'];
const NEW_WORDS = ['new', 'အသစ်', 'ថ្មី', 'ໃໝ່', 'ใหม่', 'moi'];
const LANGUAGE_MENU_WORDS = ['lang', 'language', 'ဘာသာ', 'ဘာသာစကား', 'ភាសា', 'ພາສາ', 'ภาษา', 'ngon ngu'];
const DISCREET_ON_WORDS = ['safe', 'discreet', 'private'];
const DISCREET_OFF_WORDS = ['normal', 'safe off'];
/**
 * "Delete" in each language, alone or with "my data": ဖျက် (and "please delete"), លុប, ລຶບ (and the
 * spelling ລົບ), ลบ, xóa (typed with or without marks, so also "xoá" and "XOA").
 */
const ERASE_WORDS = [
  'delete', 'erase', 'delete me', 'delete my data', 'delete my information',
  'ဖျက်', 'ဖျက်ပါ', 'ဖျက်ပေး', 'ဖျက်ပေးပါ', 'အချက်အလက်ဖျက်', 'အချက်အလက်ဖျက်ပေးပါ',
  'លុប', 'លុបចោល', 'លុបទិន្នន័យ', 'លុបព័ត៌មាន',
  'ລຶບ', 'ລົບ', 'ລຶບຂໍ້ມູນ', 'ລົບຂໍ້ມູນ',
  'ลบ', 'ลบข้อมูล',
  'xoa', 'xoa du lieu', 'xoa thong tin',
];

/** Lower case, no Latin diacritics (so "DỪNG" is "dung"), no closing punctuation, single spaces. */
export function normaliseKeywordText(text: string): string {
  return text
    .normalize('NFKC')
    .trim()
    .toLowerCase()
    .replace(/[đĐ]/g, 'd')
    .normalize('NFD')
    .replace(/(?<=[a-z])[\u0300-\u036f]+/g, '')
    .normalize('NFC')
    .replace(/[.!?,;:။၊។៕\s]+$/u, '')
    .replace(/^[.!?,;:\s]+/u, '')
    .replace(/\s+/g, ' ');
}

const has = (words: readonly string[], text: string) => words.includes(text);

// Vietnamese stop words as spelled with their marks. Typed without marks they still stop, but
// "đúng" (right) and "đừng" (don't), which also fold to "dung", must not opt a worker out.
const MARKED_STOP_WORDS: Readonly<Record<string, readonly string[]>> = {
  dung: ['dừng'], 'dung lai': ['dừng lại'], huy: ['hủy', 'huỷ'],
};

function isStopWord(text: string, normalised: string): boolean {
  if (!has(STOP_WORDS, normalised)) return false;
  const marked = MARKED_STOP_WORDS[normalised];
  const asTyped = text.normalize('NFKC').trim().toLowerCase().normalize('NFC').replace(/[.!?,;:\s]+$/u, '').replace(/\s+/g, ' ');
  return !marked || asTyped === normalised || marked.includes(asTyped);
}

function languageByName(text: string): Language | undefined {
  const entry = Object.entries(LANGUAGE_NAMES).find(([, name]) => normaliseKeywordText(name) === text);
  if (entry) return entry[0] as Language;
  const english: Record<string, Language> = { burmese: 'my', myanmar: 'my', khmer: 'km', lao: 'lo', thai: 'th', vietnamese: 'vi', english: 'en' };
  return english[text];
}

function afterFirstWord(original: string, words: readonly string[]): string | undefined {
  const trimmed = original.trim();
  const normalised = normaliseKeywordText(trimmed);
  for (const word of words) {
    if (normalised.startsWith(`${word} `)) {
      const firstSpace = trimmed.search(/\s/);
      return firstSpace === -1 ? '' : trimmed.slice(firstSpace).trim();
    }
  }
  return undefined;
}

const FOLDED_ERASE_WORDS = ERASE_WORDS.map(normaliseKeywordText);

/**
 * The keyword a message is, if it is one. Burmese typed on a Zawgyi phone ("ရပ္", "ဖ်က္") is too
 * short for the inbound Zawgyi detector, so a message that is no keyword as typed is read again
 * converted, as yes/no answers are: a wrong conversion matches nothing, and STOP must never be
 * missed for the font a worker's phone uses.
 */
export function parseKeyword(text: string): Keyword | undefined {
  const keyword = parseTypedKeyword(text);
  if (keyword) return keyword;
  const unicode = zawgyiToUnicodeForMatching(text);
  return unicode !== undefined && unicode !== text ? parseTypedKeyword(unicode) : undefined;
}

function parseTypedKeyword(text: string): Keyword | undefined {
  const normalised = normaliseKeywordText(text);
  if (normalised === '') return undefined;
  if (isStopWord(text, normalised)) return { kind: 'stop' };
  if (has(START_WORDS, normalised)) return { kind: 'start' };
  if (has(HELP_WORDS, normalised)) return { kind: 'help' };
  if (has(FOLDED_ERASE_WORDS, normalised)) return { kind: 'erase' };
  if (has(LANGUAGE_MENU_WORDS, normalised)) return { kind: 'language_menu' };
  if (has(DISCREET_ON_WORDS, normalised)) return { kind: 'discreet', on: true };
  if (has(DISCREET_OFF_WORDS, normalised)) return { kind: 'discreet', on: false };
  const language = languageByName(normalised);
  if (language) return { kind: 'language', language };
  if (has(STATUS_WORDS, normalised)) return { kind: 'status' };
  const statusArgument = afterFirstWord(text, STATUS_WORDS);
  if (statusArgument !== undefined) {
    // A trailing group of six digits, in any script the worker types, is the PIN.
    const withPin = /^(.*?)[\s,:;]+(\S{6})$/u.exec(statusArgument.trim());
    const pin = withPin ? asciiDigits(withPin[2] ?? '') : undefined;
    if (withPin && pin && /^\d{6}$/.test(pin)) {
      const reference = normaliseCaseReference(withPin[1] ?? '');
      if (reference) return { kind: 'status', reference, pin };
    }
    const reference = normaliseCaseReference(statusArgument);
    return reference ? { kind: 'status', reference } : { kind: 'status' };
  }
  if (has(NEW_WORDS, normalised)) return { kind: 'new', story: '' };
  const story = afterFirstWord(text, NEW_WORDS);
  if (story !== undefined) return { kind: 'new', story };
  return undefined;
}

/** True for Twilio's YES/START words that re-subscribe a contact who opted out. */
export function isResubscribeWord(text: string): boolean {
  return parseKeyword(text)?.kind === 'start' || normaliseKeywordText(text) === 'yes';
}
