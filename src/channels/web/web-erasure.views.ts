import type { TFunction } from 'i18next';
import type { Language } from '../../cases/case.vocabulary';
import { html, type SafeHtml } from '../../http/html';

// "Delete my information" on the status page, after the PIN: a button, a page that says what it
// means before anything is filed, and the answer. Plain forms that carry the reference and PIN
// again (the page keeps no session), so it all works without JavaScript.

/** What these parts need of the page: its language, translator and CSRF token. */
interface WorkerView {
  language: Language;
  t: TFunction;
  csrf: string;
}

// The worker's dates are shown in the region's time: a day either way is all a zone could change.
const WORKER_TIME_ZONE = 'Asia/Bangkok';

/** A day in the worker's language and calendar ("3 มีนาคม 2570" in Thai). */
export function dayInWords(language: Language, date: Date): string {
  return new Intl.DateTimeFormat(language, { dateStyle: 'long', timeZone: WORKER_TIME_ZONE }).format(date);
}

function credentials(view: WorkerView, reference: string, pin: string): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${view.csrf}">
<input type="hidden" name="reference" value="${reference}">
<input type="hidden" name="pin" value="${pin}">`;
}

/** The end of the status page: the button, or by when the request already made is done. */
export function erasureSection(
  view: WorkerView,
  state: { reference: string; pin: string; erasure: { requestedAt: Date; dueAt: Date | null } | null; refusedErasure: { requestedAt: Date; reason: string } | null },
): SafeHtml {
  const { t, language } = view;
  if (state.erasure) {
    const open = state.erasure.dueAt
      ? t('web:erasure.open', { asked: dayInWords(language, state.erasure.requestedAt), date: dayInWords(language, state.erasure.dueAt) })
      : t('web:erasure.open_undated', { asked: dayInWords(language, state.erasure.requestedAt) });
    return html`<h2 id="erasure-heading">${t('web:erasure.title')}</h2>
<p class="notice erasure-open">${open}</p>`;
  }
  // A request coordinators refused is answered here too: a worker who wrote only on this page has no other channel.
  const refused = state.refusedErasure
    ? html`<p class="notice erasure-refused">${t('web:erasure.refused', { asked: dayInWords(language, state.refusedErasure.requestedAt), reason: t(`sms:erasure.refused_reason.${state.refusedErasure.reason}`) })}</p>`
    : '';
  return html`<h2 id="erasure-heading">${t('web:erasure.title')}</h2>
${refused}<p>${t('web:erasure.intro')}</p>
<form method="post" action="/status?lang=${language}" accept-charset="utf-8" novalidate aria-labelledby="erasure-heading">
${credentials(view, state.reference, state.pin)}
<input type="hidden" name="erase" value="ask">
<p><button type="submit" class="secondary">${t('web:erasure.button')}</button></p>
</form>`;
}

/** The confirmation step: what erasing means, "yes" (files the request) and "no" (back to the case). */
export function erasureConfirmBody(view: WorkerView, state: { reference: string; pin: string }): SafeHtml {
  const { t, language } = view;
  return html`<h1>${t('web:erasure.confirm_title')}</h1>
<p>${t('web:erasure.confirm_text')}</p>
<p>${t('web:erasure.confirm_then')}</p>
<form method="post" action="/status?lang=${language}" accept-charset="utf-8" novalidate>
${credentials(view, state.reference, state.pin)}
<input type="hidden" name="erase" value="confirm">
<p><button type="submit">${t('web:erasure.confirm_yes')}</button></p>
</form>
<form method="post" action="/status?lang=${language}" accept-charset="utf-8" novalidate>
${credentials(view, state.reference, state.pin)}
<p><button type="submit" class="secondary">${t('web:erasure.confirm_no')}</button></p>
</form>`;
}

/** The answer once the request is filed (or was already): by when, and where to turn for help again. */
export function erasureRequestedBody(view: WorkerView, state: { reference: string; dueAt: Date | null; already: boolean }): SafeHtml {
  const { t, language } = view;
  const when = state.dueAt
    ? t(state.already ? 'web:erasure.already_text' : 'web:erasure.done_text', { date: dayInWords(language, state.dueAt) })
    : t('web:erasure.done_undated');
  return html`<h1>${t('web:erasure.done_title')}</h1>
<p class="notice" role="status">${when}</p>
<p>${t('web:erasure.done_help')}</p>
<p class="actions"><a class="button" href="/report?lang=${language}">${t('web:home.report')}</a></p>`;
}
