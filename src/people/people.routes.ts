import type { Request, Response } from 'express';
import { CASE_ROLES } from '../cases/case.policy';
import { normaliseCaseReference } from '../cases/case-reference';
import type { CaseWorkDeps } from '../cases/case-access';
import { referenceParam } from '../cases/cases.schema';
import { principalOf } from '../http/access';
import { errors } from '../http/errors';
import type { RouteSpec } from '../http/routes';
import { validate } from '../http/validate';
import { mergePeopleFor, undoMergeFor } from './person.service';
import { mergeIdParam, mergePeopleBody } from './people.schema';

const access = { roles: CASE_ROLES };

/** The JSON API of merges: coordinators only (the service answers 403 to other case roles). */
export function peopleRoutes(deps: CaseWorkDeps): RouteSpec[] {
  const caller = (req: Request, res: Response) => ({ principal: principalOf(res), ip: req.ip ?? null });
  return [
    {
      method: 'post',
      path: '/api/v1/cases/:reference/merge',
      access,
      handler: async (req, res) => {
        const { reference } = validate(referenceParam, req.params);
        const typed = validate(mergePeopleBody, req.body).other_reference;
        const other = normaliseCaseReference(typed);
        if (!other) throw errors.validation([{ field: 'other_reference', reason: 'unknown_case' }]);
        const { mergeId } = await mergePeopleFor(deps, caller(req, res), reference, other);
        res.status(201).json({ merge_id: mergeId });
      },
    },
    {
      method: 'post',
      path: '/api/v1/people/merges/:id/undo',
      access,
      handler: async (req, res) => {
        const { id } = validate(mergeIdParam, req.params);
        const { caseReferences } = await undoMergeFor(deps, caller(req, res), id);
        res.json({ case_references: caseReferences });
      },
    },
  ];
}
