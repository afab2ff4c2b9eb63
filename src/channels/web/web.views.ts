import type { TFunction } from 'i18next';
import { AGE_BANDS, CATEGORIES, GENDERS, LANGUAGES, SECTORS, type Language } from '../../cases/case.vocabulary';
import { html, type SafeHtml } from '../../http/html';
import { page } from '../../http/layout';
import { LANGUAGE_NAMES, LANGUAGE_TAGS } from '../../language/language-names';
import { PROVINCES } from '../../places/places';
import { erasureConfirmBody, erasureRequestedBody, erasureSection } from './web-erasure.views';

// The worker-facing pages: plain HTML forms that work without JavaScript on a cheap phone, in
// the worker's language, each well under 30 KB.

export interface ViewContext {
  language: Language;
  t: TFunction;
  csrf: string;
}

type FieldErrors = Record<string, { reason: string; params?: Record<string, number> }>;

/** The files kept with a report or an addition, and the ones refused with the reason's code. */
export interface FilesReceived {
  received: number;
  refused: { name: string; reason: string }[];
}

// What a file input may choose; the server checks the bytes whatever the browser allowed.
const ACCEPTED_FILES = 'image/jpeg,image/png,image/webp,image/heic,application/pdf,audio/*';
const REFUSAL_REASONS = new Set(['unsupported_type', 'heic_unsupported', 'too_many_pixels', 'unreadable_image', 'too_large']);
type Values = Record<string, string | string[] | undefined>;

const COUNTRY_CHOICES = ['TH', 'MY', 'MM', 'KH', 'LA', 'VN', 'other'] as const;
const NATIONALITY_CHOICES = ['MM', 'KH', 'LA', 'VN', 'TH', 'MY', 'other'] as const;
// Leaving quickly goes to an ordinary page; noreferrer keeps our address out of its logs.
const LEAVE_URL = 'https://www.google.com/search?q=weather';

function chrome(context: ViewContext, title: string, body: SafeHtml, path: string, noIndex = false): string {
  const { t, language } = context;
  return page({
    language,
    title: `${title} · ${t('web:home.title')}`,
    noIndex,
    body: html`<p class="leave"><a href="${LEAVE_URL}" rel="noreferrer">${t('web:leave')}</a></p>
<nav class="languages" aria-label="${t('common:language')}"><ul>${LANGUAGES.map((code) =>
      code === language
        ? html`<li><span lang="${LANGUAGE_TAGS[code]}" aria-current="true">${LANGUAGE_NAMES[code]}</span></li>`
        : html`<li><a href="${path}?lang=${code}" lang="${LANGUAGE_TAGS[code]}" hreflang="${LANGUAGE_TAGS[code]}">${LANGUAGE_NAMES[code]}</a></li>`,
    )}</ul></nav>
${body}`,
  });
}

/** `GET /`: the hotline in one sentence and a choice of language. */
export function homePage(context: ViewContext): string {
  const { t, language } = context;
  return chrome(
    context,
    t('web:home.title'),
    html`<h1>${t('web:home.title')}</h1>
<p class="lead">${t('web:home.lead')}</p>
<p class="actions"><a class="button" href="/report?lang=${language}">${t('web:home.report')}</a>
<a class="button secondary" href="/status?lang=${language}">${t('web:home.status')}</a></p>
<p>${t('web:home.sms')}</p>`,
    '/',
  );
}

function errorFor(context: ViewContext, errors: FieldErrors, field: string): SafeHtml | '' {
  const error = errors[field];
  if (!error) return '';
  const message = context.t(`web:field.${error.reason}`, {
    defaultValue: context.t(`errors:field.${error.reason}`, { defaultValue: context.t('errors:field.invalid'), ...error.params }),
    ...error.params,
  });
  return html`<p class="field-error" id="${field}-error">${message}</p>`;
}

const described = (errors: FieldErrors, field: string, hint?: string) =>
  [hint, errors[field] ? `${field}-error` : undefined].filter(Boolean).join(' ') || undefined;

