import { z } from 'zod';
import { addNoteBody, addReplyBody, listCasesQuery, updateCaseBody } from '../cases/cases.schema';
import { addEscalationNoteBody, createEscalationBody, listEscalationsQuery, updateEscalationBody } from '../escalations/escalations.schema';
import { placeLegalHoldBody, proposeErasureBody, releaseLegalHoldBody, updateErasureBody } from '../erasures/erasures.schema';
import { listNotificationsQuery, markReadBody } from '../notifications/notifications.schema';
import { createReferralBody, listReferralsQuery, updateReferralBody } from '../referrals/referrals.schema';
import { createRoutingRuleBody, testRoutingRuleBody, updateRoutingRuleBody } from '../routing/routing-rule.schema';
import { mergePeopleBody } from '../people/people.schema';
import { personExportApiPaths } from '../people/person-export.openapi';
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
const idParameter = (description: string) => ({ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' }, description });
const ANY_OBJECT = { type: 'object' };
const LIST = { type: 'object', required: ['data'], properties: { data: { type: 'array', items: ANY_OBJECT } } };

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
    assigned_to_me: { type: 'boolean' }, assignee: { type: ['string', 'null'], description: 'the display name of whoever holds the case' },
    waiting_for_reply: { type: 'boolean' }, waiting_since: { type: ['string', 'null'], format: 'date-time', description: "when the worker's unanswered message came" },
    created_at: { type: 'string', format: 'date-time' }, updated_at: { type: 'string', format: 'date-time' },
  },
};

const CASE = {
  type: 'object',
  required: ['reference', 'status', 'messages', 'notes'],
  properties: {
    ...CASE_SUMMARY.properties,
    view: { type: 'string', enum: ['full', 'limited'], description: "limited: a partner without the worker's consent sees no identifying fields, and words without contact details" },
    summary: { type: ['string', 'null'], description: "The worker's own words" },
    referrals: { type: 'array', items: { type: 'object' } },
    escalations: { type: 'array', items: { type: 'object' } },
    messages: { type: 'array', items: { $ref: '#/components/schemas/Message' } },
    notes: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, body: { type: 'string' }, visibility: { type: 'string' }, author: { type: 'string' }, created_at: { type: 'string', format: 'date-time' } } } },
    attachments: {
      type: ['array', 'null'], items: { $ref: '#/components/schemas/Attachment' },
      description: "Evidence files, oldest first, in the full view; null in the limited view, which gets only `attachment_counts` until the worker agrees to share",
    },
    attachment_counts: { $ref: '#/components/schemas/AttachmentCounts' },
  },
};

const ATTACHMENT = {
  type: 'object',
  required: ['id', 'kind', 'content_type', 'size_bytes', 'status', 'created_at', 'message_id', 'download_url'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    kind: { type: ['string', 'null'], enum: ['image', 'document', 'audio', null], description: 'Null until the bytes were checked' },
    content_type: { type: ['string', 'null'], description: 'The type found in the bytes (image/jpeg, application/pdf, audio/ogg …), not the one the sender claimed' },
    size_bytes: { type: ['integer', 'null'] },
    status: { type: 'string', enum: ['pending', 'stored', 'refused', 'failed'] },
    refused_reason: { type: ['string', 'null'], description: 'Why a file was not kept, as a code (unsupported_type, too_large …)' },
    width: { type: ['integer', 'null'] }, height: { type: ['integer', 'null'] },
    created_at: { type: 'string', format: 'date-time' },
    message_id: { type: ['string', 'null'], format: 'uuid', description: 'The inbound message it came with; null for a web upload' },
    download_url: { type: ['string', 'null'], description: 'Where to download a stored file (null otherwise)' },
    thumbnail_url: { type: ['string', 'null'], description: 'A WebP thumbnail of a stored photo (null otherwise)' },
  },
};

const ATTACHMENT_COUNTS = {
  type: 'object',
  required: ['image', 'document', 'audio'],
  description: 'How many stored files of each kind the case holds (photos, documents, voice messages)',
  properties: { image: { type: 'integer' }, document: { type: 'integer' }, audio: { type: 'integer' } },
};

function queryParameters(schema: z.ZodObject): unknown[] {
  const properties = (jsonSchema(schema)['properties'] ?? {}) as Record<string, unknown>;
  return Object.entries(properties).map(([name, parameterSchema]) => ({ name, in: 'query', required: false, schema: parameterSchema }));
}

const bearer = [{ bearerAuth: [] }];

