import crypto from 'node:crypto';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { errors } from '../../http/errors';
import type { Logger } from '../../observability/logger';

export type SignatureCheck = 'valid' | 'missing' | 'invalid';

/** The signature Viber puts in X-Viber-Content-Signature: hex HMAC-SHA256 of the raw body, keyed with the bot's token. */
export function viberSignatureOf(rawBody: Buffer | string, authToken: string): string {
  return crypto.createHmac('sha256', authToken).update(rawBody).digest('hex');
}

/** Checks a webhook's signature against the exact bytes received, in constant time. */
export function checkViberSignature(rawBody: Buffer, signature: string | undefined, authToken: string): SignatureCheck {
  if (!signature) return 'missing';
  const expected = Buffer.from(viberSignatureOf(rawBody, authToken), 'utf8');
  const given = Buffer.from(signature.trim().toLowerCase(), 'utf8');
  if (given.length !== expected.length) return 'invalid';
  return crypto.timingSafeEqual(given, expected) ? 'valid' : 'invalid';
}

/**
 * Viber's message tokens are 64-bit integers, beyond what a JavaScript number holds exactly: two
 * of our messages could round to the same id. They are quoted before parsing so the digits stay.
 * A quote inside a JSON string is always escaped, so only a real `message_token` key matches.
 */
export function parseViberJson(text: string): unknown {
  return JSON.parse(text.replace(/"message_token"\s*:\s*(-?\d+)/g, '"message_token":"$1"'));
}

export interface ViberWebhookBodyDeps {
  /** Unset: Viber webhooks cannot be verified and are refused (503). */
  authToken: string | undefined;
  logger: Logger;
}

/**
 * The body handling of the Viber webhook route: keep the raw bytes, check the signature on them,
 * then parse the JSON into `req.body`. Nothing is read before the signature holds. Mount the route
 * where no other parser has read a JSON body (among the `/webhooks` routes, before `express.json`).
 */
export function viberWebhookBody({ authToken, logger }: ViberWebhookBodyDeps): RequestHandler[] {
  const raw = express.raw({ type: '*/*', limit: '1mb' });
  const verifyThenParse = (req: Request, _res: Response, next: NextFunction) => {
    if (!authToken) {
      logger.error('a Viber webhook arrived but VIBER_AUTH_TOKEN is not set; it cannot be verified');
      throw errors.unavailable(60);
    }
    const body: unknown = req.body;
    // Another parser (a form body) got there first: the bytes Viber signed are gone.
    if (body !== undefined && !Buffer.isBuffer(body)) throw errors.unsupportedMediaType();
    const rawBody = body ?? Buffer.alloc(0);
    const check = checkViberSignature(rawBody, req.get('x-viber-content-signature'), authToken);
    if (check === 'missing') throw errors.signatureMissing();
    if (check === 'invalid') throw errors.signatureInvalid();
    try {
      req.body = parseViberJson(rawBody.toString('utf8'));
    } catch {
      throw errors.validation([{ field: '(body)', reason: 'invalid_format' }]);
    }
    next();
  };
  return [raw, verifyThenParse];
}