function value(values: Values, field: string): string {
  const raw = values[field];
  return typeof raw === 'string' ? raw : '';
}

function select(context: ViewContext, values: Values, errors: FieldErrors, field: string, label: string, options: readonly string[], labelOf: (option: string) => string, optional = true): SafeHtml {
  const { t } = context;
  const current = value(values, field);
  return html`<div class="field${errors[field] ? ' has-error' : ''}">
<label for="${field}">${label}${optional ? html` <span class="optional">(${t('web:report.optional')})</span>` : ''}</label>
${errorFor(context, errors, field)}
<select id="${field}" name="${field}"${described(errors, field) ? html` aria-describedby="${described(errors, field)}"` : ''}>
<option value="">${t('web:report.choose')}</option>
${options.map((option) => html`<option value="${option}"${option === current ? html` selected` : ''}>${labelOf(option)}</option>`)}
</select></div>`;
}

function radios(context: ViewContext, values: Values, errors: FieldErrors, field: string, legend: string, options: readonly { value: string; label: string }[], extra: SafeHtml | '' = ''): SafeHtml {
  const current = value(values, field);
  return html`<fieldset class="field${errors[field] ? ' has-error' : ''}"${errors[field] ? html` aria-describedby="${field}-error"` : ''}>
<legend>${legend}</legend>${extra}
${errorFor(context, errors, field)}
${options.map((option) => html`<label class="choice"><input type="radio" name="${field}" value="${option.value}"${option.value === current ? html` checked` : ''}> ${option.label}</label>`)}
</fieldset>`;
}

