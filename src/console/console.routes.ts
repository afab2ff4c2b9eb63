import type { Request, Response } from 'express';
import type { i18n } from 'i18next';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { LANGUAGES, type Language } from '../cases/case.vocabulary';
import type { Clock } from '../clock';
import type { Database } from '../db/schema';
import { principalOf } from '../http/access';
import { csrfToken, requireCsrf } from '../http/csrf';
import { errors } from '../http/errors';
import type { RateLimiter } from '../http/rate-limit';
import type { RouteSpec } from '../http/routes';
import { validate } from '../http/validate';
import { negotiateLanguage } from '../language/negotiation';
import { countUnreadOf } from '../notifications/notification-inbox.service';
import { SESSION_COOKIE } from '../users/authentication';
import { ANY_ROLE } from '../users/roles';
import { endSessionByToken, ABSOLUTE_LIFETIME_MS } from '../users/session.service';
import { SIGN_INS_PER_ADDRESS, signIn } from '../users/sign-in.service';
import { findUserPhone, setEmailNotifications, setUserLocale, wantsEmailNotifications } from '../users/user.service';
import { consoleNav } from './console-nav';
import { homePage, signInPage, type ConsoleViewContext } from './console.views';

export interface ConsoleRouteDeps {
  db: Kysely<Database>;
  clock: Clock;
  i18n: i18n;
  rateLimiter: RateLimiter;
  sessionSecret: string;
  secureCookies: boolean;
}

const signInForm = z.object({ email: z.string().trim().max(320).default(''), password: z.string().max(256).default('') });

function sendPage(res: Response, status: number, body: string): void {
  res.status(status).set('Cache-Control', 'no-store').type('html').send(body);
}

/** Sign-in, sign-out and the console's landing page. */
export function consoleRoutes(deps: ConsoleRouteDeps): RouteSpec[] {
  const view = (req: Request, res: Response, language?: Language): ConsoleViewContext => {
    const chosen = language ?? negotiateLanguage({ query: req.query['lang'], cookie: req.cookies?.['lang'], acceptLanguage: req.get('accept-language') });
    return { language: chosen, t: deps.i18n.getFixedT(chosen), csrf: csrfToken(req, res, deps.sessionSecret, deps.secureCookies) };
  };
  return [
    {
      method: 'get',
      path: '/console/sign-in',
      access: { public: true, reason: 'the sign-in form itself' },
      handler: (req, res) => sendPage(res, 200, signInPage(view(req, res))),
    },
    {
      method: 'post',
      path: '/console/sign-in',
      access: { public: true, reason: 'checks the email and password it is given' },
      before: [requireCsrf(deps.sessionSecret)],
      handler: async (req, res) => {
        const context = view(req, res);
        const decision = await deps.rateLimiter.hit(SIGN_INS_PER_ADDRESS, req.ip ?? 'unknown');
        if (!decision.allowed) throw errors.rateLimited(decision.retryAfter);
        const form = validate(signInForm, req.body ?? {});
        const result = await signIn(deps, { email: form.email, password: form.password, ip: req.ip ?? null, userAgent: req.get('user-agent') ?? null });
        if (!result.ok) {
          const notice = context.t(result.reason === 'locked' ? 'console:sign_in.locked' : 'console:sign_in.wrong');
          sendPage(res, result.reason === 'locked' ? 429 : 401, signInPage(context, { email: form.email }, notice));
          return;
        }
        res.cookie(SESSION_COOKIE, result.token, { httpOnly: true, sameSite: 'lax', secure: deps.secureCookies, path: '/', maxAge: ABSOLUTE_LIFETIME_MS });
        res.redirect(303, '/console');
      },
    },
    {
      method: 'post',
      path: '/console/sign-out',
      access: { roles: ANY_ROLE },
      handler: async (req, res) => {
        const token = req.cookies?.[SESSION_COOKIE];
        if (typeof token === 'string') await endSessionByToken(deps, token);
        res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', secure: deps.secureCookies, path: '/' });
        res.redirect(303, '/console/sign-in');
      },
    },
    {
      method: 'post',
      path: '/console/language',
      access: { roles: ANY_ROLE },
      handler: async (req, res) => {
        const { language } = validate(z.object({ language: z.enum(LANGUAGES) }), req.body);
        await setUserLocale(deps.db, principalOf(res).userId, language, deps.clock.now());
        res.redirect(303, '/console');
      },
    },
    {
      method: 'post',
      path: '/console/email-notifications',
      access: { roles: ANY_ROLE },
      handler: async (req, res) => {
        const { email_notifications: wanted } = validate(z.object({ email_notifications: z.enum(['yes', 'no']) }), req.body);
        await setEmailNotifications(deps.db, principalOf(res).userId, wanted === 'yes', deps.clock.now());
        res.redirect(303, '/console');
      },
    },
    {
      method: 'get',
      path: '/console',
      access: { roles: ANY_ROLE },
      handler: async (req, res) => {
        const principal = principalOf(res);
        const displayName = 'displayName' in principal && typeof principal.displayName === 'string' ? principal.displayName : principal.role;
        // Signed in, its forms carry the session's own CSRF token, not the sign-in form's.
        const context = { ...view(req, res, principal.locale), csrf: principal.formToken ?? '' };
        const nav = consoleNav(context.t, principal.role, await countUnreadOf(deps.db, principal.userId));
        const emailNotifications = await wantsEmailNotifications(deps.db, principal.userId);
        // Whether a phone for call-backs is on the profile; the number itself is never shown back.
        const hasPhone = (await findUserPhone(deps.db, principal.userId)) !== null;
        sendPage(res, 200, homePage({ ...context, nav }, { displayName, role: principal.role, emailNotifications, hasPhone }));
      },
    },
  ];
}
