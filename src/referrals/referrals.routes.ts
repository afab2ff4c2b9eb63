import type { Request, Response } from 'express';
import { CASE_ROLES } from '../cases/case.policy';
import type { CaseWorkDeps } from '../cases/case-work.service';
import { referenceParam } from '../cases/cases.schema';
import { principalOf } from '../http/access';
import type { RouteSpec } from '../http/routes';
import { validate } from '../http/validate';
import { changeReferralStatus, listReferralsFor, referByHand } from './referral.service';
import { createReferralBody, listReferralsQuery, referralIdParam, updateReferralBody } from './referrals.schema';

const access = { roles: CASE_ROLES };

/** `/api/v1/referrals` and `/api/v1/cases/{reference}/referrals`. */
export function referralRoutes(deps: CaseWorkDeps): RouteSpec[] {
  const caller = (req: Request, res: Response) => ({ principal: principalOf(res), ip: req.ip ?? null });
  return [
    {
      method: 'get',
      path: '/api/v1/referrals',
      access,
      handler: async (req, res) => {
        const query = validate(listReferralsQuery, req.query);
        res.set('Cache-Control', 'no-store').json({ data: await listReferralsFor(deps, caller(req, res), query) });
      },
    },
    {
      method: 'post',
      path: '/api/v1/cases/:reference/referrals',
      access,
      handler: async (req, res) => {
        const { reference } = validate(referenceParam, req.params);
        const body = validate(createReferralBody, req.body);
        res.status(201).json(await referByHand(deps, caller(req, res), reference, body));
      },
    },
    {
      method: 'patch',
      path: '/api/v1/referrals/:id',
      access,
      handler: async (req, res) => {
        const { id } = validate(referralIdParam, req.params);
        const body = validate(updateReferralBody, req.body);
        await changeReferralStatus(deps, caller(req, res), id, body);
        res.status(204).end();
      },
    },
  ];
}
