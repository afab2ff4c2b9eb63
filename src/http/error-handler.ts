import crypto from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { i18n } from 'i18next';
import { isDataException, postgresErrorCode } from '../db/errors';
import { negotiateLanguage, LANGUAGE_COOKIE } from '../language/negotiation';
import { AppError, errors, type FieldIssue } from './errors';
import { html } from './html';
import { page } from './layout';

/** Express's body parsers report problems with a `type`; map them into the catalogue. */
function fromBodyParser(error: object, req: Request): AppError | undefined {
  if (!('type' in error)) {
    // A body that does not decompress as its Content-Encoding says: body-parser passes zlib's
    // own error on with a 400 and no type.
    const encoding = req.get('content-encoding')?.toLowerCase();
    return statusOf(error) === 400 && encoding && encoding !== 'identity' ? errors.encodingInvalid() : undefined;
  }
  switch ((error as { type: unknown }).type) {
    case 'entity.too.large':
      return errors.payloadTooLarge();
    case 'entity.parse.failed':
    case 'entity.verify.failed':
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
    case 'parameters.too.many':
      return errors.malformedBody();
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return errors.unsupportedMediaType();
    default:
      return undefined;
  }
}

function statusOf(error: object): number | undefined {
  const status = (error as { status?: unknown }).status;
  return typeof status === 'number' ? status : undefined;
}

/**
 * Errors Express and its parts raise about the request itself, in the catalogue's terms: body
 * parsers, a path that does not percent-decode (the router and express.static throw 400s), a
 * value PostgreSQL refused as data.
 */
function fromRequestError(error: unknown, req: Request): AppError | undefined {
  if (isDataException(error)) return errors.invalidInput();
  if (typeof error !== 'object' || error === null) return undefined;
  if (error instanceof URIError && statusOf(error) === 400) return errors.malformedUrl();
  const fromParser = fromBodyParser(error, req);
  if (fromParser) return fromParser;
  const status = statusOf(error);
  // Any other http-errors 4xx that marks itself safe to expose (`expose`), e.g. express.static's.
  if (status === undefined || status < 400 || status > 499 || (error as { expose?: unknown }).expose !== true) return undefined;
  if (status === 404) return errors.notFound();
  if (status === 405) return errors.methodNotAllowed();
  if (status === 413) return errors.payloadTooLarge();
  if (status === 415) return errors.unsupportedMediaType();
  return errors.malformedBody();
}

/** The id a 500 is answered and logged with: the request's id, so the access log line matches. */
function errorIdOf(req: Request): string {
  const id: unknown = req.id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : crypto.randomUUID();
}

function wantsJson(req: Request): boolean {
  if (req.path.startsWith('/api/') || req.path === '/api' || req.path.startsWith('/webhooks/')) return true;
  return req.accepts(['html', 'json']) === 'json';
}

/** The final 404 for anything no route answered. */
export function notFoundHandler(_req: Request, _res: Response, next: NextFunction): void {
  next(errors.notFound());
}

/**
 * The one error handler: a JSON body under /api (and for clients asking for JSON), a translated
 * HTML page for browsers. Never a stack trace; unexpected errors are logged without request data.
 */
export function createErrorHandler(i18nInstance: i18n) {
  return (error: unknown, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) return next(error);
    const appError = error instanceof AppError ? error : (fromRequestError(error, req) ?? new AppError('internal'));
    // Only an id goes back with a 500; the error itself goes to the log under the same id (the
    // logger drops the values PostgreSQL quotes, see observability/logger.ts).
    const errorId = appError.code === 'internal' ? errorIdOf(req) : undefined;
    if (errorId !== undefined) req.log?.error({ errorId, err: error }, 'unhandled error');
    else if (appError.code === 'invalid_input') req.log?.warn({ sqlState: postgresErrorCode(error) }, 'the database refused a value as data');
    const language = negotiateLanguage({
      query: req.query?.['lang'],
      cookie: req.cookies?.[LANGUAGE_COOKIE],
      acceptLanguage: req.get('accept-language'),
    });
    const t = i18nInstance.getFixedT(language, 'errors');
    const message = t(`code.${appError.code}`);
    const fields = appError.issues.map((issue: FieldIssue) => ({
      field: issue.field,
      reason: issue.reason,
      message: t(`field.${issue.reason}`, { defaultValue: t('field.invalid'), ...issue.params }),
    }));
    // A browser that is not signed in is taken to the sign-in form rather than shown an error.
    if (appError.code === 'unauthenticated' && req.method === 'GET' && req.path.startsWith('/console') && !wantsJson(req)) {
      res.redirect(303, '/console/sign-in');
      return;
    }
    if (appError.retryAfter !== undefined) res.set('Retry-After', String(appError.retryAfter));
    res.status(appError.status);
    if (wantsJson(req)) {
      res.json({ error: { code: appError.code, message, ...(fields.length > 0 ? { fields } : {}), ...(errorId !== undefined ? { id: errorId } : {}) } });
      return;
    }
    res.type('html').send(
      page({
        language,
        title: message,
        noIndex: true,
        body: html`<h1>${message}</h1>
${fields.length > 0 ? html`<ul class="field-errors">${fields.map((field) => html`<li>${field.field}: ${field.message}</li>`)}</ul>` : ''}
<p><a href="/">${t('common:home')}</a></p>
<p class="error-code">${appError.code} · ${appError.status}${errorId !== undefined ? html` · <span class="error-id">${errorId}</span>` : ''}</p>`,
      }),
    );
  };
}
