import { AppError } from '../http/errors';
import { validate } from '../http/validate';
import { statsApiPaths } from './stats.openapi';
import { caseStatsQuerySchema, employerStatsQuerySchema } from './stats.schema';

function issuesOf(input: Record<string, unknown>) {
  try {
    validate(caseStatsQuerySchema, input);
  } catch (error) {
    if (error instanceof AppError) return error.issues.map(({ field, reason }) => ({ field, reason }));
    throw error;
  }
  return [];
}

describe('the statistics query', () => {
  it('reads comma lists, repeated parameters and no parameter at all', () => {
    expect(validate(caseStatsQuerySchema, { group_by: 'month,category', category: ['wages', 'documents'] })).toMatchObject({
      group_by: ['month', 'category'],
      category: ['wages', 'documents'],
      origin_country: [],
    });
    expect(validate(caseStatsQuerySchema, {})).toMatchObject({ group_by: [], sector: [] });
    expect(validate(caseStatsQuerySchema, { group_by: 'sector, sector' }).group_by).toEqual(['sector']);
  });

  it('names the field of an unknown value', () => {
    expect(issuesOf({ group_by: 'month,employer' })).toEqual([{ field: 'group_by', reason: 'not_allowed' }]);
    expect(issuesOf({ origin_country: 'XX' })).toEqual([{ field: 'origin_country', reason: 'not_allowed' }]);
    expect(issuesOf({ category: 'wages,gossip' })).toEqual([{ field: 'category', reason: 'not_allowed' }]);
    expect(issuesOf({ sector: 'mining' })).toEqual([{ field: 'sector', reason: 'not_allowed' }]);
    expect(issuesOf({ phone: '+66812345678' })).toEqual([{ field: 'phone', reason: 'unknown_field' }]);
    expect(issuesOf({ format: 'xlsx' })).toEqual([{ field: 'format', reason: 'not_allowed' }]);
  });

  it('takes months as YYYY-MM, the first not after the last', () => {
    expect(issuesOf({ from: '2026-13' })).toEqual([{ field: 'from', reason: 'invalid_format' }]);
    expect(issuesOf({ to: '2026-01-15' })).toEqual([{ field: 'to', reason: 'invalid_format' }]);
    expect(issuesOf({ from: '2026-05', to: '2026-04' })).toEqual([{ field: 'to', reason: 'invalid' }]);
    expect(issuesOf({ from: '2026-04', to: '2026-04' })).toEqual([]);
  });

  it('allows at most three dimensions, and one of month, quarter and year', () => {
    expect(issuesOf({ group_by: 'month,category,sector,status' })).toEqual([{ field: 'group_by', reason: 'too_big' }]);
    expect(issuesOf({ group_by: 'month,year' })).toEqual([{ field: 'group_by', reason: 'not_allowed' }]);
  });

  it('gives the employers endpoint the filters only', () => {
    expect(() => validate(employerStatsQuerySchema, { group_by: 'month' })).toThrow(AppError);
    expect(validate(employerStatsQuerySchema, { destination_country: 'TH' }).destination_country).toEqual(['TH']);
  });
});

describe('the statistics API description', () => {
  it('lists exactly the parameters the query schema takes', () => {
    const names = (path: keyof typeof statsApiPaths) => statsApiPaths[path].get.parameters.map((parameter) => parameter.name).sort();
    expect(names('/api/v1/stats/cases')).toEqual(Object.keys(caseStatsQuerySchema.shape).sort());
    expect(names('/api/v1/stats/employers')).toEqual(Object.keys(employerStatsQuerySchema.shape).sort());
  });
});
