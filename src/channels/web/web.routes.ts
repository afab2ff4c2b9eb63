import { PIN_FAILURES_PER_REFERENCE } from '../../cases/case-pin';
import type { NextFunction, Request, Response } from 'express';
import { MAX_ATTACHMENT_BYTES } from '../../attachments/inspect';
import type { Language } from '../../cases/case.vocabulary';
import { csrfToken, hasValidCsrf, requireCsrf } from '../../http/csrf';
import { errors } from '../../http/errors';
import { refuseNulCharacters } from '../../http/input-guards';
import { isMultipart, readMultipart, type MultipartLimits, type ReceivedFile } from '../../http/multipart';
import type { RateLimiter, RateLimitRule } from '../../http/rate-limit';
import type { RouteSpec } from '../../http/routes';
import { LANGUAGE_COOKIE, isLanguage, negotiateLanguage } from '../../language/negotiation';
import { fieldErrors, parseReportForm, statusFormSchema, type FieldErrorMap } from './web.schema';
import { addInformation, changeConsentFromStatusPage, openCaseStatus, requestErasureFromStatusPage, startWebUpload, submitReport, type WebFile, type WebIntakeDeps } from './web.service';
import { erasureConfirmPage, erasureRequestedPage, homePage, reportDonePage, reportPage, statusFormPage, statusResultPage, type FilesReceived, type ViewContext } from './web.views';