/** `GET|POST /report`: the report form, with what the worker typed and any errors beside their fields. */
export function reportPage(context: ViewContext, values: Values = {}, errors: FieldErrors = {}): string {
  const { t, language } = context;
  const chosen = new Set(Array.isArray(values['categories']) ? values['categories'] : values['categories'] ? [values['categories']] : []);
  const hasErrors = Object.keys(errors).length > 0;
  const body = html`<h1>${t('web:report.title')}</h1>
<p>${t('web:report.intro')}</p>
${hasErrors ? html`<div class="error-summary" role="alert"><p>${t('web:report.errors_title')}</p><ul>${Object.keys(errors).map((field) => html`<li><a href="#${field}">${labelOfField(context, field)}</a></li>`)}</ul></div>` : ''}
<form method="post" action="/report?lang=${language}" accept-charset="utf-8" enctype="multipart/form-data" novalidate>
<input type="hidden" name="_csrf" value="${context.csrf}">
<div class="field${errors['story'] ? ' has-error' : ''}">
<label for="story">${t('web:report.story')}</label>
<p class="hint" id="story-hint">${t('web:report.story_hint')}</p>
${errorFor(context, errors, 'story')}
<textarea id="story" name="story" rows="6" maxlength="5000" required aria-describedby="${described(errors, 'story', 'story-hint')}">${value(values, 'story')}</textarea>
</div>
<fieldset class="field${errors['categories'] ? ' has-error' : ''}">
<legend>${t('web:report.categories')} <span class="optional">(${t('web:report.optional')})</span></legend>
${errorFor(context, errors, 'categories')}
${CATEGORIES.map((category) => html`<label class="choice"><input type="checkbox" name="categories" value="${category}"${chosen.has(category) ? html` checked` : ''}> ${t(`web:category.${category}`)}</label>`)}
</fieldset>
${select(context, values, errors, 'sector', t('web:report.sector'), SECTORS, (sector) => t(`web:sector.${sector}`))}
<fieldset class="field">
<legend>${t('web:report.where')} <span class="optional">(${t('web:report.optional')})</span></legend>
${select(context, values, errors, 'country', t('web:report.country'), COUNTRY_CHOICES, (country) => t(`web:country.${country}`), false)}
<div class="field${errors['province'] ? ' has-error' : ''}">
<label for="province">${t('web:report.province')}</label>
<p class="hint" id="province-hint">${t('web:report.province_hint')}</p>
${errorFor(context, errors, 'province')}
<input id="province" name="province" type="text" maxlength="200" list="places" autocomplete="off" value="${value(values, 'province')}" aria-describedby="${described(errors, 'province', 'province-hint')}">
<datalist id="places">${PROVINCES.filter((province) => province.country === 'TH' || province.country === 'MY').map((province) => html`<option value="${province.name}"></option>`)}</datalist>
</div>
</fieldset>
${select(context, values, errors, 'nationality', t('web:report.nationality'), NATIONALITY_CHOICES, (country) => t(`web:country.${country}`))}
${select(context, values, errors, 'gender', t('web:report.gender'), GENDERS, (gender) => t(`web:gender.${gender}`))}
${select(context, values, errors, 'age_band', t('web:report.age'), AGE_BANDS, (band) => t(`web:age.${band}`))}
<div class="field${errors['workers'] ? ' has-error' : ''}">
<label for="workers">${t('web:report.workers')} <span class="optional">(${t('web:report.optional')})</span></label>
${errorFor(context, errors, 'workers')}
<input id="workers" name="workers" type="number" inputmode="numeric" min="1" max="10000" value="${value(values, 'workers')}"${errors['workers'] ? html` aria-describedby="workers-error"` : ''}>
</div>
${radios(context, { ...values, contact: value(values, 'contact') || 'none' }, errors, 'contact', t('web:report.contact'), [
    { value: 'none', label: t('web:report.contact_none') },
    { value: 'sms', label: t('web:report.contact_sms') },
    { value: 'whatsapp', label: t('web:report.contact_whatsapp') },
  ])}
<div class="field${errors['phone'] ? ' has-error' : ''}">
<label for="phone">${t('web:report.phone')} <span class="optional">(${t('web:report.optional')})</span></label>
<p class="hint" id="phone-hint">${t('web:report.phone_hint')}</p>
${errorFor(context, errors, 'phone')}
<input id="phone" name="phone" type="tel" inputmode="tel" autocomplete="tel" maxlength="40" value="${value(values, 'phone')}" aria-describedby="${described(errors, 'phone', 'phone-hint')}">
</div>
<div class="field${errors['employer'] ? ' has-error' : ''}">
<label for="employer">${t('web:report.employer')} <span class="optional">(${t('web:report.optional')})</span></label>
${errorFor(context, errors, 'employer')}
<input id="employer" name="employer" type="text" maxlength="200" autocomplete="off" value="${value(values, 'employer')}"${errors['employer'] ? html` aria-describedby="employer-error"` : ''}>
</div>
${radios(context, values, errors, 'consent', t('web:report.consent_legend'), [
    { value: 'yes', label: t('web:report.consent_yes') },
    { value: 'no', label: t('web:report.consent_no') },
  ], html`<p class="hint">${t('web:report.consent_text')}</p>`)}
<div class="trap" aria-hidden="true"><label for="website">${t('web:report.website')}</label><input id="website" name="website" type="text" tabindex="-1" autocomplete="off"></div>
${fileField(context, errors)}
<p><button type="submit">${t('web:report.submit')}</button></p>
</form>`;
  return chrome(context, t('web:report.title'), body, '/report');
}

/**
 * The file input: last in its form, so that a browser sends every text field (the CSRF token
 * first) before any file.
 */
function fileField(context: ViewContext, errors: FieldErrors): SafeHtml {
  const { t } = context;
  return html`<div class="field${errors['files'] ? ' has-error' : ''}">
<label for="files">${t('web:files.label')} <span class="optional">(${t('web:report.optional')})</span></label>
<p class="hint" id="files-hint">${t('web:files.hint')}</p>
${errorFor(context, errors, 'files')}
<input id="files" name="files" type="file" multiple accept="${ACCEPTED_FILES}" aria-describedby="${described(errors, 'files', 'files-hint')}">
</div>`;
}

