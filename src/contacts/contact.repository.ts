import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/schema';
import type { PersonalDataCipher } from '../privacy/personal-data';
import { openerFor, sealerFor } from '../privacy/person-keys';

type Executor = Kysely<Database> | Transaction<Database>;

/** A worker's channel address, opened for use; the address is never stored in clear. */
export interface Contact {
  id: string;
  channel: 'sms' | 'whatsapp';
  address: string;
  language: string | null;
  isOptedOut: boolean;
  isDiscreet: boolean;
}

function selectContact(db: Executor, channel: string, hashes: string[]) {
  return db
    .selectFrom('contacts')
    .innerJoin('people', 'people.id', 'contacts.person_id')
    .select(['contacts.id', 'contacts.person_id', 'contacts.channel', 'contacts.address_encrypted', 'contacts.language', 'contacts.is_opted_out', 'contacts.is_discreet'])
    .select((eb) => eb.or([eb('contacts.erased_at', 'is not', null), eb('people.erased_at', 'is not', null)]).as('erased'))
    .where('contacts.channel', '=', channel)
    .where('contacts.address_hash', 'in', hashes)
    .executeTakeFirst();
}

type ContactRow = NonNullable<Awaited<ReturnType<typeof selectContact>>>;

async function toContact(db: Executor, cipher: PersonalDataCipher, row: ContactRow): Promise<Contact> {
  const opener = await openerFor(db, cipher, [row.address_encrypted]);
  return {
    id: row.id,
    channel: row.channel === 'whatsapp' ? 'whatsapp' : 'sms',
    address: opener.openOrErased(row.address_encrypted) ?? '',
    language: row.language,
    isOptedOut: row.is_opted_out,
    isDiscreet: row.is_discreet,
  };
}

/** A contact's channel and whether it opted out, by id (for a reply from staff). */
export async function findContactForReply(db: Executor, id: string) {
  return db.selectFrom('contacts').select(['id', 'channel', 'is_opted_out']).where('id', '=', id).executeTakeFirstOrThrow();
}

/** Every channel identity of a person, for choosing where a reply goes and showing it on the case. */
export async function listIdentitiesOfPerson(db: Executor, personId: string) {
  return db
    .selectFrom('contacts')
    .select(['id', 'channel', 'address_encrypted', 'is_opted_out', 'is_discreet', 'language', 'last_message_at', 'created_at'])
    .where('person_id', '=', personId)
    .orderBy('created_at')
    .execute();
}

/** Finds a contact by its address, under the current or any previous key's lookup hash (not an erased one). */
export async function findContactByAddress(
  db: Executor,
  cipher: PersonalDataCipher,
  channel: 'sms' | 'whatsapp',
  address: string,
): Promise<Contact | undefined> {
  const row = await selectContact(db, channel, cipher.lookupHashes(address));
  return row && !row.erased ? toContact(db, cipher, row) : undefined;
}

/**
 * Returns the contact for an address, creating it if new: a new person, the address sealed under
 * their key. Concurrent first messages from one number meet at the unique (channel, address_hash)
 * index, so exactly one contact is created. The number of an erased contact starts afresh.
 */
export async function findOrCreateContact(
  db: Executor,
  cipher: PersonalDataCipher,
  input: { channel: 'sms' | 'whatsapp'; address: string; language?: string | null },
): Promise<Contact> {
  const existing = await selectContact(db, input.channel, cipher.lookupHashes(input.address));
  if (existing && !existing.erased) return toContact(db, cipher, existing);
  if (existing) await setAsideErasedContacts(db, [existing.id]);
  // Made without its address, which is sealed once the new row's person (made by a trigger) is known.
  const inserted = await db
    .insertInto('contacts')
    .values({ channel: input.channel, address_hash: cipher.lookupHash(input.address), address_encrypted: null, language: input.language ?? null })
    .onConflict((oc) => oc.columns(['channel', 'address_hash']).doNothing())
    .returning(['id', 'person_id'])
    .executeTakeFirst();
  if (inserted) await setContactAddress(db, inserted.id, (await sealerFor(db, cipher, inserted.person_id)).seal(input.address));
  const created = await findContactByAddress(db, cipher, input.channel, input.address);
  if (!created) throw new Error('contact vanished after insert');
  return created;
}

/** Stores a contact's address, sealed under its person's key (a contact made before its person was known). */
export async function setContactAddress(db: Executor, contactId: string, addressEncrypted: string): Promise<void> {
  await db.updateTable('contacts').set({ address_encrypted: addressEncrypted }).where('id', '=', contactId).execute();
}

/**
 * Sets aside the lookup hash of contacts whose person was erased: a number that writes again
 * starts afresh, as a new contact of a new person (nothing is ever sealed for an erased person).
 */
export async function setAsideErasedContacts(db: Executor, contactIds: readonly string[]): Promise<void> {
  if (contactIds.length === 0) return;
  await db.updateTable('contacts').set({ address_hash: sql<string>`'erased:' || id::text` }).where('id', 'in', [...contactIds]).execute();
}