// The case's version travels as an ETag: GET hands it out, PATCH takes it back in If-Match.
const CASE_ETAG = {
  ETag: { description: 'The version of the case\'s own fields (not of its notes or messages), as a weak tag: send it back in If-Match to change the case', schema: { type: 'string', examples: ['W/"1796198400123456"'] } },
};
const IF_MATCH = {
  name: 'If-Match', in: 'header', required: false, schema: { type: 'string', examples: ['W/"1796198400123456"'] },
  description: 'The ETag of the case as last read (weak or strong form, the version is compared). If the case changed since, nothing is written and the answer is 409 `case_changed`. Without this header, or with `*`, the change applies to the current version, as before ETags existed.',
};

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
          properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' }, fields: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, reason: { type: 'string' }, message: { type: 'string' } } } }, id: { type: 'string', description: 'On a 500 only: the request id its log line carries.' } } } },
        },
        Message: MESSAGE,
        CaseSummary: CASE_SUMMARY,
        Case: CASE,
        Attachment: ATTACHMENT,
        AttachmentCounts: ATTACHMENT_COUNTS,
      },
    },
    paths: {
      ...statsApiPaths,
      ...personExportApiPaths,
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
        get: { summary: 'A case with its messages and notes; its version in the ETag header', operationId: 'getCase', responses: { '200': { ...json('The case', { $ref: '#/components/schemas/Case' }), headers: CASE_ETAG }, ...errorResponses(401, 403, 404) } },
        patch: {
          summary: "Change triage and outcome fields, or record the worker's consent (only the owning organisation's staff and coordinators: 403 consent_not_yours otherwise); with If-Match, only if the case has not changed since it was read",
          operationId: 'updateCase', parameters: [IF_MATCH], requestBody: jsonBody(updateCaseBody),
          responses: {
            '200': { ...json('The case after the change, with its new version in the ETag header', { $ref: '#/components/schemas/Case' }), headers: CASE_ETAG },
            ...errorResponses(400, 401, 403, 404),
            '409': { description: '`case_changed`: someone else changed the case since the version in If-Match; nothing was written. Read it again and redo the change.', content: { 'application/json': { schema: ERROR } } },
          },
        },
      },
      '/api/v1/cases/{reference}/notes': {
        parameters: [referenceParameter],
        post: { summary: 'Add a note', operationId: 'addNote', requestBody: jsonBody(addNoteBody), responses: { '201': json('The new note', { type: 'object', properties: { id: { type: 'string' } } }), ...errorResponses(400, 401, 403, 404) } },
      },
      '/api/v1/cases/{reference}/referrals': {
        parameters: [referenceParameter],
        post: { summary: 'Refer the case to another organisation, with a reason and a response time (the owner, a coordinator, or an organisation that accepted a referral of it; 403 accept_referral_first otherwise)', operationId: 'referCase', requestBody: jsonBody(createReferralBody), responses: { '201': json('The pending referral', { type: 'object', properties: { id: { type: 'string' }, due_at: { type: 'string', format: 'date-time' } } }), ...errorResponses(400, 401, 403, 404, 409) } },
      },
      '/api/v1/cases/{reference}/attachments/{id}': {
        parameters: [referenceParameter, idParameter('The attachment')],
        get: {
          summary: "Download an evidence file (full view only: a partner or embassy without the worker's consent gets 403); every download is audited",
          operationId: 'downloadAttachment',
          responses: {
            '200': {
              description: 'The file as stored. `Content-Disposition: inline` for images and audio, `attachment; filename="<reference>-<n>.<ext>"` for documents; `Cache-Control: no-store`, `X-Content-Type-Options: nosniff`, `Content-Security-Policy: default-src \'none\'; sandbox`',
              headers: {
                'Content-Disposition': { schema: { type: 'string' } },
                'Content-Length': { schema: { type: 'integer' } },
              },
              content: { 'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } },
            },
            ...errorResponses(400, 401),
            '403': { description: "The caller sees the case only in the limited view (no consent to share), or the role may not use this route", content: { 'application/json': { schema: ERROR } } },
            '404': { description: 'No such case or file for this caller, or the file is not stored', content: { 'application/json': { schema: ERROR } } },
          },
        },
      },
      '/api/v1/cases/{reference}/attachments/{id}/thumbnail': {
        parameters: [referenceParameter, idParameter('The attachment')],
        get: {
          summary: 'The WebP thumbnail of a stored photo, under the same rules and audit as the download',
          operationId: 'getAttachmentThumbnail',
          responses: {
            '200': { description: 'The thumbnail (image/webp)', content: { 'image/webp': { schema: { type: 'string', contentMediaType: 'image/webp' } } } },
            ...errorResponses(400, 401, 403, 404),
          },
        },
      },
      '/api/v1/cases/{reference}/escalations': {
        parameters: [referenceParameter],
        post: { summary: "Escalate the case to the labour liaison of the worker's embassy, with a reason", operationId: 'escalateCase', requestBody: jsonBody(createEscalationBody), responses: { '201': json('The open escalation', { type: 'object', properties: { id: { type: 'string' } } }), ...errorResponses(400, 401, 403, 404, 409) } },
      },
      '/api/v1/erasures': {
        get: { summary: "Coordinators: open erasures of workers' personal data (requested, proposed, confirmed), soonest due first, with days left on the 90-day clock", operationId: 'listErasures', responses: { '200': json('Erasures', LIST), ...errorResponses(401, 403) } },
      },
      '/api/v1/erasures/{id}': {
        parameters: [idParameter('Erasure id')],
        get: { summary: 'Coordinators: one erasure, who proposed, confirmed or refused it, the worker\'s cases and legal holds in force', operationId: 'getErasure', responses: { '200': json('The erasure', ANY_OBJECT), ...errorResponses(401, 403, 404) } },
        patch: {
          summary: "Coordinators: propose a worker's request (with a reason), confirm a proposal (a coordinator other than the proposer: 403 erasure_second_coordinator otherwise; then the job `erasure.run` is queued), or refuse it for a legal reason (`other` needs a note)",
          operationId: 'updateErasure', requestBody: jsonBody(updateErasureBody),
          responses: { '200': json('The erasure after the change', ANY_OBJECT), ...errorResponses(400, 401, 403, 404), '409': { description: 'The erasure is not in a state that takes this step, or a case of the worker is under a legal hold', content: { 'application/json': { schema: ERROR } } } },
        },
      },
      '/api/v1/cases/{reference}/erasures': {
        parameters: [referenceParameter],
        post: { summary: "Coordinators: propose erasing the personal data of the case's worker (all their cases); a second coordinator confirms", operationId: 'proposeErasure', requestBody: jsonBody(proposeErasureBody), responses: { '201': json('The proposed erasure', { type: 'object', properties: { id: { type: 'string', format: 'uuid' } } }), ...errorResponses(400, 401, 403, 404), '409': { description: 'An erasure of this worker is already open, or their data is already erased', content: { 'application/json': { schema: ERROR } } } } },
      },
      '/api/v1/cases/{reference}/legal-holds': {
        parameters: [referenceParameter],
        post: { summary: 'Coordinators: hold the case against erasure (by request or retention) until the end of a day (YYYY-MM-DD), with a reason', operationId: 'placeLegalHold', requestBody: jsonBody(placeLegalHoldBody), responses: { '201': json('The hold', { type: 'object', properties: { id: { type: 'string', format: 'uuid' } } }), ...errorResponses(400, 401, 403, 404) } },
      },
      '/api/v1/cases/{reference}/legal-holds/{id}': {
        parameters: [referenceParameter, idParameter('Legal hold id')],
        patch: { summary: 'Coordinators: release a hold in force before its end', operationId: 'releaseLegalHold', requestBody: jsonBody(releaseLegalHoldBody), responses: { '204': { description: 'Released' }, ...errorResponses(400, 401, 403, 404) } },
      },
      '/api/v1/referrals': {
        get: { summary: "Referrals to or from the caller's organisation (coordinators: the network's), soonest due first", operationId: 'listReferrals', parameters: queryParameters(listReferralsQuery), responses: { '200': json('Referrals', LIST), ...errorResponses(400, 401, 403) } },
      },
      '/api/v1/referrals/{id}': {
        parameters: [idParameter('Referral id')],
        patch: { summary: 'Accept, decline (with a reason), complete or withdraw a referral', operationId: 'updateReferral', requestBody: jsonBody(updateReferralBody), responses: { '204': { description: 'Changed' }, ...errorResponses(400, 401, 403, 404, 409) } },
      },
      '/api/v1/escalations': {
        get: { summary: "Open escalations of the liaison's embassy (coordinators: all), oldest first", operationId: 'listEscalations', parameters: queryParameters(listEscalationsQuery), responses: { '200': json('Escalations', LIST), ...errorResponses(400, 401, 403) } },
      },
      '/api/v1/escalations/{id}': {
        parameters: [idParameter('Escalation id')],
        get: { summary: "An escalation with its case, as much as the worker's consent allows", operationId: 'getEscalation', responses: { '200': json('The escalation and its case', { type: 'object', properties: { escalation: ANY_OBJECT, case: { $ref: '#/components/schemas/Case' } } }), ...errorResponses(401, 403, 404) } },
        patch: { summary: 'Acknowledge, or close with an outcome', operationId: 'updateEscalation', requestBody: jsonBody(updateEscalationBody), responses: { '204': { description: 'Changed' }, ...errorResponses(400, 401, 403, 404, 409) } },
      },
      '/api/v1/escalations/{id}/notes': {
        parameters: [idParameter('Escalation id')],
        post: { summary: "A liaison's note on the case, shared with its partners", operationId: 'addEscalationNote', requestBody: jsonBody(addEscalationNoteBody), responses: { '201': json('The new note', { type: 'object', properties: { id: { type: 'string' } } }), ...errorResponses(400, 401, 403, 404, 409) } },
      },
      '/api/v1/routing-rules': {
        get: { summary: 'Routing rules in priority order (coordinators)', operationId: 'listRoutingRules', responses: { '200': json('Rules', LIST), ...errorResponses(401, 403) } },
        post: { summary: 'Create a routing rule', operationId: 'createRoutingRule', requestBody: jsonBody(createRoutingRuleBody), responses: { '201': json('The rule', ANY_OBJECT), ...errorResponses(400, 401, 403) } },
      },
      '/api/v1/routing-rules/test': {
        post: { summary: 'Try a rule (saved or not) on a sample or real case: each condition, what it would do, and what the rule set would do with it', operationId: 'testRoutingRule', requestBody: jsonBody(testRoutingRuleBody), responses: { '200': json('The trial', ANY_OBJECT), ...errorResponses(400, 401, 403, 404) } },
      },
      '/api/v1/routing-rules/{id}': {
        parameters: [idParameter('Rule id')],
        get: { summary: 'One rule', operationId: 'getRoutingRule', responses: { '200': json('The rule', ANY_OBJECT), ...errorResponses(401, 403, 404) } },
        patch: { summary: 'Change a rule', operationId: 'updateRoutingRule', requestBody: jsonBody(updateRoutingRuleBody), responses: { '200': json('The rule', ANY_OBJECT), ...errorResponses(400, 401, 403, 404) } },
        delete: { summary: 'Delete a rule (referrals it made keep their history)', operationId: 'deleteRoutingRule', responses: { '204': { description: 'Deleted' }, ...errorResponses(401, 403, 404) } },
      },
      '/api/v1/notifications': {
        get: { summary: "The caller's own notices, newest first, with the unread count", operationId: 'listNotifications', parameters: queryParameters(listNotificationsQuery), responses: { '200': json('Notices', { type: 'object', properties: { unread: { type: 'integer' }, data: { type: 'array', items: ANY_OBJECT } } }), ...errorResponses(400, 401) } },
        patch: { summary: "Mark all the caller's notices read", operationId: 'markAllNotificationsRead', requestBody: jsonBody(markReadBody), responses: { '200': json('How many were marked', { type: 'object', properties: { marked: { type: 'integer' } } }), ...errorResponses(400, 401) } },
      },
      '/api/v1/notifications/{id}': {
        parameters: [idParameter('Notice id')],
        patch: { summary: 'Mark one notice read', operationId: 'markNotificationRead', requestBody: jsonBody(markReadBody), responses: { '204': { description: 'Marked' }, ...errorResponses(400, 401, 404) } },
      },
      '/api/v1/cases/{reference}/replies': {
        parameters: [referenceParameter],
        post: { summary: "Reply to the worker on the identity they used last (or the one a caseworker picked)", operationId: 'addReply', requestBody: jsonBody(addReplyBody), responses: { '201': json('The queued message', { type: 'object', properties: { id: { type: 'string' }, status: { type: 'string' }, encoding: { type: 'string' }, segments: { type: 'integer' } } }), ...errorResponses(400, 401, 403, 404, 409) } },
      },
      '/api/v1/cases/{reference}/merge': {
        parameters: [referenceParameter],
        post: { summary: "Coordinators: the other case's worker is this case's worker; all their identities and cases move here", operationId: 'mergePeople', requestBody: jsonBody(mergePeopleBody), responses: { '201': json('The merge', { type: 'object', required: ['merge_id'], properties: { merge_id: { type: 'string', format: 'uuid' } } }), ...errorResponses(400, 401, 403, 404) } },
      },
      '/api/v1/people/merges/{id}/undo': {
        parameters: [idParameter('Merge id')],
        post: { summary: 'Coordinators: undo a merge; exactly the identities and cases it moved go back', operationId: 'undoMerge', responses: { '200': json('The cases the undo touched', { type: 'object', properties: { case_references: { type: 'array', items: { type: 'string' } } } }), ...errorResponses(401, 403, 404), '409': { description: 'The merge was already undone', content: { 'application/json': { schema: ERROR } } } } },
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