/** A file's name as the worker's phone gave it, shortened, without control or direction-override characters. */
function shownName(name: string): string {
  const clean = name.replace(/[\p{Cc}\u202a-\u202e\u2066-\u2069]/gu, '').trim();
  return clean.length > 80 ? `${clean.slice(0, 77)}…` : clean || '?';
}

/** How many files were kept, and each refused one with why, in the worker's language. */
function filesNotice(context: ViewContext, files: FilesReceived | undefined): SafeHtml | '' {
  if (!files) return '';
  const { t } = context;
  return html`<p class="notice files-received" role="status">${t('web:files.received', { count: files.received })}</p>
${files.refused.length > 0 ? html`<div class="files-refused" role="alert"><p>${t('web:files.refused_title')}</p><ul>${files.refused.map((file) => html`<li><span class="file-name">${shownName(file.name)}</span>: ${t(`web:files.refused.${REFUSAL_REASONS.has(file.reason) ? file.reason : 'other'}`)}</li>`)}</ul></div>` : ''}`;
}

function labelOfField(context: ViewContext, field: string): string {
  const labels: Record<string, string> = {
    story: 'web:report.story', categories: 'web:report.categories', sector: 'web:report.sector', country: 'web:report.country',
    province: 'web:report.province', nationality: 'web:report.nationality', gender: 'web:report.gender', age_band: 'web:report.age',
    workers: 'web:report.workers', contact: 'web:report.contact', phone: 'web:report.phone', employer: 'web:report.employer',
    consent: 'web:report.consent_legend', reference: 'web:status.reference', pin: 'web:status.pin', addition: 'web:status.add',
    files: 'web:files.label',
  };
  return context.t(labels[field] ?? 'web:report.errors_title');
}

/** The page after a report: the reference and the PIN, shown once. */
export function reportDonePage(context: ViewContext, reference: string, pin: string, files?: FilesReceived): string {
  const { t, language } = context;
  return chrome(
    context,
    t('web:done.title'),
    html`<h1>${t('web:done.title')}</h1>
${filesNotice(context, files && (files.received > 0 || files.refused.length > 0) ? files : undefined)}
<dl class="credentials"><dt>${t('web:done.reference')}</dt><dd class="reference">${reference}</dd>
<dt>${t('web:done.pin')}</dt><dd class="pin">${pin}</dd></dl>
<p class="notice">${t('web:done.write_down')}</p>
<p>${t('web:done.next')}</p>
<p>${t('web:done.safety')}</p>
<p><a class="button" href="/status?lang=${language}">${t('web:done.check')}</a></p>`,
    '/report',
    true,
  );
}

/** `GET|POST /status`: the form for a reference and PIN, with a message when they did not open a case. */
export function statusFormPage(context: ViewContext, values: Values = {}, errors: FieldErrors = {}, notice?: string): string {
  const { t, language } = context;
  return chrome(
    context,
    t('web:status.title'),
    html`<h1>${t('web:status.title')}</h1>
${notice ? html`<p class="error-summary" role="alert">${notice}</p>` : ''}
<form method="post" action="/status?lang=${language}" accept-charset="utf-8" novalidate>
<input type="hidden" name="_csrf" value="${context.csrf}">
<div class="field${errors['reference'] ? ' has-error' : ''}">
<label for="reference">${t('web:status.reference')}</label>
${errorFor(context, errors, 'reference')}
<input id="reference" name="reference" type="text" autocomplete="off" autocapitalize="characters" maxlength="20" value="${value(values, 'reference')}"${errors['reference'] ? html` aria-describedby="reference-error"` : ''}>
</div>
<div class="field${errors['pin'] ? ' has-error' : ''}">
<label for="pin">${t('web:status.pin')}</label>
${errorFor(context, errors, 'pin')}
<input id="pin" name="pin" type="password" inputmode="numeric" autocomplete="off" maxlength="12"${errors['pin'] ? html` aria-describedby="pin-error"` : ''}>
</div>
<p><button type="submit">${t('web:status.submit')}</button></p>
</form>`,
    '/status',
    true,
  );
}

