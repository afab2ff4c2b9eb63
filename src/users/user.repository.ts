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
