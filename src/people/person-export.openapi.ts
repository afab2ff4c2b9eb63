import { LANGUAGES } from '../cases/case.vocabulary';
import { NOTES_LEFT_OUT_REASONS } from './person-export.service';

// A person's copy as OpenAPI 3.1: the path item and the document's shape, kept beside the service
// that builds it. src/http/openapi.ts spreads `personExportApiPaths` into its `paths`.

const TIME = { type: 'string', format: 'date-time' };
const TIME_OR_NULL = { type: ['string', 'null'], format: 'date-time' };
const TEXT_OR_NULL = { type: ['string', 'null'] };
const ERASED = {
  type: 'array', items: { type: 'string' },
  description: 'The sealed fields of this record that can no longer be opened: the person (or the case) was erased. Those fields are null.',
};
const object = (properties: Record<string, unknown>, description?: string) => ({
  type: 'object', required: Object.keys(properties), properties, ...(description ? { description } : {}),
});

const MESSAGE = object({
  id: { type: 'string', format: 'uuid' }, case_reference: TEXT_OR_NULL, direction: { type: 'string', enum: ['in', 'out'] }, channel: { type: 'string' },
  at: TIME, body: TEXT_OR_NULL,
  body_as_received: { type: ['string', 'null'], description: 'The text exactly as it arrived, when another form was stored (Zawgyi turned into Unicode)' },
  event: { type: ['string', 'null'], description: 'follow, unfollow, sticker or location: a chat event rather than words' },
  language: TEXT_OR_NULL, status: { type: 'string' }, erased: ERASED,
});

const ATTACHMENT = object({
  id: { type: 'string', format: 'uuid' }, case_reference: TEXT_OR_NULL, message_id: { type: ['string', 'null'], format: 'uuid' },
  source: { type: 'string' }, status: { type: 'string', enum: ['pending', 'stored', 'refused', 'failed', 'erased'] },
  kind: { type: ['string', 'null'], enum: ['image', 'document', 'audio', null] }, content_type: TEXT_OR_NULL, size_bytes: { type: ['integer', 'null'] },
  created_at: TIME,
  download: {
    type: ['object', 'null'], required: ['api', 'console'], properties: { api: { type: 'string' }, console: { type: 'string' } },
    description: 'Where a stored file of a case is downloaded (the file itself is not in the copy); null otherwise',
  },
});

const CALL = object({
  id: { type: 'string', format: 'uuid' }, case_reference: TEXT_OR_NULL, started_at: TIME, ended_at: TIME_OR_NULL, language: TEXT_OR_NULL,
  category: TEXT_OR_NULL, wants_callback: { type: ['boolean', 'null'] }, safe_time: { type: ['string', 'null'], enum: ['morning', 'afternoon', 'evening', 'any', null] },
  recording_attachment_id: { type: ['string', 'null'], format: 'uuid' },
});

const CASE = object({
  reference: { type: 'string' }, created_at: TIME, updated_at: TIME, resolved_at: TIME_OR_NULL, status: { type: 'string' }, urgency: { type: 'string' },
  channel: { type: 'string' }, language: { type: 'string' }, categories: { type: 'array', items: { type: 'string' } },
  forced_labour_indicators: { type: 'array', items: { type: 'string' } }, sector: TEXT_OR_NULL, origin_country: TEXT_OR_NULL, origin_province: TEXT_OR_NULL,
  destination_country: TEXT_OR_NULL, destination_province: TEXT_OR_NULL, gender: TEXT_OR_NULL, age_band: TEXT_OR_NULL, workers_affected: { type: 'integer' },
  summary: { type: ['string', 'null'], description: "The worker's account of what happened" }, employer: TEXT_OR_NULL, location_as_written: TEXT_OR_NULL,
  consent: {
    type: ['object', 'null'], required: ['given', 'at', 'source', 'wording'],
    properties: { given: { type: 'boolean' }, at: TIME_OR_NULL, source: TEXT_OR_NULL, wording: { type: ['string', 'null'], description: 'The question as it was put to the worker' } },
  },
  outcome: TEXT_OR_NULL, amount_recovered: { type: ['string', 'null'], description: 'Decimal, every digit kept' }, recovered_currency: TEXT_OR_NULL,
  organisation: { type: ['string', 'null'], description: 'The organisation holding the case' }, personal_data_erased_at: TIME_OR_NULL, erased: ERASED,
  messages: { type: 'array', items: MESSAGE },
  notes: {
    type: ['array', 'null'], description: 'Staff notes (by organisation, never by name); null when the coordinator left them out (see export.notes_left_out_reason)',
    items: object({ id: { type: 'string', format: 'uuid' }, at: TIME, organisation: { type: 'string' }, visibility: { type: 'string', enum: ['organisation', 'partners'] }, body: TEXT_OR_NULL, erased: ERASED }),
  },
  referrals: {
    type: 'array',
    items: object({
      id: { type: 'string', format: 'uuid' }, from: TEXT_OR_NULL, to: { type: 'string' }, status: { type: 'string' }, reason: TEXT_OR_NULL, decline_reason: TEXT_OR_NULL,
      created_at: TIME, due_at: TIME, responded_at: TIME_OR_NULL, completed_at: TIME_OR_NULL, erased: ERASED,
    }),
  },
  escalations: {
    type: 'array',
    items: object({
      id: { type: 'string', format: 'uuid' }, embassy: { type: 'string' }, status: { type: 'string' }, reason: TEXT_OR_NULL, outcome: TEXT_OR_NULL,
      created_at: TIME, acknowledged_at: TIME_OR_NULL, closed_at: TIME_OR_NULL, erased: ERASED,
    }),
  },
  attachments: { type: 'array', items: ATTACHMENT },
  calls: { type: 'array', items: CALL },
});

