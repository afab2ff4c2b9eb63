import type { TFunction } from 'i18next';
import { CATEGORIES, CHANNELS, LANGUAGES, SECTORS, URGENCIES, type Language } from '../cases/case.vocabulary';
import { html, type SafeHtml } from '../http/html';
import { LANGUAGE_NAMES } from '../language/language-names';
import { COUNTRIES, findProvince, provincesOf, type CountryCode } from '../places/places';
import { ROUTING_CONDITION_KEYS, type RoutingConditionKey } from '../routing/routing-rule.schema';
import type { listRulesFor, testRuleFor } from '../routing/routing-rule.service';
import { consolePage, type ConsolePageContext } from './console-shell';
import { fieldError, messagesFor, type FormProblem } from './form-problem';
import type { RuleFormValues } from './rules.schema';

// The routing rule pages: the list in the order rules run, and one form to write a rule and try
// it on a case before saving. Plain HTML forms; nothing here needs JavaScript.

type SavedRule = Awaited<ReturnType<typeof listRulesFor>>[number];
type TrialResult = Awaited<ReturnType<typeof testRuleFor>>;

/** An organisation a rule may refer to. */
export interface ReferableOrganisation {
  slug: string;
  name: string;
  country: string;
}

/** Everything the rule form shows. */
export interface RuleFormState {
  /** Set when the form edits a saved rule. */
  saved?: { id: string; name: string };
  values: RuleFormValues;
  /** Why the rule form (`rule`) or the delete form (`delete`) was refused. */
  problem?: FormProblem;
  result?: TrialResult;
}

const OPTIONS: Record<Exclude<RoutingConditionKey, 'destination_province'>, readonly string[]> = {
  destination_country: COUNTRIES, origin_country: COUNTRIES, categories: CATEGORIES, sector: SECTORS, language: LANGUAGES, urgency: URGENCIES, channel: CHANNELS,
};

/** A code of a routing condition in the reader's words, with the labels the rest of the console uses. */
export function valueLabel(t: TFunction, key: RoutingConditionKey, code: string): string {
  switch (key) {
    case 'destination_country':
    case 'origin_country':
      return t(`web:country.${code}`, { defaultValue: code });
    case 'destination_province':
      return findProvince(code)?.name ?? code;
    case 'categories':
      return t(`stats:category.${code}`, { defaultValue: code });
    case 'sector':
      return t(`stats:sector.${code}`, { defaultValue: code });
    case 'language':
      return LANGUAGE_NAMES[code as Language] ?? code;
    case 'urgency':
      return t(`console:urgency.${code}`, { defaultValue: code });
    case 'channel':
      return t(`console:channel.${code}`, { defaultValue: code });
  }
}

// Values of one condition are alternatives: "Thailand or Malaysia", in the reader's language.
function anyOf(language: Language, values: readonly string[]): string {
  return new Intl.ListFormat(language, { type: 'disjunction' }).format(values);
}

function labelsOf(t: TFunction, language: Language, key: RoutingConditionKey, codes: readonly string[]): string {
  return anyOf(language, codes.map((code) => valueLabel(t, key, code)));
}

/** A rule's conditions in words: "Country of work: Thailand · Problem: Arrest and detention or Missing person". */
export function conditionsInWords(t: TFunction, language: Language, conditions: Partial<Record<RoutingConditionKey, readonly string[]>>): string {
  const parts = ROUTING_CONDITION_KEYS.flatMap((key) => {
    const codes = conditions[key];
    return codes && codes.length > 0 ? [`${t(`rules:condition.${key}`)}: ${labelsOf(t, language, key, codes)}`] : [];
  });
  return parts.length > 0 ? parts.join(' · ') : t('rules:list.any_case');
}

function actionInWords(t: TFunction, rule: SavedRule): string {
  return rule.action === 'escalate' ? t('rules:action.escalate') : t('rules:action.refer', { organisation: rule.target_organisation?.name ?? '—' });
}

