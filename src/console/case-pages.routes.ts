import type { Request, Response } from 'express';
import { z } from 'zod';
import { CASE_ROLES } from '../cases/case.policy';
import { addNoteFor, listCasesFor, overdueSince, readCaseFor, replyFor, updateCaseFor } from '../cases/case-work.service';
import { caseVersionText, listCasesQuery, referenceParam, updateCaseBody } from '../cases/cases.schema';
import { countSegments } from '../channels/sms/segments';
import { principalOf } from '../http/access';
import type { RouteSpec } from '../http/routes';
import { AppError } from '../http/errors';
import { validate } from '../http/validate';
import { showCasePage, type CasePageDeps, type CasePageShowing } from './case-page';
import { inboxPage, type InboxQuery } from './inbox.views';
import { caseSummaryPage } from './case-summary.views';
import { consolePageContext, sendConsolePage } from './console-shell';
import { formProblemOf } from './form-problem';

export type { CasePageDeps } from './case-page';

const access = { roles: CASE_ROLES };
const asList = (value: unknown): string[] => (value === undefined ? [] : Array.isArray(value) ? value.map(String) : [String(value)]);

const replyForm = z.object({ body: z.string().trim().min(1).max(1600), action: z.enum(['preview', 'send']).default('send') });
const noteForm = z.object({ body: z.string().trim().min(1).max(5000), visibility: z.enum(['organisation', 'partners']).default('organisation') });
const updateForm = z.object({
  status: z.string().optional(),
  urgency: z.string().optional(),
  outcome: z.string().optional(),
  sector: z.string().optional(),
  destination_country: z.string().optional(),
  destination_province: z.string().optional(),
  origin_country: z.string().optional(),
  categories: z.union([z.string(), z.array(z.string())]).optional(),
  forced_labour_indicators: z.union([z.string(), z.array(z.string())]).optional(),
  amount_recovered: z.string().trim().optional(),
  recovered_currency: z.string().optional(),
  assign_to_me: z.literal('yes').optional(),
  assigned_user_id: z.string().optional(),
  /** The case version the form was drawn from; absent on a page drawn before versions existed. */
  version: caseVersionText.optional(),
});

