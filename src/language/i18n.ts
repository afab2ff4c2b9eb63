import fs from 'node:fs';
import path from 'node:path';
import i18next, { type i18n, type TFunction } from 'i18next';
import { LANGUAGES, type Language } from '../cases/case.vocabulary';

export type { TFunction };

/** The translation files of each language: locales/<lng>/<namespace>.json. */
export const NAMESPACES = ['common', 'errors', 'sms', 'web', 'stats', 'console', 'rules', 'liaison', 'voice', 'export'] as const;

/** Where locales/ is, from src/ or from the compiled dist/src/. */
export function localesDirectory(): string {
  const candidates = [path.resolve(__dirname, '../../locales'), path.resolve(__dirname, '../../../locales')];
  const found = candidates.find((candidate) => fs.existsSync(path.join(candidate, 'en')));
  if (!found) throw new Error(`locales/ not found near ${__dirname}`);
  return found;
}

/** Loads every locale file synchronously and returns a ready i18next instance (no globals). */
export function createI18n(directory: string = localesDirectory()): i18n {
  const resources: Record<string, Record<string, unknown>> = {};
  for (const language of LANGUAGES) {
    resources[language] = {};
    for (const namespace of NAMESPACES) {
      const file = path.join(directory, language, `${namespace}.json`);
      resources[language][namespace] = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
    }
  }
  const instance = i18next.createInstance();
  void instance.init({
    initAsync: false,
    resources: resources as never,
    supportedLngs: [...LANGUAGES],
    fallbackLng: 'en',
    ns: [...NAMESPACES],
    defaultNS: 'common',
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  return instance;
}

/** A translate function fixed to one language. */
export function translatorFor(i18nInstance: i18n, language: Language): TFunction {
  return i18nInstance.getFixedT(language);
}
