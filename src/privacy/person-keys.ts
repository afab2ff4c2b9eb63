import crypto from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema';
import type { PersonalDataCipher } from './personal-data';
import {
  findPersonKey,
  findPersonKeyOfCase,
  findPersonKeyOfContact,
  findPersonKeysByIds,
  findPersonKeysOfPeople,
  insertPersonKey,
  insertPersonKeys,
  listPersonKeysAfter,
  updatePersonKeyWrapping,
  type StoredPersonKey,
} from './person-key.repository';

// Crypto-shredding (issue #16). Each person has a data key of their own; everything personal about
// them (their addresses, messages, case text, notes, files' keys) is sealed under it, and the key
// itself is stored sealed with ENCRYPTION_KEY in `person_keys`. Erasing a person deletes that row:
// their values, in the database or in any copy of it, no longer open. A key rotation re-wraps the
// data keys only. A value sealed here reads `p1.<key id>.<iv>.<ciphertext>.<tag>`; values sealed
// directly with ENCRYPTION_KEY (`v1.…`, the scheme before per-person keys) still open.

type Executor = Kysely<Database> | Transaction<Database>;

const FORMAT = 'p1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Unwrapped keys kept in memory per cipher, so that hot paths do not unwrap again; existence is still checked per read. */
const CACHE_LIMIT = 5_000;

/** The person was erased: nothing may be sealed for them again. */
export class PersonErasedError extends Error {
  constructor(readonly personId: string) {
    super('the person was erased');
    this.name = 'PersonErasedError';
  }
}

/** A value whose person's key was destroyed: it can never be opened. */
export class ErasedValueError extends Error {
  constructor() {
    super('this value belonged to an erased person');
    this.name = 'ErasedValueError';
  }
}

/** Seals values under one person's data key. */
export interface PersonSealer {
  readonly personId: string;
  /** The id of the person's key as sealed values name it (not secret). */
  readonly keyId: string;
  seal(plaintext: string): string;
  sealOptional(plaintext: string | null | undefined): string | null;
  /** Whether a stored value is already sealed under this person's key. */
  holds(sealed: string | null | undefined): boolean;
}

/** Opens sealed values — under person keys loaded for it, or under ENCRYPTION_KEY — synchronously. */
export interface PersonOpener {
  /** Throws ErasedValueError for a value whose person key is gone. */
  open(sealed: string): string;
  openOptional(sealed: string | null | undefined): string | null;
  /** Null for a value whose person key is gone (erased), instead of throwing. */
  openOrErased(sealed: string | null | undefined): string | null;
}

const caches = new WeakMap<PersonalDataCipher, Map<string, Buffer>>();

function cacheOf(cipher: PersonalDataCipher): Map<string, Buffer> {
  let cache = caches.get(cipher);
  if (!cache) {
    cache = new Map();
    caches.set(cipher, cache);
  }
  return cache;
}

function compactId(id: string): string {
  return id.replace(/-/g, '');
}

function unwrap(cipher: PersonalDataCipher, id: string, keyEncrypted: string): Buffer {
  const cache = cacheOf(cipher);
  const cached = cache.get(id);
  if (cached) return cached;
  const key = Buffer.from(cipher.open(keyEncrypted), 'base64');
  if (key.length !== 32) throw new Error('a person data key must be 32 bytes');
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(id, key);
  return key;
}

/** Whether a stored value is sealed under a person's own key. */
export function isPersonSealed(value: string | null | undefined): boolean {
  return typeof value === 'string' && value.startsWith(`${FORMAT}.`);
}

/** The person key id a value was sealed under (compact form), or undefined for other values. */
export function personKeyIdOf(value: string | null | undefined): string | undefined {
  if (!isPersonSealed(value)) return undefined;
  return (value as string).split('.')[1];
}

// IVs are drawn from the CSPRNG a few hundred at a time: one call per value cost more than the
// sealing itself (measured in the key-migration benchmark). Each IV is used once.
const IV_POOL_BYTES = IV_BYTES * 512;
let ivPool = Buffer.alloc(0);
let ivOffset = 0;

function nextIv(): Buffer {
  if (ivOffset + IV_BYTES > ivPool.length) {
    ivPool = crypto.randomBytes(IV_POOL_BYTES);
    ivOffset = 0;
  }
  const iv = ivPool.subarray(ivOffset, ivOffset + IV_BYTES);
  ivOffset += IV_BYTES;
  return iv;
}

