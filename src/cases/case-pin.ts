import crypto from 'node:crypto';
import type { RateLimitRule } from '../http/rate-limit';
import type { PersonalDataCipher } from '../privacy/personal-data';

// A case's PIN: six digits given to the worker with the reference (on the web report's thank-you
// page, or by message at the end of a chat intake). With the reference it opens the status page and
// joins another channel to the case (STATUS <reference> <PIN>). Only a keyed hash is stored.

const HOUR = 3_600_000;

/** Wrong PINs for one reference, counted together on the status page and in chat: five, then an hour's lockout. */
export const PIN_FAILURES_PER_REFERENCE: RateLimitRule = { name: 'status:reference', limit: 5, windowMs: HOUR, lockoutAfter: 5, lockoutMs: HOUR };

/** A new 6-digit PIN, drawn at random. */
export function generatePin(): string {
  return String(crypto.randomInt(0, 1_000_000)).padStart(6, '0');
}

const pinSubject = (reference: string, pin: string) => `pin:${reference}:${pin}`;

/** The keyed hash stored for a case's PIN. */
export function pinHashOf(cipher: PersonalDataCipher, reference: string, pin: string): string {
  return cipher.lookupHash(pinSubject(reference, pin));
}

/** True when `pin` is the case's PIN (under the current or a previous key). */
export function pinMatches(cipher: PersonalDataCipher, reference: string, pin: string, storedHash: string | null): boolean {
  return storedHash !== null && cipher.lookupHashes(pinSubject(reference, pin)).includes(storedHash);
}
