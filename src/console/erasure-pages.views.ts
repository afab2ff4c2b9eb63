import type { TFunction } from 'i18next';
import type { ErasureDetail, ErasureQueueRow } from '../erasures/erasure-queue.service';
import { ERASURE_REASON_CHOICES, REFUSAL_REASON_CHOICES } from '../erasures/erasures.schema';
import { html, type SafeHtml } from '../http/html';
import { consolePage, formatTime, type ConsolePageContext } from './console-shell';
import { fieldError, formError, messagesFor, type FormProblem } from './form-problem';

// The coordinators' erasure queue, soonest due first with the 90-day clock (overdue in red), and
// one erasure with who did what and the forms for the next step: propose with a reason, confirm
// (only a coordinator other than the proposer), or refuse for a legal reason.

/** The forms of an erasure page. */
export type ErasureForm = 'propose' | 'confirm' | 'refuse';

/** How much time an erasure has left, in words, with its class (overdue ones are drawn in red). */
export function clockOf(t: TFunction, row: Pick<ErasureQueueRow, 'days_left' | 'overdue'>): { text: string; overdue: boolean } {
  if (row.days_left === null) return { text: t('console:erasure.no_clock'), overdue: false };
  if (row.overdue) return { text: t('console:erasure.days_overdue', { days: Math.max(1, -row.days_left) }), overdue: true };
  return { text: t('console:erasure.days_left', { days: row.days_left }), overdue: false };
}

function clockCell(t: TFunction, row: ErasureQueueRow): SafeHtml {
  const clock = clockOf(t, row);
  return html`<span class="${clock.overdue ? 'erasure-overdue' : 'erasure-clock'}">${clock.text}</span>`;
}

/** `/console/erasures`: the open erasures with their clock. */
export function erasureQueuePage(context: ConsolePageContext, rows: readonly ErasureQueueRow[]): string {
  const { t } = context;
  const body = html`<h1 id="erasures-heading">${t('console:erasure.title')}</h1>
<p>${t('console:erasure.intro')}</p>
${rows.length === 0 ? html`<p>${t('console:erasure.empty')}</p>` : html`<div class="stats-table-wrap" role="region" tabindex="0" aria-labelledby="erasures-caption"><table class="cases erasures">
<caption id="erasures-caption">${t('console:erasure.caption')}</caption>
<thead><tr><th scope="col">${t('console:erasure.column.cases')}</th><th scope="col">${t('console:erasure.column.source')}</th><th scope="col">${t('console:erasure.column.status')}</th><th scope="col">${t('console:erasure.column.requested')}</th><th scope="col">${t('console:erasure.column.time_left')}</th><th scope="col">${t('console:erasure.column.proposed_by')}</th></tr></thead>
<tbody>${rows.map((row) => html`<tr${row.overdue ? html` class="overdue"` : ''}>
<th scope="row"><a href="/console/erasures/${row.id}">${row.case_references.length > 0 ? row.case_references.join(', ') : t('console:erasure.no_case')}</a>${row.on_hold ? html` <span class="badge-plain legal-hold">${t('console:erasure.on_hold')}</span>` : ''}</th>
<td>${t(`console:erasure.source.${row.source}`)}</td>
<td>${t(`console:erasure.status.${row.status}`)}</td>
<td>${formatTime(row.requested_at, context)}</td>
<td>${clockCell(t, row)}</td>
<td>${row.proposed_by ?? '—'}</td></tr>`)}</tbody></table></div>`}`;
  return consolePage(context, t('console:erasure.title'), body);
}

/** A select of reasons, with the error beside it when the form was refused. */
export function reasonSelect(t: TFunction, problem: FormProblem | undefined, form: string, id: string, name: string, choices: readonly string[], labelKey: string): SafeHtml {
  const errorId = `${id}-error`;
  const invalid = messagesFor(problem, form, name).length > 0;
  const chosen = problem?.form === form ? (problem.values?.[name] ?? '') : '';
  return html`<div class="field${invalid ? ' has-error' : ''}"><label for="${id}">${t('console:erasure.field.reason')}</label>${fieldError(problem, form, name, errorId)}
<select id="${id}" name="${name}" required${invalid ? html` aria-invalid="true" aria-describedby="${errorId}"` : ''}><option value="">${t('console:erasure.choose')}</option>
${choices.map((choice) => html`<option value="${choice}"${choice === chosen ? html` selected` : ''}>${t(`${labelKey}.${choice}`)}</option>`)}</select></div>`;
}

