import type { Request } from 'express';
import twilio from 'twilio';

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
