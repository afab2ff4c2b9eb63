import crypto from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { errors } from './errors';

// Two kinds of CSRF protection. Signed-in console forms carry a token derived from the session's
// own server-side secret (`sessions.csrf_secret`), so a token picked up in one session is worthless
// in another. Anonymous forms (a worker's report, the status page, sign-in itself) have no session:
// there a random value sits in an HttpOnly, SameSite=Lax cookie and each form carries its HMAC
// under the server's secret. A cross-site form can neither read the cookie nor compute the HMAC.

export const CSRF_COOKIE = 'csrf';
export const CSRF_FIELD = '_csrf';

function sign(secret: string, value: string): string {
  return crypto.createHmac('sha256', secret).update(`csrf:${value}`).digest('base64url');
}

/** The token for a form on this response, setting the cookie when the browser has none. */
export function csrfToken(req: Request, res: Response, secret: string, secure: boolean): string {
  let value = typeof req.cookies?.[CSRF_COOKIE] === 'string' ? (req.cookies[CSRF_COOKIE] as string) : '';
  if (!/^[A-Za-z0-9_-]{32,64}$/.test(value)) {
    value = crypto.randomBytes(32).toString('base64url');
    res.cookie(CSRF_COOKIE, value, { httpOnly: true, sameSite: 'lax', secure, path: '/' });
  }
  return sign(secret, value);
}

/** The form token of a signed-in session, derived from the session's own server-side secret. */
export function sessionFormToken(sessionCsrfSecret: string): string {
  return crypto.createHmac('sha256', sessionCsrfSecret).update('csrf:console-form').digest('base64url');
}

function postedToken(req: Request): unknown {
  return (req.body as Record<string, unknown> | undefined)?.[CSRF_FIELD] ?? req.get('x-csrf-token');
}

function sameToken(expected: string, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

/** True when the request's form field (or X-CSRF-Token header) is the token of this session. */
export function hasValidSessionCsrf(req: Request, formToken: string): boolean {
  return sameToken(formToken, postedToken(req));
}

/** True when the request's form field (or X-CSRF-Token header) matches its CSRF cookie (anonymous forms). */
export function hasValidCsrf(req: Request, secret: string): boolean {
  const cookie = req.cookies?.[CSRF_COOKIE];
  if (typeof cookie !== 'string') return false;
  return sameToken(sign(secret, cookie), postedToken(req));
}

/** Refuses a POST whose form token does not match its cookie (anonymous forms only). */
export function requireCsrf(secret: string) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (!hasValidCsrf(req, secret)) throw errors.csrfFailed();
    next();
  };
}
