import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema';

type Executor = Kysely<Database> | Transaction<Database>;

export interface NewUser {
  organisationId: string;
  email: string;
  displayName: string;
  role: string;
  locale: string;
  passwordHash: string | null;
}

/** Inserts a user, or updates name, role, organisation, locale and password of the one with that email. */
export async function upsertUser(db: Executor, user: NewUser): Promise<string> {
  const row = await db
    .insertInto('users')
    .values({
      organisation_id: user.organisationId,
      email: user.email,
      display_name: user.displayName,
      role: user.role,
      locale: user.locale,
      password_hash: user.passwordHash,
    })
    .onConflict((oc) =>
      oc.column('email').doUpdateSet((eb) => ({
        organisation_id: eb.ref('excluded.organisation_id'),
        display_name: eb.ref('excluded.display_name'),
        role: eb.ref('excluded.role'),
        locale: eb.ref('excluded.locale'),
        password_hash: eb.ref('excluded.password_hash'),
        updated_at: new Date(),
      })),
    )
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The user with this email (stored lower-case). */
export async function findUserByEmail(db: Executor, email: string) {
  return db.selectFrom('users').selectAll().where('email', '=', email.trim().toLowerCase()).executeTakeFirst();
}

/** A user by id. */
export async function findUserById(db: Executor, id: string) {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

/** What deciding whether a user may be assigned a case needs: organisation, role, and whether disabled. */
export async function findAssigneeCandidate(db: Executor, id: string) {
  return db.selectFrom('users').select(['organisation_id', 'role', 'disabled_at']).where('id', '=', id).executeTakeFirst();
}

/** Sets the language a user reads the console in. */
export async function setUserLocale(db: Executor, userId: string, locale: string, at: Date): Promise<void> {
  await db.updateTable('users').set({ locale, updated_at: at }).where('id', '=', userId).execute();
}

/** Turns a user's notice emails on or off. */
export async function setEmailNotifications(db: Executor, userId: string, wanted: boolean, at: Date): Promise<void> {
  await db.updateTable('users').set({ email_notifications: wanted, updated_at: at }).where('id', '=', userId).execute();
}

/** Whether a user wants notices by email (true when there is no such user, the default). */
export async function wantsEmailNotifications(db: Executor, userId: string): Promise<boolean> {
  const settings = await db.selectFrom('users').select('email_notifications').where('id', '=', userId).executeTakeFirst();
  return settings?.email_notifications ?? true;
}

/** Sets (or, with null, removes) a staff member's own phone for call-backs, already sealed. */
export async function setUserPhone(db: Executor, userId: string, phoneEncrypted: string | null, at: Date): Promise<void> {
  await db.updateTable('users').set({ phone_encrypted: phoneEncrypted, updated_at: at }).where('id', '=', userId).execute();
}

/** A staff member's own phone for call-backs, sealed; null when they have given none. */
export async function findUserPhone(db: Executor, userId: string): Promise<string | null> {
  const row = await db.selectFrom('users').select('phone_encrypted').where('id', '=', userId).executeTakeFirst();
  return row?.phone_encrypted ?? null;
}

/** Records a successful sign-in (and clears the count of failed ones). */
export async function recordSignIn(db: Executor, userId: string, at: Date): Promise<void> {
  await db.updateTable('users').set({ last_sign_in_at: at, failed_sign_ins: 0 }).where('id', '=', userId).execute();
}

/** The time zone a user reads times in: their organisation's (Bangkok for a user who is gone). */
export async function findTimeZoneOfUser(db: Executor, id: string): Promise<string> {
  const row = await db
    .selectFrom('users')
    .innerJoin('organisations', 'organisations.id', 'users.organisation_id')
    .select('organisations.time_zone')
    .where('users.id', '=', id)
    .executeTakeFirst();
  return row?.time_zone ?? 'Asia/Bangkok';
}
