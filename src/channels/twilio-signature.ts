import type { NextFunction, Request, Response } from 'express';
import twilio from 'twilio';
import { errors } from '../http/errors';
import type { Logger } from '../observability/logger';

export type SignatureCheck = 'valid' | 'missing' | 'invalid';

/**
 * Checks X-Twilio-Signature against the public URL (PUBLIC_URL + path and query), never the
 * internal host, so it holds behind a proxy that terminates TLS.
 */
export function checkTwilioSignature(req: Request, authToken: string, publicUrl: string): SignatureCheck {
  const signature = req.get('x-twilio-signature');
  if (!signature) return 'missing';
  const params = typeof req.body === 'object' && req.body !== null ? (req.body as Record<string, unknown>) : {};
  return twilio.validateRequest(authToken, signature, `${publicUrl}${req.originalUrl}`, params) ? 'valid' : 'invalid';
}

/** What the signature check needs: the auth token (unset: every webhook is refused) and the public URL. */
export interface TwilioSignatureDeps {
  twilioAuthToken: string | undefined;
  publicUrl: string;
  logger: Logger;
}

/** Refuses a webhook that Twilio did not sign for our public URL (messaging and voice alike); nothing is read before this. */
export function requireTwilioSignature({ twilioAuthToken, publicUrl, logger }: TwilioSignatureDeps) {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (!twilioAuthToken) {
      logger.error('a Twilio webhook arrived but TWILIO_AUTH_TOKEN is not set; it cannot be verified');
      throw errors.unavailable(60);
    }
    const check = checkTwilioSignature(req, twilioAuthToken, publicUrl);
    if (check === 'missing') throw errors.signatureMissing();
    if (check === 'invalid') throw errors.signatureInvalid();
    next();
  };
}
