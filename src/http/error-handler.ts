import type { NextFunction, Request, Response } from 'express';
import type { i18n } from 'i18next';
import { negotiateLanguage, LANGUAGE_COOKIE } from '../language/negotiation';
import { AppError, errors, type FieldIssue } from './errors';
import { html } from './html';
import { page } from './layout';

/** Express's body parsers report problems with a `type`; map them into the catalogue. */
function fromBodyParser(error: unknown): AppError | undefined {
  if (typeof error !== 'object' || error === null || !('type' in error)) return undefined;
  switch ((error as { type: unknown }).type) {
    case 'entity.too.large':
      return errors.payloadTooLarge();
    case 'entity.parse.failed':
    case 'request.aborted':
    case 'parameters.too.many':
      return errors.malformedBody();
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return errors.unsupportedMediaType();
    default:
      return undefined;
  }
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
    const appError = error instanceof AppError ? error : (fromBodyParser(error) ?? new AppError('internal'));
    if (appError.code === 'internal') {
      req.log?.error({ err: error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : String(error) }, 'unhandled error');
    }
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
      res.json({ error: { code: appError.code, message, ...(fields.length > 0 ? { fields } : {}) } });
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
<p class="error-code">${appError.code} · ${appError.status}</p>`,
      }),
    );
  };
}
