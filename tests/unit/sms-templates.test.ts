import fs from 'node:fs';
import path from 'node:path';
import { countSegments } from '../../src/channels/sms/segments';
import { createI18n } from '../../src/language/i18n';

// Every SMS reply template, in every language, rendered with the longest values it can get, must fit
// in 3 segments, keep English's placeholders, and keep the menus' numbers and lines.

const LOCALES = path.resolve(__dirname, '../../locales');
const SMS_LANGUAGES = ['en', 'my', 'km', 'lo', 'th', 'vi'] as const;
const REFERENCE = 'K7M-4QX';

function flatten(value: unknown, prefix = ''): Record<string, string> {
  if (typeof value === 'string') return { [prefix]: value };
  return Object.entries(value as Record<string, unknown>).reduce<Record<string, string>>(
    (flat, [key, child]) => ({ ...flat, ...flatten(child, prefix ? `${prefix}.${key}` : key) }),
    {},
  );
}

function templates(language: string): Record<string, string> {
  return flatten(JSON.parse(fs.readFileSync(path.join(LOCALES, language, 'sms.json'), 'utf8')));
}

const placeholders = (text: string) => [...text.matchAll(/{{\s*(\w+)\s*}}/g)].map((match) => match[1]).sort();

/** The longest `status.word.*` of a language, in UTF-16 units: the worst case for `{{status}}`. */
function longestStatusWord(language: string): string {
  const words = Object.entries(templates(language))
    .filter(([key]) => key.startsWith('status.word.'))
    .map(([, word]) => word);
  return words.reduce((longest, word) => (word.length > longest.length ? word : longest), '');
}

/** The longest `erasure.refused_reason.*` of a language: the worst case for `{{reason}}`. */
function longestRefusalReason(language: string): string {
  const reasons = Object.entries(templates(language)).filter(([key]) => key.startsWith('erasure.refused_reason.')).map(([, reason]) => reason);
  return reasons.reduce((longest, reason) => (reason.length > longest.length ? reason : longest), '');
}

const english = templates('en');
const keys = Object.keys(english);
const i18n = createI18n();

describe.each(SMS_LANGUAGES)('the %s SMS templates', (language) => {
  const own = templates(language);
  const t = i18n.getFixedT(language, 'sms');
  const status = longestStatusWord(language);
  const reason = longestRefusalReason(language);

  it('have exactly the English keys', () => {
    expect(Object.keys(own).sort()).toEqual([...keys].sort());
  });

  it.each(keys)('%s fits in 3 SMS segments and leaves no placeholder', (key) => {
    const text = t(key, { reference: REFERENCE, status, reason, pin: '482913' });
    expect(typeof text).toBe('string');
    expect(text).not.toBe(key);
    expect(text).not.toContain('{{');
    const count = countSegments(text);
    expect({ key, units: count.units, segments: count.segments <= 3 }).toEqual({ key, units: count.units, segments: true });
  });

  it('have the same placeholders as English', () => {
    for (const key of keys) {
      expect({ key, placeholders: placeholders(own[key] ?? '') }).toEqual({ key, placeholders: placeholders(english[key] ?? '') });
    }
  });

  it('keep the menus: same lines, same numbers, in the same order', () => {
    for (const key of keys) {
      const englishLines = (english[key] ?? '').split('\n');
      const ownLines = (own[key] ?? '').split('\n');
      expect({ key, lines: ownLines.length }).toEqual({ key, lines: englishLines.length });
      // Menu items are the lines after the first; the first line is free text (it may start with a digit).
      const numbers = (lines: string[]) => lines.slice(1).map((line) => /^(\d+) /.exec(line)?.[1] ?? null);
      expect({ key, numbers: numbers(ownLines) }).toEqual({ key, numbers: numbers(englishLines) });
    }
  });

  it('list the six languages in their own scripts, exactly as in English', () => {
    const menu = (text: string) => text.split('\n').slice(1, 7);
    expect(menu(t('language.menu'))).toEqual(menu(english['language.menu'] ?? ''));
    expect(menu(t('language.menu'))).toEqual(['1 မြန်မာ', '2 ខ្មែរ', '3 ລາວ', '4 ไทย', '5 Tiếng Việt', '6 English']);
  });
});
