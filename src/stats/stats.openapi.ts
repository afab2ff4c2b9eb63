import { CATEGORIES, CHANNELS, SECTORS } from '../cases/case.vocabulary';
import { COUNTRIES } from '../places/places';
import { DIMENSIONS, MAX_DIMENSIONS } from './stats.schema';

// The statistics endpoints as OpenAPI 3.1 path items, from the same vocabularies the query schema
// checks against (the schema's comma lists are preprocessed, which JSON Schema cannot describe).
// src/http/openapi.ts can spread `statsApiPaths` into its `paths`.

const commaList = (name: string, values: readonly string[], description: string) => ({
  name,
  in: 'query',
  required: false,
  description: `${description} Comma-separated, any of: ${values.join(', ')}.`,
  schema: { type: 'string' },
});

const month = (name: string, description: string) => ({
  name, in: 'query', required: false, description, schema: { type: 'string', pattern: '^\\d{4}-(0[1-9]|1[0-2])$' },
});

const FILTERS = [
  month('from', 'First month included, YYYY-MM (UTC).'),
  month('to', 'Last month included, YYYY-MM (UTC).'),
  commaList('origin_country', COUNTRIES, 'Only cases from these countries.'),
  commaList('destination_country', COUNTRIES, 'Only cases in these countries.'),
  commaList('category', CATEGORIES, 'Only cases with at least one of these categories.'),
  commaList('sector', SECTORS, 'Only cases in these sectors.'),
];

const NUMBER_OR_NULL = { type: ['number', 'null'] };

const ROW = {
  type: 'object',
  description: 'One cell or total. Each dimension asked for is a property; "*" means all its values (a total), null "not recorded".',
  required: ['suppressed', 'rolled_up', 'cases'],
  additionalProperties: true,
  properties: {
    suppressed: { type: 'boolean', description: 'Fewer than k cases: every number is null, never 0.' },
    rolled_up: { type: 'boolean', description: 'A destination province with fewer than k cases, counted under its country code.' },
    cases: { ...NUMBER_OR_NULL, description: 'Perturbed by the cell key: within 2 of the true count (3% from 50 up), never below k, the same for the same cases in any query.' },
    workers_affected: { ...NUMBER_OR_NULL, description: 'Perturbed like cases: within 2 of the true sum.' },
    median_days_to_first_response: { ...NUMBER_OR_NULL, description: 'Null when suppressed or fewer than k cases were answered.' },
    median_days_to_resolution: { ...NUMBER_OR_NULL, description: 'Null when suppressed or fewer than k cases were resolved.' },
    share_resolved: { ...NUMBER_OR_NULL, description: 'Cases resolved or closed (perturbed) over the published cases.' },
    channel: {
      type: 'string',
      enum: [...CHANNELS, '*'],
      description: 'With group_by=channel: how the case came in (voice: a phone call to the voice line; console: entered by staff); "*" all channels.',
    },
    amounts_recovered: {
      type: ['object', 'null'],
      description: 'Sum per currency, decimal strings rounded to 2 significant figures; null where the perturbed count of cases behind it is below k.',
      additionalProperties: { type: ['string', 'null'] },
    },
  },
};

const error = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });

/** The `paths` entries of the statistics API. */
export const statsApiPaths = {
  '/api/v1/stats/cases': {
    get: {
      summary: 'Anonymised case statistics (researchers, coordinators, admins)',
      description:
        'Cells for the breakdown asked for and all its marginal totals. Counts from 1 to k-1 are suppressed; every other count is ' +
        'perturbed by cell-key perturbation (within 2, the same value for the same cases in any query), and totals are perturbed ' +
        'as cells of their own, so cells need not add up to their totals. CSV with `Accept: text/csv` or `format=csv` (columns ' +
        '`perturbed` and `note` say the same).',
      parameters: [
        commaList('group_by', DIMENSIONS, `Up to ${MAX_DIMENSIONS} dimensions, at most one of month, quarter and year.`),
        ...FILTERS,
        { name: 'format', in: 'query', required: false, schema: { type: 'string', enum: ['json', 'csv'] } },
      ],
      responses: {
        200: {
          description: 'The published table',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['k', 'perturbed', 'note', 'group_by', 'filters', 'cells', 'totals'],
                properties: {
                  k: { type: 'integer', description: 'The smallest count published (STATS_MIN_CELL).' },
                  perturbed: { type: 'boolean', const: true, description: 'Counts are perturbed; totals need not equal the sum of their cells.' },
                  note: { type: 'string', description: 'How to read the figures, in English.' },
                  group_by: { type: 'array', items: { type: 'string', enum: [...DIMENSIONS] } },
                  filters: { type: 'object' },
                  cells: { type: 'array', items: ROW },
                  totals: { type: 'array', items: ROW },
                },
              },
            },
            'text/csv': { schema: { type: 'string' } },
          },
        },
        400: error('Invalid query; `fields` names each field and reason'),
        401: error('No valid token'),
        403: error('The role may not use this route'),
      },
    },
  },
  '/api/v1/stats/employers': {
    get: {
      summary: 'Complaints per named employer or agency, only names in at least k cases (coordinators, admins)',
      parameters: FILTERS,
      responses: {
        200: {
          description: 'Employers with their case counts (perturbed like every published count, never below k), most first',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: {
                  k: { type: 'integer' },
                  filters: { type: 'object' },
                  employers: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, cases: { type: 'integer' } } } },
                },
              },
            },
          },
        },
        400: error('Invalid query'),
        401: error('No valid token'),
        403: error('The role may not use this route'),
      },
    },
  },
};
