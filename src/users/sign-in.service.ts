import type { Kysely } from 'kysely';
import { recordAudit } from '../audit/audit.repository';
import type { Clock } from '../clock';
import type { Database } from '../db/schema';
import type { RateLimiter, RateLimitRule } from '../http/rate-limit';
import { hashPassword, verifyPassword } from './password';
import { startSession } from './session.service';
import { findUserByEmail, recordSignIn } from './user.repository';

const FIFTEEN_MINUTES = 15 * 60_000;
/** Five wrong passwords for one email lock it for 15 minutes, whether or not the account exists. */
export const SIGN_IN_FAILURES_PER_EMAIL: RateLimitRule = {
  name: 'signin:email', limit: 5, windowMs: FIFTEEN_MINUTES, lockoutAfter: 5, lockoutMs: FIFTEEN_MINUTES,
};
/** Sign-in attempts per address, whatever the email. */
export const SIGN_INS_PER_ADDRESS: RateLimitRule = { name: 'signin:address', limit: 30, windowMs: FIFTEEN_MINUTES };

// Verifying against a throwaway hash when the email is unknown makes both answers take as long.
let decoyHash: Promise<string> | undefined;

export type SignInResult = { ok: true; token: string; userId: string } | { ok: false; reason: 'invalid' | 'locked' };

export interface SignInDeps {
  db: Kysely<Database>;
  clock: Clock;
  rateLimiter: RateLimiter;
}

/** Checks an email and password; on success starts a new session. */
export async function signIn(
  deps: SignInDeps,
  attempt: { email: string; password: string; ip: string | null; userAgent: string | null },
): Promise<SignInResult> {
  const email = attempt.email.trim().toLowerCase();
  if (await deps.rateLimiter.isLocked(SIGN_IN_FAILURES_PER_EMAIL, email)) return { ok: false, reason: 'locked' };
  const user = await findUserByEmail(deps.db, email);
  decoyHash ??= hashPassword('decoy password for unknown accounts');
  const valid = user?.password_hash && !user.disabled_at
    ? await verifyPassword(user.password_hash, attempt.password)
    : (await verifyPassword(await decoyHash, attempt.password), false);
  const now = deps.clock.now();
  if (!user || !valid) {
    await deps.rateLimiter.hit(SIGN_IN_FAILURES_PER_EMAIL, email);
    await recordAudit(deps.db, { actorKind: 'user', actorUserId: user?.id ?? null, action: 'user.sign_in_failed', subjectType: 'user', subjectId: user?.id ?? null, ip: attempt.ip, at: now });
    return { ok: false, reason: 'invalid' };
  }
  await deps.rateLimiter.clear(SIGN_IN_FAILURES_PER_EMAIL, email);
  await recordSignIn(deps.db, user.id, now);
  const token = await startSession(deps, user.id, { ip: attempt.ip, userAgent: attempt.userAgent });
  await recordAudit(deps.db, { actorKind: 'user', actorUserId: user.id, action: 'user.signed_in', subjectType: 'user', subjectId: user.id, ip: attempt.ip, at: now });
  return { ok: true, token, userId: user.id };
}