/** The optional note of a form (required with "other"), for coordinators' eyes only. */
export function noteField(t: TFunction, problem: FormProblem | undefined, form: string, id: string): SafeHtml {
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const invalid = messagesFor(problem, form, 'note').length > 0;
  const value = problem?.form === form ? (problem.values?.['note'] ?? '') : '';
  return html`<div class="field${invalid ? ' has-error' : ''}"><label for="${id}">${t('console:erasure.field.note')}</label>
<p class="hint" id="${hintId}">${t('console:erasure.note_hint')}</p>${fieldError(problem, form, 'note', errorId)}
<textarea id="${id}" name="note" rows="3" maxlength="2000" aria-describedby="${hintId}${invalid ? ` ${errorId}` : ''}"${invalid ? html` aria-invalid="true"` : ''}>${value}</textarea></div>`;
}

/** The form proposing an erasure, posted to `action` (the erasure, or a case). */
export function proposeForm(context: ConsolePageContext, action: string, problem: FormProblem | undefined, title: string): SafeHtml {
  const { t, csrf } = context;
  return html`<section aria-labelledby="propose-heading"><h2 id="propose-heading">${title}</h2>
<form method="post" action="${action}" aria-labelledby="propose-heading"><input type="hidden" name="_csrf" value="${csrf}">
<input type="hidden" name="status" value="proposed">
<p class="hint">${t('console:erasure.propose_hint')}</p>
${reasonSelect(t, problem, 'propose', 'propose-reason', 'reason', ERASURE_REASON_CHOICES, 'console:erasure.reason')}
${noteField(t, problem, 'propose', 'propose-note')}
${formError(problem, 'propose', ['reason', 'note'])}
<p><button type="submit">${t('console:erasure.propose_submit')}</button></p></form></section>`;
}

function whoWhen(context: ConsolePageContext, who: { name: string | null } | null, at: Date | null): string {
  if (!who) return '';
  return context.t('console:erasure.who_when', { name: who.name ?? '—', time: formatTime(at, context) });
}

function facts(context: ConsolePageContext, detail: ErasureDetail): SafeHtml {
  const { t } = context;
  const clock = clockOf(t, detail);
  const row = (label: string, value: SafeHtml | string) => html`<dt>${label}</dt><dd>${value}</dd>`;
  return html`<dl class="facts">
${row(t('console:erasure.column.status'), t(`console:erasure.status.${detail.status}`))}
${row(t('console:erasure.column.source'), t(`console:erasure.source.${detail.source}`))}
${row(t('console:erasure.field.cases'), html`${detail.cases.map((item, index) => html`${index > 0 ? ', ' : ''}<a href="/console/cases/${item.reference}">${item.reference}</a>`)}`)}
${detail.started_from ? row(t('console:erasure.field.started_from'), detail.started_from) : ''}
${row(t('console:erasure.column.requested'), formatTime(detail.requested_at, context))}
${detail.due_at ? row(t('console:erasure.field.due'), html`${formatTime(detail.due_at, context)} · <span class="${clock.overdue ? 'erasure-overdue' : 'erasure-clock'}">${clock.text}</span>`) : ''}
${detail.reason ? row(t('console:erasure.field.reason'), t(`console:erasure.reason.${detail.reason}`)) : ''}
${detail.reason_note ? row(t('console:erasure.field.note'), html`<span class="staff-note">${detail.reason_note}</span>`) : ''}
${detail.proposed_by ? row(t('console:erasure.field.proposed_by'), whoWhen(context, detail.proposed_by, detail.proposed_at)) : ''}
${detail.confirmed_by ? row(t('console:erasure.field.confirmed_by'), whoWhen(context, detail.confirmed_by, detail.confirmed_at)) : ''}
${detail.refused_by ? row(t('console:erasure.field.refused_by'), whoWhen(context, detail.refused_by, detail.refused_at)) : ''}
${detail.refusal_reason ? row(t('console:erasure.field.refusal_reason'), t(`console:erasure.refusal.${detail.refusal_reason}`)) : ''}
${detail.refusal_note ? row(t('console:erasure.field.note'), html`<span class="staff-note">${detail.refusal_note}</span>`) : ''}
${detail.done_at ? row(t('console:erasure.field.done_at'), formatTime(detail.done_at, context)) : ''}
</dl>`;
}

