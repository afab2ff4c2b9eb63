import type { Request, Response } from 'express';
import { CASE_ROLES } from '../cases/case.policy';
import type { CaseWorkDeps } from '../cases/case-work.service';
import { referenceParam } from '../cases/cases.schema';
import { principalOf } from '../http/access';
import type { RouteSpec } from '../http/routes';
import { validate } from '../http/validate';
import { addEscalationNote, changeEscalationStatus, escalateByHand, getEscalationFor, listEscalationsFor } from './escalation.service';
import { addEscalationNoteBody, createEscalationBody, escalationIdParam, listEscalationsQuery, updateEscalationBody } from './escalations.schema';

/** Liaisons work their embassy's escalations; coordinators oversee all of them. */
const LIAISON_ACCESS = { roles: ['liaison', 'coordinator'] } as const;

/** `/api/v1/escalations` and `/api/v1/cases/{reference}/escalations`. */
export function escalationRoutes(deps: CaseWorkDeps): RouteSpec[] {
  const caller = (req: Request, res: Response) => ({ principal: principalOf(res), ip: req.ip ?? null });
  const id = (req: Request) => validate(escalationIdParam, req.params).id;
  return [
    {
      method: 'post',
      path: '/api/v1/cases/:reference/escalations',
      access: { roles: CASE_ROLES },
      handler: async (req, res) => {
        const { reference } = validate(referenceParam, req.params);
        const body = validate(createEscalationBody, req.body);
        res.status(201).json(await escalateByHand(deps, caller(req, res), reference, body));
      },
    },
    {
      method: 'get',
      path: '/api/v1/escalations',
      access: LIAISON_ACCESS,
      handler: async (req, res) => {
        const query = validate(listEscalationsQuery, req.query);
        res.set('Cache-Control', 'no-store').json({ data: await listEscalationsFor(deps, caller(req, res), query) });
      },
    },
    {
      method: 'get',
      path: '/api/v1/escalations/:id',
      access: LIAISON_ACCESS,
      handler: async (req, res) => {
        res.set('Cache-Control', 'no-store').json(await getEscalationFor(deps, caller(req, res), id(req)));
      },
    },
    {
      method: 'patch',
      path: '/api/v1/escalations/:id',
      access: LIAISON_ACCESS,
      handler: async (req, res) => {
        const body = validate(updateEscalationBody, req.body);
        await changeEscalationStatus(deps, caller(req, res), id(req), body);
        res.status(204).end();
      },
    },
    {
      method: 'post',
      path: '/api/v1/escalations/:id/notes',
      access: LIAISON_ACCESS,
      handler: async (req, res) => {
        const { body } = validate(addEscalationNoteBody, req.body);
        res.status(201).json(await addEscalationNote(deps, caller(req, res), id(req), body));
      },
    },
  ];
}
