import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema';

type Executor = Kysely<Database> | Transaction<Database>;

/** A person's data key as stored: sealed with ENCRYPTION_KEY. */
export interface StoredPersonKey {
  id: string;
  personId: string;
  keyEncrypted: string;
}

/** The person's key, or none yet; `erased` when the person was erased (no key may be made again). */
export async function findPersonKey(db: Executor, personId: string): Promise<{ key: StoredPersonKey | undefined; erased: boolean }> {
  const row = await db
    .selectFrom('people')
    .leftJoin('person_keys', 'person_keys.person_id', 'people.id')
    .select(['people.erased_at', 'person_keys.id as key_id', 'person_keys.key_encrypted'])
    .where('people.id', '=', personId)
    .executeTakeFirst();
  if (!row) throw new Error(`no person ${personId}`);
  const key = row.key_id && row.key_encrypted ? { id: row.key_id, personId, keyEncrypted: row.key_encrypted } : undefined;
  return { key, erased: row.erased_at !== null };
}

/** The person a case belongs to, with their key (none yet) and whether they were erased. */
export async function findPersonKeyOfCase(db: Executor, caseId: string): Promise<{ personId: string; key: StoredPersonKey | undefined; erased: boolean }> {
  const row = await db
    .selectFrom('cases')
    .innerJoin('people', 'people.id', 'cases.person_id')
    .leftJoin('person_keys', 'person_keys.person_id', 'people.id')
    .select(['people.id as person_id', 'people.erased_at', 'person_keys.id as key_id', 'person_keys.key_encrypted'])
    .where('cases.id', '=', caseId)
    .executeTakeFirst();
  if (!row) throw new Error(`no case ${caseId}`);
  return foundKey(row);
}

/** The person a contact belongs to, with their key (none yet) and whether they were erased. */
export async function findPersonKeyOfContact(db: Executor, contactId: string): Promise<{ personId: string; key: StoredPersonKey | undefined; erased: boolean }> {
  const row = await db
    .selectFrom('contacts')
    .innerJoin('people', 'people.id', 'contacts.person_id')
    .leftJoin('person_keys', 'person_keys.person_id', 'people.id')
    .select(['people.id as person_id', 'people.erased_at', 'person_keys.id as key_id', 'person_keys.key_encrypted'])
    .where('contacts.id', '=', contactId)
    .executeTakeFirst();
  if (!row) throw new Error(`no contact ${contactId}`);
  return foundKey(row);
}

/** The keys (or none yet) of these people, and which were erased; unknown ids are left out. */
export async function findPersonKeysOfPeople(db: Executor, personIds: readonly string[]): Promise<{ personId: string; key: StoredPersonKey | undefined; erased: boolean }[]> {
  if (personIds.length === 0) return [];
  const rows = await db
    .selectFrom('people')
    .leftJoin('person_keys', 'person_keys.person_id', 'people.id')
    .select(['people.id as person_id', 'people.erased_at', 'person_keys.id as key_id', 'person_keys.key_encrypted'])
    .where('people.id', 'in', [...personIds])
    .execute();
  return rows.map(foundKey);
}

function foundKey(row: { person_id: string; erased_at: Date | null; key_id: string | null; key_encrypted: string | null }) {
  const key = row.key_id && row.key_encrypted ? { id: row.key_id, personId: row.person_id, keyEncrypted: row.key_encrypted } : undefined;
  return { personId: row.person_id, key, erased: row.erased_at !== null };
}

/** Stores new keys for people who have none (a person given a key meanwhile keeps theirs); returns each person's key. */
export async function insertPersonKeys(db: Executor, keys: readonly { personId: string; keyEncrypted: string }[]): Promise<StoredPersonKey[]> {
  if (keys.length === 0) return [];
  await db.insertInto('person_keys').values(keys.map((key) => ({ person_id: key.personId, key_encrypted: key.keyEncrypted })))
    .onConflict((oc) => oc.column('person_id').doNothing()).execute();
  const rows = await db.selectFrom('person_keys').select(['id', 'person_id', 'key_encrypted']).where('person_id', 'in', keys.map((key) => key.personId)).execute();
  return rows.map((row) => ({ id: row.id, personId: row.person_id, keyEncrypted: row.key_encrypted }));
}

/** Stores a new key for the person unless one exists already (two writers at once: the first wins); returns the person's key. */
export async function insertPersonKey(db: Executor, personId: string, keyEncrypted: string): Promise<StoredPersonKey> {
  const inserted = await db.insertInto('person_keys').values({ person_id: personId, key_encrypted: keyEncrypted })
    .onConflict((oc) => oc.column('person_id').doNothing()).returning(['id', 'key_encrypted']).executeTakeFirst();
  const row = inserted ?? (await db.selectFrom('person_keys').select(['id', 'key_encrypted']).where('person_id', '=', personId).executeTakeFirstOrThrow());
  return { id: row.id, personId, keyEncrypted: row.key_encrypted };
}

/** The keys with these ids that still exist. */
export async function findPersonKeysByIds(db: Executor, ids: readonly string[]): Promise<StoredPersonKey[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('person_keys').select(['id', 'person_id', 'key_encrypted']).where('id', 'in', [...ids]).execute();
  return rows.map((row) => ({ id: row.id, personId: row.person_id, keyEncrypted: row.key_encrypted }));
}

/** Deletes the people's keys: what was sealed under them never opens again. Returns how many went. */
export async function deletePersonKeys(db: Executor, personIds: readonly string[]): Promise<number> {
  if (personIds.length === 0) return 0;
  const result = await db.deleteFrom('person_keys').where('person_id', 'in', [...personIds]).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** A page of keys (by id order) for re-wrapping under the current ENCRYPTION_KEY. */
export async function listPersonKeysAfter(db: Executor, afterId: string | null, limit: number): Promise<StoredPersonKey[]> {
  let query = db.selectFrom('person_keys').select(['id', 'person_id', 'key_encrypted']).orderBy('id').limit(limit);
  if (afterId) query = query.where('id', '>', afterId);
  const rows = await query.execute();
  return rows.map((row) => ({ id: row.id, personId: row.person_id, keyEncrypted: row.key_encrypted }));
}

/** Replaces a key's wrapping (same key, sealed under the current ENCRYPTION_KEY). */
export async function updatePersonKeyWrapping(db: Executor, id: string, keyEncrypted: string): Promise<void> {
  await db.updateTable('person_keys').set({ key_encrypted: keyEncrypted }).where('id', '=', id).execute();
}
