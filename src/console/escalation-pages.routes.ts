import type { Request, Response } from 'express';
import type { TFunction } from 'i18next';
import { z } from 'zod';
import type { CaseWorkDeps } from '../cases/case-work.service';
import { addEscalationNote, changeEscalationStatus, getEscalationFor, listEscalationsFor } from '../escalations/escalation.service';
import { addEscalationNoteBody, escalationIdParam, listEscalationsQuery, updateEscalationBody } from '../escalations/escalations.schema';
import { principalOf } from '../http/access';
import { AppError, type FieldIssue } from '../http/errors';
import type { RouteSpec } from '../http/routes';
import { validate } from '../http/validate';
import { consolePageContext, sendConsolePage, type ConsolePageDeps } from './console-shell';
import { issueMessage } from './form-problem';
import { escalationPage, escalationsListPage, type EscalationForm, type EscalationPageState } from './escalation-pages.views';

/** What the escalation pages work with: the escalation service's dependencies and the console's. */
export interface EscalationPageDeps extends CaseWorkDeps, ConsolePageDeps {}

/** Liaisons work their embassy's escalations; coordinators oversee all of them (as in the API). */
const access = { roles: ['liaison', 'coordinator'] } as const;
const LIST_LIMIT = 200;

const statusForm = z.object({ status: z.enum(['acknowledged', 'closed']), outcome: z.string().max(2000).default('') });
const noteForm = z.object({ body: z.string().max(5000).default('') });

/** A refusal in the liaison pages' words where they have some (`liaison:error.<reason>`), a state named as the reader knows it. */
function messageOf(t: TFunction, issue: FieldIssue): string {
  const from = issue.params?.['from'];
  const params = { ...issue.params, ...(from === undefined ? {} : { from: t(`liaison:status.${from}`, { defaultValue: String(from) }) }) };
  return issueMessage(t, { ...issue, params }, 'liaison:error');
}

/** `/console/escalations`: the escalations to work and one escalation's page with its forms. */
export function escalationPageRoutes(deps: EscalationPageDeps): RouteSpec[] {
  const caller = (req: Request, res: Response) => ({ principal: principalOf(res), ip: req.ip ?? null });
  const escalationId = (req: Request) => validate(escalationIdParam, req.params).id;

  const show = async (req: Request, res: Response, status: number, state: EscalationPageState = {}) => {
    const detail = await getEscalationFor(deps, caller(req, res), escalationId(req));
    sendConsolePage(res, status, escalationPage(await consolePageContext(deps, req, res), detail, state));
  };

  // A refused change shows the page again with the reason beside its form and what was typed.
  const work = async (req: Request, res: Response, form: EscalationForm, values: Record<string, string>, change: () => Promise<unknown>) => {
    try {
      await change();
      res.redirect(303, `/console/escalations/${escalationId(req)}`);
    } catch (error) {
      if (!(error instanceof AppError) || (error.code !== 'validation_failed' && error.code !== 'conflict')) throw error;
      const t = deps.i18n.getFixedT(principalOf(res).locale);
      const messages = error.issues.length > 0 ? error.issues.map((issue) => ({ field: issue.field, message: messageOf(t, issue) })) : [{ field: null, message: t(`errors:code.${error.code}`) }];
      await show(req, res, error.status, { problem: { form, values, messages } });
    }
  };

  return [
    {
      method: 'get',
      path: '/console/escalations',
      access,
      handler: async (req, res) => {
        const raw = req.query['status'];
        const chosen = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map(String).join(',');
        const query = validate(listEscalationsQuery, { ...(chosen ? { status: chosen } : {}), limit: String(LIST_LIMIT) });
        const rows = await listEscalationsFor(deps, caller(req, res), query);
        sendConsolePage(res, 200, escalationsListPage(await consolePageContext(deps, req, res), rows, query.status, deps.clock.now()));
      },
    },
    { method: 'get', path: '/console/escalations/:id', access, handler: (req, res) => show(req, res, 200) },
    {
      method: 'post',
      path: '/console/escalations/:id',
      access,
      handler: async (req, res) => {
        const form = validate(statusForm, req.body);
        const outcome = form.outcome.trim();
        await work(req, res, form.status === 'closed' ? 'close' : 'acknowledge', { outcome: form.outcome }, async () => {
          const change = validate(updateEscalationBody, { status: form.status, ...(outcome ? { outcome } : {}) });
          await changeEscalationStatus(deps, caller(req, res), escalationId(req), change);
        });
      },
    },
    {
      method: 'post',
      path: '/console/escalations/:id/notes',
      access,
      handler: async (req, res) => {
        const form = validate(noteForm, req.body);
        await work(req, res, 'note', { body: form.body }, async () => {
          const { body } = validate(addEscalationNoteBody, { body: form.body });
          await addEscalationNote(deps, caller(req, res), escalationId(req), body);
        });
      },
    },
  ];
}