const PERSON_EXPORT = object({
  export: object({
    format_version: { type: 'integer', enum: [1] }, generated_at: TIME,
    generated_by: object({ name: { type: 'string' }, organisation: { type: 'string' } }, 'The coordinator who made the copy'),
    language: { type: 'string', enum: [...LANGUAGES] }, worker_language: { type: 'string', enum: [...LANGUAGES] }, includes_notes: { type: 'boolean' },
    notes_left_out_reason: { type: ['string', 'null'], enum: [...NOTES_LEFT_OUT_REASONS, null] },
  }),
  person: object({
    id: { type: 'string', format: 'uuid' }, created_at: TIME, erased_at: TIME_OR_NULL,
    merged_people: { type: 'array', items: object({ id: { type: 'string', format: 'uuid' }, merged_at: TIME }), description: 'People found to be this worker and merged into them' },
    languages: { type: 'array', items: { type: 'string' } },
  }),
  identities: {
    type: 'array',
    items: object({
      id: { type: 'string', format: 'uuid' }, channel: { type: 'string' },
      address: { type: ['string', 'null'], description: 'The whole phone number or chat account id (this is the worker\'s own copy); null once erased' },
      language: TEXT_OR_NULL, opted_out: { type: 'boolean' }, opted_out_at: TIME_OR_NULL, discreet: { type: 'boolean' }, first_seen_at: TIME,
      last_message_at: TIME_OR_NULL, erased_at: TIME_OR_NULL, erased: ERASED,
    }),
  },
  cases: { type: 'array', items: CASE },
  outside_cases: object({ messages: { type: 'array', items: MESSAGE }, attachments: { type: 'array', items: ATTACHMENT }, calls: { type: 'array', items: CALL } }, 'What belongs to the person but to none of their cases'),
});

const ERROR = { $ref: '#/components/schemas/Error' };
const problem = (description: string) => ({ description, content: { 'application/json': { schema: ERROR } } });

/** `GET /api/v1/people/{personId}/export` as an OpenAPI path item. */
export const personExportApiPaths = {
  '/api/v1/people/{personId}/export': {
    parameters: [{ name: 'personId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' }, description: 'The person (a case\'s worker)' }],
    get: {
      summary: "Coordinators: a copy of everything the hotline holds about a person and the people merged into them, for the worker or their lawyer (whole addresses, every case, message, staff note, referral, escalation, file and call); every copy is audited (`person.exported`), and so is every refusal (`person.export_denied`)",
      operationId: 'exportPerson',
      parameters: [
        { name: 'lang', in: 'query', required: false, schema: { type: 'string', enum: [...LANGUAGES] }, description: "The language recorded as the copy's (unset: the worker's own)" },
        { name: 'notes', in: 'query', required: false, schema: { type: 'string', enum: ['include', 'leave_out'], default: 'include' }, description: 'Staff notes are included unless left out' },
        { name: 'notes_reason', in: 'query', required: false, schema: { type: 'string', enum: [...NOTES_LEFT_OUT_REASONS] }, description: 'Why the notes are left out: required with `notes=leave_out`, recorded in the audit log and in the copy' },
      ],
      responses: {
        '200': {
          description: 'The copy, as a file to save (`Content-Disposition: attachment`, `Cache-Control: no-store`)',
          headers: { 'Content-Disposition': { schema: { type: 'string' } } },
          content: { 'application/json': { schema: PERSON_EXPORT } },
        },
        '400': problem('Invalid input; `fields` names each field and reason (e.g. `notes_reason` required)'),
        '401': problem('No valid token'),
        '403': problem('Only coordinators may copy a person\'s data (the refusal is audited)'),
        '404': problem('No such person'),
      },
    },
  },
};
