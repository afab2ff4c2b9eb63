import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema';
import type { PersonalDataCipher } from '../privacy/personal-data';

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

type ContactRow = Awaited<ReturnType<typeof selectContact>>;

function selectContact(db: Executor, channel: string, hashes: string[]) {
  return db
    .selectFrom('contacts')
    .select(['id', 'channel', 'address_encrypted', 'language', 'is_opted_out', 'is_discreet'])
    .where('channel', '=', channel)
    .where('address_hash', 'in', hashes)
    .executeTakeFirst();
}

function toContact(row: NonNullable<ContactRow>, cipher: PersonalDataCipher): Contact {
  return {
    id: row.id,
    channel: row.channel === 'whatsapp' ? 'whatsapp' : 'sms',
    address: cipher.openOptional(row.address_encrypted) ?? '',
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
    .select(['id', 'channel', 'address_encrypted', 'is_opted_out', 'last_message_at', 'created_at'])
    .where('person_id', '=', personId)
    .orderBy('created_at')
    .execute();
}

/** Finds a contact by its address, under the current or any previous key's lookup hash. */
export async function findContactByAddress(
  db: Executor,
  cipher: PersonalDataCipher,
  channel: 'sms' | 'whatsapp',
  address: string,
): Promise<Contact | undefined> {
  const row = await selectContact(db, channel, cipher.lookupHashes(address));
  return row ? toContact(row, cipher) : undefined;
}

/**
 * Returns the contact for an address, creating it if new. Concurrent first messages from one
 * number meet at the unique (channel, address_hash) index, so exactly one contact is created.
 */
export async function findOrCreateContact(
  db: Executor,
  cipher: PersonalDataCipher,
  input: { channel: 'sms' | 'whatsapp'; address: string; language?: string | null },
): Promise<Contact> {
  const existing = await findContactByAddress(db, cipher, input.channel, input.address);
  if (existing) return existing;
  await db
    .insertInto('contacts')
    .values({
      channel: input.channel,
      address_hash: cipher.lookupHash(input.address),
      address_encrypted: cipher.seal(input.address),
      language: input.language ?? null,
    })
    .onConflict((oc) => oc.columns(['channel', 'address_hash']).doNothing())
    .execute();
  const created = await findContactByAddress(db, cipher, input.channel, input.address);
  if (!created) throw new Error('contact vanished after insert');
  return created;
}
