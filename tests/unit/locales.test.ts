import fs from 'node:fs';
import path from 'node:path';
import { LANGUAGES } from '../../src/cases/case.vocabulary';
import { createI18n, NAMESPACES } from '../../src/language/i18n';

const LOCALES = path.resolve(__dirname, '../../locales');

function flatten(value: unknown, prefix = ''): Record<string, string> {
  if (typeof value === 'string') return { [prefix]: value };
  return Object.entries(value as Record<string, unknown>).reduce<Record<string, string>>(
    (flat, [key, child]) => ({ ...flat, ...flatten(child, prefix ? `${prefix}.${key}` : key) }),
    {},
  );
}

function read(language: string, namespace: string): Record<string, string> {
  return flatten(JSON.parse(fs.readFileSync(path.join(LOCALES, language, `${namespace}.json`), 'utf8')));
}

const placeholders = (text: string) => [...text.matchAll(/{{\s*(\w+)\s*}}/g)].map((match) => match[1]).sort();

describe.each(NAMESPACES)('the %s translations', (namespace) => {
  const english = read('en', namespace);

  it.each(LANGUAGES.filter((language) => language !== 'en'))('are complete in %s, with the same placeholders', (language) => {
    const translated = read(language, namespace);
    expect(Object.keys(translated).sort()).toEqual(Object.keys(english).sort());
    for (const [key, text] of Object.entries(translated)) {
      expect({ key, empty: text.trim() === '' }).toEqual({ key, empty: false });
      expect({ key, placeholders: placeholders(text) }).toEqual({ key, placeholders: placeholders(english[key] ?? '') });
    }
  });

  it('are not English copied into another language', () => {
    for (const language of ['my', 'km', 'lo', 'th'] as const) {
      const translated = read(language, namespace);
      const copied = Object.keys(english).filter((key) => english[key] === translated[key] && /[a-z]{4}/i.test((english[key] ?? '').replace(/{{\s*\w+\s*}}/g, '')));
      expect({ language, copied }).toEqual({ language, copied: [] });
    }
  });
});

describe('i18n', () => {
  it('loads every language and fills placeholders', () => {
    const i18n = createI18n();
    expect(i18n.getFixedT('km', 'errors')('code.not_found')).toBe('រកមិនឃើញទំព័រនេះទេ។');
    expect(i18n.getFixedT('vi', 'errors')('field.too_big', { maximum: 1600 })).toBe('Tối đa là 1600.');
  });
});
