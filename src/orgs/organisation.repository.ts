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

/** The organisation with this id, every column (the admin's edit page). */
export async function findOrganisationById(db: Executor, id: string) {
  return db.selectFrom('organisations').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The columns an admin or operator sets on an organisation. */
export interface OrganisationValues {
  name: string;
  kind: string;
  country: string;
  city: string | null;
  provinces: string[];
  nationalities: string[];
  isActive: boolean;
  discreetByDefault: boolean;
  timeZone: string;
}

function columnsOf(values: OrganisationValues) {
  return {
    name: values.name,
    kind: values.kind,
    country: values.country,
    city: values.city,
    provinces: values.provinces,
    nationalities: values.nationalities,
    is_active: values.isActive,
    discreet_by_default: values.discreetByDefault,
    time_zone: values.timeZone,
  };
}

/** Inserts an organisation; its id. A taken slug raises the unique violation of `organisations_slug_key`. */
export async function insertOrganisation(db: Executor, slug: string, values: OrganisationValues): Promise<string> {
  const row = await db.insertInto('organisations').values({ slug, ...columnsOf(values) }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

/** Sets an organisation's columns; its slug, or undefined when there is no such organisation. */
export async function updateOrganisation(db: Executor, id: string, values: OrganisationValues, at: Date): Promise<string | undefined> {
  const row = await db.updateTable('organisations').set({ ...columnsOf(values), updated_at: at }).where('id', '=', id).returning('slug').executeTakeFirst();
  return row?.slug;
}

/** Slugs and names of organisations by id. */
export async function listOrganisationNames(db: Executor, ids: string[]) {
  return db.selectFrom('organisations').select(['id', 'slug', 'name']).where('id', 'in', ids).execute();
}

/** The id of the active embassy with this slug, or undefined. */
export async function findActiveEmbassyId(db: Executor, slug: string): Promise<string | undefined> {
  const found = await db.selectFrom('organisations').select('id').where('slug', '=', slug).where('kind', '=', 'embassy').where('is_active', '=', true).executeTakeFirst();
  return found?.id;
}