/** A web report or addition is stored and processed in one step. */
function countWebMessage(deps: WebIntakeDeps, source: 'web' | 'status_page', files: readonly ReceivedFile<WebFile>[]): void {
  deps.counters?.inboundReceived('web');
  deps.counters?.inboundProcessed('web');
  for (const file of files) deps.counters?.attachmentOutcome(source, file.result.result.status);
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

/** How many files one form may carry. */
export const MAX_FORM_FILES = 3;

const FORM_LIMITS: MultipartLimits = { files: MAX_FORM_FILES, fileBytes: MAX_ATTACHMENT_BYTES, fields: 200, fieldBytes: 64 * 1024 };

/** A posted form: its fields and the files taken in with it, which `discard` removes. */
interface PostedForm {
  body: Record<string, string | string[] | undefined>;
  files: ReceivedFile<WebFile>[];
  tooManyFiles: boolean;
  discard(): Promise<void>;
}

/** What went wrong with a form's files as a whole (then none is kept), if anything. */
function filesProblem(posted: PostedForm): FieldErrorMap[string] | undefined {
  if (posted.tooManyFiles) return { reason: 'files_too_many', params: { maximum: MAX_FORM_FILES } };
  if (posted.files.some((file) => file.tooLarge)) return { reason: 'file_too_large', params: { maximum: MAX_ATTACHMENT_BYTES / (1024 * 1024) } };
  return undefined;
}

/** What the worker is told of the files kept with their report or addition. */
function filesReceived(posted: PostedForm): FilesReceived {
  return {
    received: posted.files.filter((file) => file.result.result.status === 'stored').length,
    refused: posted.files.flatMap((file) => (file.result.result.status === 'refused' ? [{ name: file.filename, reason: file.result.result.reason }] : [])),
  };
}

/** The worker-facing web pages: start page, report form and case status. */
export function webRoutes(deps: WebRouteDeps): RouteSpec[] {
  const context = (req: Request, res: Response): ViewContext => {
    const language = languageOf(req, res, deps.secureCookies);
    return { language, t: deps.i18n.getFixedT(language), csrf: csrfToken(req, res, deps.sessionSecret, deps.secureCookies) };
  };
  const csrf = requireCsrf(deps.sessionSecret);
  // A multipart form's token is checked once its fields are read (see readPostedForm).
  const csrfUnlessMultipart = (req: Request, res: Response, next: NextFunction) => (isMultipart(req) ? next() : csrf(req, res, next));
  const address = (req: Request) => req.ip ?? 'unknown';

  /**
   * The form's fields, and its files when it came as multipart/form-data. Files are taken in as
   * they stream, into attachments without a case, only once the CSRF token (sent before the file
   * input) has been seen valid; a form refused later has them removed by `discard`.
   */
  const readPostedForm = async (req: Request, source: 'web' | 'status_page'): Promise<PostedForm> => {
    if (!isMultipart(req)) return { body: (req.body ?? {}) as PostedForm['body'], files: [], tooManyFiles: false, discard: async () => undefined };
    const upload = startWebUpload(deps, source);
    try {
      const form = await readMultipart(req, {
        limits: FORM_LIMITS,
        beforeFirstFile: (fields) => {
          req.body = fields;
          if (!hasValidCsrf(req, deps.sessionSecret)) throw errors.csrfFailed();
        },
        onFile: (file) => upload.receive(file.bytes),
      });
      req.body = form.fields;
      // The same checks every urlencoded form passed before its route, in the same order.
      refuseNulCharacters(form.fields);
      if (!hasValidCsrf(req, deps.sessionSecret)) throw errors.csrfFailed();
      return { body: form.fields, files: form.files, tooManyFiles: form.tooManyFiles, discard: () => upload.discard() };
    } catch (error) {
      await upload.discard();
      throw error;
    }
  };

  return [
    { method: 'get', path: '/', access: PUBLIC, handler: (req, res) => send(res, 200, homePage(context(req, res))) },
    { method: 'get', path: '/report', access: PUBLIC, handler: (req, res) => send(res, 200, reportPage(context(req, res))) },
    {
      method: 'post',
      path: '/report',
      access: PUBLIC,
      before: [csrfUnlessMultipart],
      handler: async (req, res) => {
        const view = context(req, res);
        const posted = await readPostedForm(req, 'web');
        let kept = false;
        try {
          await limit(deps, REPORTS_PER_ADDRESS, address(req));
          const { body } = posted;
          if (typeof body['website'] === 'string' && body['website'] !== '') throw errors.validation([{ field: 'website', reason: 'invalid' }]);
          const parsed = parseReportForm(body);
          const problem = filesProblem(posted);
          if (!parsed.success || problem) {
            const fieldErrorMap: FieldErrorMap = parsed.success ? {} : parsed.errors;
            // Files are never kept with a refused form: the worker is asked to choose them again.
            const files = problem ?? (posted.files.length > 0 ? { reason: 'files_choose_again' } : undefined);
            if (files) fieldErrorMap['files'] = files;
            await posted.discard();
            send(res, 400, reportPage(view, body, fieldErrorMap));
            return;
          }
          const { reference, pin } = await submitReport(deps, parsed.data, view.language, posted.files.map((file) => file.result));
          kept = true;
          countWebMessage(deps, 'web', posted.files);
          send(res, 200, reportDonePage(view, reference, pin, filesReceived(posted)), { noIndex: true });
        } finally {
          // A refused form's files go before its answer (above); this catches a thrown error.
          if (!kept) await posted.discard();
        }
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
      before: [csrfUnlessMultipart],
      handler: async (req, res) => {
        const view = context(req, res);
        const posted = await readPostedForm(req, 'status_page');
        let kept = false;
        try {
          await limit(deps, STATUS_PER_ADDRESS, address(req));
          const body = posted.body as Record<string, string | undefined>;
          const parsed = statusFormSchema.safeParse(body);
          if (!parsed.success) {
            await posted.discard();
            send(res, 400, statusFormPage(view, body, fieldErrors(parsed.error)), { noIndex: true });
            return;
          }
          const { reference, pin, addition, consent } = parsed.data;
          if (await deps.rateLimiter.isLocked(FAILURES_PER_REFERENCE, reference)) {
            await posted.discard();
            send(res, 429, statusFormPage(view, { reference: body['reference'] }, {}, view.t('web:status.locked')), { noIndex: true });
            return;
          }
          const found = await openCaseStatus(deps, reference, pin, address(req));
          if (!found) {
            await deps.rateLimiter.hit(FAILURES_PER_REFERENCE, reference);
            await posted.discard();
            send(res, 200, statusFormPage(view, { reference: body['reference'] }, {}, view.t('web:status.wrong')), { noIndex: true });
            return;
          }
          await deps.rateLimiter.clear(FAILURES_PER_REFERENCE, reference);
          if (parsed.data.erase) {
            // The two erasure forms carry nothing else: no text or file is taken with them.
            await posted.discard();
            if (parsed.data.erase === 'ask') {
              send(res, 200, erasureConfirmPage(view, { reference, pin }), { noIndex: true });
              return;
            }
            const filed = await requestErasureFromStatusPage(deps, found, address(req));
            send(res, 200, erasureRequestedPage(view, { reference, dueAt: filed.dueAt, already: filed.outcome === 'already' }), { noIndex: true });
            return;
          }
          const shown = { reference, pin, status: found.status, latestReply: found.latestReply, consentGiven: found.consentGiven, erasure: found.erasure, refusedErasure: found.refusedErasure };
          const problem = filesProblem(posted);
          if (problem) {
            // Neither the text nor any file is kept: the worker sends both again.
            await posted.discard();
            send(res, 400, statusResultPage(view, { ...shown, added: false, consentSaved: false, addition, errors: { files: problem } }), { noIndex: true });
            return;
          }
          if (addition !== '' || posted.files.length > 0) {
            await addInformation(deps, found, addition, address(req), posted.files.map((file) => file.result));
            kept = true;
            countWebMessage(deps, 'status_page', posted.files);
          }
          const consentChanged = consent !== undefined && (consent === 'yes') !== found.consentGiven;
          if (consentChanged) await changeConsentFromStatusPage(deps, found, consent === 'yes', view.language, address(req));
          send(res, 200, statusResultPage(view, {
            ...shown, added: addition !== '', consentGiven: consentChanged ? consent === 'yes' : found.consentGiven, consentSaved: consentChanged,
            ...(posted.files.length > 0 ? { files: filesReceived(posted) } : {}),
          }), { noIndex: true });
        } finally {
          // A refused form's files go before its answer (above); this catches a thrown error.
          if (!kept) await posted.discard();
        }
      },
    },
  ];
}