/** The rules in the order they run. */
export function rulesListPage(context: ConsolePageContext, rules: readonly SavedRule[]): string {
  const { t, language } = context;
  const body = html`<h1>${t('rules:title')}</h1>
<p>${t('rules:list.intro')}</p>
<p><a class="button" href="/console/rules/new">${t('rules:new')}</a></p>
${rules.length === 0 ? html`<p>${t('rules:list.empty')}</p>` : html`<div class="stats-table-wrap" role="region" tabindex="0" aria-label="${t('rules:list.caption')}"><table class="cases">
<caption>${t('rules:list.caption')}</caption>
<thead><tr><th scope="col">${t('rules:field.priority')}</th><th scope="col">${t('rules:field.name')}</th><th scope="col">${t('rules:list.active')}</th><th scope="col">${t('rules:list.conditions')}</th><th scope="col">${t('rules:list.action')}</th><th scope="col">${t('rules:list.response_hours')}</th></tr></thead>
<tbody>${rules.map((rule) => html`<tr>
<td>${rule.priority}</td>
<td><a href="/console/rules/${rule.id}">${rule.name}</a></td>
<td>${rule.is_active ? t('rules:list.yes') : t('rules:list.no')}</td>
<td>${conditionsInWords(t, language, rule.conditions as Partial<Record<RoutingConditionKey, string[]>>)}</td>
<td>${actionInWords(t, rule)}</td>
<td>${rule.action === 'refer' ? t('rules:list.hours', { hours: rule.response_hours }) : '—'}</td></tr>`)}</tbody></table></div>`}`;
  return consolePage(context, t('rules:title'), body);
}

/** The rule form and the delete form, as `FormProblem` names them. */
export const RULE_FORM = 'rule';
export const DELETE_FORM = 'delete';
const FORM = RULE_FORM;

// Ids of the places the error summary links to.
function anchorOf(field: string): string {
  if (field === 'confirm') return 'confirm-delete';
  if (field.startsWith('conditions.')) return `group-${field.slice('conditions.'.length)}`;
  if (field.startsWith('sample.')) return `sample-${field.slice('sample.'.length).replace(/_/g, '-')}`;
  return field.replace(/_/g, '-');
}

function fieldLabel(t: TFunction, field: string): string {
  if (field.startsWith('conditions.')) return t(`rules:condition.${field.slice('conditions.'.length)}`, { defaultValue: field });
  if (field.startsWith('sample.')) return `${t('rules:try.sample')}: ${t(`rules:condition.${field.slice('sample.'.length)}`, { defaultValue: field })}`;
  return t(`rules:field.${field}`, { defaultValue: field });
}

// The rule form is long: every refusal is listed at its top too, each linked to its field.
function problemSummary(t: TFunction, problem: FormProblem | undefined): SafeHtml {
  if (!problem) return html``;
  const labelOf = (field: string | null) => (field === null ? '' : problem.form === DELETE_FORM ? t('rules:delete.title') : fieldLabel(t, field));
  return html`<div class="error-summary" role="alert"><h2>${t('errors:code.validation_failed')}</h2>
<ul>${problem.messages.map((item) => html`<li><a href="#${item.field === null ? 'main' : anchorOf(item.field)}">${labelOf(item.field)}${item.field === null ? '' : ': '}${item.message}</a></li>`)}</ul></div>`;
}

function checkbox(name: string, id: string, value: string, checked: boolean, label: string): SafeHtml {
  return html`<label class="choice" for="${id}"><input type="checkbox" id="${id}" name="${name}" value="${value}"${checked ? html` checked` : ''}> ${label}</label>`;
}

function conditionGroup(context: ConsolePageContext, key: RoutingConditionKey, selected: readonly string[], problem: FormProblem | undefined): SafeHtml {
  const { t, language } = context;
  const field = `conditions.${key}`;
  const errorId = `group-${key}-error`;
  const box = (code: string) => checkbox(field, `condition-${key}-${code}`, code, selected.includes(code), valueLabel(t, key, code));
  const choices = key === 'destination_province'
    ? COUNTRIES.map((country) => html`<fieldset class="field"><legend>${t(`web:country.${country}`)}</legend>${provincesOf(country).map((province) => box(province.code))}</fieldset>`)
    : OPTIONS[key].map(box);
  const chosen = selected.length > 0 ? labelsOf(t, language, key, selected) : t('rules:form.any');
  const open = selected.length > 0 || messagesFor(problem, FORM, field).length > 0;
  return html`<details class="more-filters"${open ? html` open` : ''}><summary>${t(`rules:condition.${key}`)}: ${chosen}</summary>
<fieldset class="field" id="group-${key}"><legend>${t(`rules:condition.${key}`)}</legend>
${fieldError(problem, FORM, field, errorId)}${choices}</fieldset></details>`;
}

