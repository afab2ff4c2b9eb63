import { CASE_STATUSES, CATEGORIES, CHANNELS, FORCED_LABOUR_INDICATORS, LANGUAGES, OUTCOMES, SECTORS, URGENCIES, type Language } from '../cases/case.vocabulary';
import { html, type SafeHtml } from '../http/html';
import { LANGUAGE_NAMES } from '../language/language-names';
import { PROVINCES } from '../places/places';
import type { getCaseFor, listCasesFor } from '../cases/case-work.service';
import type { Principal } from '../http/access';
import type { listCaseEvents } from '../cases/case-read.service';
import type { CaseChannels, MergeOfCase } from '../people/person.service';
import { consentSection, escalationsSection, limitedViewBanner, problemSummary, referralsSection, type CaseWorkView, type ReferralTarget } from './case-referrals.views';
import { channelsSection } from './case-channels.views';
import { consentUnclearNotice, eventEntries } from './case-timeline.views';
import { attachmentEntries, attachmentsOfMessage, withheldAttachments } from './case-attachments.views';
import { consolePage, formatTime, type ConsolePageContext } from './console-shell';
import { formError, type FormProblem } from './form-problem';

// The console's case pages: server-rendered HTML that works without JavaScript on a slow
// connection, in the caseworker's own language.

/** The reader's language, the CSRF token of the page's forms and the console menu. */
export type CasePageContext = ConsolePageContext;

type CaseList = Awaited<ReturnType<typeof listCasesFor>>;
type CaseDetail = Awaited<ReturnType<typeof getCaseFor>>;

const COUNTRIES = ['TH', 'MY', 'MM', 'KH', 'LA', 'VN'] as const;


function choices(name: string, options: readonly string[], selected: readonly string[], label: (option: string) => string): SafeHtml {
  return html`${options.map((option) => html`<label class="choice"><input type="checkbox" name="${name}" value="${option}"${selected.includes(option) ? html` checked` : ''}> ${label(option)}</label>`)}`;
}

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

/** The inbox: filters with counts, the cases, and the next page. */
export function inboxPage(context: CasePageContext, query: InboxQuery, list: CaseList, nextHref: string | null): string {
  const { t } = context;
  const counts = list.counts.status as Record<string, number>;
  const body = html`<h1>${t('console:inbox.title')}</h1>
<form method="get" action="/console/cases" class="filters">
<div class="field"><label for="reference">${t('console:inbox.search')}</label>
<input id="reference" name="reference" type="text" value="${query.reference}" autocomplete="off"></div>
<fieldset class="field"><legend>${t('console:field.status')}</legend>
${CASE_STATUSES.map((status) => html`<label class="choice"><input type="checkbox" name="status" value="${status}"${query.status.includes(status) ? html` checked` : ''}> ${t(`console:status.${status}`)} <span class="count">(${counts[status] ?? 0})</span></label>`)}
</fieldset>
<details class="more-filters"${query.urgency.length + query.category.length + query.country.length + query.channel.length + query.language.length > 0 ? html` open` : ''}><summary>${t('console:inbox.more_filters')}</summary>
<fieldset class="field"><legend>${t('console:field.urgency')}</legend>${choices('urgency', URGENCIES, query.urgency, (value) => t(`console:urgency.${value}`))}</fieldset>
<fieldset class="field"><legend>${t('console:field.categories')}</legend>${choices('category', CATEGORIES, query.category, (value) => t(`web:category.${value}`))}</fieldset>
<fieldset class="field"><legend>${t('console:field.country')}</legend>${choices('country', COUNTRIES, query.country, (value) => t(`web:country.${value}`))}</fieldset>
<fieldset class="field"><legend>${t('console:field.channel')}</legend>${choices('channel', CHANNELS, query.channel, (value) => t(`console:channel.${value}`))}</fieldset>
<fieldset class="field"><legend>${t('console:field.language')}</legend>${choices('language', LANGUAGES, query.language, (value) => LANGUAGE_NAMES[value as Language])}</fieldset>
</details>
<label class="choice"><input type="checkbox" name="assigned" value="me"${query.assigned ? html` checked` : ''}> ${t('console:inbox.assigned_to_me')}</label>
<label class="choice"><input type="checkbox" name="waiting" value="true"${query.waiting ? html` checked` : ''}> ${t('console:inbox.waiting')}</label>
<label class="choice"><input type="checkbox" name="overdue" value="true"${query.overdue ? html` checked` : ''}> ${t('console:inbox.overdue')}</label>
${query.triage === null ? '' : html`<label class="choice"><input type="checkbox" name="triage" value="true"${query.triage ? html` checked` : ''}> ${t('console:inbox.triage')}</label>`}
<p><button type="submit">${t('console:inbox.filter')}</button></p>
</form>
${list.data.length === 0 ? html`<p>${t('console:inbox.empty')}</p>` : html`<table class="cases">
<caption>${t('console:inbox.title')}</caption>
<thead><tr><th scope="col">${t('console:field.reference')}</th><th scope="col">${t('console:field.status')}</th><th scope="col">${t('console:field.urgency')}</th><th scope="col">${t('console:field.categories')}</th><th scope="col">${t('console:field.place')}</th><th scope="col">${t('console:field.updated')}</th></tr></thead>
<tbody>${list.data.map((row) => html`<tr${row.waiting_for_reply ? html` class="waiting"` : ''}>
<td><a href="/console/cases/${row.reference}">${row.reference}</a>${row.waiting_for_reply ? html` <span class="badge">${t('console:inbox.waiting_badge')}</span>` : ''}</td>
<td>${t(`console:status.${row.status}`)}</td><td>${t(`console:urgency.${row.urgency}`)}</td>
<td>${row.categories.map((category) => t(`web:category.${category}`)).join(', ')}</td>
<td>${[row.destination_province, row.destination_country].filter(Boolean).join(', ')}</td>
<td>${formatTime(row.updated_at, context)}</td></tr>`)}</tbody></table>`}
${nextHref ? html`<p><a href="${nextHref}" rel="next">${t('console:inbox.next')}</a></p>` : ''}`;
  return consolePage(context, t('console:inbox.title'), body);
}

