import type { Request, Response } from 'express';
import type { i18n } from 'i18next';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { LANGUAGES, type Language } from '../cases/case.vocabulary';
import { countSegments } from '../channels/sms/segments';
import type { Database } from '../db/schema';
import { principalOf } from '../http/access';
import { errors } from '../http/errors';
import { html } from '../http/html';
import type { RouteSpec } from '../http/routes';
import { validate } from '../http/validate';
import { LANGUAGE_NAMES } from '../language/language-names';
import { addCannedReply, deleteCannedReply, listCannedReplies } from './canned-replies.service';
import { consolePage, consolePageContext, sendConsolePage } from './console-shell';

export interface CannedReplyDeps {
  db: Kysely<Database>;
  i18n: i18n;
  sessionSecret: string;
  secureCookies: boolean;
}

const access = { roles: ['coordinator'] as const };
const MAX_SEGMENTS = 3;
const newReply = z.object({ language: z.enum(LANGUAGES), title: z.string().trim().min(1).max(100), body: z.string().trim().min(1).max(1600) });

/** Canned replies, kept per language by coordinators (each must fit in 3 SMS). */
export function cannedReplyRoutes(deps: CannedReplyDeps): RouteSpec[] {
  const render = async (req: Request, res: Response, status = 200) => {
    const context = await consolePageContext(deps, req, res);
    const { t, csrf } = context;
    const replies = await listCannedReplies(deps.db);
    sendConsolePage(res, status, consolePage(context, t('console:canned.title'), html`<h1>${t('console:canned.title')}</h1>
<form method="post" action="/console/canned-replies"><input type="hidden" name="_csrf" value="${csrf}">
<div class="field"><label for="language">${t('console:field.language')}</label><select id="language" name="language">${LANGUAGES.map((code) => html`<option value="${code}">${LANGUAGE_NAMES[code]}</option>`)}</select></div>
<div class="field"><label for="title">${t('console:canned.name')}</label><input id="title" name="title" type="text" maxlength="100" required></div>
<div class="field"><label for="body">${t('console:reply.body')}</label><textarea id="body" name="body" rows="3" maxlength="1600" required></textarea></div>
<p><button type="submit">${t('console:canned.add')}</button></p></form>
<ul class="timeline">${replies.map((reply) => html`<li><p class="meta">${LANGUAGE_NAMES[reply.language as Language] ?? reply.language} · ${reply.title}</p><p class="body">${reply.body}</p>
<form method="post" action="/console/canned-replies/${reply.id}/delete"><input type="hidden" name="_csrf" value="${csrf}"><button type="submit" class="secondary">${t('console:canned.delete')}</button></form></li>`)}</ul>`));
  };
  return [
    { method: 'get', path: '/console/canned-replies', access, handler: (req, res) => render(req, res) },
    {
      method: 'post',
      path: '/console/canned-replies',
      access,
      handler: async (req, res) => {
        const reply = validate(newReply, req.body);
        if (countSegments(reply.body).segments > MAX_SEGMENTS) throw errors.validation([{ field: 'body', reason: 'too_big', params: { maximum: MAX_SEGMENTS } }]);
        const { userId, kind } = principalOf(res);
        await addCannedReply(deps, { actorKind: kind, actorUserId: userId, ip: req.ip ?? null }, reply);
        res.redirect(303, '/console/canned-replies');
      },
    },
    {
      method: 'post',
      path: '/console/canned-replies/:id/delete',
      access,
      handler: async (req, res) => {
        const { id } = validate(z.object({ id: z.uuid() }), req.params);
        if (!(await deleteCannedReply(deps.db, id))) throw errors.notFound();
        res.redirect(303, '/console/canned-replies');
      },
    },
  ];
}
