import type { Request } from 'express';
import { principalOf } from '../http/access';
import type { RouteSpec } from '../http/routes';
import { validate } from '../http/validate';
import { CASE_ROLES } from './case.policy';
import { addNoteFor, listCasesFor, overdueSince, readCaseFor, replyFor, updateCaseFor, type CaseWorkDeps } from './case-work.service';
import { addNoteBody, addReplyBody, listCasesQuery, referenceParam, updateCaseBody, updateCaseHeaders } from './cases.schema';

const access = { roles: CASE_ROLES };

// The ETag names the version of the case's own fields (its `updated_at`), not of its notes or
// messages: it is weak, and `If-Match` on PATCH compares versions only.
const entityTagOf = (version: string) => `W/"${version}"`;

/** `/api/v1/cases`: the case work of caseworkers and coordinators, as JSON. */
export function caseRoutes(deps: CaseWorkDeps): RouteSpec[] {
  const caller = (req: Request, res: Parameters<typeof principalOf>[0]) => ({ principal: principalOf(res), ip: req.ip ?? null });
  const reference = (req: Request) => validate(referenceParam, req.params).reference;
  return [
    {
      method: 'get',
      path: '/api/v1/cases',
      access,
      handler: async (req, res) => {
        const query = validate(listCasesQuery, req.query);
        const { principal } = caller(req, res);
        const result = await listCasesFor(deps, caller(req, res), {
          status: query.status, urgency: query.urgency, category: query.category, country: query.country, province: query.province,
          channel: query.channel, language: query.language, waiting: query.waiting, reference: query.reference, overdueBefore: query.overdue ? overdueSince(deps.clock) : undefined, triage: query.triage,
          assignedTo: query.assigned === 'me' ? principal.userId : undefined,
        }, { limit: query.limit, cursor: query.cursor });
        res.set('Cache-Control', 'no-store').json(result);
      },
    },
    {
      method: 'get',
      path: '/api/v1/cases/:reference',
      access,
      handler: async (req, res) => {
        const { detail, version } = await readCaseFor(deps, caller(req, res), reference(req));
        res.set('Cache-Control', 'no-store').set('ETag', entityTagOf(version)).json(detail);
      },
    },
    {
      method: 'patch',
      path: '/api/v1/cases/:reference',
      access,
      handler: async (req, res) => {
        const changes = validate(updateCaseBody, req.body);
        // Without If-Match the change applies to whatever version is current, as before ETags.
        const { 'if-match': expectedVersion } = validate(updateCaseHeaders, { 'if-match': req.get('If-Match') });
        await updateCaseFor(deps, caller(req, res), reference(req), changes, expectedVersion);
        const { detail, version } = await readCaseFor(deps, caller(req, res), reference(req));
        res.set('Cache-Control', 'no-store').set('ETag', entityTagOf(version)).json(detail);
      },
    },
    {
      method: 'post',
      path: '/api/v1/cases/:reference/notes',
      access,
      handler: async (req, res) => {
        const note = validate(addNoteBody, req.body);
        res.status(201).json(await addNoteFor(deps, caller(req, res), reference(req), note));
      },
    },
    {
      method: 'post',
      path: '/api/v1/cases/:reference/replies',
      access,
      handler: async (req, res) => {
        const { body } = validate(addReplyBody, req.body);
        res.status(201).json(await replyFor(deps, caller(req, res), reference(req), body));
      },
    },
  ];
}
