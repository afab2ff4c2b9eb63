import type { NextFunction, Request, Response } from 'express';
import type { Role } from '../cases/case.vocabulary';
import type { Language } from '../cases/case.vocabulary';
import { errors } from './errors';

/** Who is making a request, once authenticated. */
export interface Principal {
  kind: 'user' | 'token';
  userId: string;
  organisationId: string;
  role: Role;
  locale: Language;
  /** A console session's CSRF token for its forms (sessions only; bearer tokens need none). */
  formToken?: string;
  /**
   * A session's multipart/form-data request, whose form token is inside a body not read yet: only
   * a route declared `multipartForm` takes it, and checks the token itself once the fields arrive.
   */
  csrfPending?: boolean;
}

/**
 * Every route declares one of these. `public` routes say so explicitly; everything else names
 * the roles that may use it. There is no default: an undeclared route cannot be mounted.
 */
export type Access = { public: true; reason: string } | { roles: readonly Role[] };

/** Resolves the principal of a request (bearer token, later also a session), or undefined. */
export type Authenticate = (req: Request) => Promise<Principal | undefined>;

/** The principal of an authorised request; throws if called on a public route. */
export function principalOf(res: Response): Principal {
  const principal = res.locals['principal'] as Principal | undefined;
  if (!principal) throw errors.unauthenticated();
  return principal;
}

/** Builds the middleware that enforces one route's declared access. */
export function authorize(access: Access, authenticate: Authenticate, options: { multipartForm?: boolean } = {}) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    if ('public' in access) return next();
    const principal = await authenticate(req);
    if (!principal) throw errors.unauthenticated();
    // Any other route would take the request with its CSRF token unchecked.
    if (principal.csrfPending && !options.multipartForm) throw errors.csrfFailed();
    if (!access.roles.includes(principal.role)) {
      req.log?.warn({ role: principal.role, userId: principal.userId }, 'access denied: role may not use this route');
      throw errors.forbidden();
    }
    res.locals['principal'] = principal;
    next();
  };
}
