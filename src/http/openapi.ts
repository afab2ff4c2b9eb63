import { z } from 'zod';
import { addNoteBody, addReplyBody, listCasesQuery, updateCaseBody } from '../cases/cases.schema';
import { statsApiPaths } from '../stats/stats.openapi';
import type { RouteSpec } from './routes';

// The OpenAPI 3.1 description of /api/v1, built from the same zod schemas the routes validate
// with, so the document cannot drift from what the API accepts.

const jsonSchema = (schema: z.ZodType) => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

const ERROR = { $ref: '#/components/schemas/Error' };
const errorResponses = (...codes: number[]) =>
  Object.fromEntries(codes.map((code) => [String(code), { description: ERROR_TEXT[code] ?? 'Error', content: { 'application/json': { schema: ERROR } } }]));
const ERROR_TEXT: Record<number, string> = {
  400: 'Invalid input; `fields` names each field and reason', 401: 'No valid token', 403: 'The role may not use this route',
  404: 'No such case for this caller (its existence is not confirmed)', 409: 'The case cannot take this (no contact, or the worker opted out)',
};

const referenceParameter = { name: 'reference', in: 'path', required: true, schema: { type: 'string', pattern: '^[2-9A-HJKMNP-Za-hjkmnp-z]{3}-?[2-9A-HJKMNP-Za-hjkmnp-z]{3}$' }, description: 'Case reference such as K7M-4QX' };

const MESSAGE = {
  type: 'object',
  required: ['id', 'direction', 'body', 'status'],
  properties: {
    id: { type: 'string', format: 'uuid' }, direction: { type: 'string', enum: ['in', 'out'] }, channel: { type: 'string' },
    body: { type: ['string', 'null'] }, status: { type: 'string' }, error_code: { type: ['string', 'null'] },
    encoding: { type: ['string', 'null'], enum: ['GSM-7', 'UCS-2', null] }, segments: { type: ['integer', 'null'] },
    from_staff: { type: 'boolean' }, created_at: { type: 'string', format: 'date-time' }, status_updated_at: { type: 'string', format: 'date-time' },
  },
};

const CASE_SUMMARY = {
  type: 'object',
  required: ['reference', 'status', 'urgency'],
  properties: {
    reference: { type: 'string' }, status: { type: 'string' }, urgency: { type: 'string' }, categories: { type: 'array', items: { type: 'string' } },
    channel: { type: 'string' }, language: { type: 'string' }, origin_country: { type: ['string', 'null'] },
    destination_country: { type: ['string', 'null'] }, destination_province: { type: ['string', 'null'] }, owner: { type: ['string', 'null'] },
    assigned_to_me: { type: 'boolean' }, waiting_for_reply: { type: 'boolean' },
    created_at: { type: 'string', format: 'date-time' }, updated_at: { type: 'string', format: 'date-time' },
  },
};

const CASE = {
  type: 'object',
  required: ['reference', 'status', 'messages', 'notes'],
  properties: {
    ...CASE_SUMMARY.properties,
    summary: { type: ['string', 'null'], description: "The worker's own words" },
    messages: { type: 'array', items: { $ref: '#/components/schemas/Message' } },
    notes: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, body: { type: 'string' }, visibility: { type: 'string' }, author: { type: 'string' }, created_at: { type: 'string', format: 'date-time' } } } },
  },
};

function queryParameters(schema: z.ZodObject): unknown[] {
  const properties = (jsonSchema(schema)['properties'] ?? {}) as Record<string, unknown>;
  return Object.entries(properties).map(([name, parameterSchema]) => ({ name, in: 'query', required: false, schema: parameterSchema }));
}

const bearer = [{ bearerAuth: [] }];

/** The OpenAPI document. */
export function openApiDocument(publicUrl: string): Record<string, unknown> {
  const jsonBody = (schema: z.ZodType) => ({ required: true, content: { 'application/json': { schema: jsonSchema(schema) } } });
  const json = (description: string, schema: unknown) => ({ description, content: { 'application/json': { schema } } });
  return {
    openapi: '3.1.0',
    info: { title: 'Migrant Hotline API', version: '1.0.0', description: 'Case work for partner organisations, bearer-token authenticated. Tokens come from `npm run cli -- token:create`.' },
    servers: [{ url: publicUrl }],
    security: bearer,
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API token (mh_…)' } },
      schemas: {
        Error: {
          type: 'object', required: ['error'],
          properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' }, fields: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, reason: { type: 'string' }, message: { type: 'string' } } } } } } },
        },
        Message: MESSAGE,
        CaseSummary: CASE_SUMMARY,
        Case: CASE,
      },
    },
    paths: {
      ...statsApiPaths,
      '/api/v1/me': { get: { summary: 'Who the token belongs to', operationId: 'getMe', responses: { '200': json('The token holder', { type: 'object', properties: { id: { type: 'string' }, organisationId: { type: 'string' }, role: { type: 'string' }, locale: { type: 'string' } } }), ...errorResponses(401) } } },
      '/api/v1/cases': {
        get: {
          summary: 'Cases the caller may see, newest activity first', operationId: 'listCases', parameters: queryParameters(listCasesQuery),
          responses: {
            '200': json('A page of cases', { type: 'object', required: ['data', 'next_cursor'], properties: { data: { type: 'array', items: { $ref: '#/components/schemas/CaseSummary' } }, next_cursor: { type: ['string', 'null'] }, counts: { type: 'object' } } }),
            ...errorResponses(400, 401, 403),
          },
        },
      },
      '/api/v1/cases/{reference}': {
        parameters: [referenceParameter],
        get: { summary: 'A case with its messages and notes', operationId: 'getCase', responses: { '200': json('The case', { $ref: '#/components/schemas/Case' }), ...errorResponses(401, 403, 404) } },
        patch: { summary: 'Change triage and outcome fields', operationId: 'updateCase', requestBody: jsonBody(updateCaseBody), responses: { '200': json('The case after the change', { $ref: '#/components/schemas/Case' }), ...errorResponses(400, 401, 403, 404) } },
      },
      '/api/v1/cases/{reference}/notes': {
        parameters: [referenceParameter],
        post: { summary: 'Add a note', operationId: 'addNote', requestBody: jsonBody(addNoteBody), responses: { '201': json('The new note', { type: 'object', properties: { id: { type: 'string' } } }), ...errorResponses(400, 401, 403, 404) } },
      },
      '/api/v1/cases/{reference}/replies': {
        parameters: [referenceParameter],
        post: { summary: "Reply to the worker on the case's channel", operationId: 'addReply', requestBody: jsonBody(addReplyBody), responses: { '201': json('The queued message', { type: 'object', properties: { id: { type: 'string' }, status: { type: 'string' }, encoding: { type: 'string' }, segments: { type: 'integer' } } }), ...errorResponses(400, 401, 403, 404, 409) } },
      },
    },
  };
}

/** `GET /openapi.json`. */
export function openApiRoutes(publicUrl: string): RouteSpec[] {
  const document = openApiDocument(publicUrl);
  return [
    {
      method: 'get',
      path: '/openapi.json',
      access: { public: true, reason: 'describes the API; holds no data' },
      handler: (_req, res) => {
        res.json(document);
      },
    },
  ];
}
