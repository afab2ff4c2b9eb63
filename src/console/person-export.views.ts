import type { TFunction } from 'i18next';
import { LANGUAGES, type Language } from '../cases/case.vocabulary';
import { html, type SafeHtml } from '../http/html';
import { LANGUAGE_NAMES } from '../language/language-names';
import { isLanguage } from '../language/negotiation';
import { findProvince } from '../places/places';
import type {
  ExportedAttachment, ExportedCall, ExportedCase, ExportedEscalation, ExportedIdentity, ExportedMessage, ExportedNote, ExportedReferral,
  PersonExport,
} from '../people/person-export.service';
import { NOTES_LEFT_OUT_REASONS } from '../people/person-export.service';
import { consolePage, type ConsolePageContext } from './console-shell';

// The printable copy of a person's data, in the worker's language (the labels; what was written
// stays as written), for the worker or their lawyer; and the case page's form that makes one.
// No script: the browser's own Print command turns it into paper or a PDF. Dates are Gregorian
// whatever the language's default calendar (a Thai reader's court papers use either; one
// calendar for all copies avoids a 543-year mix-up), with the month written in the language.

/** What the copy is drawn with: the document's language, the maker's time zone and menu. */
export interface ExportDocumentContext {
  language: Language;
  /** The coordinator's organisation's time zone: the copy's times are read there. */
  timeZone: string;
  /** Fixed to the document's language. */
  t: TFunction;
  /** The console menu, in the coordinator's language (hidden on paper). */
  nav: SafeHtml;
  staffLanguage: Language;
}

/** Where the copy's links go: itself in another language, and its JSON. */
export interface ExportLinks {
  personId: string;
  /** The copy's choices as a query string (without `lang`), kept by every link. */
  query: string;
}

const FORMATS = new Map<string, { at: Intl.DateTimeFormat; zone: Intl.DateTimeFormat; size: Intl.NumberFormat }>();

function formatsOf(language: Language, timeZone: string) {
  const key = `${language} ${timeZone}`;
  const known = FORMATS.get(key);
  if (known) return known;
  // English in the day-month-year order the region writes ("2 Dec 2026"), not the American one.
  const locale = language === 'en' ? 'en-GB' : language;
  const made = {
    at: new Intl.DateTimeFormat(locale, { calendar: 'gregory', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone }),
    zone: new Intl.DateTimeFormat(locale, { timeZone, timeZoneName: 'long' }),
    size: new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }),
  };
  FORMATS.set(key, made);
  return made;
}

function when(context: ExportDocumentContext, date: Date | string | null): string {
  return date ? formatsOf(context.language, context.timeZone).at.format(new Date(date)) : '';
}

function zoneName(context: ExportDocumentContext, at: Date): string {
  return formatsOf(context.language, context.timeZone).zone.formatToParts(at).find((part) => part.type === 'timeZoneName')?.value ?? context.timeZone;
}

function sizeOf(context: ExportDocumentContext, bytes: number | null): string {
  if (bytes === null) return '';
  const { size } = formatsOf(context.language, context.timeZone);
  if (bytes < 1024) return `${size.format(bytes)} B`;
  if (bytes < 1024 * 1024) return `${size.format(bytes / 1024)} KB`;
  return `${size.format(bytes / (1024 * 1024))} MB`;
}

const ERASED = Symbol('erased');

/** A field's value, or the "erased" mark when its person's key is gone. */
function valueOf(erased: readonly string[], field: string, value: string | null): string | typeof ERASED | null {
  return erased.includes(field) ? ERASED : value;
}

function shown(context: ExportDocumentContext, value: string | typeof ERASED | null): SafeHtml | string {
  return value === ERASED ? html`<em class="erased">${context.t('export:erased')}</em>` : (value ?? '');
}

function row(label: string, value: SafeHtml | string | null | undefined): SafeHtml | '' {
  if (value === null || value === undefined || value === '') return '';
  return html`<dt>${label}</dt><dd>${value}</dd>`;
}

function languageName(code: string | null): string {
  return code && isLanguage(code) ? LANGUAGE_NAMES[code] : (code ?? '');
}