function sealWith(key: Buffer, keyId: string, plaintext: string): string {
  const iv = nextIv();
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(`${FORMAT}.${keyId}`));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [FORMAT, keyId, iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
}

function openWith(key: Buffer, sealed: string): string {
  const [format, keyId, iv, body, tag] = sealed.split('.');
  if (format !== FORMAT || !keyId || iv === undefined || body === undefined || tag === undefined) throw new Error('not a sealed value');
  const authTag = Buffer.from(tag, 'base64url');
  if (authTag.length !== TAG_BYTES) throw new Error('not a sealed value');
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(`${FORMAT}.${keyId}`));
  decipher.setAuthTag(authTag);
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
}

/** The keys behind sealers, so that an opener given a sealer needs no query for that key. */
const sealerKeys = new WeakMap<PersonSealer, { keyId: string; key: Buffer }>();

function sealerOf(personId: string, keyId: string, key: Buffer): PersonSealer {
  const seal = (plaintext: string) => sealWith(key, keyId, plaintext);
  const sealer: PersonSealer = {
    personId,
    keyId,
    seal,
    sealOptional: (plaintext) => (plaintext === null || plaintext === undefined ? null : seal(plaintext)),
    holds: (sealed) => personKeyIdOf(sealed) === keyId,
  };
  sealerKeys.set(sealer, { keyId, key });
  return sealer;
}

function newWrappedKey(cipher: PersonalDataCipher): string {
  return cipher.seal(crypto.randomBytes(32).toString('base64'));
}

async function sealerFromFound(db: Executor, cipher: PersonalDataCipher, personId: string, found: { key: StoredPersonKey | undefined; erased: boolean }): Promise<PersonSealer> {
  if (found.erased) throw new PersonErasedError(personId);
  const stored = found.key ?? (await insertPersonKey(db, personId, newWrappedKey(cipher)));
  return sealerForStoredKey(cipher, stored);
}

/**
 * A sealer for the person's own data key, made on first use. Use it inside the transaction that
 * writes the values, so a key and the first values sealed under it are committed together.
 */
export async function sealerFor(db: Executor, cipher: PersonalDataCipher, personId: string): Promise<PersonSealer> {
  return sealerFromFound(db, cipher, personId, await findPersonKey(db, personId));
}

/** A sealer for the person a case belongs to (one query, as `sealerFor`). */
export async function sealerForCase(db: Executor, cipher: PersonalDataCipher, caseId: string): Promise<PersonSealer> {
  const found = await findPersonKeyOfCase(db, caseId);
  return sealerFromFound(db, cipher, found.personId, found);
}

/** A sealer for the person a contact (a channel identity) belongs to (one query, as `sealerFor`). */
export async function sealerForContact(db: Executor, cipher: PersonalDataCipher, contactId: string): Promise<PersonSealer> {
  const found = await findPersonKeyOfContact(db, contactId);
  return sealerFromFound(db, cipher, found.personId, found);
}

/** A sealer for a key already read from `person_keys` (several people read at once). */
export function sealerForStoredKey(cipher: PersonalDataCipher, stored: StoredPersonKey): PersonSealer {
  const keyId = compactId(stored.id);
  return sealerOf(stored.personId, keyId, unwrap(cipher, keyId, stored.keyEncrypted));
}

/**
 * A new data key for a person, with its id, not stored yet: the caller stores `stored` in the same
 * statement or transaction as the values it seals (the inbound webhook's batch). Nothing is cached
 * until the key is read back from the database.
 */
export function newPersonKey(cipher: PersonalDataCipher, personId: string): { stored: StoredPersonKey; sealer: PersonSealer } {
  const key = crypto.randomBytes(32);
  const stored = { id: crypto.randomUUID(), personId, keyEncrypted: cipher.seal(key.toString('base64')) };
  return { stored, sealer: sealerOf(personId, compactId(stored.id), key) };
}

/**
 * Sealers for many people at once (two queries at most: their keys, then the missing ones made).
 * Erased people are left out: nothing may be sealed for them.
 */
