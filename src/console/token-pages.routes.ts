import type { Request, Response } from 'express';
import type { i18n } from 'i18next';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Clock } from '../clock';
import type { Database } from '../db/schema';
import { principalOf } from '../http/access';
import type { RouteSpec } from '../http/routes';
import { validate } from '../http/validate';
import { listApiTokens, revokeApiTokenAs } from '../users/admin.service';
import { ANY_ROLE } from '../users/roles';
import { issueOwnApiToken } from '../users/user.service';
import { consolePageContext } from './console-shell';
import { ownTokensPage } from './token-pages.views';

// Each person issues and revokes their own API tokens: a token reads exactly what its holder may,
// so nobody else (not even an admin) needs to mint one that reads cases as them.

export interface TokenPageDeps {
  db: Kysely<Database>;
  clock: Clock;
  i18n: i18n;
  sessionSecret: string;
  secureCookies: boolean;
}

const access = { roles: ANY_ROLE };

function send(res: Response, body: string): void {
  res.status(200).set('Cache-Control', 'no-store').type('html').send(body);
}

/** `/console/tokens`: the signed-in person's own API tokens. */
export function tokenPageRoutes(deps: TokenPageDeps): RouteSpec[] {
  const show = async (req: Request, res: Response, issued?: string) =>
    send(res, ownTokensPage(await consolePageContext(deps, req, res), await listApiTokens(deps.db, { userId: principalOf(res).userId }), issued));
  return [
    { method: 'get', path: '/console/tokens', access, handler: (req, res) => show(req, res) },
    {
      method: 'post',
      path: '/console/tokens',
      access,
      handler: async (req, res) => {
        const form = validate(z.object({ name: z.string().trim().max(100).optional() }), req.body);
        const principal = principalOf(res);
        const token = await issueOwnApiToken(deps, { kind: principal.kind, userId: principal.userId }, form.name || 'console');
        await show(req, res, token);
      },
    },
    {
      method: 'post',
      path: '/console/tokens/:id/revoke',
      access,
      handler: async (req, res) => {
        const { id } = validate(z.object({ id: z.uuid() }), req.params);
        const principal = principalOf(res);
        await revokeApiTokenAs(deps, { actorKind: principal.kind, actorUserId: principal.userId, ip: req.ip ?? null }, id, { userId: principal.userId });
        res.redirect(303, '/console/tokens');
      },
    },
  ];
}
