import type { Request, Response } from 'express';
import type { i18n } from 'i18next';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Clock } from '../clock';
import type { Database } from '../db/schema';
import { principalOf } from '../http/access';
import { AppError, errors } from '../http/errors';
import type { RouteSpec } from '../http/routes';
import { validate } from '../http/validate';
import { findOrganisationById } from '../orgs/organisation.service';
import { changeOrganisation, createOrganisation, type OrganisationActor } from '../orgs/organisation.service';
import { consolePageContext, sendConsolePage } from './console-shell';
import { issueMessage } from './form-problem';
import { ORGANISATION_FORM, organisationFormPage, type OrganisationFormState } from './organisation-pages.views';
import { emptyOrganisationForm, organisationFieldOf, organisationForm, organisationFormOf, organisationInputOf } from './organisations.schema';

/** What the organisation pages work with. */
export interface OrganisationPageDeps {
  db: Kysely<Database>;
  clock: Clock;
  i18n: i18n;
  sessionSecret: string;
  secureCookies: boolean;
}

const access = { roles: ['admin'] as const };
const idParam = z.object({ id: z.uuid() });

/** `/console/admin/organisations/new` and `/console/admin/organisations/:id`: create and edit, audited. */
export function organisationPageRoutes(deps: OrganisationPageDeps): RouteSpec[] {
  const actor = (req: Request, res: Response): OrganisationActor => ({ kind: principalOf(res).kind, userId: principalOf(res).userId, ip: req.ip ?? null });

  const show = async (req: Request, res: Response, status: number, state: OrganisationFormState & { refused?: AppError }) => {
    const page = await consolePageContext(deps, req, res);
    const { refused, ...shown } = state;
    const problem = refused && {
      form: ORGANISATION_FORM,
      messages: refused.issues.map((issue) => ({ field: organisationFieldOf(issue.field), message: issueMessage(page.t, issue, 'console:problem') })),
    };
    sendConsolePage(res, status, organisationFormPage(page, { ...shown, problem }));
  };

  const saved = async (req: Request) => {
    const organisation = await findOrganisationById(deps.db, validate(idParam, req.params).id);
    if (!organisation) throw errors.notFound();
    return organisation;
  };

  // A refusal the admin can mend comes back on the form, beside its field; anything else is an error page.
  const submit = async (req: Request, res: Response, save: (input: Record<string, unknown>) => Promise<void>, state: Omit<OrganisationFormState, 'values'>) => {
    const values = validate(organisationForm, req.body);
    try {
      await save(organisationInputOf(values));
      res.redirect(303, '/console/admin/organisations');
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'validation_failed') throw error;
      await show(req, res, 400, { ...state, values, refused: error });
    }
  };

  return [
    { method: 'get', path: '/console/admin/organisations/new', access, handler: (req, res) => show(req, res, 200, { values: emptyOrganisationForm() }) },
    {
      method: 'post',
      path: '/console/admin/organisations/new',
      access,
      handler: (req, res) => submit(req, res, async (input) => void (await createOrganisation(deps, input, actor(req, res))), {}),
    },
    {
      method: 'get',
      path: '/console/admin/organisations/:id',
      access,
      handler: async (req, res) => {
        const organisation = await saved(req);
        await show(req, res, 200, { values: organisationFormOf(organisation), saved: { id: organisation.id, slug: organisation.slug } });
      },
    },
    {
      method: 'post',
      path: '/console/admin/organisations/:id',
      access,
      handler: async (req, res) => {
        const organisation = await saved(req);
        const state = { saved: { id: organisation.id, slug: organisation.slug } };
        await submit(req, res, (input) => changeOrganisation(deps, organisation.id, input, actor(req, res)), state);
      },
    },
  ];
}
