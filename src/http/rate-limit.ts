import type { Kysely } from 'kysely';
import type { Clock } from '../clock';
import type { Database } from '../db/schema';
import type { PersonalDataCipher } from '../privacy/personal-data';
import { clearRateLimit, hitRateLimit, lockoutOf, lockRateLimit } from './rate-limit.repository';

export interface RateLimitRule {
  /** Names the limit, e.g. `report:ip`. */
  name: string;
  limit: number;
  windowMs: number;
  /** After this many hits in a window the key is locked for `lockoutMs`. */
  lockoutAfter?: number;
  lockoutMs?: number;
}

export interface RateLimitDecision {
  allowed: boolean;
  /** Seconds until another try may succeed. */
  retryAfter: number;
}

/**
 * Rate limits kept in PostgreSQL, so every web process shares them. Keys (an IP address, a case
 * reference) are stored only as keyed hashes.
 */
export function createRateLimiter(deps: { db: Kysely<Database>; clock: Clock; cipher: PersonalDataCipher }) {
  const keyOf = (rule: RateLimitRule, subject: string) => `${rule.name}:${deps.cipher.lookupHash(subject)}`;

  return {
    /** Counts a hit; refuses it over the limit or during a lockout. */
    async hit(rule: RateLimitRule, subject: string): Promise<RateLimitDecision> {
      const now = deps.clock.now();
      const key = keyOf(rule, subject);
      const counted = await hitRateLimit(deps.db, key, now, rule.windowMs);
      if (counted.lockedUntil && counted.lockedUntil > now) {
        return { allowed: false, retryAfter: Math.ceil((counted.lockedUntil.getTime() - now.getTime()) / 1000) };
      }
      if (rule.lockoutAfter && rule.lockoutMs && counted.hits >= rule.lockoutAfter) {
        await lockRateLimit(deps.db, key, new Date(now.getTime() + rule.lockoutMs));
      }
      if (counted.hits > rule.limit) {
        return { allowed: false, retryAfter: Math.ceil((counted.windowEndsAt.getTime() - now.getTime()) / 1000) };
      }
      return { allowed: true, retryAfter: 0 };
    },
    /** True while a subject is locked out (checked before the attempt is even evaluated). */
    async isLocked(rule: RateLimitRule, subject: string): Promise<boolean> {
      const until = await lockoutOf(deps.db, keyOf(rule, subject));
      return until !== null && until > deps.clock.now();
    },
    /** Forgets a subject's count (a correct PIN clears earlier failures). */
    async clear(rule: RateLimitRule, subject: string): Promise<void> {
      await clearRateLimit(deps.db, keyOf(rule, subject));
    },
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;
