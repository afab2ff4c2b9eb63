import { validateSignature } from '@line/bot-sdk';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { errors } from '../../http/errors';

export type SignatureCheck = 'valid' | 'missing' | 'invalid';

/** LINE sends at most a few events per request; 1 MB is far above any real webhook. */
const WEBHOOK_BODY_LIMIT = '1mb';

/**
 * Checks X-Line-Signature: the base64 HMAC-SHA256 of the raw body bytes under the channel
 * secret. It must be the bytes LINE sent, never a re-serialised JSON object (key order, spacing
 * and escapes would differ); the SDK compares in constant time.
 */
export function checkLineSignature(rawBody: Buffer, signature: string | undefined, channelSecret: string): SignatureCheck {
  if (!signature) return 'missing';
  return validateSignature(rawBody, channelSecret, signature) ? 'valid' : 'invalid';
}

/**
 * Reads a LINE webhook's body as raw bytes into `req.body` (a Buffer), whatever its content
 * type, so the route can check the signature before parsing. It must run before any JSON parser
 * has read the request: once express.json has consumed it, the signed bytes are gone, and this
 * middleware refuses the request instead of checking a signature over re-serialised JSON.
 */
export function lineWebhookBody(): RequestHandler[] {
  return [
    express.raw({ type: '*/*', limit: WEBHOOK_BODY_LIMIT }),
    (req: Request, _res: Response, next: NextFunction) => {
      if (Buffer.isBuffer(req.body)) return next();
      // express.raw leaves a request without a body untouched; anything else means another parser won.
      if (req.body === undefined) {
        req.body = Buffer.alloc(0);
        return next();
      }
      next(new Error('the LINE webhook body was parsed before its signature could be checked: mount lineWebhookBody() before express.json'));
    },
  ];
}

/** Parses the webhook's verified raw body; bad JSON is a 400 naming the body, never a 500. */
export function parseLineJson(rawBody: Buffer): unknown {
  try {
    return JSON.parse(rawBody.toString('utf8')) as unknown;
  } catch {
    throw errors.validation([{ field: '(body)', reason: 'invalid_format' }]);
  }
}
