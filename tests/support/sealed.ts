import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema';
import { openerFor } from '../../src/privacy/person-keys';
import type { PersonalDataCipher } from '../../src/privacy/personal-data';

/** Opens one stored value as the hotline does: under its person's key, or ENCRYPTION_KEY for older values. */
export async function openStored(db: Kysely<Database>, cipher: PersonalDataCipher, sealed: string | null | undefined): Promise<string | null> {
  return (await openerFor(db, cipher, [sealed])).openOptional(sealed);
}

/** Opens stored values (one query for their keys), in the order given. */
export async function openAllStored(db: Kysely<Database>, cipher: PersonalDataCipher, sealed: readonly (string | null | undefined)[]): Promise<(string | null)[]> {
  const opener = await openerFor(db, cipher, sealed);
  return sealed.map((value) => opener.openOptional(value));
}
