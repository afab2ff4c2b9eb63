import type { TFunction } from 'i18next';
import type { Language } from '../cases/case.vocabulary';
import { ESCALATION_STATUSES } from '../escalations/escalation.service';
import type { getEscalationFor, listEscalationsFor } from '../escalations/escalation.service';
import { html, type SafeHtml } from '../http/html';
import { findProvince } from '../places/places';
import { consolePage, formatTime, type ConsolePageContext } from './console-shell';
import { fieldError, formError, messagesFor, type FormProblem } from './form-problem';
import { escalationAttachments, withheldAttachments } from './case-attachments.views';

// The pages of embassy labour liaisons (and coordinators overseeing them): the escalations to
// work, oldest first, and one escalation with the case as far as the worker's consent allows.

type EscalationRow = Awaited<ReturnType<typeof listEscalationsFor>>[number];
type EscalationDetail = Awaited<ReturnType<typeof getEscalationFor>>;

/** The forms of an escalation page. */
export type EscalationForm = 'acknowledge' | 'note' | 'close';

/** Why the form just sent was refused, with what it held (`note`, `outcome`). */
export type EscalationPageState = { problem?: FormProblem & { form: EscalationForm } };

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** How long ago an escalation was opened ("3 days ago"), or its date once it is a month old. */
export function ageInWords(language: Language, openedAt: Date | string, now: Date, timeZone: string): string {
  const elapsed = Math.max(0, now.getTime() - new Date(openedAt).getTime());
  const relative = new Intl.RelativeTimeFormat(language, { numeric: 'auto' });
  if (elapsed >= 30 * DAY) return new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeZone }).format(new Date(openedAt));
  if (elapsed >= 2 * DAY) return relative.format(-Math.floor(elapsed / DAY), 'day');
  if (elapsed >= HOUR) return relative.format(-Math.floor(elapsed / HOUR), 'hour');
  return relative.format(-Math.floor(elapsed / 60_000), 'minute');
}

function categoriesInWords(t: TFunction, categories: readonly string[]): string {
  return categories.length === 0 ? '—' : categories.map((category) => t(`stats:category.${category}`, { defaultValue: category })).join('; ');
}

function placeInWords(t: TFunction, province: string | null, country: string | null): string {
  const parts = [province ? (findProvince(province)?.name ?? province) : null, country ? t(`web:country.${country}`, { defaultValue: country }) : null].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : t('liaison:case.unknown');
}

/** The escalations, oldest first, with a filter by status. */
export function escalationsListPage(context: ConsolePageContext, rows: readonly EscalationRow[], statuses: readonly string[], now: Date): string {
  const { t, language } = context;
  const body = html`<h1>${t('liaison:title')}</h1>
<p>${t('liaison:list.intro')}</p>
<form method="get" action="/console/escalations" class="filters">
<fieldset class="field"><legend>${t('liaison:field.status')}</legend>
${ESCALATION_STATUSES.map((status) => html`<label class="choice" for="status-${status}"><input type="checkbox" id="status-${status}" name="status" value="${status}"${statuses.includes(status) ? html` checked` : ''}> ${t(`liaison:status.${status}`)}</label>`)}
</fieldset>
<p><button type="submit">${t('liaison:list.show')}</button></p>
</form>
${rows.length === 0 ? html`<p>${t('liaison:list.empty')}</p>` : html`<div class="stats-table-wrap" role="region" tabindex="0" aria-label="${t('liaison:list.caption')}"><table class="cases">
<caption>${t('liaison:list.caption')}</caption>
<thead><tr><th scope="col">${t('liaison:field.case')}</th><th scope="col">${t('liaison:field.embassy')}</th><th scope="col">${t('liaison:field.categories')}</th><th scope="col">${t('liaison:field.urgency')}</th><th scope="col">${t('liaison:field.status')}</th><th scope="col">${t('liaison:field.opened')}</th></tr></thead>
<tbody>${rows.map((row) => html`<tr>
<td><a href="/console/escalations/${row.id}">${row.reference}</a></td>
<td>${row.embassy.name}</td>
<td>${categoriesInWords(t, row.categories)}</td>
<td>${t(`console:urgency.${row.urgency}`, { defaultValue: row.urgency })}</td>
<td>${t(`liaison:status.${row.status}`, { defaultValue: row.status })}</td>
<td><time datetime="${new Date(row.created_at).toISOString()}">${ageInWords(language, row.created_at, now, context.timeZone)}</time></td></tr>`)}</tbody></table></div>`}`;
  return consolePage(context, t('liaison:title'), body);
}