function select(id: string, name: string, label: string, options: SafeHtml, problem: FormProblem | undefined, hint?: string): SafeHtml {
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = [hint ? hintId : '', messagesFor(problem, FORM, name).length > 0 ? errorId : ''].filter(Boolean).join(' ');
  return html`<div class="field${messagesFor(problem, FORM, name).length > 0 ? ' has-error' : ''}"><label for="${id}">${label}</label>
${hint ? html`<p class="hint" id="${hintId}">${hint}</p>` : ''}${fieldError(problem, FORM, name, errorId)}
<select id="${id}" name="${name}"${describedBy ? html` aria-describedby="${describedBy}"` : ''}${messagesFor(problem, FORM, name).length > 0 ? html` aria-invalid="true"` : ''}>${options}</select></div>`;
}

function textInput(id: string, name: string, label: string, value: string, problem: FormProblem | undefined, extra: { hint?: string; type?: string; attributes?: SafeHtml } = {}): SafeHtml {
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const invalid = messagesFor(problem, FORM, name).length > 0;
  const describedBy = [extra.hint ? hintId : '', invalid ? errorId : ''].filter(Boolean).join(' ');
  return html`<div class="field${invalid ? ' has-error' : ''}"><label for="${id}">${label}</label>
${extra.hint ? html`<p class="hint" id="${hintId}">${extra.hint}</p>` : ''}${fieldError(problem, FORM, name, errorId)}
<input id="${id}" name="${name}" type="${extra.type ?? 'text'}" value="${value}"${extra.attributes ?? ''}${describedBy ? html` aria-describedby="${describedBy}"` : ''}${invalid ? html` aria-invalid="true"` : ''}></div>`;
}

function options(values: readonly string[], selected: string, label: (value: string) => string, empty?: string): SafeHtml {
  return html`${empty !== undefined ? html`<option value="">${empty}</option>` : ''}${values.map((value) => html`<option value="${value}"${value === selected ? html` selected` : ''}>${label(value)}</option>`)}`;
}

function provinceOptions(t: TFunction, selected: string): SafeHtml {
  return html`<option value="">—</option>${COUNTRIES.map((country: CountryCode) => html`<optgroup label="${t(`web:country.${country}`)}">${options(provincesOf(country).map((province) => province.code), selected, (code) => findProvince(code)?.name ?? code)}</optgroup>`)}`;
}

function organisationOptions(t: TFunction, organisations: readonly ReferableOrganisation[], selected: string): SafeHtml {
  const countries = [...new Set(organisations.map((organisation) => organisation.country))];
  // A saved rule may point at an organisation since deactivated: keep it choosable, so saving the form changes nothing by accident.
  const missing = selected !== '' && !organisations.some((organisation) => organisation.slug === selected);
  return html`<option value="">${t('rules:form.choose')}</option>${missing ? html`<option value="${selected}" selected>${selected}</option>` : ''}${countries.map((country) => html`<optgroup label="${t(`web:country.${country}`, { defaultValue: country })}">${organisations
    .filter((organisation) => organisation.country === country)
    .map((organisation) => html`<option value="${organisation.slug}"${organisation.slug === selected ? html` selected` : ''}>${organisation.name}</option>`)}</optgroup>`)}`;
}

function ruleFields(context: ConsolePageContext, state: RuleFormState, organisations: readonly ReferableOrganisation[]): SafeHtml {
  const { t } = context;
  const { values, problem } = state;
  const actionError = 'rule-action-error';
  return html`${textInput('name', 'name', t('rules:field.name'), values.name, problem, { attributes: html` maxlength="200" required` })}
${textInput('priority', 'priority', t('rules:field.priority'), values.priority, problem, { type: 'number', hint: t('rules:form.priority_hint'), attributes: html` min="0" max="1000000" step="1" required` })}
<div class="field"><label class="choice" for="is-active"><input type="checkbox" id="is-active" name="is_active" value="yes"${values.isActive ? html` checked` : ''}> ${t('rules:form.active')}</label></div>
<fieldset class="field"><legend>${t('rules:form.conditions')}</legend>
<p class="hint">${t('rules:form.conditions_hint')}</p>
${ROUTING_CONDITION_KEYS.map((key) => conditionGroup(context, key, values.conditions[key], problem))}
</fieldset>
<fieldset class="field${messagesFor(problem, FORM, 'rule_action').length > 0 ? ' has-error' : ''}" id="rule-action"><legend>${t('rules:field.rule_action')}</legend>
${fieldError(problem, FORM, 'rule_action', actionError)}
<label class="choice" for="rule-action-refer"><input type="radio" id="rule-action-refer" name="rule_action" value="refer"${values.action === 'refer' ? html` checked` : ''}> ${t('rules:form.refer')}</label>
<label class="choice" for="rule-action-escalate"><input type="radio" id="rule-action-escalate" name="rule_action" value="escalate"${values.action === 'escalate' ? html` checked` : ''}> ${t('rules:form.escalate')}</label>
</fieldset>
${select('target-organisation', 'target_organisation', t('rules:field.target_organisation'), organisationOptions(t, organisations, values.targetOrganisation), problem, t('rules:form.target_hint'))}
${textInput('response-hours', 'response_hours', t('rules:field.response_hours'), values.responseHours, problem, { type: 'number', hint: t('rules:form.response_hours_hint'), attributes: html` min="1" max="720" step="1"` })}`;
}