/** The status of a case, its latest caseworker message, and a box to add information. */
export function statusResultPage(
  context: ViewContext,
  view: {
    reference: string; pin: string; status: string; latestReply: string | null; added: boolean; consentGiven: boolean | null; consentSaved: boolean;
    /** The worker's erasure request still open, if any. */
    erasure: { requestedAt: Date; dueAt: Date | null } | null;
    /** With none open, the worker's latest own request that was refused. */
    refusedErasure: { requestedAt: Date; reason: string } | null;
    /** The files just sent, when there were any. */
    files?: FilesReceived;
    /** What the worker wrote, shown back when the addition was refused. */
    addition?: string;
    errors?: FieldErrors;
  },
): string {
  const errors = view.errors ?? {};
  const { t, language } = context;
  const hidden = html`<input type="hidden" name="_csrf" value="${context.csrf}">
<input type="hidden" name="reference" value="${view.reference}">
<input type="hidden" name="pin" value="${view.pin}">`;
  const consentNow = view.consentGiven === null ? 'consent_now_unknown' : view.consentGiven ? 'consent_now_yes' : 'consent_now_no';
  return chrome(
    context,
    t('web:status.title'),
    html`<h1>${t('web:status.title')}: ${view.reference}</h1>
${view.added ? html`<p class="notice" role="status">${t('web:status.added')}</p>` : ''}
${filesNotice(context, view.files)}
${view.consentSaved ? html`<p class="notice" role="status">${t('web:status.consent_saved')}</p>` : ''}
<h2>${t('web:status.current')}</h2>
<p class="status">${t(`web:status.word.${view.status}`)}</p>
<h2>${t('web:status.latest')}</h2>
${view.latestReply ? html`<blockquote class="reply">${view.latestReply}</blockquote>` : html`<p>${t('web:status.none_yet')}</p>`}
<form method="post" action="/status?lang=${language}" accept-charset="utf-8" enctype="multipart/form-data" novalidate>
${hidden}
<div class="field">
<label for="addition">${t('web:status.add')}</label>
<p class="hint" id="addition-hint">${t('web:status.add_hint')}</p>
<textarea id="addition" name="addition" rows="4" maxlength="5000" aria-describedby="addition-hint">${view.addition ?? ''}</textarea>
</div>
${fileField(context, errors)}
<p><button type="submit">${t('web:status.add_submit')}</button></p>
</form>
<h2 id="consent-heading">${t('web:status.consent_title')}</h2>
<p class="consent-now">${t(`web:status.${consentNow}`)}</p>
<form method="post" action="/status?lang=${language}" accept-charset="utf-8" novalidate aria-labelledby="consent-heading">
${hidden}
${radios(context, { consent: view.consentGiven === null ? '' : view.consentGiven ? 'yes' : 'no' }, {}, 'consent', t('web:report.consent_legend'), [
    { value: 'yes', label: t('web:report.consent_yes') },
    { value: 'no', label: t('web:report.consent_no') },
  ], html`<p class="hint">${t('web:report.consent_text')}</p>`)}
<p><button type="submit" class="secondary">${t('web:status.consent_change')}</button></p>
</form>
${erasureSection(context, { reference: view.reference, pin: view.pin, erasure: view.erasure, refusedErasure: view.refusedErasure })}`,
    '/status',
    true,
  );
}

/** `POST /status` with "Delete my information": what it means, and the button that asks for it. */
export function erasureConfirmPage(context: ViewContext, view: { reference: string; pin: string }): string {
  return chrome(context, context.t('web:erasure.confirm_title'), erasureConfirmBody(context, view), '/status', true);
}

/** The answer to a worker's erasure request, in their language: by when, and what happens. */
export function erasureRequestedPage(context: ViewContext, view: { reference: string; dueAt: Date | null; already: boolean }): string {
  return chrome(context, context.t('web:erasure.done_title'), erasureRequestedBody(context, view), '/status', true);
}
