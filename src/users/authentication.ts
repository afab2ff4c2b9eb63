import type { Request } from 'express';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock';
import type { Database } from '../db/schema';
import type { Authenticate } from '../http/access';
import { hasValidSessionCsrf } from '../http/csrf';
import { isMultipart } from '../http/multipart';
import { errors } from '../http/errors';
import { isLanguage } from '../language/negotiation';
import { hashApiToken, looksLikeApiToken } from './api-token';
import { findTokenHolder, touchApiToken } from './api-token.repository';
import { isRole } from './roles';
import { resumeSession } from './session.service';

/** The cookie that carries a console session's token. */
export const SESSION_COOKIE = 'hotline_session';

async function fromBearer(db: Kysely<Database>, clock: Clock, req: Request) {
  const match = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
  const token = match?.[1];
  if (!token || !looksLikeApiToken(token)) return undefined;
  const now = clock.now();
  const holder = await findTokenHolder(db, hashApiToken(token), now);
  if (!holder || !isRole(holder.role)) return undefined;
  await touchApiToken(db, holder.tokenId, now);
  return {
    kind: 'token' as const,
    userId: holder.userId,
    organisationId: holder.organisationId,
    role: holder.role,
    locale: isLanguage(holder.locale) ? holder.locale : 'en',
  };
}

/**
 * Resolves who makes a request: `Authorization: Bearer mh_…` (API tokens), else the console's
 * session cookie. A bearer header that is present but wrong is not second-guessed by a cookie.
 */
export function createAuthenticator({ db, clock }: { db: Kysely<Database>; clock: Clock }): Authenticate {
  return async (req: Request) => {
    if (req.get('authorization')) return fromBearer(db, clock, req);
    const token = req.cookies?.[SESSION_COOKIE];
    if (typeof token !== 'string') return undefined;
    const principal = await resumeSession({ db, clock }, token);
    // A cookie travels with every request the browser makes, so a change made with one must
    // prove it came from a page of this very session.
    if (principal && !SAFE_METHODS.has(req.method) && !hasValidSessionCsrf(req, principal.formToken)) {
      // A file upload's token is in its body, which is read later, as a stream: the route checks it.
      if (isMultipart(req)) return { ...principal, csrfPending: true };
      throw errors.csrfFailed();
    }
    return principal;
  };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
