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

/** Active organisations that take referrals (not embassies, not the network itself), by country and name. */
export async function listReferableOrganisations(db: Executor) {
  return db
    .selectFrom('organisations')
    .select(['slug', 'name', 'country'])
    .where('is_active', '=', true)
    .where('kind', 'not in', ['embassy', 'network'])
    .orderBy('country')
    .orderBy('name')
    .execute();
}

/** Active organisations a case can be referred to by hand: not embassies, not the network, not the caller's own. */
export async function listReferralTargets(db: Executor, exceptOrganisationId: string) {
  return db
    .selectFrom('organisations')
    .select(['id', 'slug', 'name', 'country', 'city'])
    .where('is_active', '=', true)
    .where('kind', 'not in', ['embassy', 'network'])
    .where('id', '!=', exceptOrganisationId)
    .orderBy('country')
    .orderBy('name')
    .execute();
}
