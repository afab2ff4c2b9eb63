import crypto from 'node:crypto';

const TOKEN_PREFIX = 'mh_';

/** A new API token: `mh_` and 43 characters of base64url (256 random bits). */
export function generateApiToken(): string {
  return TOKEN_PREFIX + crypto.randomBytes(32).toString('base64url');
}

/** The stored form of a token: tokens are long and random, so a plain SHA-256 is enough. */
export function hashApiToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

/** True when a string has the shape of one of our tokens (checked before any database read). */
export function looksLikeApiToken(value: string): boolean {
  return /^mh_[A-Za-z0-9_-]{43}$/.test(value);
}

/** The first characters of a token, safe to show so a person can tell tokens apart. */
export function tokenDisplayPrefix(token: string): string {
  return token.slice(0, 10);
}