function placeOf(t: TFunction, province: string | null, country: string | null): string {
  const provinceName = province ? (findProvince(province)?.name ?? province) : null;
  const countryName = country ? t(`web:country.${country}`, { defaultValue: country }) : null;
  return [provinceName, countryName].filter(Boolean).join(', ');
}

function amountOf(context: ExportDocumentContext, found: ExportedCase): string | null {
  if (found.amount_recovered === null) return null;
  const amount = Number(found.amount_recovered);
  if (!Number.isFinite(amount) || !found.recovered_currency) return `${found.amount_recovered} ${found.recovered_currency ?? ''}`.trim();
  return new Intl.NumberFormat(context.language === 'en' ? 'en-GB' : context.language, { style: 'currency', currency: found.recovered_currency }).format(amount);
}

function header(context: ExportDocumentContext, copy: PersonExport, links: ExportLinks): SafeHtml {
  const { t } = context;
  const made = copy.export.generated_at;
  const base = `/console/people/${links.personId}/export`;
  const withQuery = (path: string, language?: Language) => {
    const query = [language ? `lang=${language}` : '', links.query].filter(Boolean).join('&');
    return query ? `${path}?${query}` : path;
  };
  const reason = copy.export.notes_left_out_reason;
  return html`<header class="export-header">
<h1>${t('export:title')}</h1>
<p>${t('export:about', { hotline: t('common:appName') })}</p>
<p>${t('export:made_by', { name: copy.export.generated_by.name, organisation: copy.export.generated_by.organisation, time: when(context, made) })} ${t('export:times', { zone: zoneName(context, made) })}</p>
<p>${reason === null ? t('export:notes_included') : t('export:notes_left_out', { reason: t(`export:notes_reason.${reason}`) })}</p>
${copy.person.erased_at ? html`<p class="notice">${t('export:erased_banner', { time: when(context, copy.person.erased_at) })}</p>` : ''}
<div class="screen-only print-note">
<p>${t('export:print_hint')} <a href="${withQuery(`${base}.json`)}">${t('export:json_link')}</a></p>
<p>${t('export:other_languages')} ${LANGUAGES.filter((language) => language !== context.language).map((language, index) => html`${index > 0 ? ' · ' : ''}<a href="${withQuery(base, language)}" lang="${language}">${LANGUAGE_NAMES[language]}</a>`)}</p>
</div>
</header>`;
}

function identitiesSection(context: ExportDocumentContext, copy: PersonExport): SafeHtml {
  const { t } = context;
  const state = (identity: ExportedIdentity) => {
    const parts = [identity.opted_out ? t('export:identities.opted_out', { time: when(context, identity.opted_out_at) }) : t('export:identities.active')];
    if (identity.discreet) parts.push(t('export:identities.discreet'));
    return parts.join(' · ');
  };
  return html`<section aria-labelledby="identities-heading">
<h2 id="identities-heading">${t('export:identities.heading')}</h2>
${copy.identities.length === 0 ? html`<p>${t('export:none')}</p>` : html`<table class="export-table">
<thead><tr><th scope="col">${t('export:identities.channel')}</th><th scope="col">${t('export:identities.address')}</th><th scope="col">${t('export:identities.language')}</th><th scope="col">${t('export:identities.first')}</th><th scope="col">${t('export:identities.last')}</th><th scope="col">${t('export:identities.state')}</th></tr></thead>
<tbody>${copy.identities.map((identity) => html`<tr><td>${t(`console:channel.${identity.channel}`, { defaultValue: identity.channel })}</td><td class="address">${shown(context, valueOf(identity.erased, 'address', identity.address))}</td><td>${languageName(identity.language)}</td><td>${when(context, identity.first_seen_at)}</td><td>${when(context, identity.last_message_at)}</td><td>${state(identity)}</td></tr>`)}</tbody>
</table>`}
${copy.person.languages.length === 0 ? '' : html`<p><strong>${t('export:languages')}:</strong> ${copy.person.languages.map(languageName).join(', ')}</p>`}
</section>`;
}