function sampleFields(context: ConsolePageContext, state: RuleFormState): SafeHtml {
  const { t } = context;
  const { values, problem } = state;
  const { sample } = values;
  const country = (value: string) => t(`web:country.${value}`);
  return html`<h2 id="try-heading">${t('rules:try.title')}</h2>
<p class="hint">${t('rules:try.hint')}</p>
${textInput('case-reference', 'case_reference', t('rules:field.case_reference'), values.caseReference, problem, { hint: t('rules:try.reference_hint'), attributes: html` maxlength="20" autocomplete="off"` })}
<fieldset class="field"><legend>${t('rules:try.sample')}</legend>
${select('sample-destination-country', 'sample.destination_country', t('rules:condition.destination_country'), options(COUNTRIES, sample.destination_country, country, '—'), problem)}
${select('sample-destination-province', 'sample.destination_province', t('rules:condition.destination_province'), provinceOptions(t, sample.destination_province), problem)}
${select('sample-origin-country', 'sample.origin_country', t('rules:condition.origin_country'), options(COUNTRIES, sample.origin_country, country, '—'), problem)}
<fieldset class="field" id="sample-categories"><legend>${t('rules:condition.categories')}</legend>
${fieldError(problem, FORM, 'sample.categories', 'sample-categories-error')}${CATEGORIES.map((code) => checkbox('sample.categories', `sample-category-${code}`, code, sample.categories.includes(code), valueLabel(t, 'categories', code)))}</fieldset>
${select('sample-sector', 'sample.sector', t('rules:condition.sector'), options(SECTORS, sample.sector, (code) => valueLabel(t, 'sector', code), '—'), problem)}
${select('sample-language', 'sample.language', t('rules:condition.language'), options(LANGUAGES, sample.language, (code) => valueLabel(t, 'language', code)), problem)}
${select('sample-urgency', 'sample.urgency', t('rules:condition.urgency'), options(URGENCIES, sample.urgency, (code) => valueLabel(t, 'urgency', code)), problem)}
${select('sample-channel', 'sample.channel', t('rules:condition.channel'), options(CHANNELS, sample.channel, (code) => valueLabel(t, 'channel', code)), problem)}
</fieldset>`;
}

function actualInWords(t: TFunction, language: Language, key: RoutingConditionKey, actual: string | readonly string[] | null): string {
  if (actual === null || (Array.isArray(actual) && actual.length === 0)) return t('rules:result.unknown');
  return labelsOf(t, language, key, typeof actual === 'string' ? [actual] : actual);
}

function wouldInWords(t: TFunction, result: TrialResult): string {
  const { would } = result;
  if (!would) return t('rules:result.would_nothing');
  if ('embassy' in would) return would.embassy ? t('rules:result.would_escalate', { embassy: would.embassy.name }) : t('rules:result.would_escalate_nowhere');
  return t('rules:result.would_refer', { organisation: would.organisation?.name ?? '—', hours: would.response_hours });
}

function ruleSetInWords(t: TFunction, result: TrialResult): SafeHtml {
  const { rule_set: ruleSet } = result;
  const mark = (thisRule: boolean) => (thisRule ? html` <strong>${t('rules:result.this_rule')}</strong>` : '');
  const referral = ruleSet.referral
    ? html`<li>${t('rules:result.referral', { organisation: ruleSet.referral.organisation?.name ?? '—', rule: ruleSet.referral.rule })}${mark(ruleSet.referral.by_this_rule)}</li>`
    : html`<li>${ruleSet.to_triage ? t('rules:result.to_triage') : t('rules:result.no_referral')}</li>`;
  return html`<ul>${referral}
${ruleSet.escalations.map((escalation) => html`<li>${t('rules:result.escalation', { embassy: escalation.embassy?.name ?? '—', rule: escalation.rule })}${mark(escalation.by_this_rule)}</li>`)}
${ruleSet.skipped.map((skipped) => html`<li>${t('rules:result.skipped', { rule: skipped.rule, reason: t(`rules:skip.${skipped.reason}`) })}${mark(skipped.this_rule)}</li>`)}</ul>`;
}

