import crypto from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { errors } from './errors';

// CSRF protection without server state: a random value in an HttpOnly, SameSite=Lax cookie, and
// in each form its HMAC under the session secret. A cross-site form can neither read the cookie
// nor compute the HMAC, so its POST fails.

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

/** True when the request's form field (or X-CSRF-Token header) matches its CSRF cookie. */
export function hasValidCsrf(req: Request, secret: string): boolean {
  const cookie = req.cookies?.[CSRF_COOKIE];
  const field = (req.body as Record<string, unknown> | undefined)?.[CSRF_FIELD] ?? req.get('x-csrf-token');
  if (typeof cookie !== 'string' || typeof field !== 'string') return false;
  const expected = Buffer.from(sign(secret, cookie));
  const given = Buffer.from(field);
  return expected.length === given.length && crypto.timingSafeEqual(expected, given);
}

/** Refuses a POST whose form token does not match its cookie. */
export function requireCsrf(secret: string) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (!hasValidCsrf(req, secret)) throw errors.csrfFailed();
    next();
  };
}
