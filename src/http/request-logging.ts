import type { IncomingMessage, ServerResponse } from 'node:http';
import crypto from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { pinoHttp } from 'pino-http';
import type { Logger } from '../observability/logger';

/** Gives a request its id: the caller's `X-Request-Id` when it looks like one, else a new one. */
export type RequestIds = (req: IncomingMessage) => string;

/** Request ids: a random prefix per process and a counter, cheaper than a UUID per request. */
export function createRequestIds(): RequestIds {
  const prefix = crypto.randomBytes(4).toString('hex');
  let counter = 0;
  return (req: IncomingMessage) => {
    const given = req.headers['x-request-id'];
    if (typeof given === 'string' && /^[A-Za-z0-9-]{8,64}$/.test(given)) return given;
    counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
    return `${prefix}-${counter.toString(36)}`;
  };
}

/**
 * Access logs with no personal data: the path without its query string, the status and the
 * timing. Headers, cookies, bodies and query strings (which may hold a phone number) are never
 * logged.
 */
export function requestLogging(logger: Logger, ids: RequestIds = createRequestIds()) {
  return pinoHttp({
    logger,
    quietReqLogger: true,
    genReqId: ids,
    serializers: {
      req: (req: { id: string; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        path: req.url.split('?')[0],
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (_req: IncomingMessage, res: ServerResponse, error?: Error) =>
      error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'info' : 'debug',
    autoLogging: { ignore: (req: IncomingMessage) => req.url === '/healthz' || req.url === '/readyz' },
  });
}

/**
 * A lean access log for machine-to-machine hot paths (Twilio's webhooks): no per-request child
 * logger; failures only, with the same no-personal-data fields as `requestLogging`, and the same
 * request id that a 500's error id refers to.
 */
export function failureLogging(logger: Logger, ids: RequestIds = createRequestIds()) {
  return (req: Request, res: Response, next: NextFunction): void => {
    req.log = logger;
    req.id = ids(req);
    const started = performance.now();
    res.on('finish', () => {
      if (res.statusCode < 400) return;
      const entry = { reqId: req.id, req: { method: req.method, path: req.path }, res: { statusCode: res.statusCode }, responseTime: Math.round(performance.now() - started) };
      if (res.statusCode >= 500) logger.error(entry, 'request failed');
      else logger.info(entry, 'request refused');
    });
    next();
  };
}
