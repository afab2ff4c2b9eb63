import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema';

type Executor = Kysely<Database> | Transaction<Database>;

/** The organisation with this slug. */
export async function findOrganisationBySlug(db: Executor, slug: string) {
  return db.selectFrom('organisations').selectAll().where('slug', '=', slug).executeTakeFirst();
}

/** How many organisations exist (zero on a new database). */
export async function countOrganisations(db: Executor): Promise<number> {
  const row = await db.selectFrom('organisations').select((eb) => eb.fn.countAll<string>().as('count')).executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Kinds of organisation that never take referrals: embassies get escalations, the network is the hotline. */
const NOT_REFERABLE = ['embassy', 'network'];

/** Active organisations that take referrals, by country and name. */
export async function listReferableOrganisations(db: Executor) {
  return db
    .selectFrom('organisations')
    .select(['id', 'slug', 'name', 'country', 'city'])
    .where('is_active', '=', true)
    .where('kind', 'not in', NOT_REFERABLE)
    .orderBy('country')
    .orderBy('name')
    .execute();
}

/** The active organisation with this slug if it takes referrals (the target of a rule or a referral). */
export async function findReferableOrganisation(db: Executor, slug: string) {
  return db
    .selectFrom('organisations')
    .select(['id', 'slug', 'name'])
    .where('slug', '=', slug)
    .where('is_active', '=', true)
    .where('kind', 'not in', NOT_REFERABLE)
    .executeTakeFirst();
}
