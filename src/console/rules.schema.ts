import { z } from 'zod';
import { ROUTING_CONDITION_KEYS, type RoutingConditionKey } from '../routing/routing-rule.schema';
import type { presentRule } from '../routing/routing-rule.service';

// The routing rule form as a browser posts it: every value a string, checkbox groups repeated
// parameters. It is read leniently here and checked by the API's own schemas afterwards, so the
// console and the API accept exactly the same rules.

/** The fields of the sample case a rule is tried on. */
export const SAMPLE_FIELDS = ['destination_country', 'destination_province', 'origin_country', 'sector', 'language', 'urgency', 'channel'] as const;
type SampleField = (typeof SAMPLE_FIELDS)[number];

/** What the form holds, as typed (kept when it is shown again with errors or a result). */
export interface RuleFormValues {
  name: string;
  priority: string;
  isActive: boolean;
  conditions: Record<RoutingConditionKey, string[]>;
  action: string;
  targetOrganisation: string;
  responseHours: string;
  caseReference: string;
  sample: Record<SampleField, string> & { categories: string[] };
}

const text = z.string().max(2000).default('');
const list = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]));

/** The posted form: the rule, the button pressed, and the case to try it on. */
export const ruleForm = z.object({
  name: text,
  priority: text,
  is_active: z.string().optional(),
  rule_action: text,
  target_organisation: text,
  response_hours: text,
  action: z.enum(['save', 'try']).default('save'),
  case_reference: text,
  ...Object.fromEntries(ROUTING_CONDITION_KEYS.map((key) => [`conditions.${key}`, list])),
  ...Object.fromEntries(SAMPLE_FIELDS.map((key) => [`sample.${key}`, text])),
  'sample.categories': list,
});
type RuleForm = z.infer<typeof ruleForm>;

/** Body of `POST /console/rules/{id}/delete`: the box that confirms it. */
export const deleteRuleForm = z.object({ confirm: z.literal('yes', { message: 'confirm_required' }) });

const emptyConditions = (): Record<RoutingConditionKey, string[]> =>
  Object.fromEntries(ROUTING_CONDITION_KEYS.map((key) => [key, [] as string[]])) as Record<RoutingConditionKey, string[]>;

const emptySample = (): RuleFormValues['sample'] => ({
  destination_country: '', destination_province: '', origin_country: '', sector: '', language: 'en', urgency: 'normal', channel: 'sms', categories: [],
});

/** A new rule's form: active, answered within 48 hours. */
export function emptyRuleForm(): RuleFormValues {
  return {
    name: '', priority: '100', isActive: true, conditions: emptyConditions(), action: 'refer', targetOrganisation: '', responseHours: '48',
    caseReference: '', sample: emptySample(),
  };
}

/** A saved rule in its form. */
export function ruleFormOf(rule: ReturnType<typeof presentRule>): RuleFormValues {
  const conditions = emptyConditions();
  const saved = rule.conditions as Partial<Record<RoutingConditionKey, string[]>>;
  for (const key of ROUTING_CONDITION_KEYS) conditions[key] = saved[key] ?? [];
  return {
    name: rule.name, priority: String(rule.priority), isActive: rule.is_active, conditions, action: rule.action,
    targetOrganisation: rule.target_organisation?.slug ?? '', responseHours: String(rule.response_hours), caseReference: '', sample: emptySample(),
  };
}

/** The form's values from a posted (already parsed) form. */
export function ruleFormValuesOf(form: RuleForm): RuleFormValues {
  const posted = form as Record<string, unknown>;
  const conditions = emptyConditions();
  for (const key of ROUTING_CONDITION_KEYS) conditions[key] = (posted[`conditions.${key}`] as string[] | undefined) ?? [];
  const sample = emptySample();
  for (const key of SAMPLE_FIELDS) sample[key] = String(posted[`sample.${key}`] ?? '');
  sample.categories = form['sample.categories'];
  return {
    name: form.name, priority: form.priority, isActive: form.is_active === 'yes', conditions, action: form.rule_action,
    targetOrganisation: form.target_organisation, responseHours: form.response_hours, caseReference: form.case_reference.trim(), sample,
  };
}

// "12" becomes 12; anything else is passed on as typed, for the API schema to refuse by name.
const wholeNumber = (value: string): number | string | undefined => (value.trim() === '' ? undefined : /^\s*-?\d+\s*$/.test(value) ? Number(value) : value);

/** The rule in the API's shape (`createRoutingRuleBody`), not yet validated. */
export function ruleBodyOf(values: RuleFormValues) {
  const conditions = Object.fromEntries(ROUTING_CONDITION_KEYS.filter((key) => values.conditions[key].length > 0).map((key) => [key, values.conditions[key]]));
  return {
    name: values.name,
    priority: wholeNumber(values.priority),
    is_active: values.isActive,
    conditions,
    action: values.action || undefined,
    // The organisation list is posted whatever the action; only a referral has a target.
    target_organisation: values.action === 'refer' ? values.targetOrganisation || null : null,
    response_hours: wholeNumber(values.responseHours),
  };
}

/** The case to try the rule on: a real case by reference, else the sample case (`testRoutingRuleBody.case`). */
export function trialCaseOf(values: RuleFormValues) {
  if (values.caseReference !== '') return { reference: values.caseReference };
  const { sample } = values;
  return {
    destination_country: sample.destination_country || null, destination_province: sample.destination_province || null,
    origin_country: sample.origin_country || null, categories: sample.categories, sector: sample.sector || null,
    language: sample.language || undefined, urgency: sample.urgency || undefined, channel: sample.channel || undefined,
  };
}

/** The form field an API issue is about (`rule.action` → `rule_action`, `case.sector` → `sample.sector`). */
export function formFieldOf(apiField: string): string {
  const field = apiField.replace(/^rule\./, '').replace(/\.\d+$/, '');
  if (field === 'action') return 'rule_action';
  if (field === 'case.reference' || field === 'case') return 'case_reference';
  if (field.startsWith('case.')) return `sample.${field.slice('case.'.length)}`;
  return field;
}
