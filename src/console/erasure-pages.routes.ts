import type { Request, Response } from 'express';
import { z } from 'zod';
import { referenceParam } from '../cases/cases.schema';
import { ERASURE_ROLES } from '../erasures/erasure.policy';
import { changeErasure, getErasureFor, listErasureQueue, proposeErasureOfCase } from '../erasures/erasure-queue.service';
import { erasureIdParam, legalHoldParams, placeLegalHoldBody, proposeErasureBody, updateErasureBody } from '../erasures/erasures.schema';
import { placeLegalHold, releaseLegalHold } from '../erasures/legal-hold.service';
import { principalOf } from '../http/access';
import { AppError } from '../http/errors';
import { markSubjectNotificationsRead } from '../notifications/notification-inbox.service';
import type { RouteSpec } from '../http/routes';
import { validate } from '../http/validate';
import { showCasePage, type CasePageDeps } from './case-page';
import { consolePageContext, sendConsolePage } from './console-shell';
import { erasurePage, erasureQueuePage, type ErasureForm } from './erasure-pages.views';
import { formProblemOf, type FormProblem } from './form-problem';

// `/console/erasures` and the data-rights forms of a case page: coordinators only. A refused form
// comes back on its page with the reason beside it (a proposer trying to confirm their own
// proposal gets the page again with 403 and why).

const access = { roles: ERASURE_ROLES };

// A select left on "Choose…" arrives empty: it is then missing, not an unknown value.
const text = z.string().optional().transform((value) => (value === undefined || value.trim() === '' ? undefined : value));
const erasureForm = z.object({ status: z.string().default(''), reason: text, refusal_reason: text, note: text });
const caseEraseForm = z.object({ reason: text, note: text });
const holdForm = z.object({ reason: z.string().default(''), until: z.string().default('') });

const FORM_OF: Record<string, ErasureForm> = { proposed: 'propose', confirmed: 'confirm', refused: 'refuse' };

/** The erasure queue, one erasure's page, and the case page's erase and legal-hold forms. */
export function erasurePageRoutes(deps: CasePageDeps): RouteSpec[] {
  const caller = (req: Request, res: Response) => ({ principal: principalOf(res), ip: req.ip ?? null });
  const erasureId = (req: Request) => validate(erasureIdParam, req.params).id;
  const reference = (req: Request) => validate(referenceParam, req.params).reference;
  const problemOf = (res: Response, error: unknown, form: string, values: Record<string, string>) => formProblemOf(error, deps.i18n.getFixedT(principalOf(res).locale), form, values);

  const showErasure = async (req: Request, res: Response, status: number, problem?: FormProblem) => {
    const detail = await getErasureFor(deps, caller(req, res), erasureId(req));
    // Opening the erasure answers its notices (before the menu counts what is still unread).
    await markSubjectNotificationsRead(deps.db, principalOf(res).userId, detail.id, deps.clock.now());
    sendConsolePage(res, status, erasurePage(await consolePageContext(deps, req, res), detail, principalOf(res).userId, problem));
  };

  /** Runs a case page form; a refusal shows the case again with the reason beside that form. */
  const onCase = async (req: Request, res: Response, form: string, values: Record<string, string>, work: () => Promise<string>) => {
    let next: string;
    try {
      next = await work();
    } catch (error) {
      const problem = problemOf(res, error, form, values);
      if (!problem || !(error instanceof AppError)) throw error;
      await showCasePage(deps, req, res, reference(req), { status: error.status, problem });
      return;
    }
    res.redirect(303, next);
  };

  return [
    {
      method: 'get',
      path: '/console/erasures',
      access,
      handler: async (req, res) => {
        const rows = await listErasureQueue(deps, caller(req, res));
        sendConsolePage(res, 200, erasureQueuePage(await consolePageContext(deps, req, res), rows));
      },
    },
    { method: 'get', path: '/console/erasures/:id', access, handler: (req, res) => showErasure(req, res, 200) },
    {
      method: 'post',
      path: '/console/erasures/:id',
      access,
      handler: async (req, res) => {
        const form = validate(erasureForm, req.body);
        const values = { reason: form.reason ?? '', refusal_reason: form.refusal_reason ?? '', note: form.note ?? '' };
        try {
          const given = Object.fromEntries(Object.entries(form).filter(([, value]) => value !== undefined && value !== ''));
          await changeErasure(deps, caller(req, res), erasureId(req), validate(updateErasureBody, given));
        } catch (error) {
          const problem = problemOf(res, error, FORM_OF[form.status] ?? 'propose', values);
          if (!problem || !(error instanceof AppError)) throw error;
          await showErasure(req, res, error.status, problem);
          return;
        }
        res.redirect(303, `/console/erasures/${erasureId(req)}`);
      },
    },
    {
      method: 'post',
      path: '/console/cases/:reference/erasures',
      access,
      handler: async (req, res) => {
        const form = validate(caseEraseForm, req.body);
        await onCase(req, res, 'propose', { reason: form.reason ?? '', note: form.note ?? '' }, async () => {
          const body = validate(proposeErasureBody, { ...(form.reason ? { reason: form.reason } : {}), ...(form.note ? { note: form.note } : {}) });
          const { id } = await proposeErasureOfCase(deps, caller(req, res), reference(req), body);
          return `/console/erasures/${id}`;
        });
      },
    },
    {
      method: 'post',
      path: '/console/cases/:reference/legal-holds',
      access,
      handler: async (req, res) => {
        const form = validate(holdForm, req.body);
        await onCase(req, res, 'hold', form, async () => {
          await placeLegalHold(deps, caller(req, res), reference(req), validate(placeLegalHoldBody, form));
          return `/console/cases/${reference(req)}`;
        });
      },
    },
    {
      method: 'post',
      path: '/console/cases/:reference/legal-holds/:id/release',
      access,
      handler: async (req, res) => {
        const { id } = validate(legalHoldParams, req.params);
        await releaseLegalHold(deps, caller(req, res), reference(req), id);
        res.redirect(303, `/console/cases/${reference(req)}`);
      },
    },
  ];
}