/** The console's inbox and case pages (caseworkers and coordinators). */
export function casePageRoutes(deps: CasePageDeps): RouteSpec[] {
  const caller = (req: Request, res: Response) => ({ principal: principalOf(res), ip: req.ip ?? null });
  const reference = (req: Request) => validate(referenceParam, req.params).reference;

  const showCase = (req: Request, res: Response, showing: CasePageShowing = {}) => showCasePage(deps, req, res, reference(req), showing);

  return [
    {
      method: 'get',
      path: '/console/cases',
      access,
      handler: async (req, res) => {
        // Checkbox filters arrive as repeated parameters; the API's schema takes comma lists.
        const raw = req.query as Record<string, unknown>;
        const joined = Object.fromEntries(
          ['status', 'urgency', 'category', 'country', 'channel', 'language'].map((key) => [key, asList(raw[key]).join(',') || undefined]),
        );
        const query = validate(listCasesQuery, {
          ...joined,
          ...(raw['assigned'] === 'me' ? { assigned: 'me' } : {}),
          ...(raw['waiting'] === 'true' ? { waiting: 'true' } : {}),
          ...(raw['overdue'] === 'true' ? { overdue: 'true' } : {}),
          ...(raw['triage'] === 'true' ? { triage: 'true' } : {}),
          ...(typeof raw['reference'] === 'string' && raw['reference'].trim() !== '' ? { reference: raw['reference'] } : {}),
          ...(typeof raw['cursor'] === 'string' ? { cursor: raw['cursor'] } : {}),
        });
        const who = caller(req, res);
        // The triage queue is the coordinators' work; a caseworker's inbox ignores the flag.
        const triageOffered = who.principal.role === 'coordinator';
        const list = await listCasesFor(deps, who, {
          status: query.status, urgency: query.urgency, category: query.category, country: query.country, channel: query.channel,
          language: query.language, waiting: query.waiting, reference: query.reference, overdueBefore: query.overdue ? overdueSince(deps.clock) : undefined, assignedTo: query.assigned === 'me' ? who.principal.userId : undefined,
          triage: triageOffered && query.triage,
        }, { limit: query.limit, cursor: query.cursor });
        const inbox: InboxQuery = {
          status: query.status ?? [], urgency: query.urgency ?? [], category: query.category ?? [], country: query.country ?? [],
          channel: query.channel ?? [], language: query.language ?? [], assigned: query.assigned === 'me', waiting: query.waiting, overdue: query.overdue,
          triage: triageOffered ? query.triage : null, reference: typeof raw['reference'] === 'string' ? raw['reference'] : '',
        };
        const next = list.next_cursor ? `/console/cases?${nextQuery(req.originalUrl, list.next_cursor)}` : null;
        sendConsolePage(res, 200, inboxPage(await consolePageContext(deps, req, res), inbox, list, next, deps.clock.now()));
      },
    },
    { method: 'get', path: '/console/cases/:reference', access, handler: (req, res) => showCase(req, res) },
    {
      method: 'get',
      path: '/console/cases/:reference/summary',
      access,
      handler: async (req, res) => {
        // Audited apart from the case page: a summary is what leaves the hotline, on paper.
        const { detail } = await readCaseFor(deps, caller(req, res), reference(req), 'case.summary_viewed');
        sendConsolePage(res, 200, caseSummaryPage(await consolePageContext(deps, req, res), detail, deps.clock.now()));
      },
    },
    {
      method: 'post',
      path: '/console/cases/:reference/reply',
      access,
      handler: async (req, res) => {
        const form = validate(replyForm, req.body);
        if (form.action === 'preview') {
          const { encoding, segments, units } = countSegments(form.body);
          await showCase(req, res, { preview: { body: form.body, encoding, segments, units } });
          return;
        }
        await replyFor(deps, caller(req, res), reference(req), form.body);
        res.redirect(303, `/console/cases/${reference(req)}`);
      },
    },
    {
      method: 'post',
      path: '/console/cases/:reference/notes',
      access,
      handler: async (req, res) => {
        const form = validate(noteForm, req.body);
        await addNoteFor(deps, caller(req, res), reference(req), form);
        res.redirect(303, `/console/cases/${reference(req)}`);
      },
    },
    {
      method: 'post',
      path: '/console/cases/:reference',
      access,
      handler: async (req, res) => {
        const form = validate(updateForm, req.body);
        const who = caller(req, res);
        const amount = form.amount_recovered ? Number(form.amount_recovered.replace(/,/g, '')) : null;
        const changes = validate(updateCaseBody, {
          ...(form.status ? { status: form.status } : {}),
          ...(form.urgency ? { urgency: form.urgency } : {}),
          outcome: form.outcome ? form.outcome : null,
          sector: form.sector ? form.sector : null,
          destination_country: form.destination_country || null,
          destination_province: form.destination_province || null,
          origin_country: form.origin_country || null,
          categories: asList(form.categories),
          forced_labour_indicators: asList(form.forced_labour_indicators),
          amount_recovered: amount,
          recovered_currency: amount === null ? null : form.recovered_currency || null,
          ...(form.assign_to_me ? { assigned_user_id: who.principal.userId } : form.assigned_user_id !== undefined ? { assigned_user_id: form.assigned_user_id || null } : {}),
        });
        try {
          await updateCaseFor(deps, who, reference(req), changes, form.version);
        } catch (error) {
          // Someone saved the case since this form was drawn: show it as it is now, with why
          // nothing was saved, rather than an error page (the caseworker redoes their change).
          if (!(error instanceof AppError) || error.code !== 'case_changed') throw error;
          const problem = formProblemOf(error, deps.i18n.getFixedT(who.principal.locale), 'update');
          await showCase(req, res, { status: error.status, ...(problem ? { problem } : {}) });
          return;
        }
        res.redirect(303, `/console/cases/${reference(req)}`);
      },
    },
  ];
}

function nextQuery(originalUrl: string, cursor: string): string {
  const params = new URLSearchParams(originalUrl.split('?')[1] ?? '');
  params.set('cursor', cursor);
  return params.toString();
}