function trialResult(context: ConsolePageContext, state: RuleFormState, result: TrialResult): SafeHtml {
  const { t, language } = context;
  return html`<section id="try-result" aria-labelledby="try-result-heading">
<h2 id="try-result-heading">${t('rules:result.title')}</h2>
<p class="status" role="status">${result.matches ? html`✓ ${t('rules:result.matches')}` : html`✗ ${t('rules:result.no_match')}`}</p>
${result.checks.length === 0 ? html`<p>${t('rules:result.no_conditions')}</p>` : html`<div class="stats-table-wrap" role="region" tabindex="0" aria-label="${t('rules:result.checks')}"><table class="cases">
<caption>${t('rules:result.checks')}</caption>
<thead><tr><th scope="col">${t('rules:result.condition')}</th><th scope="col">${t('rules:result.expected')}</th><th scope="col">${t('rules:result.actual')}</th><th scope="col">${t('rules:result.met_column')}</th></tr></thead>
<tbody>${result.checks.map((check) => {
    const key = check.condition as RoutingConditionKey;
    return html`<tr class="${check.met ? 'met' : 'not-met'}"><th scope="row">${t(`rules:condition.${key}`)}</th><td>${labelsOf(t, language, key, check.expected)}</td><td>${actualInWords(t, language, key, check.actual)}</td><td>${check.met ? html`✓ ${t('rules:result.met')}` : html`✗ ${t('rules:result.not_met')}`}</td></tr>`;
  })}</tbody></table></div>`}
<p>${wouldInWords(t, result)}</p>
<h3>${t('rules:result.rule_set')}</h3>
${state.values.isActive ? '' : html`<p class="hint">${t('rules:result.inactive')}</p>`}
${ruleSetInWords(t, result)}
</section>`;
}

function deleteSection(context: ConsolePageContext, saved: { id: string }, problem: FormProblem | undefined): SafeHtml {
  const { t } = context;
  const errorId = 'confirm-delete-error';
  return html`<h2 id="delete-heading">${t('rules:delete.title')}</h2>
<form method="post" action="/console/rules/${saved.id}/delete" aria-labelledby="delete-heading">
<input type="hidden" name="_csrf" value="${context.csrf}">
<div class="field${messagesFor(problem, DELETE_FORM, 'confirm').length > 0 ? ' has-error' : ''}">${fieldError(problem, DELETE_FORM, 'confirm', errorId)}
<label class="choice" for="confirm-delete"><input type="checkbox" id="confirm-delete" name="confirm" value="yes"${messagesFor(problem, DELETE_FORM, 'confirm').length > 0 ? html` aria-invalid="true" aria-describedby="${errorId}"` : ''}> ${t('rules:delete.confirm')}</label></div>
<p><button type="submit" class="secondary">${t('rules:delete.button')}</button></p>
</form>`;
}

/** One rule's form (new or saved), with the result of trying it when there is one. */
export function rulePage(context: ConsolePageContext, state: RuleFormState, organisations: readonly ReferableOrganisation[]): string {
  const { t } = context;
  const { saved, problem } = state;
  const title = saved ? t('rules:form.edit_title', { name: saved.name }) : t('rules:form.new_title');
  const action = saved ? `/console/rules/${saved.id}` : '/console/rules';
  const body = html`<p><a href="/console/rules">${t('rules:form.back')}</a></p>
<h1>${title}</h1>
${problemSummary(t, problem)}
<form method="post" action="${action}">
<input type="hidden" name="_csrf" value="${context.csrf}">
${ruleFields(context, state, organisations)}
${sampleFields(context, state)}
<p class="actions"><button type="submit" name="action" value="try" class="secondary" formaction="${action}#try-result">${t('rules:try.button')}</button>
<button type="submit" name="action" value="save">${t('rules:form.save')}</button></p>
</form>
${state.result ? trialResult(context, state, state.result) : ''}
${saved ? deleteSection(context, saved, problem) : ''}`;
  return consolePage(context, title, body);
}
