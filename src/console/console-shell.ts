import type { Request, Response } from 'express';
import type { i18n, TFunction } from 'i18next';
import type { Kysely } from 'kysely';
import type { Language } from '../cases/case.vocabulary';
import type { Database } from '../db/schema';
import { principalOf } from '../http/access';
import { html, type SafeHtml } from '../http/html';
import { page } from '../http/layout';
import { countUnreadOf } from '../notifications/notification-inbox.service';
import { findTimeZoneOfUser } from '../users/user.service';
import { consoleNav } from './console-nav';

// What every signed-in console page shares: the reader's language, a CSRF token for its forms,
// and the menu with the reader's unread notices.

/** What a console page's route needs to draw the page around its content. */
export interface ConsolePageDeps {
  db: Kysely<Database>;
  i18n: i18n;
  sessionSecret: string;
  secureCookies: boolean;
}

/** The reader's language, time zone and translator, the CSRF token for forms, and the menu. */
export interface ConsolePageContext {
  language: Language;
  /** IANA name, from the reader's organisation: Thailand and Malaysia keep different hours. */
  timeZone: string;
  t: TFunction;
  csrf: string;
  nav: SafeHtml;
}

/** The context of a console page for the signed-in reader (counts their unread notices). */
export async function consolePageContext(deps: ConsolePageDeps, _req: Request, res: Response): Promise<ConsolePageContext> {
  const principal = principalOf(res);
  const t = deps.i18n.getFixedT(principal.locale);
  const [unread, timeZone] = await Promise.all([countUnreadOf(deps.db, principal.userId), findTimeZoneOfUser(deps.db, principal.userId)]);
  // Console forms carry the session's own token; a page reached by bearer token has no forms to post.
  return { language: principal.locale, timeZone, t, csrf: principal.formToken ?? '', nav: consoleNav(t, principal.role, unread) };
}

/**
 * A console page's `<title>`: "<page> · <product>", or the product alone on the page named after
 * it (the home page), so that the product never shows twice.
 */
export function consoleTitle(t: TFunction, pageTitle: string): string {
  const product = t('console:product');
  return pageTitle.trim() === '' || pageTitle === product ? product : `${pageTitle} · ${product}`;
}

/** The document around a console page: the menu, then the page's own content. */
export function consolePage(context: Pick<ConsolePageContext, 'language' | 't' | 'nav'>, title: string, body: SafeHtml): string {
  return page({
    language: context.language,
    title: consoleTitle(context.t, title),
    noIndex: true,
    body: html`${context.nav}
${body}`,
  });
}

/** Sends a console page; nothing on it may be cached. */
export function sendConsolePage(res: Response, status: number, body: string): void {
  res.status(status).set('Cache-Control', 'no-store').type('html').send(body);
}

/**
 * A date and time in the reader's language and time zone, with the zone's name in their language
 * ("2 Dec 2026, 13:05 (Thailand Time)"), or '' for none.
 */
export function formatTime(date: Date | string | null, reader: Pick<ConsolePageContext, 'language' | 'timeZone'>): string {
  if (!date) return '';
  const at = new Date(date);
  const { time, zone } = formattersOf(reader.language, reader.timeZone);
  const zoneName = zone.formatToParts(at).find((part) => part.type === 'timeZoneName')?.value;
  const text = time.format(at);
  return zoneName ? `${text} (${zoneName})` : text;
}

/** Making a formatter costs far more than using one (a case page formats hundreds of times): one pair per language and zone. */
const FORMATTERS = new Map<string, { time: Intl.DateTimeFormat; zone: Intl.DateTimeFormat }>();

function formattersOf(language: Language, timeZone: string): { time: Intl.DateTimeFormat; zone: Intl.DateTimeFormat } {
  const key = `${language} ${timeZone}`;
  const known = FORMATTERS.get(key);
  if (known) return known;
  const made = {
    time: new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short', timeZone }),
    zone: new Intl.DateTimeFormat(language, { timeZone, timeZoneName: 'shortGeneric' }),
  };
  FORMATTERS.set(key, made);
  return made;
}
