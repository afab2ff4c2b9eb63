import { PIN_FAILURES_PER_REFERENCE } from '../../cases/case-pin';
import type { Request, Response } from 'express';
import type { Language } from '../../cases/case.vocabulary';
import { csrfToken, requireCsrf } from '../../http/csrf';
import { errors } from '../../http/errors';
import type { RateLimiter, RateLimitRule } from '../../http/rate-limit';
import type { RouteSpec } from '../../http/routes';
import { LANGUAGE_COOKIE, isLanguage, negotiateLanguage } from '../../language/negotiation';
import { fieldErrors, parseReportForm, statusFormSchema } from './web.schema';
import { addInformation, changeConsentFromStatusPage, openCaseStatus, submitReport, type WebIntakeDeps } from './web.service';
import { homePage, reportDonePage, reportPage, statusFormPage, statusResultPage, type ViewContext } from './web.views';

/** A web report or addition is stored and processed in one step. */
function countWebMessage(deps: WebIntakeDeps): void {
  deps.counters?.inboundReceived('web');
  deps.counters?.inboundProcessed('web');
}

export interface WebRouteDeps extends WebIntakeDeps {
  rateLimiter: RateLimiter;
  sessionSecret: string;
  secureCookies: boolean;
}

const HOUR = 3_600_000;
// Generous per address: many workers share one address behind a mobile operator's NAT or an
// organisation's office connection. The PIN lockout per reference is what stops guessing.
const REPORTS_PER_ADDRESS: RateLimitRule = { name: 'report:address', limit: 30, windowMs: HOUR };
const STATUS_PER_ADDRESS: RateLimitRule = { name: 'status:address', limit: 60, windowMs: HOUR };
const FAILURES_PER_REFERENCE: RateLimitRule = PIN_FAILURES_PER_REFERENCE;
const PUBLIC = { public: true, reason: 'worker-facing page: anyone may report or check a case with its PIN' } as const;

function languageOf(req: Request, res: Response, secure: boolean): Language {
  const query = req.query['lang'];
  if (isLanguage(query) && req.cookies?.[LANGUAGE_COOKIE] !== query) {
    res.cookie(LANGUAGE_COOKIE, query, { httpOnly: true, sameSite: 'lax', secure, maxAge: 365 * 24 * HOUR, path: '/' });
  }
  return negotiateLanguage({ query, cookie: req.cookies?.[LANGUAGE_COOKIE], acceptLanguage: req.get('accept-language') });
}

function send(res: Response, status: number, body: string, options: { noIndex?: boolean } = {}): void {
  // Forms carry CSRF tokens and results carry case data: neither may be cached anywhere.
  res.status(status).set('Cache-Control', 'no-store');
  if (options.noIndex) res.set('X-Robots-Tag', 'noindex, nofollow');
  res.type('html').send(body);
}

async function limit(deps: WebRouteDeps, rule: RateLimitRule, subject: string): Promise<void> {
  const decision = await deps.rateLimiter.hit(rule, subject);
  if (!decision.allowed) throw errors.rateLimited(decision.retryAfter);
}

/** The worker-facing web pages: start page, report form and case status. */
export function webRoutes(deps: WebRouteDeps): RouteSpec[] {
  const context = (req: Request, res: Response): ViewContext => {
    const language = languageOf(req, res, deps.secureCookies);
    return { language, t: deps.i18n.getFixedT(language), csrf: csrfToken(req, res, deps.sessionSecret, deps.secureCookies) };
  };
  const csrf = requireCsrf(deps.sessionSecret);
  const address = (req: Request) => req.ip ?? 'unknown';

  return [
    { method: 'get', path: '/', access: PUBLIC, handler: (req, res) => send(res, 200, homePage(context(req, res))) },
    { method: 'get', path: '/report', access: PUBLIC, handler: (req, res) => send(res, 200, reportPage(context(req, res))) },
    {
      method: 'post',
      path: '/report',
      access: PUBLIC,
      before: [csrf],
      handler: async (req, res) => {
        const view = context(req, res);
        await limit(deps, REPORTS_PER_ADDRESS, address(req));
        // No body at all leaves req.body undefined; an empty form is what it means.
        const body = (req.body ?? {}) as Record<string, string | string[] | undefined>;
        if (typeof body['website'] === 'string' && body['website'] !== '') throw errors.validation([{ field: 'website', reason: 'invalid' }]);
        const parsed = parseReportForm(body);
        if (!parsed.success) {
          send(res, 400, reportPage(view, body, parsed.errors));
          return;
        }
        const { reference, pin } = await submitReport(deps, parsed.data, view.language);
        countWebMessage(deps);
        send(res, 200, reportDonePage(view, reference, pin), { noIndex: true });
      },
    },
    {
      method: 'get',
      path: '/status',
      access: PUBLIC,
      handler: (req, res) => send(res, 200, statusFormPage(context(req, res)), { noIndex: true }),
    },
    {
      method: 'post',
      path: '/status',
      access: PUBLIC,
      before: [csrf],
      handler: async (req, res) => {
        const view = context(req, res);
        await limit(deps, STATUS_PER_ADDRESS, address(req));
        const body = (req.body ?? {}) as Record<string, string | undefined>;
        const parsed = statusFormSchema.safeParse(body);
        if (!parsed.success) {
          send(res, 400, statusFormPage(view, body, fieldErrors(parsed.error)), { noIndex: true });
          return;
        }
        const { reference, pin, addition, consent } = parsed.data;
        if (await deps.rateLimiter.isLocked(FAILURES_PER_REFERENCE, reference)) {
          send(res, 429, statusFormPage(view, { reference: body['reference'] }, {}, view.t('web:status.locked')), { noIndex: true });
          return;
        }
        const found = await openCaseStatus(deps, reference, pin, address(req));
        if (!found) {
          await deps.rateLimiter.hit(FAILURES_PER_REFERENCE, reference);
          send(res, 200, statusFormPage(view, { reference: body['reference'] }, {}, view.t('web:status.wrong')), { noIndex: true });
          return;
        }
        await deps.rateLimiter.clear(FAILURES_PER_REFERENCE, reference);
        if (addition !== '') {
          await addInformation(deps, found, addition, address(req));
          countWebMessage(deps);
        }
        const consentChanged = consent !== undefined && (consent === 'yes') !== found.consentGiven;
        if (consentChanged) await changeConsentFromStatusPage(deps, found, consent === 'yes', view.language, address(req));
        send(res, 200, statusResultPage(view, {
          reference, pin, status: found.status, latestReply: found.latestReply, added: addition !== '',
          consentGiven: consentChanged ? consent === 'yes' : found.consentGiven, consentSaved: consentChanged,
        }), { noIndex: true });
      },
    },
  ];
}
