import crypto from 'node:crypto';
import twilio from 'twilio';
import request from 'supertest';
import type { Express } from 'express';
import { TEST_AUTH_TOKEN, TEST_PUBLIC_URL } from './app';

/** A new random Twilio message SID. */
export function messageSid(): string {
  return `SM${crypto.randomBytes(16).toString('hex')}`;
}

/** Posts a webhook signed as Twilio would sign it for `signedUrl` (by default the public URL + path). */
export function postSigned(
  app: Express,
  path: string,
  params: Record<string, string>,
  options: { signedUrl?: string; authToken?: string } = {},
) {
  const url = options.signedUrl ?? `${TEST_PUBLIC_URL}${path}`;
  const signature = twilio.getExpectedTwilioSignature(options.authToken ?? TEST_AUTH_TOKEN, url, params);
  return request(app).post(path).type('form').set('X-Twilio-Signature', signature).send(params);
}

/** The fields Twilio posts for an inbound SMS. */
export function inboundSms(from: string, body: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    MessageSid: messageSid(),
    AccountSid: `AC${'1'.repeat(32)}`,
    From: from,
    To: '+66900000000',
    Body: body,
    NumMedia: '0',
    ...extra,
  };
}