function escalationFacts(context: ConsolePageContext, escalation: EscalationDetail['escalation']): SafeHtml {
  const { t } = context;
  if (!escalation) return html``;
  const why = escalation.reason ?? (escalation.rule ? t('liaison:escalation.by_rule', { rule: escalation.rule }) : '—');
  return html`<dl class="facts">
<dt>${t('liaison:field.status')}</dt><dd>${t(`liaison:status.${escalation.status}`, { defaultValue: escalation.status })}</dd>
<dt>${t('liaison:field.embassy')}</dt><dd>${escalation.embassy.name}</dd>
<dt>${t('liaison:escalation.why')}</dt><dd>${why}</dd>
<dt>${t('liaison:field.opened')}</dt><dd>${formatTime(escalation.created_at, context)}</dd>
${escalation.acknowledged_at ? html`<dt>${t('liaison:escalation.acknowledged_at')}</dt><dd>${formatTime(escalation.acknowledged_at, context)}</dd>` : ''}
${escalation.closed_at ? html`<dt>${t('liaison:escalation.closed_at')}</dt><dd>${formatTime(escalation.closed_at, context)}</dd>` : ''}
${escalation.outcome ? html`<dt>${t('liaison:escalation.outcome')}</dt><dd>${escalation.outcome}</dd>` : ''}
</dl>`;
}

function caseFacts(context: ConsolePageContext, found: EscalationDetail['case']): SafeHtml {
  const { t } = context;
  const consent = found.consent === null ? t('console:consent.unknown') : t(found.consent.given ? 'console:consent.yes' : 'console:consent.no');
  return html`<dl class="facts">
<dt>${t('liaison:field.categories')}</dt><dd>${categoriesInWords(t, found.categories)}</dd>
<dt>${t('liaison:case.sector')}</dt><dd>${found.sector ? t(`stats:sector.${found.sector}`, { defaultValue: found.sector }) : t('liaison:case.unknown')}</dd>
<dt>${t('liaison:field.urgency')}</dt><dd>${t(`console:urgency.${found.urgency}`, { defaultValue: found.urgency })}</dd>
<dt>${t('liaison:case.workplace')}</dt><dd>${placeInWords(t, found.destination_province, found.destination_country)}</dd>
<dt>${t('liaison:case.home')}</dt><dd>${placeInWords(t, found.origin_province, found.origin_country)}</dd>
<dt>${t('liaison:case.workers_affected')}</dt><dd>${found.workers_affected}</dd>
<dt>${t('liaison:case.reported')}</dt><dd>${formatTime(found.created_at, context)}</dd>
<dt>${t('liaison:case.updated')}</dt><dd>${formatTime(found.updated_at, context)}</dd>
<dt>${t('console:field.consent')}</dt><dd>${consent}</dd>
${found.employer ? html`<dt>${t('liaison:case.employer')}</dt><dd>${found.employer}</dd>` : ''}
${found.location_as_written ? html`<dt>${t('liaison:case.location_as_written')}</dt><dd>${found.location_as_written}</dd>` : ''}
</dl>`;
}

function workerWords(context: ConsolePageContext, found: EscalationDetail['case']): SafeHtml {
  const { t } = context;
  // The worker's own messages; the hotline's questions and replies add nothing for the embassy.
  const messages = found.messages.filter((message) => message.direction === 'in' && message.body);
  return html`<h2>${t('liaison:case.words')}</h2>
${found.summary ? html`<blockquote class="reply">${found.summary}</blockquote>` : html`<p>${t('liaison:case.no_summary')}</p>`}
<h3>${t('liaison:case.messages')}</h3>
${messages.length === 0 ? html`<p>${t('liaison:case.no_messages')}</p>` : html`<ol class="timeline">${messages.map((message) => html`<li class="message in">
<p class="meta">${formatTime(message.created_at, context)}</p>
<p class="body">${message.body ?? ''}</p></li>`)}</ol>`}
<h2>${t('liaison:case.notes')}</h2>
${found.notes.length === 0 ? html`<p>${t('liaison:case.no_notes')}</p>` : html`<ol class="timeline">${found.notes.map((note) => html`<li class="note">
<p class="meta">${t('liaison:case.note_by', { author: note.author, organisation: note.organisation })} · ${formatTime(note.created_at, context)}</p>
<p class="body">${note.body}</p></li>`)}</ol>`}`;
}