export async function sealersForPeople(db: Executor, cipher: PersonalDataCipher, personIds: readonly string[]): Promise<Map<string, PersonSealer>> {
  const sealers = new Map<string, PersonSealer>();
  if (personIds.length === 0) return sealers;
  const found = await findPersonKeysOfPeople(db, personIds);
  const missing: string[] = [];
  for (const row of found) {
    if (row.erased) continue;
    if (row.key) sealers.set(row.personId, sealerForStoredKey(cipher, row.key));
    else missing.push(row.personId);
  }
  for (const stored of await insertPersonKeys(db, missing.map((personId) => ({ personId, keyEncrypted: newWrappedKey(cipher) })))) {
    sealers.set(stored.personId, sealerForStoredKey(cipher, stored));
  }
  return sealers;
}

/** The value sealed under the sealer's person key: as it is when it already is, else opened and sealed again. */
export function resealUnder(opener: PersonOpener, sealer: PersonSealer, sealed: string): string {
  return sealer.holds(sealed) ? sealed : sealer.seal(opener.open(sealed));
}

function uuidOf(compact: string): string {
  return `${compact.slice(0, 8)}-${compact.slice(8, 12)}-${compact.slice(12, 16)}-${compact.slice(16, 20)}-${compact.slice(20)}`;
}

/**
 * An opener for these values: loads (in one query) the person keys they were sealed under that
 * still exist. Values under ENCRYPTION_KEY open as before. The keys of `sealers` made in the same
 * transaction are known already: when every value is under one of them (or ENCRYPTION_KEY), no
 * query is made at all.
 */
export async function openerFor(
  db: Executor,
  cipher: PersonalDataCipher,
  values: Iterable<string | null | undefined>,
  sealers: readonly PersonSealer[] = [],
): Promise<PersonOpener> {
  const wanted = new Set<string>();
  const keys = new Map<string, Buffer>();
  for (const sealer of sealers) {
    const known = sealerKeys.get(sealer);
    if (known) keys.set(known.keyId, known.key);
  }
  for (const value of values) {
    const keyId = personKeyIdOf(value);
    if (keyId && /^[0-9a-f]{32}$/.test(keyId)) wanted.add(keyId);
  }
  const unknown = [...wanted].filter((keyId) => !keys.has(keyId));
  if (unknown.length > 0) {
    for (const stored of await findPersonKeysByIds(db, unknown.map(uuidOf))) {
      keys.set(compactId(stored.id), unwrap(cipher, compactId(stored.id), stored.keyEncrypted));
    }
  }
  const open = (sealed: string): string => {
    if (!isPersonSealed(sealed)) return cipher.open(sealed);
    const keyId = personKeyIdOf(sealed) as string;
    const key = keys.get(keyId);
    if (!key) {
      if (!wanted.has(keyId)) throw new Error('this value was not given to the opener');
      throw new ErasedValueError();
    }
    return openWith(key, sealed);
  };
  return {
    open,
    openOptional: (sealed) => (sealed === null || sealed === undefined ? null : open(sealed)),
    openOrErased: (sealed) => {
      if (sealed === null || sealed === undefined) return null;
      try {
        return open(sealed);
      } catch (error) {
        if (error instanceof ErasedValueError) return null;
        throw error;
      }
    },
  };
}

/** Opens one value (a convenience for single reads; use `openerFor` for many). */
export async function openOne(db: Executor, cipher: PersonalDataCipher, sealed: string): Promise<string> {
  return (await openerFor(db, cipher, [sealed])).open(sealed);
}

/** Forgets cached keys (after an erasure in this process, or in tests simulating another process). */
export function forgetPersonKeys(cipher: PersonalDataCipher): void {
  caches.delete(cipher);
}

/**
 * Re-wraps up to `limit` person keys after `afterId` under the current ENCRYPTION_KEY (after a
 * rotation). Returns the last id seen (null when done) and how many were re-wrapped.
 */
export async function rewrapPersonKeys(db: Executor, cipher: PersonalDataCipher, afterId: string | null, limit = 500): Promise<{ lastId: string | null; rewrapped: number }> {
  const page = await listPersonKeysAfter(db, afterId, limit);
  let rewrapped = 0;
  for (const stored of page) {
    if (stored.keyEncrypted.split('.')[1] === cipher.currentKeyId) continue;
    await updatePersonKeyWrapping(db, stored.id, cipher.seal(cipher.open(stored.keyEncrypted)));
    rewrapped += 1;
  }
  return { lastId: page.length < limit ? null : (page[page.length - 1]?.id ?? null), rewrapped };
}
