import { z } from 'zod';
import { CATEGORIES, SECTORS } from '../cases/case.vocabulary';
import { COUNTRIES } from '../places/places';

/** What statistics can be broken down by. */
export const DIMENSIONS = [
  'month', 'quarter', 'year', 'category', 'forced_labour_indicator', 'sector', 'origin_country', 'destination_country',
  'destination_province', 'channel', 'language', 'gender', 'age_band', 'status', 'outcome',
] as const;
/** One thing statistics can be broken down by. */
export type Dimension = (typeof DIMENSIONS)[number];

/** Calendar periods (UTC): a breakdown takes at most one of them. */
export const TIME_DIMENSIONS: readonly Dimension[] = ['month', 'quarter', 'year'];

/** A case may carry several of these, so it counts once under each, and once in their totals. */
export const MULTI_VALUED_DIMENSIONS: readonly Dimension[] = ['category', 'forced_labour_indicator'];

/** More would make nearly every cell small, and the marginal totals grow as 2^n. */
export const MAX_DIMENSIONS = 3;

// Years 0001 to 9999: PostgreSQL has no year 0, and `to` is read as the start of the month after.
const MONTH = /^(?!0000)\d{4}-(0[1-9]|1[0-2])$/;

/** `a,b` or `?x=a&x=b` (Express's simple parser gives an array then) into a list of trimmed parts. */
function splitList(input: unknown): unknown {
  if (input === undefined) return [];
  const parts: unknown[] = Array.isArray(input) ? input : [input];
  if (!parts.every((part): part is string => typeof part === 'string')) return input;
  return [...new Set(parts.flatMap((part) => part.split(',')).map((part) => part.trim()).filter(Boolean))];
}

/** A comma list whose every item must be one of `allowed`; the issue names the list, not the item. */
function listOf<T extends string>(allowed: readonly T[]) {
  return z.preprocess(
    splitList,
    z.array(z.string()).transform((items, context) => {
      if (items.every((item): item is T => (allowed as readonly string[]).includes(item))) return items;
      context.addIssue({ code: 'custom', message: 'not_allowed' });
      return z.NEVER;
    }),
  );
}

const month = z.string().regex(MONTH, 'invalid_format').optional();

/** The filters every statistics endpoint takes. */
export const statsFilterShape = {
  from: month,
  to: month,
  origin_country: listOf(COUNTRIES),
  destination_country: listOf(COUNTRIES),
  category: listOf(CATEGORIES),
  sector: listOf(SECTORS),
};

function checkPeriod(filters: { from?: string | undefined; to?: string | undefined }, context: z.RefinementCtx): void {
  if (filters.from && filters.to && filters.from > filters.to) {
    context.addIssue({ code: 'custom', path: ['to'], message: 'invalid' });
  }
}

function checkGrouping(groupBy: readonly Dimension[], context: z.RefinementCtx): void {
  if (groupBy.length > MAX_DIMENSIONS) {
    context.addIssue({ code: 'too_big', origin: 'array', maximum: MAX_DIMENSIONS, inclusive: true, path: ['group_by'], input: groupBy, message: 'too_big' });
  }
  if (groupBy.filter((dimension) => TIME_DIMENSIONS.includes(dimension)).length > 1) {
    context.addIssue({ code: 'custom', path: ['group_by'], message: 'not_allowed' });
  }
}

/** `GET /api/v1/stats/employers`: the filters alone. */
export const employerStatsQuerySchema = z.strictObject(statsFilterShape).superRefine(checkPeriod);

/** `GET /api/v1/stats/cases`: a breakdown (`group_by`), filters and the answer's format. */
export const caseStatsQuerySchema = z
  .strictObject({
    ...statsFilterShape,
    group_by: listOf(DIMENSIONS),
    format: z.enum(['json', 'csv']).optional(),
  })
  .superRefine((query, context) => {
    checkPeriod(query, context);
    checkGrouping(query.group_by, context);
  });

/** A validated `GET /api/v1/stats/cases` query. */
export type CaseStatsQuery = z.infer<typeof caseStatsQuerySchema>;
/** A validated `GET /api/v1/stats/employers` query. */
export type EmployerStatsQuery = z.infer<typeof employerStatsQuerySchema>;

/** The filters of a statistics query, as the repository takes them. */
export interface StatsFilters {
  /** First month included, `YYYY-MM`. */
  from?: string | undefined;
  /** Last month included, `YYYY-MM`. */
  to?: string | undefined;
  origin_country: readonly string[];
  destination_country: readonly string[];
  category: readonly string[];
  sector: readonly string[];
}
