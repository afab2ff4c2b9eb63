import type { Request, Response } from 'express';
import type { i18n } from 'i18next';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { RecordedPrompts } from '../channels/voice/recorded-prompts';
import type { Clock } from '../clock';
import type { PersonalDataCipher } from '../privacy/personal-data';
import type { Database } from '../db/schema';
import { principalOf } from '../http/access';
import type { RouteSpec } from '../http/routes';
import { validate } from '../http/validate';
import { listApiTokens, listAudit, listOrganisations, listUsers, revokeApiTokenAs, setUserDisabledAs } from '../users/admin.service';
import { issueApiTokenAsAdmin } from '../users/user.service';
import { auditPage, organisationsPage, tokensPage, usersPage } from './admin.views';
import { consolePageContext } from './console-shell';
import { organisationPageRoutes } from './organisation-pages.routes';

export interface AdminRouteDeps {
  db: Kysely<Database>;
  /** Seals the voice line's prompt recordings, stored as attachments. */
  cipher: PersonalDataCipher;
  clock: Clock;
  i18n: i18n;
  sessionSecret: string;
  secureCookies: boolean;
  /** The phone line's copy of the recorded prompts, forgotten when an admin records one. */
  prompts: Pick<RecordedPrompts, 'forget'>;
}

const access = { roles: ['admin'] as const };
const idParam = z.object({ id: z.uuid() });
// Audit ids are bigint: a longer number would make PostgreSQL raise 22003 rather than page.
const auditPageBefore = z.string().refine((value) => /^\d{1,19}$/.test(value) && BigInt(value) <= 9223372036854775807n, 'invalid_format');
const AUDIT_PAGE = 50;

function send(res: Response, body: string): void {
  res.status(200).set('Cache-Control', 'no-store').type('html').send(body);
}

/** Admin pages: users (disable ends sessions at once), organisations, API tokens, the audit log (the voice line's prompts: `voicePromptPageRoutes`, on the same deps). */
export function adminRoutes(deps: AdminRouteDeps): RouteSpec[] {
  const context = (req: Request, res: Response) => consolePageContext(deps, req, res);
  const actor = (req: Request, res: Response) => ({ actorKind: principalOf(res).kind, actorUserId: principalOf(res).userId, ip: req.ip ?? null });

  const toggleUser = (disable: boolean) => async (req: Request, res: Response) => {
    const { id } = validate(idParam, req.params);
    await setUserDisabledAs(deps, actor(req, res), id, disable);
    res.redirect(303, '/console/admin/users');
  };

  return [
    { method: 'get', path: '/console/admin/users', access, handler: async (req, res) => send(res, usersPage(await context(req, res), await listUsers(deps.db))) },
    { method: 'post', path: '/console/admin/users/:id/disable', access, handler: toggleUser(true) },
    { method: 'post', path: '/console/admin/users/:id/enable', access, handler: toggleUser(false) },
    {
      method: 'get',
      path: '/console/admin/organisations',
      access,
      handler: async (req, res) => send(res, organisationsPage(await context(req, res), await listOrganisations(deps.db))),
    },
    ...organisationPageRoutes(deps),
    { method: 'get', path: '/console/admin/tokens', access, handler: async (req, res) => send(res, tokensPage(await context(req, res), await listApiTokens(deps.db))) },
    {
      method: 'post',
      path: '/console/admin/tokens',
      access,
      handler: async (req, res) => {
        const form = validate(z.object({ email: z.email(), name: z.string().trim().max(100).optional() }), req.body);
        const token = await issueApiTokenAsAdmin(deps, { kind: principalOf(res).kind, userId: principalOf(res).userId }, { email: form.email, name: form.name || 'console' });
        send(res, tokensPage(await context(req, res), await listApiTokens(deps.db), token));
      },
    },
    {
      method: 'post',
      path: '/console/admin/tokens/:id/revoke',
      access,
      handler: async (req, res) => {
        const { id } = validate(idParam, req.params);
        await revokeApiTokenAs(deps, actor(req, res), id);
        res.redirect(303, '/console/admin/tokens');
      },
    },
    {
      method: 'get',
      path: '/console/admin/audit',
      access,
      handler: async (req, res) => {
        const query = validate(z.object({ action: z.string().max(100).optional(), subject: z.string().max(100).optional(), before: auditPageBefore.optional() }), req.query);
        const rows = await listAudit(deps.db, { action: query.action || undefined, subject: query.subject || undefined, beforeId: query.before, limit: AUDIT_PAGE });
        const last = rows[rows.length - 1];
        const next = rows.length === AUDIT_PAGE && last
          ? `/console/admin/audit?${new URLSearchParams({ ...(query.action ? { action: query.action } : {}), ...(query.subject ? { subject: query.subject } : {}), before: String(last.id) }).toString()}`
          : null;
        send(res, auditPage(await context(req, res), rows, { action: query.action ?? '', subject: query.subject ?? '' }, next));
      },
    },
  ];
}
