import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import { authorize, type Access, type Authenticate } from './access';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** One route: its method and path, who may use it, and what it does. */
export interface RouteSpec {
  method: Method;
  path: string;
  access: Access;
  /** Middleware after authorisation (rate limits, body parsers, CSRF). */
  before?: RequestHandler[];
  /**
   * The handler reads a signed-in console form sent as multipart/form-data (a file upload) and
   * checks its CSRF token itself, as soon as the fields before the file are read (`sessionCsrfGate`).
   */
  multipartForm?: true;
  handler: (req: Request, res: Response) => Promise<void> | void;
}

/** Mounts routes on a router, each behind its declared access; the only way routes are added. */
export function mountRoutes(router: Router, routes: readonly RouteSpec[], authenticate: Authenticate): Router {
  for (const route of routes) {
    const handler = async (req: Request, res: Response, next: NextFunction) => {
      try {
        await route.handler(req, res);
      } catch (error) {
        next(error);
      }
    };
    router[route.method](route.path, authorize(route.access, authenticate, { multipartForm: route.multipartForm === true }), ...(route.before ?? []), handler);
  }
  return router;
}
