import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock';
import type { Database } from '../db/schema';
import type { Principal } from '../http/access';
import { sessionFormToken } from '../http/csrf';
import { isLanguage } from '../language/negotiation';
import { isRole } from './roles';
import { endSession, endSessionsOfUser, findSessionWithUser, insertSession, touchSession } from './session.repository';

/** Sessions end after 30 minutes without activity, and 12 hours after sign-in whatever happens. */
export const IDLE_TIMEOUT_MS = 30 * 60_000;
export const ABSOLUTE_LIFETIME_MS = 12 * 3600_000;
/** Activity is written at most this often, so every request does not cost a write. */
const TOUCH_EVERY_MS = 60_000;

/** The hash a session is stored under; the token itself lives only in the browser's cookie. */
export function sessionHash(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

export interface SessionServiceDeps {
  db: Kysely<Database>;
  clock: Clock;
}

/** Starts a new session (a new id at every sign-in, so an old cookie can never be promoted). */
export async function startSession(deps: SessionServiceDeps, userId: string, from: { ip: string | null; userAgent: string | null }): Promise<string> {
  const token = crypto.randomBytes(32).toString('base64url');
  const now = deps.clock.now();
  await insertSession(deps.db, {
    idHash: sessionHash(token),
    userId,
    csrfSecret: crypto.randomBytes(32).toString('base64url'),
    ip: from.ip,
    userAgent: from.userAgent?.slice(0, 300) ?? null,
    now,
    expiresAt: new Date(now.getTime() + ABSOLUTE_LIFETIME_MS),
  });
  return token;
}

/** The principal of a live session token, sliding its idle timeout; undefined when it ended or expired. */
export async function resumeSession(deps: SessionServiceDeps, token: string): Promise<(Principal & { displayName: string; formToken: string }) | undefined> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
  const idHash = sessionHash(token);
  const found = await findSessionWithUser(deps.db, idHash);
  const now = deps.clock.now();
  if (!found || found.ended_at || found.disabled_at) return undefined;
  if (now >= new Date(found.expires_at) || now.getTime() - new Date(found.last_seen_at).getTime() >= IDLE_TIMEOUT_MS) {
    await endSession(deps.db, idHash, now);
    return undefined;
  }
  if (!isRole(found.role)) return undefined;
  if (now.getTime() - new Date(found.last_seen_at).getTime() >= TOUCH_EVERY_MS) await touchSession(deps.db, idHash, now);
  return {
    kind: 'user',
    userId: found.userId,
    organisationId: found.organisationId,
    role: found.role,
    locale: isLanguage(found.locale) ? found.locale : 'en',
    displayName: found.displayName,
    formToken: sessionFormToken(found.csrf_secret),
  };
}

/** Ends the session of a token (sign-out). */
export async function endSessionByToken(deps: SessionServiceDeps, token: string): Promise<void> {
  await endSession(deps.db, sessionHash(token), deps.clock.now());
}

/** Ends every session of a user at once (the user was disabled). */
export async function endAllSessions(deps: SessionServiceDeps, userId: string): Promise<number> {
  return endSessionsOfUser(deps.db, userId, deps.clock.now());
}
