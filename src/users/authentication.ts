import type { Request } from 'express';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock';
import { isRole } from './roles';
import type { Database } from '../db/schema';
import type { Authenticate } from '../http/access';
import { isLanguage } from '../language/negotiation';
import { hashApiToken, looksLikeApiToken } from './api-token';
import { findTokenHolder, touchApiToken } from './api-token.repository';

/** Reads `Authorization: Bearer mh_…` and returns the token holder, if the token is live. */
export function createAuthenticator({ db, clock }: { db: Kysely<Database>; clock: Clock }): Authenticate {
  return async (req: Request) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const token = match?.[1];
    if (!token || !looksLikeApiToken(token)) return undefined;
    const now = clock.now();
    const holder = await findTokenHolder(db, hashApiToken(token), now);
    if (!holder || !isRole(holder.role)) return undefined;
    await touchApiToken(db, holder.tokenId, now);
    return {
      kind: 'token',
      userId: holder.userId,
      organisationId: holder.organisationId,
      role: holder.role,
      locale: isLanguage(holder.locale) ? holder.locale : 'en',
    };
  };
}
