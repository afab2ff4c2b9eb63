import type { Request, Response } from 'express';
import { referenceParam } from '../cases/cases.schema';
import { ROLES } from '../cases/case.vocabulary';
import { principalOf } from '../http/access';
import type { RouteSpec } from '../http/routes';
import { validate } from '../http/validate';
import { exportChoiceOf, sendPersonExportJson } from '../people/person-export.routes';
import { caseExportQuery, personIdParam } from '../people/person-export.schema';
import { exportPersonFor, personOfCaseForExport, type PersonExportDeps } from '../people/person-export.service';
import { consolePageContext, sendConsolePage, type ConsolePageDeps } from './console-shell';
import { personExportPage } from './person-export.views';

// A coordinator's copy of a person's data in the console: the printable page, its JSON, and the
// case page's form that leads to them. Every staff role reaches the service, which lets only
// coordinators through and audits anyone else's attempt (`person.export_denied`).

/** What the console's copy pages need. */
export interface PersonExportPageDeps extends PersonExportDeps, ConsolePageDeps {}

const access = { roles: ROLES };

/** The console's routes of a person's copy (coordinators). */
export function personExportPageRoutes(deps: PersonExportPageDeps): RouteSpec[] {
  const caller = (req: Request, res: Response) => ({ principal: principalOf(res), ip: req.ip ?? null });
  return [
    {
      method: 'get',
      path: '/console/people/:personId/export',
      access,
      handler: async (req, res) => {
        const { personId } = validate(personIdParam, req.params);
        const { choice, kept } = exportChoiceOf(req.query, 'html');
        const copy = await exportPersonFor(deps, caller(req, res), personId, choice);
        const staff = await consolePageContext(deps, req, res);
        const language = copy.export.language;
        const context = { language, timeZone: staff.timeZone, t: deps.i18n.getFixedT(language), nav: staff.nav, staffLanguage: staff.language };
        sendConsolePage(res, 200, personExportPage(context, copy, { personId, query: kept }));
      },
    },
    {
      method: 'get',
      path: '/console/people/:personId/export.json',
      access,
      handler: async (req, res) => {
        const { personId } = validate(personIdParam, req.params);
        const copy = await exportPersonFor(deps, caller(req, res), personId, exportChoiceOf(req.query, 'json').choice);
        sendPersonExportJson(res, copy);
      },
    },
    {
      method: 'get',
      path: '/console/cases/:reference/export',
      access,
      handler: async (req, res) => {
        const { reference } = validate(referenceParam, req.params);
        // The form sends an empty value for "the worker's language" and for an unchosen reason.
        const query = Object.fromEntries(Object.entries(req.query).filter(([, value]) => value !== ''));
        const { format } = validate(caseExportQuery, query);
        const { choice, kept } = exportChoiceOf(query, format);
        const personId = await personOfCaseForExport(deps, caller(req, res), reference);
        const search = [choice.language ? `lang=${choice.language}` : '', kept].filter(Boolean).join('&');
        res.redirect(303, `/console/people/${personId}/export${format === 'json' ? '.json' : ''}${search ? `?${search}` : ''}`);
      },
    },
  ];
}
