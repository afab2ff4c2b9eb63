import { CASE_STATUSES, CATEGORIES, CHANNELS, LANGUAGES, URGENCIES, type Language } from '../cases/case.vocabulary';
import type { listCasesFor } from '../cases/case-work.service';
import { html, type SafeHtml } from '../http/html';
import { LANGUAGE_NAMES } from '../language/language-names';
import { findProvince } from '../places/places';
import { choices, COUNTRIES } from './choices.views';
import { consolePage, type ConsolePageContext } from './console-shell';

// The inbox: a dense table of cases beside a column of filters on a desk screen, one column on a
// phone. Plain HTML and CSS, so it works without JavaScript.

type CaseList = Awaited<ReturnType<typeof listCasesFor>>;
type CaseRow = CaseList['data'][number];

/** The filters the inbox was asked for, to draw them again as chosen. */
export interface InboxQuery {
  status: string[];
  urgency: string[];
  category: string[];
  country: string[];
  channel: string[];
  language: string[];
  assigned: boolean;
  waiting: boolean;
  overdue: boolean;
  /** The coordinators' queue of cases nobody holds; null where the reader is not offered it. */
  triage: boolean | null;
  reference: string;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * How long something has waited, in words in the reader's language: minutes under an hour, hours
 * under two days, days after that ("45 minutes", "3 hours", "2 days").
 */
export function waitedFor(since: Date | string, now: Date, t: ConsolePageContext['t']): string {
  const waited = Math.max(0, now.getTime() - new Date(since).getTime());
  if (waited < HOUR) return t('console:inbox.age.minutes', { count: Math.max(1, Math.floor(waited / MINUTE)) });
  if (waited < 2 * DAY) return t('console:inbox.age.hours', { count: Math.floor(waited / HOUR) });
  return t('console:inbox.age.days', { count: Math.floor(waited / DAY) });
}

/** Where a case is, as people say it: the province's name and the country's ("Tak, Thailand"). */
export function placeOf(t: ConsolePageContext['t'], found: { destination_province: string | null; destination_country: string | null }): string {
  const province = found.destination_province ? (findProvince(found.destination_province)?.name ?? found.destination_province) : null;
  const country = found.destination_country ? t(`web:country.${found.destination_country}`, { defaultValue: found.destination_country }) : null;
  return [province, country].filter(Boolean).join(', ');
}

function filters(context: ConsolePageContext, query: InboxQuery, counts: Record<string, number>): SafeHtml {
  const { t } = context;
  const more = query.urgency.length + query.category.length + query.country.length + query.channel.length + query.language.length > 0;
  const flag = (name: string, value: string, checked: boolean, label: string) => html`<label class="choice"><input type="checkbox" name="${name}" value="${value}"${checked ? html` checked` : ''}> ${label}</label>`;
  return html`<form method="get" action="/console/cases" class="filters" aria-label="${t('console:inbox.filters')}">
<div class="field"><label for="reference">${t('console:inbox.search')}</label>
<input id="reference" name="reference" type="text" value="${query.reference}" autocomplete="off"></div>
<fieldset class="field"><legend>${t('console:field.status')}</legend>
${CASE_STATUSES.map((status) => html`<label class="choice"><input type="checkbox" name="status" value="${status}"${query.status.includes(status) ? html` checked` : ''}> ${t(`console:status.${status}`)} <span class="count">(${counts[status] ?? 0})</span></label>`)}
</fieldset>
<fieldset class="field"><legend>${t('console:inbox.only')}</legend>
${flag('assigned', 'me', query.assigned, t('console:inbox.assigned_to_me'))}
${flag('waiting', 'true', query.waiting, t('console:inbox.waiting'))}
${flag('overdue', 'true', query.overdue, t('console:inbox.overdue'))}
${query.triage === null ? '' : flag('triage', 'true', query.triage, t('console:inbox.triage'))}
</fieldset>
<details class="more-filters"${more ? html` open` : ''}><summary>${t('console:inbox.more_filters')}</summary>
<fieldset class="field"><legend>${t('console:field.urgency')}</legend>${choices('urgency', URGENCIES, query.urgency, (value) => t(`console:urgency.${value}`))}</fieldset>
<fieldset class="field"><legend>${t('console:field.categories')}</legend>${choices('category', CATEGORIES, query.category, (value) => t(`web:category.${value}`))}</fieldset>
<fieldset class="field"><legend>${t('console:field.country')}</legend>${choices('country', COUNTRIES, query.country, (value) => t(`web:country.${value}`))}</fieldset>
<fieldset class="field"><legend>${t('console:field.channel')}</legend>${choices('channel', CHANNELS, query.channel, (value) => t(`console:channel.${value}`))}</fieldset>
<fieldset class="field"><legend>${t('console:field.language')}</legend>${choices('language', LANGUAGES, query.language, (value) => LANGUAGE_NAMES[value as Language])}</fieldset>
</details>
<p><button type="submit">${t('console:inbox.filter')}</button></p>
</form>`;
}

/** One case as a row; on a phone each cell shows its column's name before it (data-label). */
function caseRow(context: ConsolePageContext, row: CaseRow, now: Date): SafeHtml {
  const { t } = context;
  const problems = row.categories.map((category) => t(`web:category.${category}`)).join(', ');
  return html`<tr${row.waiting_for_reply ? html` class="waiting"` : ''}>
<th scope="row" data-label="${t('console:field.reference')}"><a href="/console/cases/${row.reference}">${row.reference}</a></th>
<td data-label="${t('console:field.status')}">${t(`console:status.${row.status}`)}</td>
<td data-label="${t('console:field.urgency')}" class="urgency-${row.urgency}">${t(`console:urgency.${row.urgency}`)}</td>
<td data-label="${t('console:field.categories')}" class="problems" title="${problems}">${problems}</td>
<td data-label="${t('console:field.place')}">${placeOf(t, row)}</td>
<td data-label="${t('console:field.channel')}">${t(`console:channel.${row.channel}`)}</td>
<td data-label="${t('console:field.language')}" lang="${row.language}">${LANGUAGE_NAMES[row.language as Language] ?? row.language}</td>
<td data-label="${t('console:inbox.waiting')}">${row.waiting_since ? html`<span class="badge">${waitedFor(row.waiting_since, now, t)}</span>` : ''}</td>
<td data-label="${t('console:update.assignee')}">${row.assignee ?? ''}</td></tr>`;
}

/** The inbox: filters with counts, the cases, and the next page. */
export function inboxPage(context: ConsolePageContext, query: InboxQuery, list: CaseList, nextHref: string | null, now: Date): string {
  const { t } = context;
  const counts = list.counts.status as Record<string, number>;
  const table = list.data.length === 0 ? html`<p>${t('console:inbox.empty')}</p>` : html`<table class="cases">
<caption class="visually-hidden">${t('console:inbox.title')}</caption>
<thead><tr><th scope="col">${t('console:field.reference')}</th><th scope="col">${t('console:field.status')}</th><th scope="col">${t('console:field.urgency')}</th><th scope="col">${t('console:field.categories')}</th><th scope="col">${t('console:field.place')}</th><th scope="col">${t('console:field.channel')}</th><th scope="col">${t('console:field.language')}</th><th scope="col">${t('console:inbox.waiting')}</th><th scope="col">${t('console:update.assignee')}</th></tr></thead>
<tbody>${list.data.map((row) => caseRow(context, row, now))}</tbody></table>`;
  const body = html`<h1>${t('console:inbox.title')}</h1>
<div class="inbox">
${filters(context, query, counts)}
<div class="inbox-cases">
${table}
${nextHref ? html`<p><a href="${nextHref}" rel="next">${t('console:inbox.next')}</a></p>` : ''}
</div>
</div>`;
  return consolePage(context, t('console:inbox.title'), body);
}