function factsOf(context: ExportDocumentContext, found: ExportedCase): SafeHtml {
  const { t } = context;
  const text = (field: string, value: string | null) => shown(context, valueOf(found.erased, field, value));
  return html`<dl class="facts">
${row(t('export:case.reported'), when(context, found.created_at))}
${row(t('export:case.reported_by'), t(`console:channel.${found.channel}`, { defaultValue: found.channel }))}
${row(t('export:case.updated'), when(context, found.updated_at))}
${row(t('export:case.resolved'), when(context, found.resolved_at))}
${row(t('export:case.status'), t(`console:status.${found.status}`, { defaultValue: found.status }))}
${row(t('export:case.urgency'), t(`console:urgency.${found.urgency}`, { defaultValue: found.urgency }))}
${row(t('export:case.problems'), found.categories.map((category) => t(`web:category.${category}`, { defaultValue: category })).join(', '))}
${row(t('export:case.indicators'), found.forced_labour_indicators.map((indicator) => t(`console:indicator.${indicator}`, { defaultValue: indicator })).join(', '))}
${row(t('export:case.sector'), found.sector ? t(`web:sector.${found.sector}`, { defaultValue: found.sector }) : null)}
${row(t('export:case.workplace'), placeOf(t, found.destination_province, found.destination_country))}
${row(t('export:case.origin'), placeOf(t, found.origin_province, found.origin_country))}
${row(t('export:case.gender'), found.gender ? t(`web:gender.${found.gender}`, { defaultValue: found.gender }) : null)}
${row(t('export:case.age'), found.age_band ? t(`web:age.${found.age_band}`, { defaultValue: found.age_band }) : null)}
${row(t('export:case.workers'), String(found.workers_affected))}
${row(t('export:case.employer'), text('employer', found.employer))}
${row(t('export:case.location'), text('location_as_written', found.location_as_written))}
${row(t('export:case.organisation'), found.organisation)}
${row(t('export:case.outcome'), found.outcome ? t(`console:outcome.${found.outcome}`, { defaultValue: found.outcome }) : null)}
${row(t('export:case.amount'), amountOf(context, found))}
</dl>`;
}

function consentPart(context: ExportDocumentContext, found: ExportedCase): SafeHtml | '' {
  const { t } = context;
  const consent = found.consent;
  if (!consent) return '';
  const how = consent.source ? t(`console:consent.source.${consent.source}`, { defaultValue: consent.source }) : '';
  const wording = valueOf(found.erased, 'consent.wording', consent.wording);
  return html`<h3>${t('export:consent.heading')}</h3>
<p>${consent.given ? t('export:consent.yes') : t('export:consent.no')}${consent.at ? html` ${t('export:consent.when', { time: when(context, consent.at), how })}` : ''}</p>
${wording ? html`<dl class="facts">${row(t('export:consent.wording'), shown(context, wording))}</dl>` : ''}`;
}

function messagesPart(context: ExportDocumentContext, messages: readonly ExportedMessage[]): SafeHtml | '' {
  const { t } = context;
  if (messages.length === 0) return '';
  return html`<h3>${t('export:messages.heading')}</h3>
<ol class="export-messages">${messages.map((message) => {
    const body = valueOf(message.erased, 'body', message.body);
    const event = message.event ? t(`export:messages.event.${message.event}`, { defaultValue: message.event }) : '';
    return html`<li class="${message.direction}"><p class="meta">${when(context, message.at)} · ${message.direction === 'in' ? t('export:messages.from_you') : t('export:messages.from_us')} · ${t(`console:channel.${message.channel}`, { defaultValue: message.channel })}</p>
${event ? html`<p class="event">${event}</p>` : ''}${body ? html`<p class="body">${shown(context, body)}</p>` : ''}${message.body_as_received ? html`<p class="as-received"><span>${t('export:messages.as_received')}:</span> ${message.body_as_received}</p>` : ''}</li>`;
  })}</ol>`;
}