export interface ReplyPreview {
  body: string;
  encoding: string;
  segments: number;
  units: number;
}

/** What a case page shows besides the case itself. */
export interface CasePageOptions {
  preview?: ReplyPreview;
  notice?: string;
  cannedReplies?: { title: string; body: string }[];
  colleagues?: { id: string; name: string }[];
  /** Referral, escalation, triage and consent events for the timeline. */
  events?: Awaited<ReturnType<typeof listCaseEvents>>;
  /** The worker's channel identities and where the next reply goes. */
  channels?: CaseChannels | undefined;
  /** Merges of this worker with another, not undone (coordinators). */
  merges?: readonly MergeOfCase[];
  /** Organisations the case can be referred to. */
  referralTargets?: readonly ReferralTarget[];
  /** Who reads the page, for the actions each side of a referral may take. */
  viewer: Pick<Principal, 'role' | 'organisationId'>;
  now: Date;
  /** A refused form, shown again with its reason. */
  problem?: FormProblem | undefined;
  /** The version of the case drawn, sent back by the triage form to detect a change made meanwhile. */
  version?: string;
}

/** A case: its facts, who else works it, the timeline, and the forms to work it. */
export function casePage(context: CasePageContext, found: CaseDetail, options: CasePageOptions): string {
  const { t } = context;
  const work: CaseWorkView = { context, reference: found.reference, viewer: options.viewer, now: options.now, problem: options.problem };
  // The limited view has no attachment list (counts only): nothing of a file reaches the timeline.
  const attachments = found.attachments ?? [];
  const timeline = [
    ...eventEntries(context, options.events ?? [], found),
    ...found.messages.map((message) => ({ at: new Date(message.created_at), item: html`<li class="message ${message.direction}">
<p class="meta">${t(`console:timeline.${message.direction === 'in' ? 'from_worker' : 'to_worker'}`)} · ${formatTime(message.created_at, context)}${message.direction === 'out' ? html` · <span class="delivery">${t(`console:delivery.${message.status}`)}</span>` : ''}</p>
<p class="body">${message.body ?? ''}</p>${attachmentsOfMessage(context, found.reference, attachments, message.id)}</li>` })),
    ...attachmentEntries(context, found.reference, attachments, new Set(found.messages.map((message) => message.id))),
    ...found.notes.map((note) => ({ at: new Date(note.created_at), item: html`<li class="note">
<p class="meta">${t('console:timeline.note', { author: note.author })}${note.organisation ? html` (${note.organisation})` : ''} · ${t(`console:visibility.${note.visibility}`)} · ${formatTime(note.created_at, context)}</p>
<p class="body">${note.body}</p></li>` })),
  ].sort((a, b) => a.at.getTime() - b.at.getTime());
  const reference = found.reference;
  const body = html`<h1>${t('console:case.title', { reference })}</h1>
${options.notice ? html`<p class="notice" role="status">${options.notice}</p>` : ''}
${problemSummary(work)}
${consentUnclearNotice(context, options.events ?? [], found)}
${found.view === 'limited' ? limitedViewBanner(work, found.owner_organisation_id) : consentSection(work, found.owner_organisation_id, found.consent?.given ?? null)}
<dl class="facts">
<dt>${t('console:field.status')}</dt><dd>${t(`console:status.${found.status}`)}</dd>
<dt>${t('console:field.urgency')}</dt><dd>${t(`console:urgency.${found.urgency}`)}</dd>
<dt>${t('console:field.channel')}</dt><dd>${t(`console:channel.${found.channel}`)} · ${LANGUAGE_NAMES[found.language as Language] ?? found.language}</dd>
<dt>${t('console:field.categories')}</dt><dd>${found.categories.map((category) => t(`web:category.${category}`)).join(', ')}</dd>
<dt>${t('console:field.place')}</dt><dd>${[found.destination_province, found.destination_country].filter(Boolean).join(', ')}${found.location_as_written ? html` (“${found.location_as_written}”)` : ''}</dd>
<dt>${t('console:field.consent')}</dt><dd>${found.consent === null ? t('console:consent.unknown') : t(found.consent.given ? 'console:consent.yes' : 'console:consent.no')}${found.consent?.source ? html` (${t(`console:consent.source.${found.consent.source}`)})` : ''}</dd>
</dl>
${channelsSection({ context, reference: found.reference, channels: options.channels, merges: options.merges ?? [], viewer: options.viewer, problem: options.problem })}
<h2>${t('console:case.story')}</h2>
<blockquote class="reply">${found.summary ?? ''}</blockquote>
${referralsSection(work, found.referrals, options.referralTargets ?? [], found.owner_organisation_id)}
${escalationsSection(work, found.escalations)}
${found.attachments === null ? withheldAttachments(context, found.attachment_counts) : ''}
<h2>${t('console:case.timeline')}</h2>
<ol class="timeline">${timeline.map((entry) => entry.item)}</ol>
<h2 id="reply-heading">${t('console:reply.title')}</h2>
<form method="post" action="/console/cases/${reference}/reply" aria-labelledby="reply-heading">
<input type="hidden" name="_csrf" value="${context.csrf}">
${(options.cannedReplies ?? []).length > 0 ? html`<details><summary>${t('console:reply.canned')}</summary><ul>${(options.cannedReplies ?? []).map((canned) => html`<li><strong>${canned.title}</strong>: ${canned.body}</li>`)}</ul></details>` : ''}
<div class="field"><label for="reply-body">${t('console:reply.body')}</label>
<textarea id="reply-body" name="body" rows="4" maxlength="1600" aria-describedby="reply-counter">${options.preview?.body ?? ''}</textarea>
<p class="hint" id="reply-counter" aria-live="polite" data-template="${t('console:reply.counter', { encoding: '{{encoding}}', segments: '{{segments}}', units: '{{units}}', interpolation: { escapeValue: false } })}">${options.preview ? t('console:reply.counter', { encoding: options.preview.encoding, segments: options.preview.segments, units: options.preview.units }) : t('console:reply.counter_hint')}</p></div>
<p><button type="submit" name="action" value="preview" class="secondary">${t('console:reply.preview')}</button> <button type="submit" name="action" value="send">${t('console:reply.send')}</button></p>
</form>
<h2 id="note-heading">${t('console:note.title')}</h2>
<form method="post" action="/console/cases/${reference}/notes" aria-labelledby="note-heading">
<input type="hidden" name="_csrf" value="${context.csrf}">
<div class="field"><label for="note-body">${t('console:note.body')}</label><textarea id="note-body" name="body" rows="3" maxlength="5000"></textarea></div>
<fieldset class="field"><legend>${t('console:note.visibility')}</legend>
<label class="choice"><input type="radio" name="visibility" value="organisation" checked> ${t('console:visibility.organisation')}</label>
<label class="choice"><input type="radio" name="visibility" value="partners"> ${t('console:visibility.partners')}</label></fieldset>
<p><button type="submit">${t('console:note.add')}</button></p>
</form>
<h2 id="update-heading">${t('console:update.title')}</h2>
<form method="post" action="/console/cases/${reference}" aria-labelledby="update-heading">
<input type="hidden" name="_csrf" value="${context.csrf}">
${options.version === undefined ? '' : html`<input type="hidden" name="version" value="${options.version}">`}
<div class="field"><label for="status">${t('console:field.status')}</label><select id="status" name="status">${CASE_STATUSES.map((status) => html`<option value="${status}"${status === found.status ? html` selected` : ''}>${t(`console:status.${status}`)}</option>`)}</select></div>
<div class="field"><label for="urgency">${t('console:field.urgency')}</label><select id="urgency" name="urgency">${URGENCIES.map((urgency) => html`<option value="${urgency}"${urgency === found.urgency ? html` selected` : ''}>${t(`console:urgency.${urgency}`)}</option>`)}</select></div>
<div class="field"><label for="outcome">${t('console:field.outcome')}</label><select id="outcome" name="outcome"><option value="">—</option>${OUTCOMES.map((outcome) => html`<option value="${outcome}"${outcome === found.outcome ? html` selected` : ''}>${t(`console:outcome.${outcome}`)}</option>`)}</select></div>
<fieldset class="field"><legend>${t('console:field.categories')}</legend>${choices('categories', CATEGORIES, found.categories, (value) => t(`web:category.${value}`))}</fieldset>
<fieldset class="field"><legend>${t('console:field.indicators')}</legend>${choices('forced_labour_indicators', FORCED_LABOUR_INDICATORS, found.forced_labour_indicators, (value) => t(`console:indicator.${value}`))}</fieldset>
<div class="field"><label for="sector">${t('console:field.sector')}</label><select id="sector" name="sector"><option value="">—</option>${SECTORS.map((sector) => html`<option value="${sector}"${sector === found.sector ? html` selected` : ''}>${t(`web:sector.${sector}`)}</option>`)}</select></div>
<div class="field"><label for="destination_country">${t('console:field.country')}</label><select id="destination_country" name="destination_country"><option value="">—</option>${COUNTRIES.map((country) => html`<option value="${country}"${country === found.destination_country ? html` selected` : ''}>${t(`web:country.${country}`)}</option>`)}</select></div>
<div class="field"><label for="destination_province">${t('console:field.place')}</label><select id="destination_province" name="destination_province"><option value="">—</option>${PROVINCES.map((province) => html`<option value="${province.code}"${province.code === found.destination_province ? html` selected` : ''}>${province.name} (${province.code})</option>`)}</select></div>
<div class="field"><label for="origin_country">${t('console:field.origin_country')}</label><select id="origin_country" name="origin_country"><option value="">—</option>${COUNTRIES.map((country) => html`<option value="${country}"${country === found.origin_country ? html` selected` : ''}>${t(`web:country.${country}`)}</option>`)}</select></div>
<div class="field"><label for="amount_recovered">${t('console:field.amount')}</label><input id="amount_recovered" name="amount_recovered" type="text" inputmode="decimal" value="${found.amount_recovered ?? ''}"></div>
<div class="field"><label for="recovered_currency">${t('console:field.currency')}</label><select id="recovered_currency" name="recovered_currency"><option value="">—</option>${['THB', 'MYR', 'USD', 'MMK', 'KHR', 'LAK', 'VND'].map((currency) => html`<option value="${currency}"${currency === found.recovered_currency ? html` selected` : ''}>${currency}</option>`)}</select></div>
<div class="field"><label for="assigned_user_id">${t('console:update.assignee')}</label><select id="assigned_user_id" name="assigned_user_id"><option value="">—</option>${(options.colleagues ?? []).map((colleague) => html`<option value="${colleague.id}"${colleague.id === found.assigned_user_id ? html` selected` : ''}>${colleague.name}</option>`)}</select></div>
${formError(options.problem, 'update', [])}
<p><button type="submit">${t('console:update.save')}</button></p>
</form>
<script src="/assets/sms-segments.js" defer></script>
<script src="/assets/console.js" defer></script>`;
  return consolePage(context, t('console:case.title', { reference }), body);
}
