import type { Request, Response } from 'express';
import type { CaseWorkDeps } from '../cases/case-work.service';
import { principalOf } from '../http/access';
import type { RouteSpec } from '../http/routes';
import { validate } from '../http/validate';
import { createRuleFor, deleteRuleFor, getRuleFor, listRulesFor, testRuleFor, updateRuleFor } from './routing-rule.service';
import { createRoutingRuleBody, ruleIdParam, testRoutingRuleBody, updateRoutingRuleBody } from './routing-rule.schema';

/** Coordinators keep the rules. */
const access = { roles: ['coordinator'] } as const;

/** `/api/v1/routing-rules`. */
export function routingRuleRoutes(deps: CaseWorkDeps): RouteSpec[] {
  const caller = (req: Request, res: Response) => ({ principal: principalOf(res), ip: req.ip ?? null });
  const id = (req: Request) => validate(ruleIdParam, req.params).id;
  return [
    { method: 'get', path: '/api/v1/routing-rules', access, handler: async (_req, res) => void res.json({ data: await listRulesFor(deps) }) },
    {
      method: 'post',
      path: '/api/v1/routing-rules',
      access,
      handler: async (req, res) => void res.status(201).json(await createRuleFor(deps, caller(req, res), validate(createRoutingRuleBody, req.body))),
    },
    {
      method: 'post',
      path: '/api/v1/routing-rules/test',
      access,
      handler: async (req, res) => void res.json(await testRuleFor(deps, caller(req, res), validate(testRoutingRuleBody, req.body))),
    },
    { method: 'get', path: '/api/v1/routing-rules/:id', access, handler: async (req, res) => void res.json(await getRuleFor(deps, id(req))) },
    {
      method: 'patch',
      path: '/api/v1/routing-rules/:id',
      access,
      handler: async (req, res) => void res.json(await updateRuleFor(deps, caller(req, res), id(req), validate(updateRoutingRuleBody, req.body))),
    },
    {
      method: 'delete',
      path: '/api/v1/routing-rules/:id',
      access,
      handler: async (req, res) => {
        await deleteRuleFor(deps, caller(req, res), id(req));
        res.status(204).end();
      },
    },
  ];
}