function filesPart(context: ExportDocumentContext, attachments: readonly ExportedAttachment[]): SafeHtml | '' {
  const { t } = context;
  if (attachments.length === 0) return '';
  return html`<h3>${t('export:files.heading')}</h3>
<table class="export-table">
<thead><tr><th scope="col">${t('export:files.kind')}</th><th scope="col">${t('export:files.type')}</th><th scope="col">${t('export:files.size')}</th><th scope="col">${t('export:files.date')}</th><th scope="col">${t('export:files.state')}</th></tr></thead>
<tbody>${attachments.map((file) => html`<tr><td>${t(`console:attachment.kind.${file.kind ?? 'unknown'}`, { defaultValue: file.kind ?? '' })}${file.download ? html` <a class="screen-only" href="${file.download.console}">${t('export:files.download')}</a>` : ''}</td><td>${file.content_type ?? ''}</td><td>${sizeOf(context, file.size_bytes)}</td><td>${when(context, file.created_at)}</td><td>${t(`export:files.status.${file.status}`, { defaultValue: file.status })}</td></tr>`)}</tbody>
</table>`;
}

function callsPart(context: ExportDocumentContext, calls: readonly ExportedCall[]): SafeHtml | '' {
  const { t } = context;
  if (calls.length === 0) return '';
  const yesNo = (value: boolean | null) => (value === null ? '' : t(value ? 'export:yes' : 'export:no'));
  return html`<h3>${t('export:calls.heading')}</h3>
<table class="export-table">
<thead><tr><th scope="col">${t('export:calls.at')}</th><th scope="col">${t('export:calls.language')}</th><th scope="col">${t('export:calls.problem')}</th><th scope="col">${t('export:calls.callback')}</th><th scope="col">${t('export:calls.safe_time')}</th></tr></thead>
<tbody>${calls.map((call) => html`<tr><td>${when(context, call.started_at)}</td><td>${languageName(call.language)}</td><td>${call.category ? t(`web:category.${call.category}`, { defaultValue: call.category }) : ''}</td><td>${yesNo(call.wants_callback)}</td><td>${call.safe_time ? t(`console:callbacks.safe_time.${call.safe_time}`, { defaultValue: call.safe_time }) : ''}</td></tr>`)}</tbody>
</table>`;
}

function referralsPart(context: ExportDocumentContext, referrals: readonly ExportedReferral[]): SafeHtml | '' {
  const { t } = context;
  if (referrals.length === 0) return '';
  return html`<h3>${t('export:referrals.heading')}</h3>
<ul class="export-list">${referrals.map((referral) => html`<li><dl class="facts">
${row(t('export:referrals.to'), referral.to)}
${row(t('export:referrals.from'), referral.from ?? t('export:referrals.by_rules'))}
${row(t('export:referrals.date'), when(context, referral.created_at))}
${row(t('export:referrals.status'), `${t(`console:referral.status.${referral.status}`, { defaultValue: referral.status })}${referral.responded_at ? ` · ${when(context, referral.responded_at)}` : ''}`)}
${row(t('export:referrals.reason'), shown(context, valueOf(referral.erased, 'reason', referral.reason)))}
${row(t('export:referrals.decline_reason'), shown(context, valueOf(referral.erased, 'decline_reason', referral.decline_reason)))}
</dl></li>`)}</ul>`;
}

function escalationsPart(context: ExportDocumentContext, escalations: readonly ExportedEscalation[]): SafeHtml | '' {
  const { t } = context;
  if (escalations.length === 0) return '';
  return html`<h3>${t('export:escalations.heading')}</h3>
<ul class="export-list">${escalations.map((escalation) => html`<li><dl class="facts">
${row(t('export:escalations.embassy'), escalation.embassy)}
${row(t('export:escalations.date'), when(context, escalation.created_at))}
${row(t('export:escalations.status'), t(`console:escalation.status.${escalation.status}`, { defaultValue: escalation.status }))}
${row(t('export:escalations.reason'), shown(context, valueOf(escalation.erased, 'reason', escalation.reason)))}
${row(t('export:escalations.outcome'), shown(context, valueOf(escalation.erased, 'outcome', escalation.outcome)))}
</dl></li>`)}</ul>`;
}

