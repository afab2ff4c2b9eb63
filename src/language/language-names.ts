import type { Language } from '../cases/case.vocabulary';

/** Each language's name written in its own script, as a worker would recognise it. */
export const LANGUAGE_NAMES: Readonly<Record<Language, string>> = {
  my: 'မြန်မာ',
  km: 'ខ្មែរ',
  lo: 'ລາວ',
  th: 'ไทย',
  vi: 'Tiếng Việt',
  en: 'English',
};

/** BCP 47 tags for HTML `lang` attributes. */
export const LANGUAGE_TAGS: Readonly<Record<Language, string>> = {
  my: 'my', km: 'km', lo: 'lo', th: 'th', vi: 'vi', en: 'en',
};
