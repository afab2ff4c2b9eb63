import type { TFunction } from 'i18next';
import type { CaseErasureState } from '../erasures/case-erasure.service';
import { ERASURE_REASON_CHOICES } from '../erasures/erasures.schema';
import { html, type SafeHtml } from '../http/html';
import { formatTime, type ConsolePageContext } from './console-shell';
import { noteField, reasonSelect } from './erasure-pages.views';
import { fieldError, formError, hasProblem, messagesFor, type FormProblem } from './form-problem';

// The worker's data rights on their case page: the banner once their personal data is erased, the
// notice while an erasure is open (their data is then restricted), legal-hold badges, and for
// coordinators the forms to erase the person and to place or release a hold.

function erasedBy(t: TFunction, erased: NonNullable<CaseErasureState['erased']>): string {
  if (erased.by.length > 0) return erased.by.join(', ');
  if (erased.source === 'cli' || erased.source === 'retention') return t(`console:erasure.by_source.${erased.source}`);
  return t('console:erasure.by_unknown');
}

/** "Personal data erased on …, by …, reason …", and the notice of an erasure still open. */
export function erasureBanners(context: ConsolePageContext, state: CaseErasureState | undefined): SafeHtml {
  if (!state) return html``;
  const { t } = context;
  if (state.erased) {
    const { erased } = state;
    const reason = erased.reason ? t(`console:erasure.reason.${erased.reason}`) : '—';
    return html`<div class="notice erased-banner" role="note"><p><strong>${t('console:erasure.banner', { date: formatTime(erased.at, context), by: erasedBy(t, erased), reason })}</strong></p>
${erased.note ? html`<p class="staff-note">${erased.note}</p>` : ''}</div>`;
  }
  if (!state.open) return html``;
  const { open } = state;
  const notice = open.status === 'requested'
    ? t('console:erasure.notice_requested', { asked: formatTime(open.requestedAt, context), due: open.dueAt ? formatTime(open.dueAt, context) : '—' })
    : t(`console:erasure.notice_${open.status === 'confirmed' ? 'confirmed' : 'proposed'}`, { asked: formatTime(open.requestedAt, context) });
  return html`<div class="notice erasure-open" role="note"><p><strong>${notice}</strong></p>
${state.mayAct ? html`<p><a href="/console/erasures/${open.id}">${t('console:erasure.open_link')}</a></p>` : ''}</div>`;
}

/** A badge per legal hold in force, with its last day. */
export function legalHoldBadges(context: ConsolePageContext, state: CaseErasureState | undefined): SafeHtml {
  if (!state || state.holds.length === 0) return html``;
  return html`${state.holds.map((hold) => html` <span class="badge-plain legal-hold">${context.t('console:erasure.hold_badge', { date: formatTime(hold.heldUntil, context) })}</span>`)}`;
}

function holdList(context: ConsolePageContext, reference: string, state: CaseErasureState): SafeHtml {
  const { t, csrf } = context;
  if (state.holds.length === 0) return html`<p>${t('console:hold.none')}</p>`;
  return html`<ul class="hold-list">${state.holds.map((hold) => html`<li>
<p>${t('console:hold.item', { date: formatTime(hold.heldUntil, context), name: hold.placedBy ?? '—' })}</p>
${hold.reason ? html`<p class="staff-note">${t('console:hold.reason')}: ${hold.reason}</p>` : ''}
<form method="post" action="/console/cases/${reference}/legal-holds/${hold.id}/release"><input type="hidden" name="_csrf" value="${csrf}">
<button type="submit" class="secondary">${t('console:hold.release')}</button></form></li>`)}</ul>`;
}

function placeHoldForm(context: ConsolePageContext, reference: string, problem: FormProblem | undefined): SafeHtml {
  const { t, csrf } = context;
  const value = (name: string) => (problem?.form === 'hold' ? (problem.values?.[name] ?? '') : '');
  const invalid = (name: string) => messagesFor(problem, 'hold', name).length > 0;
  return html`<details class="fold"${hasProblem(problem, 'hold') ? html` open` : ''}><summary id="hold-heading">${t('console:hold.place_title')}</summary>
<form method="post" action="/console/cases/${reference}/legal-holds" aria-labelledby="hold-heading"><input type="hidden" name="_csrf" value="${csrf}">
<p class="hint">${t('console:hold.place_hint')}</p>
<div class="field${invalid('reason') ? ' has-error' : ''}"><label for="hold-reason">${t('console:hold.reason')}</label>${fieldError(problem, 'hold', 'reason', 'hold-reason-error')}
<textarea id="hold-reason" name="reason" rows="2" maxlength="2000" required${invalid('reason') ? html` aria-invalid="true" aria-describedby="hold-reason-error"` : ''}>${value('reason')}</textarea></div>
<div class="field${invalid('until') ? ' has-error' : ''}"><label for="hold-until">${t('console:hold.until')}</label>${fieldError(problem, 'hold', 'until', 'hold-until-error')}
<input id="hold-until" name="until" type="date" required value="${value('until')}"${invalid('until') ? html` aria-invalid="true" aria-describedby="hold-until-error"` : ''}></div>
${formError(problem, 'hold', ['reason', 'until'])}
<p><button type="submit">${t('console:hold.place_submit')}</button></p></form></details>`;
}

function eraseForm(context: ConsolePageContext, reference: string, state: CaseErasureState, problem: FormProblem | undefined): SafeHtml {
  const { t, csrf } = context;
  if (state.erased) return html``;
  if (state.open) return html`<p><a href="/console/erasures/${state.open.id}">${t('console:erasure.open_link')}</a></p>`;
  return html`<details class="fold"${hasProblem(problem, 'propose') ? html` open` : ''}><summary id="erase-heading">${t('console:erasure.case_erase_title')}</summary>
<form method="post" action="/console/cases/${reference}/erasures" aria-labelledby="erase-heading"><input type="hidden" name="_csrf" value="${csrf}">
<p class="hint">${t('console:erasure.propose_hint')}</p>
${reasonSelect(t, problem, 'propose', 'erase-reason', 'reason', ERASURE_REASON_CHOICES, 'console:erasure.reason')}
${noteField(t, problem, 'propose', 'erase-note')}
${formError(problem, 'propose', ['reason', 'note'])}
<p><button type="submit">${t('console:erasure.propose_submit')}</button></p></form></details>`;
}

/** The coordinators' "Data rights" section of a case: legal holds and erasing the person. */
export function dataRightsSection(context: ConsolePageContext, reference: string, state: CaseErasureState | undefined, problem: FormProblem | undefined): SafeHtml {
  if (!state?.mayAct) return html``;
  const { t } = context;
  return html`<section class="data-rights" aria-labelledby="data-rights-heading">
<h2 id="data-rights-heading">${t('console:erasure.case_section')}</h2>
<h3>${t('console:hold.title')}</h3>
${holdList(context, reference, state)}
${placeHoldForm(context, reference, problem)}
${eraseForm(context, reference, state, problem)}
</section>`;
}
