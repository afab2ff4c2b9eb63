import type { Request, Response } from 'express';
import type { CaseWorkDeps } from '../cases/case-work.service';
import type { TFunction } from 'i18next';
import { principalOf } from '../http/access';
import { AppError, type FieldIssue } from '../http/errors';
import type { RouteSpec } from '../http/routes';
import { validate } from '../http/validate';
import { listReferableOrganisations } from '../orgs/organisation.service';
import { createRoutingRuleBody, ruleIdParam, testRoutingRuleBody } from '../routing/routing-rule.schema';
import { createRuleFor, deleteRuleFor, getRuleFor, listRulesFor, testRuleFor, updateRuleFor } from '../routing/routing-rule.service';
import { consolePageContext, sendConsolePage, type ConsolePageDeps } from './console-shell';
import { issueMessage, type FormProblem } from './form-problem';
import { deleteRuleForm, emptyRuleForm, formFieldOf, ruleBodyOf, ruleForm, ruleFormOf, ruleFormValuesOf, trialCaseOf, type RuleFormValues } from './rules.schema';
import { DELETE_FORM, RULE_FORM, rulePage, rulesListPage, type RuleFormState } from './rules.views';

/** What the rule pages work with: the rules service's dependencies and the console's. */
export interface RulePageDeps extends CaseWorkDeps, ConsolePageDeps {}

/** Coordinators keep the rules, as in the API. */
const access = { roles: ['coordinator'] } as const;

/** A refusal in the rules' own words where they have some (`rules:error.<reason>`), else the generic ones. */
function problemOf(t: TFunction, form: string, issues: readonly FieldIssue[]): FormProblem {
  return {
    form,
    messages: issues.map((issue) => ({ field: formFieldOf(issue.field), message: issueMessage(t, issue, 'rules:error') })),
  };
}

/** The issues of an error a form can show beside its fields, or undefined for any other error. */
function formIssuesOf(error: unknown, trial: { reference: boolean }): FieldIssue[] | undefined {
  if (!(error instanceof AppError)) return undefined;
  if (error.code === 'validation_failed') return error.issues;
  // Trying a rule on a case that does not exist (or is out of reach) is a wrong case number.
  if (error.code === 'not_found' && trial.reference) return [{ field: 'case_reference', reason: 'not_found' }];
  return undefined;
}

/** `/console/rules`: the routing rules, a form to write one and try it on a case, and deletion. */
export function rulePageRoutes(deps: RulePageDeps): RouteSpec[] {
  const caller = (req: Request, res: Response) => ({ principal: principalOf(res), ip: req.ip ?? null });
  const ruleId = (req: Request) => validate(ruleIdParam, req.params).id;

  const showForm = async (req: Request, res: Response, status: number, state: Omit<RuleFormState, 'problem'> & { refused?: { form: string; issues: readonly FieldIssue[] } }) => {
    const page = await consolePageContext(deps, req, res);
    const { refused, ...shown } = state;
    const problem = refused ? problemOf(page.t, refused.form, refused.issues) : undefined;
    sendConsolePage(res, status, rulePage(page, { ...shown, problem }, await listReferableOrganisations(deps.db)));
  };

  // Save and "Try it" post the same form; trying saves nothing.
  const submit = async (req: Request, res: Response, saved?: { id: string; name: string }) => {
    const form = validate(ruleForm, req.body);
    const values: RuleFormValues = ruleFormValuesOf(form);
    const who = caller(req, res);
    try {
      if (form.action === 'try') {
        const trial = validate(testRoutingRuleBody, { rule: { ...ruleBodyOf(values), ...(saved ? { id: saved.id } : {}) }, case: trialCaseOf(values) });
        const result = await testRuleFor(deps, who, trial);
        await showForm(req, res, 200, { saved, values, result });
        return;
      }
      const body = validate(createRoutingRuleBody, ruleBodyOf(values));
      if (saved) await updateRuleFor(deps, who, saved.id, body);
      else await createRuleFor(deps, who, body);
      res.redirect(303, '/console/rules');
    } catch (error) {
      const issues = formIssuesOf(error, { reference: form.action === 'try' && values.caseReference !== '' });
      if (!issues) throw error;
      await showForm(req, res, 400, { saved, values, refused: { form: RULE_FORM, issues } });
    }
  };

  const savedRule = async (req: Request) => {
    const rule = await getRuleFor(deps, ruleId(req));
    return { rule, saved: { id: rule.id, name: rule.name } };
  };

  return [
    {
      method: 'get',
      path: '/console/rules',
      access,
      handler: async (req, res) => sendConsolePage(res, 200, rulesListPage(await consolePageContext(deps, req, res), await listRulesFor(deps))),
    },
    { method: 'get', path: '/console/rules/new', access, handler: (req, res) => showForm(req, res, 200, { values: emptyRuleForm() }) },
    { method: 'post', path: '/console/rules', access, handler: (req, res) => submit(req, res) },
    {
      method: 'get',
      path: '/console/rules/:id',
      access,
      handler: async (req, res) => {
        const { rule, saved } = await savedRule(req);
        await showForm(req, res, 200, { saved, values: ruleFormOf(rule) });
      },
    },
    {
      method: 'post',
      path: '/console/rules/:id',
      access,
      handler: async (req, res) => submit(req, res, (await savedRule(req)).saved),
    },
    {
      method: 'post',
      path: '/console/rules/:id/delete',
      access,
      handler: async (req, res) => {
        const { rule, saved } = await savedRule(req);
        const confirmed = deleteRuleForm.safeParse(req.body);
        if (!confirmed.success) {
          await showForm(req, res, 400, { saved, values: ruleFormOf(rule), refused: { form: DELETE_FORM, issues: [{ field: 'confirm', reason: 'confirm_required' }] } });
          return;
        }
        await deleteRuleFor(deps, caller(req, res), saved.id);
        res.redirect(303, '/console/rules');
      },
    },
  ];
}