function textarea(problem: FormProblem | undefined, form: EscalationForm, name: string, id: string, label: string, hint: string): SafeHtml {
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const invalid = messagesFor(problem, form, name).length > 0;
  const value = problem?.form === form ? (problem.values?.[name] ?? '') : '';
  return html`<div class="field${invalid ? ' has-error' : ''}"><label for="${id}">${label}</label>
<p class="hint" id="${hintId}">${hint}</p>${fieldError(problem, form, name, errorId)}
<textarea id="${id}" name="${name}" rows="4" maxlength="${name === 'body' ? 5000 : 2000}" required aria-describedby="${hintId}${invalid ? ` ${errorId}` : ''}"${invalid ? html` aria-invalid="true"` : ''}>${value}</textarea></div>`;
}

function workForms(context: ConsolePageContext, id: string, status: string, problem: FormProblem | undefined): SafeHtml {
  const { t, csrf } = context;
  if (status === 'closed') return html`<p class="notice">${t('liaison:escalation.closed_notice')}</p>`;
  const csrfField = html`<input type="hidden" name="_csrf" value="${csrf}">`;
  const acknowledge = status === 'open' ? html`<h2 id="acknowledge-heading">${t('liaison:acknowledge.title')}</h2>
<form method="post" action="/console/escalations/${id}" aria-labelledby="acknowledge-heading">${csrfField}
<input type="hidden" name="status" value="acknowledged">
<p class="hint">${t('liaison:acknowledge.hint')}</p>${formError(problem, 'acknowledge', [])}
<p><button type="submit">${t('liaison:acknowledge.button')}</button></p></form>` : '';
  return html`${acknowledge}
<h2 id="note-heading">${t('liaison:note.title')}</h2>
<form method="post" action="/console/escalations/${id}/notes" aria-labelledby="note-heading">${csrfField}
${textarea(problem, 'note', 'body', 'note-body', t('liaison:note.body'), t('liaison:note.hint'))}
${formError(problem, 'note', ['body'])}
<p><button type="submit">${t('liaison:note.button')}</button></p></form>
<h2 id="close-heading">${t('liaison:close.title')}</h2>
<form method="post" action="/console/escalations/${id}" aria-labelledby="close-heading">${csrfField}
<input type="hidden" name="status" value="closed">
${textarea(problem, 'close', 'outcome', 'outcome', t('liaison:close.outcome'), t('liaison:close.hint'))}
${formError(problem, 'close', ['outcome'])}
<p><button type="submit">${t('liaison:close.button')}</button></p></form>`;
}

// A form refused because the escalation moved on (closed meanwhile) is no longer on the page:
// its reason is then shown at the top.
function orphanProblem(problem: FormProblem | undefined, status: string): SafeHtml {
  if (!problem) return html``;
  const shown = status === 'closed' ? [] : status === 'open' ? ['acknowledge', 'note', 'close'] : ['note', 'close'];
  if (shown.includes(problem.form)) return html``;
  return html`<p class="field-error" role="alert">${problem.messages.map((item) => item.message).join(' ')}</p>`;
}

/** One escalation: what it is, the case as the reader may see it, and the forms to work it. */
export function escalationPage(context: ConsolePageContext, detail: EscalationDetail, state: EscalationPageState): string {
  const { t } = context;
  const { escalation, case: found } = detail;
  const title = t('liaison:escalation.title', { reference: found.reference });
  const body = html`<p><a href="/console/escalations">${t('liaison:escalation.back')}</a></p>
<h1>${title}</h1>
${escalation ? orphanProblem(state.problem, escalation.status) : ''}
${found.view === 'limited' ? html`<div class="notice" role="note"><p><strong>${t('liaison:limited.title')}</strong></p><p>${t('liaison:limited.text')}</p></div>` : ''}
<h2>${t('liaison:escalation.heading')}</h2>
${escalationFacts(context, escalation)}
<h2>${t('liaison:case.title')}</h2>
${caseFacts(context, found)}
${workerWords(context, found)}
${found.attachments === null ? withheldAttachments(context, found.attachment_counts) : escalationAttachments(context, found.reference, found.attachments)}
${escalation ? workForms(context, escalation.id, escalation.status, state.problem) : ''}`;
  return consolePage(context, title, body);
}