function notesPart(context: ExportDocumentContext, notes: readonly ExportedNote[] | null): SafeHtml | '' {
  const { t } = context;
  if (notes === null || notes.length === 0) return '';
  return html`<h3>${t('export:notes.heading')}</h3>
<ol class="export-messages">${notes.map((note) => html`<li class="note"><p class="meta">${when(context, note.at)} · ${note.visibility === 'partners' ? t('export:notes.shared', { organisation: note.organisation }) : t('export:notes.organisation_only', { organisation: note.organisation })}</p>
<p class="body">${shown(context, valueOf(note.erased, 'body', note.body))}</p></li>`)}</ol>`;
}

function caseSection(context: ExportDocumentContext, found: ExportedCase): SafeHtml {
  const { t } = context;
  const story = valueOf(found.erased, 'summary', found.summary);
  const id = `case-${found.reference}`;
  return html`<section class="export-case" aria-labelledby="${id}">
<h2 id="${id}">${t('export:case.heading', { reference: found.reference })}</h2>
${found.personal_data_erased_at ? html`<p class="notice">${t('export:case_erased', { time: when(context, found.personal_data_erased_at) })}</p>` : ''}
${factsOf(context, found)}
${story ? html`<h3>${t('export:case.story')}</h3><blockquote class="reply">${shown(context, story)}</blockquote>` : ''}
${consentPart(context, found)}
${messagesPart(context, found.messages)}
${filesPart(context, found.attachments)}
${callsPart(context, found.calls)}
${referralsPart(context, found.referrals)}
${escalationsPart(context, found.escalations)}
${notesPart(context, found.notes)}
</section>`;
}

function outsideSection(context: ExportDocumentContext, copy: PersonExport): SafeHtml | '' {
  const outside = copy.outside_cases;
  if (outside.messages.length + outside.attachments.length + outside.calls.length === 0) return '';
  return html`<section class="export-case" aria-labelledby="outside-heading">
<h2 id="outside-heading">${context.t('export:outside.heading')}</h2>
${messagesPart(context, outside.messages)}
${filesPart(context, outside.attachments)}
${callsPart(context, outside.calls)}
</section>`;
}

/** The printable copy of a person's data, in the copy's language. */
export function personExportPage(context: ExportDocumentContext, copy: PersonExport, links: ExportLinks): string {
  const body = html`<article class="person-export">
${header(context, copy, links)}
${identitiesSection(context, copy)}
${copy.cases.map((found) => caseSection(context, found))}
${outsideSection(context, copy)}
</article>`;
  return consolePage({ language: context.language, t: context.t, nav: html`<div lang="${context.staffLanguage}">${context.nav}</div>` }, context.t('export:title'), body);
}

/** The case page's form (coordinators): make a copy of this case's worker's data. */
export function personExportForm(context: Pick<ConsolePageContext, 't'>, reference: string): SafeHtml {
  const { t } = context;
  return html`<h3 id="export-heading">${t('export:form.heading')}</h3>
<form method="get" action="/console/cases/${reference}/export" class="person-export-form" aria-labelledby="export-heading">
<p class="hint">${t('export:form.hint')}</p>
<div class="field"><label for="export-lang">${t('export:form.language')}</label>
<select id="export-lang" name="lang"><option value="">${t('export:form.worker_language')}</option>
${LANGUAGES.map((language) => html`<option value="${language}" lang="${language}">${LANGUAGE_NAMES[language]}</option>`)}</select></div>
<fieldset class="field"><legend>${t('export:form.format')}</legend>
<label class="choice"><input type="radio" name="format" value="html" checked> ${t('export:form.page')}</label>
<label class="choice"><input type="radio" name="format" value="json"> ${t('export:form.json')}</label></fieldset>
<label class="choice"><input type="checkbox" name="notes" value="leave_out"> ${t('export:form.leave_out_notes')}</label>
<div class="field"><label for="export-notes-reason">${t('export:form.reason')}</label>
<select id="export-notes-reason" name="notes_reason"><option value="">${t('export:form.choose')}</option>
${NOTES_LEFT_OUT_REASONS.map((reason) => html`<option value="${reason}">${t(`export:notes_reason.${reason}`)}</option>`)}</select></div>
<p><button type="submit">${t('export:form.submit')}</button></p>
</form>`;
}
