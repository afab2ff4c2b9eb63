import type { i18n } from 'i18next';
import type { Language } from '../cases/case.vocabulary';
import type { ReplyChoice } from './channel';

// Buttons where the channel has them (LINE quick replies, Messenger quick replies, Viber keyboards):
// the numbered lines of a menu reply become its buttons, each sending back the number a worker
// would type, so one conversation serves every channel and the numbered text stays the fallback.
// A yes-or-no question gets two buttons that send back words the yes/no reader understands.

const MENU_LINE = /^\s*(\d{1,2})[.)]?\s+(.+?)\s*$/u;
const YES_NO_TEMPLATES = new Set(['intake.consent', 'intake.consent_first', 'discreet.consent', 'discreet.consent_first']);
/** Providers cap the number of buttons (LINE: 13 quick replies). */
const MAX_CHOICES = 13;

/** The buttons of a reply rendered from `template`, or none. */
export function choicesFor(i18nInstance: i18n, language: Language, template: string | null, body: string): ReplyChoice[] | undefined {
  if (!template) return undefined;
  if (YES_NO_TEMPLATES.has(template)) {
    const t = i18nInstance.getFixedT(language, 'sms');
    return [t('button.yes'), t('button.no')].map((label) => ({ label, value: label }));
  }
  const lines = body.split('\n').map((line) => MENU_LINE.exec(line)).filter((match): match is RegExpExecArray => match !== null);
  // A menu is two or more lines numbered 1, 2, 3… in order.
  if (lines.length < 2 || lines.some((match, index) => Number(match[1]) !== index + 1)) return undefined;
  return lines.slice(0, MAX_CHOICES).map((match) => ({ label: match[2] ?? '', value: match[1] ?? '' }));
}