function refuseForm(context: ConsolePageContext, id: string, problem: FormProblem | undefined): SafeHtml {
  const { t, csrf } = context;
  return html`<section aria-labelledby="refuse-heading"><h2 id="refuse-heading">${t('console:erasure.refuse_title')}</h2>
<form method="post" action="/console/erasures/${id}" aria-labelledby="refuse-heading"><input type="hidden" name="_csrf" value="${csrf}">
<input type="hidden" name="status" value="refused">
${reasonSelect(t, problem, 'refuse', 'refusal-reason', 'refusal_reason', REFUSAL_REASON_CHOICES, 'console:erasure.refusal')}
${noteField(t, problem, 'refuse', 'refuse-note')}
${formError(problem, 'refuse', ['refusal_reason', 'note'])}
<p><button type="submit" class="secondary">${t('console:erasure.refuse_submit')}</button></p></form></section>`;
}

function confirmForm(context: ConsolePageContext, detail: ErasureDetail, viewerId: string, problem: FormProblem | undefined): SafeHtml {
  const { t, csrf } = context;
  if (detail.proposed_by?.id === viewerId) {
    return html`<p class="notice" role="status">${t('console:erasure.own_proposal')}</p>${formError(problem, 'confirm', [])}`;
  }
  return html`<section aria-labelledby="confirm-heading"><h2 id="confirm-heading">${t('console:erasure.confirm_title')}</h2>
<form method="post" action="/console/erasures/${detail.id}" aria-labelledby="confirm-heading"><input type="hidden" name="_csrf" value="${csrf}">
<input type="hidden" name="status" value="confirmed">
<p class="hint">${t('console:erasure.confirm_text')}</p>
${formError(problem, 'confirm', [])}
<p><button type="submit">${t('console:erasure.confirm_submit')}</button></p></form></section>`;
}

function nextSteps(context: ConsolePageContext, detail: ErasureDetail, viewerId: string, problem: FormProblem | undefined): SafeHtml {
  const { t } = context;
  switch (detail.status) {
    case 'requested':
      return html`${proposeForm(context, `/console/erasures/${detail.id}`, problem, t('console:erasure.propose_title'))}${refuseForm(context, detail.id, problem)}`;
    case 'proposed':
      return html`${confirmForm(context, detail, viewerId, problem)}${refuseForm(context, detail.id, problem)}`;
    case 'confirmed':
      return html`<p class="notice" role="status">${t('console:erasure.confirmed_note')}</p>`;
    default:
      return html``;
  }
}

// A form refused because the erasure moved on meanwhile (another coordinator acted) is no longer
// on the page: its reason is then shown at the top.
function orphanProblem(problem: FormProblem | undefined, status: string): SafeHtml {
  if (!problem) return html``;
  const shown: Record<string, readonly string[]> = { requested: ['propose', 'refuse'], proposed: ['confirm', 'refuse'] };
  if ((shown[status] ?? []).includes(problem.form)) return html``;
  return html`<p class="field-error" role="alert">${problem.messages.map((item) => item.message).join(' ')}</p>`;
}

/** One erasure: its facts, holds in the way, and the forms for its next step. */
export function erasurePage(context: ConsolePageContext, detail: ErasureDetail, viewerId: string, problem?: FormProblem): string {
  const { t } = context;
  const title = t('console:erasure.detail_title');
  const body = html`<p><a href="/console/erasures">${t('console:erasure.back')}</a></p>
<h1>${title}</h1>
${orphanProblem(problem, detail.status)}
${detail.holds.map((hold) => html`<p class="notice legal-hold-notice" role="note">${t('console:erasure.hold_blocks', { reference: hold.reference, date: formatTime(hold.held_until, context) })}</p>`)}
${facts(context, detail)}
${nextSteps(context, detail, viewerId, problem)}`;
  return consolePage(context, title, body);
}
