import { CASE_STATUSES, CATEGORIES, FORCED_LABOUR_INDICATORS, OUTCOMES, SECTORS, URGENCIES } from '../cases/case.vocabulary';
import type { CaseDetail } from '../cases/case-view';
import { html, type SafeHtml } from '../http/html';
import { PROVINCES } from '../places/places';
import { choices, COUNTRIES } from './choices.views';
import type { ConsolePageContext } from './console-shell';
import { formError, type FormProblem } from './form-problem';

// The case page's triage form: status, urgency, outcome, problems, places, amount and who holds
// the case. Selects sit two to a row on a desk screen (CSS), one under another on a phone.

const CURRENCIES = ['THB', 'MYR', 'USD', 'MMK', 'KHR', 'LAK', 'VND'] as const;

/** What the triage form needs besides the case. */
export interface TriageFormOptions {
  colleagues: readonly { id: string; name: string }[];
  problem: FormProblem | undefined;
  /** The version of the case drawn, sent back to detect a change made meanwhile. */
  version: string | undefined;
}

function select(id: string, label: string, options: readonly { value: string; text: string }[], chosen: string | null, empty = true): SafeHtml {
  return html`<div class="field"><label for="${id}">${label}</label><select id="${id}" name="${id}">${empty ? html`<option value="">—</option>` : ''}${options.map((option) => html`<option value="${option.value}"${option.value === chosen ? html` selected` : ''}>${option.text}</option>`)}</select></div>`;
}

/** The form that changes a case's triage and outcome. */
export function triageForm(context: ConsolePageContext, found: CaseDetail, options: TriageFormOptions): SafeHtml {
  const { t } = context;
  const countries = COUNTRIES.map((country) => ({ value: country, text: t(`web:country.${country}`) }));
  return html`<section class="triage" aria-labelledby="update-heading">
<h2 id="update-heading">${t('console:update.title')}</h2>
<form method="post" action="/console/cases/${found.reference}" aria-labelledby="update-heading">
<input type="hidden" name="_csrf" value="${context.csrf}">
${options.version === undefined ? '' : html`<input type="hidden" name="version" value="${options.version}">`}
<div class="field-grid">
${select('status', t('console:field.status'), CASE_STATUSES.map((status) => ({ value: status, text: t(`console:status.${status}`) })), found.status, false)}
${select('urgency', t('console:field.urgency'), URGENCIES.map((urgency) => ({ value: urgency, text: t(`console:urgency.${urgency}`) })), found.urgency, false)}
${select('outcome', t('console:field.outcome'), OUTCOMES.map((outcome) => ({ value: outcome, text: t(`console:outcome.${outcome}`) })), found.outcome)}
${select('assigned_user_id', t('console:update.assignee'), options.colleagues.map((colleague) => ({ value: colleague.id, text: colleague.name })), found.assigned_user_id)}
${select('sector', t('console:field.sector'), SECTORS.map((sector) => ({ value: sector, text: t(`web:sector.${sector}`) })), found.sector)}
${select('destination_country', t('console:field.country'), countries, found.destination_country)}
${select('destination_province', t('console:field.place'), PROVINCES.map((province) => ({ value: province.code, text: `${province.name} (${province.code})` })), found.destination_province)}
${select('origin_country', t('console:field.origin_country'), countries, found.origin_country)}
<div class="field"><label for="amount_recovered">${t('console:field.amount')}</label><input id="amount_recovered" name="amount_recovered" type="text" inputmode="decimal" value="${found.amount_recovered ?? ''}"></div>
${select('recovered_currency', t('console:field.currency'), CURRENCIES.map((currency) => ({ value: currency, text: currency })), found.recovered_currency)}
</div>
<fieldset class="field checkbox-columns"><legend>${t('console:field.categories')}</legend>${choices('categories', CATEGORIES, found.categories, (value) => t(`web:category.${value}`))}</fieldset>
<fieldset class="field checkbox-columns"><legend>${t('console:field.indicators')}</legend>${choices('forced_labour_indicators', FORCED_LABOUR_INDICATORS, found.forced_labour_indicators, (value) => t(`console:indicator.${value}`))}</fieldset>
${formError(options.problem, 'update', [])}
<p><button type="submit">${t('console:update.save')}</button></p>
</form>
</section>`;
}
