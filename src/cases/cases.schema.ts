import { z } from 'zod';
import { normaliseCaseReference } from './case-reference';
import { CASE_STATUSES, CATEGORIES, CHANNELS, FORCED_LABOUR_INDICATORS, LANGUAGES, OUTCOMES, SECTORS, URGENCIES } from './case.vocabulary';
import { COUNTRIES, PROVINCES } from '../places/places';

/** A comma-separated query parameter of known codes. */
export const commaList = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .string()
    .optional()
    .transform((value) => (value ? value.split(',').map((part) => part.trim()).filter(Boolean) : undefined))
    .pipe(z.array(z.enum(values)).optional());

const provinceCodes = PROVINCES.map((province) => province.code) as [string, ...string[]];

// The cursor is ours (base64url JSON of the last row's `updated_at::text` and id), but it comes
// back from the client: check it fully here, so that PostgreSQL never sees a bad uuid or date.
const CURSOR_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T]([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,6})?(Z|[+-]\d{2}(:?\d{2})?)$/;
const cursorShape = z.object({ updatedAt: z.string().max(40).regex(CURSOR_TIME), id: z.guid() }).strict();

/** A calendar date in years 1 to 9999 (PostgreSQL's range starts before, JavaScript's ends after). */
function isCalendarDate(year: number, month: number, day: number): boolean {
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const date = new Date(Date.UTC(2000, month - 1, day));
  date.setUTCFullYear(year, month - 1, day);
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** True for a case-list cursor as `GET /api/v1/cases` hands them out. */
export function isCaseListCursor(text: string): boolean {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return false;
  }
  const parsed = cursorShape.safeParse(decoded);
  if (!parsed.success) return false;
  const [, year, month, day] = CURSOR_TIME.exec(parsed.data.updatedAt) ?? [];
  return isCalendarDate(Number(year), Number(month), Number(day));
}

/** Query parameters of `GET /api/v1/cases`. */
export const listCasesQuery = z
  .object({
    status: commaList(CASE_STATUSES),
    urgency: commaList(URGENCIES),
    category: commaList(CATEGORIES),
    country: commaList(COUNTRIES),
    province: commaList(provinceCodes),
    channel: commaList(CHANNELS),
    language: commaList(LANGUAGES),
    assigned: z.enum(['me']).optional(),
    waiting: z.enum(['true', 'false']).optional().transform((value) => value === 'true'),
    overdue: z.enum(['true', 'false']).optional().transform((value) => value === 'true'),
    triage: z.enum(['true', 'false']).optional().transform((value) => value === 'true'),
    reference: z.string().optional().transform((value, context) => {
      if (value === undefined) return undefined;
      const reference = normaliseCaseReference(value);
      if (!reference) {
        context.addIssue({ code: 'custom', message: 'invalid_format' });
        return z.NEVER;
      }
      return reference;
    }),
    limit: z.coerce.number().int().min(1).max(100).default(25),
    cursor: z.string().max(200).refine(isCaseListCursor, 'invalid').optional(),
  })
  .strict();

/** `{reference}` in a path. */
export const referenceParam = z.object({
  reference: z.string().transform((value, context) => {
    const reference = normaliseCaseReference(value);
    if (!reference) {
      context.addIssue({ code: 'custom', message: 'invalid_format' });
      return z.NEVER;
    }
    return reference;
  }),
});

/** A case version as the API's ETag and the console's triage form carry it: microseconds, as digits. */
export const caseVersionText = z.string().regex(/^\d{1,20}$/);

const ENTITY_TAG = /^(?:W\/)?"(\d{1,20})"$/;

/**
 * Headers of `PATCH /api/v1/cases/{reference}`: `If-Match` holds one ETag as `GET` sent it (weak or
 * strong, the version is what counts), or `*`; without it, or with `*`, any version is changed.
 */
export const updateCaseHeaders = z.object({
  'if-match': z
    .string()
    .max(64)
    .optional()
    .transform((value, context) => {
      if (value === undefined || value.trim() === '*') return undefined;
      const version = ENTITY_TAG.exec(value.trim())?.[1];
      if (version === undefined) {
        context.addIssue({ code: 'custom', message: 'invalid_format' });
        return z.NEVER;
      }
      return version;
    }),
});

/** Body of `PATCH /api/v1/cases/{reference}`: only the fields to change. */
export const updateCaseBody = z
  .object({
    status: z.enum(CASE_STATUSES),
    urgency: z.enum(URGENCIES),
    categories: z.array(z.enum(CATEGORIES)).max(CATEGORIES.length),
    forced_labour_indicators: z.array(z.enum(FORCED_LABOUR_INDICATORS)).max(FORCED_LABOUR_INDICATORS.length),
    sector: z.enum(SECTORS).nullable(),
    origin_country: z.enum(COUNTRIES).nullable(),
    destination_country: z.enum(COUNTRIES).nullable(),
    destination_province: z.enum(provinceCodes).nullable(),
    outcome: z.enum(OUTCOMES).nullable(),
    amount_recovered: z.number().nonnegative().max(1e11).multipleOf(0.01).nullable(),
    recovered_currency: z.string().regex(/^[A-Z]{3}$/).nullable(),
    assigned_user_id: z.uuid().nullable(),
    /** The worker's answer on sharing their details with partners, asked by staff, in the words used. */
    consent: z.object({ given: z.boolean(), wording: z.string().trim().min(1).max(1000) }).strict(),
  })
  .partial()
  .strict()
  .refine((body) => Object.keys(body).length > 0, { message: 'required' })
  .refine((body) => (body.amount_recovered === undefined) === (body.recovered_currency === undefined), {
    message: 'amount_and_currency_together',
    path: ['recovered_currency'],
  });

export type UpdateCaseBody = z.infer<typeof updateCaseBody>;

/** Body of `POST /api/v1/cases/{reference}/notes`. */
export const addNoteBody = z
  .object({ body: z.string().trim().min(1).max(5000), visibility: z.enum(['organisation', 'partners']).default('organisation') })
  .strict();

/** Body of `POST /api/v1/cases/{reference}/replies`: at most what Twilio accepts. */
export const addReplyBody = z.object({ body: z.string().trim().min(1).max(1600) }).strict();
