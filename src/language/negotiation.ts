import { LANGUAGES, type Language } from '../cases/case.vocabulary';

export const LANGUAGE_COOKIE = 'lang';

/** True when a value is one of the hotline's language codes. */
export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

export interface LanguageHints {
  /** `?lang=` */
  query?: unknown;
  /** The `lang` cookie. */
  cookie?: unknown;
  /** The Accept-Language header. */
  acceptLanguage?: string | undefined;
}

/** Chooses a language: an explicit query wins, then the cookie, then Accept-Language, then English. */
export function negotiateLanguage(hints: LanguageHints, fallback: Language = 'en'): Language {
  if (isLanguage(hints.query)) return hints.query;
  if (isLanguage(hints.cookie)) return hints.cookie;
  return fromAcceptLanguage(hints.acceptLanguage) ?? fallback;
}

/** The best supported language of an Accept-Language header, honouring q-values. */
export function fromAcceptLanguage(header: string | undefined): Language | undefined {
  if (!header) return undefined;
  const ranked = header
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((param) => param.trim()).find((param) => param.startsWith('q='));
      const quality = q ? Number(q.slice(2)) : 1;
      return { primary: tag.trim().toLowerCase().split('-')[0] ?? '', quality: Number.isFinite(quality) ? quality : 0, index };
    })
    .filter((entry) => entry.quality > 0)
    .sort((a, b) => b.quality - a.quality || a.index - b.index);
  // Some phones still send the retired code "bur" / "mya" for Burmese, or "khm" / "lao" / "tha" / "vie".
  const aliases: Record<string, Language> = { bur: 'my', mya: 'my', khm: 'km', lao: 'lo', tha: 'th', vie: 'vi', eng: 'en' };
  for (const entry of ranked) {
    const code = aliases[entry.primary] ?? entry.primary;
    if (isLanguage(code)) return code;
  }
  return undefined;
}
