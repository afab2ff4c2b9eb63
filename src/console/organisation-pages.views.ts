import type { TFunction } from 'i18next';
import { ORGANISATION_KINDS } from '../cases/case.vocabulary';
import { html, type SafeHtml } from '../http/html';
import { REGION_TIME_ZONES } from '../orgs/time-zones';
import { COUNTRIES, provincesOf } from '../places/places';
import { adminShell, type AdminViewContext } from './admin.views';
import { fieldError, formError, messagesFor, type FormProblem } from './form-problem';
import type { OrganisationForm } from './organisations.schema';

// One form creates an organisation and edits it; the slug is asked only when creating, since
// rules, links and the CLI know an organisation by it.

export const ORGANISATION_FORM = 'organisation';
const FIELDS = ['slug', 'name', 'kind', 'country', 'city', 'time_zone', 'provinces', 'nationalities', 'is_active', 'discreet_by_default'] as const;

/** What the page shows: the values, the saved organisation when editing, and why it was refused. */
export interface OrganisationFormState {
  values: OrganisationForm;
  saved?: { id: string; slug: string };
  problem?: FormProblem | undefined;
}

function described(problem: FormProblem | undefined, field: string, hintId?: string): SafeHtml {
  const invalid = messagesFor(problem, ORGANISATION_FORM, field).length > 0;
  const ids = [hintId, invalid ? `${field}-error` : undefined].filter(Boolean).join(' ');
  return html`${ids ? html` aria-describedby="${ids}"` : ''}${invalid ? html` aria-invalid="true"` : ''}`;
}

function textField(t: TFunction, problem: FormProblem | undefined, name: 'slug' | 'name' | 'city' | 'time_zone', value: string, extra: { hint?: string; required?: boolean; list?: string } = {}): SafeHtml {
  const hintId = extra.hint ? `${name}-hint` : undefined;
  return html`<div class="field"><label for="${name}">${t(`console:admin.${name}`)}</label>
${extra.hint ? html`<p class="hint" id="${hintId}">${extra.hint}</p>` : ''}${fieldError(problem, ORGANISATION_FORM, name, `${name}-error`)}
<input id="${name}" name="${name}" type="text" value="${value}"${extra.list ? html` list="${extra.list}"` : ''}${extra.required ? html` required` : ''}${described(problem, name, hintId)}></div>`;
}

function select(t: TFunction, problem: FormProblem | undefined, name: 'kind' | 'country', value: string, options: { value: string; label: string }[]): SafeHtml {
  return html`<div class="field"><label for="${name}">${t(`console:admin.${name}`)}</label>${fieldError(problem, ORGANISATION_FORM, name, `${name}-error`)}
<select id="${name}" name="${name}"${described(problem, name)}>${options.map((option) => html`<option value="${option.value}"${option.value === value ? html` selected` : ''}>${option.label}</option>`)}</select></div>`;
}

function checkbox(name: string, id: string, value: string, checked: boolean, label: string): SafeHtml {
  return html`<label class="choice" for="${id}"><input type="checkbox" id="${id}" name="${name}" value="${value}"${checked ? html` checked` : ''}> ${label}</label>`;
}

function checkboxGroup(t: TFunction, problem: FormProblem | undefined, name: 'provinces' | 'nationalities', hint: string, boxes: SafeHtml[]): SafeHtml {
  return html`<fieldset class="field"${described(problem, name, `${name}-hint`)}><legend>${t(`console:admin.${name}`)}</legend>
<p class="hint" id="${name}-hint">${hint}</p>${fieldError(problem, ORGANISATION_FORM, name, `${name}-error`)}${boxes}</fieldset>`;
}

/** The page to create an organisation, or to edit a saved one. */
export function organisationFormPage(context: AdminViewContext, state: OrganisationFormState): string {
  const { t } = context;
  const { values, saved, problem } = state;
  const title = saved ? t('console:admin.edit_organisation', { name: values.name }) : t('console:admin.new_organisation');
  const countries = [...new Set<string>([...COUNTRIES, values.country])].map((code) => ({ value: code, label: t(`web:country.${code}`, { defaultValue: code }) }));
  const kinds = ORGANISATION_KINDS.map((kind) => ({ value: kind, label: t(`console:admin.kinds.${kind}`) }));
  const provinces = COUNTRIES.flatMap((country) =>
    provincesOf(country).map((province) => checkbox('provinces', `province-${province.code}`, province.code, values.provinces.includes(province.code), `${province.name} (${t(`web:country.${country}`)})`)),
  );
  const nationalities = COUNTRIES.map((code) => checkbox('nationalities', `nationality-${code}`, code, values.nationalities.includes(code), t(`web:country.${code}`)));
  return adminShell(context, title, html`<h1>${title}</h1>
${problem ? html`<div class="error-summary" role="alert"><h2>${t('errors:code.validation_failed')}</h2></div>` : ''}
<form method="post" action="${saved ? `/console/admin/organisations/${saved.id}` : '/console/admin/organisations/new'}" novalidate><input type="hidden" name="_csrf" value="${context.csrf}">
${saved ? html`<p>${t('console:admin.slug')}: <code>${saved.slug}</code></p>` : textField(t, problem, 'slug', values.slug, { hint: t('console:admin.slug_hint'), required: true })}
${textField(t, problem, 'name', values.name, { required: true })}
${select(t, problem, 'kind', values.kind, kinds)}
${select(t, problem, 'country', values.country, countries)}
${textField(t, problem, 'city', values.city)}
${textField(t, problem, 'time_zone', values.time_zone, { hint: t('console:admin.time_zone_hint'), list: 'time-zones' })}
<datalist id="time-zones">${REGION_TIME_ZONES.map((zone) => html`<option value="${zone}"></option>`)}</datalist>
${checkboxGroup(t, problem, 'provinces', t('console:admin.provinces_hint'), provinces)}
${checkboxGroup(t, problem, 'nationalities', t('console:admin.nationalities_hint'), nationalities)}
<fieldset class="field"><legend>${t('console:admin.settings')}</legend>
${checkbox('is_active', 'is_active', 'yes', values.is_active, t('console:admin.active'))}
${checkbox('discreet_by_default', 'discreet_by_default', 'yes', values.discreet_by_default, t('console:admin.discreet'))}</fieldset>
${formError(problem, ORGANISATION_FORM, FIELDS)}
<p><button type="submit">${saved ? t('console:update.save') : t('console:admin.create_organisation')}</button> <a href="/console/admin/organisations">${t('console:admin.back_to_organisations')}</a></p></form>`);
}
