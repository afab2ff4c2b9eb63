import type { Response } from 'express';
import { ROLES } from '../cases/case.vocabulary';
import { principalOf } from '../http/access';
import type { RouteSpec } from '../http/routes';
import { validate } from '../http/validate';
import { personExportQuery, personIdParam } from './person-export.schema';
import { exportPersonFor, type ExportChoice, type PersonExport, type PersonExportDeps } from './person-export.service';

// The JSON API of a person's copy. Every staff token reaches the service, which lets only
// coordinators through and audits anyone else's attempt (`person.export_denied`).

/**
 * The copy's choices from a query: what the service takes, and the query (without `lang`) that
 * the page's links keep, so the same choices hold in another language or as JSON.
 */
export function exportChoiceOf(query: unknown, format: ExportChoice['format']): { choice: ExportChoice; kept: string } {
  const parsed = validate(personExportQuery, query);
  const notesLeftOut = parsed.notes === 'leave_out' ? (parsed.notes_reason ?? null) : null;
  const kept = notesLeftOut ? new URLSearchParams({ notes: 'leave_out', notes_reason: notesLeftOut }).toString() : '';
  return { choice: { format, notesLeftOut, language: parsed.lang }, kept };
}

/**
 * Sends a person's copy as a JSON file to save: never cached, and named by the person's id and the
 * day, never by anything personal.
 */
export function sendPersonExportJson(res: Response, copy: PersonExport): void {
  const day = copy.export.generated_at.toISOString().slice(0, 10);
  res
    .status(200)
    .set('Cache-Control', 'no-store')
    .set('Content-Disposition', `attachment; filename="hotline-data-${copy.person.id}-${day}.json"`)
    .json(copy);
}

/** `GET /api/v1/people/:personId/export` (coordinators). */
export function personExportRoutes(deps: PersonExportDeps): RouteSpec[] {
  return [
    {
      method: 'get',
      path: '/api/v1/people/:personId/export',
      access: { roles: ROLES },
      handler: async (req, res) => {
        const { personId } = validate(personIdParam, req.params);
        const { choice } = exportChoiceOf(req.query, 'json');
        const copy = await exportPersonFor(deps, { principal: principalOf(res), ip: req.ip ?? null }, personId, choice);
        sendPersonExportJson(res, copy);
      },
    },
  ];
}
