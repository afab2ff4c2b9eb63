import type { Request, Response } from 'express';
import { z } from 'zod';
import { MAX_ATTACHMENT_BYTES } from '../attachments/inspect';
import { LANGUAGES, type Language } from '../cases/case.vocabulary';
import { PROMPT_KEYS, type PromptKey } from '../channels/voice/voice-call';
import {
  adoptPromptAudio,
  discardPromptAudio,
  takeInPromptAudio,
  voicePromptOverview,
  type TakenAudio,
} from '../channels/voice/voice-prompts.service';
import { principalOf } from '../http/access';
import { errors } from '../http/errors';
import { refuseNulCharacters } from '../http/input-guards';
import { isMultipart, readMultipart, sessionCsrfGate, type MultipartLimits } from '../http/multipart';
import type { RouteSpec } from '../http/routes';
import type { AdminRouteDeps } from './admin.routes';
import { consolePageContext } from './console-shell';
import { voiceLanguagePage, voicePromptsPage, type PromptUploadProblem } from './voice-prompts.views';

// The phone line's recorded prompts in the admin area. Admins only: every caller hears these, so
// changing one is a network-wide decision like a user or an organisation (coordinators may listen
// by calling the line). An upload is a plain multipart form: its CSRF token is checked before any
// of the file is taken in, the file's type is read from its bytes, and only audio is kept.

const access = { roles: ['admin'] as const };
const languageParams = z.object({ language: z.enum(LANGUAGES) });
const promptParams = z.object({ language: z.enum(LANGUAGES), key: z.enum(PROMPT_KEYS) });
const pageQuery = z.object({ saved: z.enum(PROMPT_KEYS).optional() });
/** One audio file, and the CSRF token beside it. */
const UPLOAD_LIMITS: MultipartLimits = { files: 1, fileBytes: MAX_ATTACHMENT_BYTES, fields: 5, fieldBytes: 1024 };

function send(res: Response, status: number, body: string): void {
  res.status(status).set('Cache-Control', 'no-store').type('html').send(body);
}

/** The admin pages of the voice line's prompts: the overview, a language's prompts, and an upload per prompt. */
export function voicePromptPageRoutes(deps: AdminRouteDeps): RouteSpec[] {
  const words = (key: PromptKey, language: Language) => deps.i18n.getFixedT(language, 'voice')(key);
  const languagePage = async (req: Request, res: Response, language: Language, status: number, options: { saved?: PromptKey | undefined; problem?: PromptUploadProblem }) => {
    const entry = (await voicePromptOverview(deps)).find((item) => item.language === language);
    if (!entry) throw errors.notFound();
    send(res, status, voiceLanguagePage(await consolePageContext(deps, req, res), entry, words, options));
  };

  return [
    {
      method: 'get',
      path: '/console/admin/voice',
      access,
      handler: async (req, res) => send(res, 200, voicePromptsPage(await consolePageContext(deps, req, res), await voicePromptOverview(deps))),
    },
    {
      method: 'get',
      path: '/console/admin/voice/:language',
      access,
      handler: async (req, res) => {
        const parsed = languageParams.safeParse(req.params);
        if (!parsed.success) throw errors.notFound();
        const { saved } = pageQuery.catch({}).parse(req.query);
        await languagePage(req, res, parsed.data.language, 200, { saved });
      },
    },
    {
      method: 'post',
      path: '/console/admin/voice/:language/:key',
      access,
      multipartForm: true,
      handler: async (req, res) => {
        const parsed = promptParams.safeParse(req.params);
        if (!parsed.success) throw errors.notFound();
        const { language, key } = parsed.data;
        const gate = sessionCsrfGate(req, res);
        // Every file taken in, so that none outlives a form that fails (even halfway through the body).
        const takenIds: string[] = [];
        let adopted: string | undefined;
        try {
          let taken: TakenAudio | undefined;
          let tooLarge = false;
          if (isMultipart(req)) {
            const form = await readMultipart(req, {
              limits: UPLOAD_LIMITS,
              beforeFirstFile: gate,
              onFile: async (file) => {
                const result = await takeInPromptAudio(deps, file.bytes);
                if (result.status === 'stored') takenIds.push(result.attachmentId);
                return result;
              },
            });
            taken = form.files[0]?.result;
            tooLarge = form.files.some((file) => file.tooLarge);
            // Checked again for a form that came without a file (the gate runs at the first file).
            gate(form.fields);
            refuseNulCharacters(form.fields);
          }
          if (!taken || tooLarge || taken.status === 'refused') {
            const reason = !taken ? 'missing' : tooLarge ? 'too_large' : taken.status === 'refused' ? taken.reason : 'missing';
            await languagePage(req, res, language, 400, { problem: { key, reason } });
            return;
          }
          const principal = principalOf(res);
          await adoptPromptAudio(deps, { actorKind: principal.kind, actorUserId: principal.userId, ip: req.ip ?? null }, { key, language }, taken.attachmentId);
          adopted = taken.attachmentId;
          res.redirect(303, `/console/admin/voice/${language}?saved=${encodeURIComponent(key)}#prompt-${key.replace('.', '-')}`);
        } finally {
          for (const id of takenIds) if (id !== adopted) await discardPromptAudio(deps, id);
        }
      },
    },
  ];
}
