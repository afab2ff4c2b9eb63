import { z } from 'zod';
import { CATEGORIES, CHANNELS, LANGUAGES, SECTORS, URGENCIES } from '../cases/case.vocabulary';
import { COUNTRIES, PROVINCES } from '../places/places';

const provinceCodes = PROVINCES.map((province) => province.code) as [string, ...string[]];
const someOf = <T extends readonly [string, ...string[]]>(values: T) => z.array(z.enum(values)).min(1).max(values.length);

/** The case fields a rule can match on; each condition lists the values it accepts. */
export const ROUTING_CONDITION_KEYS = [
  'destination_country', 'destination_province', 'origin_country', 'categories', 'sector', 'language', 'urgency', 'channel',
] as const;
export type RoutingConditionKey = (typeof ROUTING_CONDITION_KEYS)[number];

/** A rule's conditions: all must hold; a missing key matches anything. */
export const routingConditions = z
  .object({
    destination_country: someOf(COUNTRIES),
    destination_province: someOf(provinceCodes),
    origin_country: someOf(COUNTRIES),
    categories: someOf(CATEGORIES),
    sector: someOf(SECTORS),
    language: someOf(LANGUAGES),
    urgency: someOf(URGENCIES),
    channel: someOf(CHANNELS),
  })
  .partial()
  .strict();
export type RoutingConditions = z.infer<typeof routingConditions>;

export const ROUTING_ACTIONS = ['refer', 'escalate'] as const;

const ruleFields = {
  name: z.string().trim().min(1).max(200),
  priority: z.number().int().min(0).max(1_000_000),
  is_active: z.boolean(),
  conditions: routingConditions,
  action: z.enum(ROUTING_ACTIONS),
  /** Slug of the organisation a `refer` rule refers to; `escalate` rules have none. */
  target_organisation: z.string().trim().min(1).max(100).nullable(),
  response_hours: z.number().int().min(1).max(720),
};

const targetFitsAction = (rule: { action?: string | undefined; target_organisation?: string | null | undefined }) =>
  rule.action === undefined || (rule.action === 'refer') === (typeof rule.target_organisation === 'string');

/** Body of `POST /api/v1/routing-rules`. */
export const createRoutingRuleBody = z
  .object({ ...ruleFields, is_active: ruleFields.is_active.default(true), response_hours: ruleFields.response_hours.default(48), target_organisation: ruleFields.target_organisation.default(null) })
  .strict()
  .refine(targetFitsAction, { message: 'refer_needs_target_escalate_has_none', path: ['target_organisation'] });
export type CreateRoutingRuleBody = z.infer<typeof createRoutingRuleBody>;

/** Body of `PATCH /api/v1/routing-rules/{id}`: only the fields to change. */
export const updateRoutingRuleBody = z
  .object(ruleFields)
  .partial()
  .strict()
  .refine((body) => Object.keys(body).length > 0, { message: 'required' });
export type UpdateRoutingRuleBody = z.infer<typeof updateRoutingRuleBody>;

/** The routable fields of a made-up case, for trying a rule out. */
export const sampleCase = z
  .object({
    destination_country: z.enum(COUNTRIES).nullable().default(null),
    destination_province: z.enum(provinceCodes).nullable().default(null),
    origin_country: z.enum(COUNTRIES).nullable().default(null),
    categories: z.array(z.enum(CATEGORIES)).max(CATEGORIES.length).default([]),
    sector: z.enum(SECTORS).nullable().default(null),
    language: z.enum(LANGUAGES).default('en'),
    urgency: z.enum(URGENCIES).default('normal'),
    channel: z.enum(CHANNELS).default('sms'),
  })
  .strict();

/** Body of `POST /api/v1/routing-rules/test`: a rule (saved or not) and a sample or real case. */
export const testRoutingRuleBody = z
  .object({
    rule: z.object({ ...ruleFields, is_active: ruleFields.is_active.default(true), response_hours: ruleFields.response_hours.default(48), target_organisation: ruleFields.target_organisation.default(null), id: z.uuid().optional() }).strict()
      .refine(targetFitsAction, { message: 'refer_needs_target_escalate_has_none', path: ['target_organisation'] }),
    case: z.union([z.object({ reference: z.string().min(1).max(20) }).strict(), sampleCase]),
  })
  .strict();
export type TestRoutingRuleBody = z.infer<typeof testRoutingRuleBody>;

export const ruleIdParam = z.object({ id: z.uuid() });
