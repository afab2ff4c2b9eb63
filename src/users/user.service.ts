import type { Kysely } from 'kysely';
import { z } from 'zod';
import { recordAudit, type AuditActorKind } from '../audit/audit.repository';
import { LANGUAGES, ROLES } from '../cases/case.vocabulary';
import type { Clock } from '../clock';
import type { Database } from '../db/schema';
import { AppError, errors } from '../http/errors';
import { validate } from '../http/validate';
import { findOrganisationBySlug } from '../orgs/organisation.repository';
import { generateApiToken, hashApiToken, tokenDisplayPrefix } from './api-token';
import { insertApiToken } from './api-token.repository';
import { hashPassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './password';
import { findUserByEmail, findUserById, upsertUser } from './user.repository';
import { mayIssueTokenFor } from './roles';

export const newUserSchema = z.object({
  email: z.email().transform((email) => email.toLowerCase()),
  role: z.enum(ROLES),
  organisationSlug: z.string().min(1),
  displayName: z.string().trim().min(1).max(200).optional(),
  locale: z.enum(LANGUAGES).default('en'),
  password: z.string().min(PASSWORD_MIN_LENGTH).max(PASSWORD_MAX_LENGTH),
});

export interface UserServiceDeps {
  db: Kysely<Database>;
  clock: Clock;
}

/** Creates a user, or resets the role, organisation and password of the one with that email. */
export async function createOrUpdateUser(
  { db }: UserServiceDeps,
  input: z.input<typeof newUserSchema>,
  actor: { kind: AuditActorKind; userId?: string },
): Promise<{ id: string; email: string }> {
  const user = validate(newUserSchema, input);
  const organisation = await findOrganisationBySlug(db, user.organisationSlug);
  if (!organisation) throw errors.validation([{ field: 'organisationSlug', reason: 'not_found' }]);
  const passwordHash = await hashPassword(user.password);
  const id = await db.transaction().execute(async (trx) => {
    const userId = await upsertUser(trx, {
      organisationId: organisation.id,
      email: user.email,
      displayName: user.displayName ?? user.email.split('@')[0] ?? user.email,
      role: user.role,
      locale: user.locale,
      passwordHash,
    });
    await recordAudit(trx, {
      actorKind: actor.kind,
      actorUserId: actor.userId ?? null,
      action: 'user.saved',
      subjectType: 'user',
      subjectId: userId,
      details: { role: user.role, organisation: organisation.slug },
    });
    return userId;
  });
  return { id, email: user.email };
}

/** Issues a new API token for a user; the token is returned once and only its hash is kept. */
export async function issueApiToken(
  { db }: UserServiceDeps,
  input: { email: string; name?: string; expiresAt?: Date | null },
  actor: { kind: AuditActorKind; userId?: string },
): Promise<string> {
  const user = await findUserByEmail(db, input.email);
  if (!user) throw errors.validation([{ field: 'email', reason: 'not_found' }]);
  if (user.disabled_at) throw errors.validation([{ field: 'email', reason: 'disabled' }]);
  const token = generateApiToken();
  await db.transaction().execute(async (trx) => {
    const tokenId = await insertApiToken(trx, {
      userId: user.id,
      name: input.name ?? 'cli',
      tokenHash: hashApiToken(token),
      prefix: tokenDisplayPrefix(token),
      expiresAt: input.expiresAt ?? null,
    });
    await recordAudit(trx, {
      actorKind: actor.kind,
      actorUserId: actor.userId ?? null,
      action: 'api_token.created',
      subjectType: 'api_token',
      subjectId: tokenId,
      details: { user: user.id },
    });
  });
  return token;
}

/**
 * Issues a token from the admin console: only for the admin's own account or an account that reads
 * no case (see `mayIssueTokenFor`); anyone else gets 403 and nothing is issued.
 */
export async function issueApiTokenAsAdmin(
  deps: UserServiceDeps,
  issuer: { kind: AuditActorKind; userId: string },
  input: { email: string; name: string },
): Promise<string> {
  const holder = await findUserByEmail(deps.db, input.email);
  if (holder && !mayIssueTokenFor(issuer, holder)) {
    await recordAudit(deps.db, { actorKind: issuer.kind, actorUserId: issuer.userId, action: 'api_token.refused', subjectType: 'user', subjectId: holder.id, details: { role: holder.role } });
    throw new AppError('forbidden', [{ field: 'email', reason: 'token_for_case_reader' }]);
  }
  return issueApiToken(deps, input, issuer);
}

/** Issues a token for the signed-in person's own account (a token reads what its holder may). */
export async function issueOwnApiToken(deps: UserServiceDeps, holder: { kind: AuditActorKind; userId: string }, name: string): Promise<string> {
  const user = await findUserById(deps.db, holder.userId);
  if (!user) throw errors.notFound();
  return issueApiToken(deps, { email: user.email, name }, holder);
}

/** A user's own console settings: language and notice emails. */
export { findTimeZoneOfUser, findUserPhone, setEmailNotifications, setUserLocale, setUserPhone, wantsEmailNotifications } from './user.repository';
