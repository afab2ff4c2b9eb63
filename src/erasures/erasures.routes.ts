import type { Request, Response } from 'express';
import type { CaseWorkDeps } from '../cases/case-access';
import { referenceParam } from '../cases/cases.schema';
import { principalOf } from '../http/access';
import type { RouteSpec } from '../http/routes';
import { validate } from '../http/validate';
import { ERASURE_ROLES } from './erasure.policy';
import { changeErasure, getErasureFor, listErasureQueue, proposeErasureOfCase } from './erasure-queue.service';
import { erasureIdParam, legalHoldParams, placeLegalHoldBody, proposeErasureBody, releaseLegalHoldBody, updateErasureBody } from './erasures.schema';
import { placeLegalHold, releaseLegalHold } from './legal-hold.service';

const access = { roles: ERASURE_ROLES };

/** `/api/v1/erasures`, `/api/v1/cases/{reference}/erasures` and `/api/v1/cases/{reference}/legal-holds` (coordinators). */
export function erasureRoutes(deps: CaseWorkDeps): RouteSpec[] {
  const caller = (req: Request, res: Response) => ({ principal: principalOf(res), ip: req.ip ?? null });
  const reference = (req: Request) => validate(referenceParam, req.params).reference;
  return [
    {
      method: 'get',
      path: '/api/v1/erasures',
      access,
      handler: async (req, res) => {
        res.set('Cache-Control', 'no-store').json({ data: await listErasureQueue(deps, caller(req, res)) });
      },
    },
    {
      method: 'get',
      path: '/api/v1/erasures/:id',
      access,
      handler: async (req, res) => {
        res.set('Cache-Control', 'no-store').json(await getErasureFor(deps, caller(req, res), validate(erasureIdParam, req.params).id));
      },
    },
    {
      method: 'patch',
      path: '/api/v1/erasures/:id',
      access,
      handler: async (req, res) => {
        const { id } = validate(erasureIdParam, req.params);
        await changeErasure(deps, caller(req, res), id, validate(updateErasureBody, req.body));
        res.set('Cache-Control', 'no-store').json(await getErasureFor(deps, caller(req, res), id));
      },
    },
    {
      method: 'post',
      path: '/api/v1/cases/:reference/erasures',
      access,
      handler: async (req, res) => {
        const body = validate(proposeErasureBody, req.body);
        res.status(201).json(await proposeErasureOfCase(deps, caller(req, res), reference(req), body));
      },
    },
    {
      method: 'post',
      path: '/api/v1/cases/:reference/legal-holds',
      access,
      handler: async (req, res) => {
        const body = validate(placeLegalHoldBody, req.body);
        res.status(201).json(await placeLegalHold(deps, caller(req, res), reference(req), body));
      },
    },
    {
      method: 'patch',
      path: '/api/v1/cases/:reference/legal-holds/:id',
      access,
      handler: async (req, res) => {
        const { id } = validate(legalHoldParams, req.params);
        validate(releaseLegalHoldBody, req.body);
        await releaseLegalHold(deps, caller(req, res), reference(req), id);
        res.status(204).end();
      },
    },
  ];
}
