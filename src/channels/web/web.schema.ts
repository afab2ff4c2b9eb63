import { z } from 'zod';
import { AGE_BANDS, CATEGORIES, GENDERS, SECTORS } from '../../cases/case.vocabulary';
import { normaliseCaseReference } from '../../cases/case-reference';
import { COUNTRIES } from '../../places/places';

// The worker-facing forms. Every issue's message is a reason code that locales/<lng>/web.json
// (field.*) or errors.json (field.*) translates, so errors show beside their field in the
// worker's language.

const STORY_MAX = 5000;
const SHORT_MAX = 200;
const E164 = /^\+[1-9]\d{6,14}$/;

const optionalChoice = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .string()
    .optional()
    .transform((value, context): T[number] | null => {
      if (!value) return null;
      if (!(values as readonly string[]).includes(value)) {
        context.addIssue({ code: 'custom', message: 'choose_one' });
        return z.NEVER;
      }
      return value as T[number];
    });

const checkboxList = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]))
  .pipe(z.array(z.enum(CATEGORIES, { message: 'choose_one' })).max(CATEGORIES.length));

/** A phone number as people type it: spaces, dashes, brackets, a leading 00. */
export function normalisePhone(input: string): string {
  const compact = input.normalize('NFKC').replace(/[\s\-().]/g, '');
  return compact.startsWith('00') ? `+${compact.slice(2)}` : compact;
}

/** The report form of `/report`. */
export const reportFormSchema = z
  .object({
    story: z.string({ message: 'required' }).trim().min(1, 'required').max(STORY_MAX, 'too_long'),
    categories: checkboxList,
    sector: optionalChoice(SECTORS),
    country: optionalChoice([...COUNTRIES, 'other'] as const),
    province: z.string().trim().max(SHORT_MAX, 'too_long').optional().default(''),
    nationality: optionalChoice(['MM', 'KH', 'LA', 'VN', 'TH', 'MY', 'other'] as const),
    gender: optionalChoice(GENDERS),
    age_band: optionalChoice(AGE_BANDS),
    workers: z
      .string()
      .trim()
      .optional()
      .transform((value, context) => {
        if (!value) return 1;
        const number = Number(value.normalize('NFKC'));
        if (!Number.isInteger(number) || number < 1 || number > 10_000) {
          context.addIssue({ code: 'custom', message: 'workers_range' });
          return z.NEVER;
        }
        return number;
      }),
    contact: z.enum(['none', 'sms', 'whatsapp'], { message: 'choose_one' }).optional().default('none'),
    phone: z.string().trim().max(40, 'phone_format').optional().default(''),
    employer: z.string().trim().max(SHORT_MAX, 'too_long').optional().default(''),
    consent: z.enum(['yes', 'no'], { message: 'consent_required' }),
  })
  .superRefine((form, context) => {
    const reason = phoneProblem(form.contact, form.phone);
    if (reason) context.addIssue({ code: 'custom', path: ['phone'], message: reason });
  });

export type ReportForm = z.output<typeof reportFormSchema>;

/** Why a contact choice and phone number do not go together, if they don't. */
function phoneProblem(contact: unknown, phone: unknown): string | undefined {
  if (contact !== 'sms' && contact !== 'whatsapp') return undefined;
  if (typeof phone !== 'string' || phone.trim() === '') return 'phone_required';
  return E164.test(normalisePhone(phone)) ? undefined : 'phone_format';
}

/**
 * Parses the report form. On failure every field's problem is reported at once: the phone check,
 * which depends on two fields, runs even when other fields failed.
 */
export function parseReportForm(body: Record<string, unknown>):
  | { success: true; data: ReportForm }
  | { success: false; errors: FieldErrorMap } {
  const parsed = reportFormSchema.safeParse(body);
  if (parsed.success) return { success: true, data: parsed.data };
  const errors = fieldErrors(parsed.error);
  const phone = phoneProblem(body['contact'], body['phone']);
  if (phone && !errors['phone']) errors['phone'] = { reason: phone };
  return { success: false, errors };
}

export type FieldErrorMap = Record<string, { reason: string; params?: Record<string, number> }>;

/** The status form of `/status`: a reference, a PIN and, optionally, more information. */
export const statusFormSchema = z.object({
  reference: z
    .string({ message: 'reference_format' })
    .transform((value, context) => {
      const reference = normaliseCaseReference(value);
      if (!reference) {
        context.addIssue({ code: 'custom', message: 'reference_format' });
        return z.NEVER;
      }
      return reference;
    }),
  pin: z
    .string({ message: 'pin_format' })
    .transform((value) => value.normalize('NFKC').replace(/\s/g, ''))
    .pipe(z.string().regex(/^\d{6}$/, 'pin_format')),
  addition: z.string().trim().max(STORY_MAX, 'too_long').optional().default(''),
  /** The worker's answer on sharing their case, when they change it. */
  consent: z.enum(['yes', 'no'], { message: 'consent_required' }).optional(),
  /** "Delete my information": `ask` shows what it means, `confirm` files the request. */
  erase: z.enum(['ask', 'confirm']).optional(),
});

export type StatusForm = z.output<typeof statusFormSchema>;

/** Field → reason (and its parameters) for a failed parse, first issue per field. */
export function fieldErrors(error: z.ZodError): FieldErrorMap {
  const errors: FieldErrorMap = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? 'form');
    if (errors[field]) continue;
    const reason = issue.code === 'invalid_type' ? (issue.message.match(/^[a-z_]+$/) ? issue.message : 'required') : issue.message;
    const params = issue.code === 'too_big' ? { maximum: Number(issue.maximum) } : undefined;
    errors[field] = params ? { reason, params } : { reason };
  }
  return errors;
}
