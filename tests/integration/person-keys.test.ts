import type { DatabaseHandle } from '../../src/db/database';
import { deletePersonKeys } from '../../src/privacy/person-key.repository';
import { ErasedValueError, PersonErasedError, forgetPersonKeys, isPersonSealed, openerFor, rewrapPersonKeys, sealerFor } from '../../src/privacy/person-keys';
import { createPersonalDataCipher, generateKey } from '../../src/privacy/personal-data';
import { openTestDatabase } from '../support/database';

describe('per-person data keys', () => {
  let handle: DatabaseHandle;
  const oldKey = generateKey();
  const cipher = createPersonalDataCipher({ current: oldKey });

  beforeAll(async () => {
    handle = await openTestDatabase();
  });
  afterAll(async () => {
    await handle.close();
  });

  async function newPerson(): Promise<string> {
    const row = await handle.db.insertInto('people').defaultValues().returning('id').executeTakeFirstOrThrow();
    return row.id;
  }

  it('seals under the person’s own key, made once, and opens again in another process', async () => {
    const personId = await newPerson();
    const first = await sealerFor(handle.db, cipher, personId);
    const second = await sealerFor(handle.db, cipher, personId);
    const sealed = [first.seal('ငါ့ပတ်စ်ပို့ကို အလုပ်ရှင်က ယူထားတယ်'), second.seal('+66812345678')];
    expect(sealed.every(isPersonSealed)).toBe(true);
    expect(sealed[0]).not.toContain('ပတ်စ်');
    const keys = await handle.db.selectFrom('person_keys').selectAll().where('person_id', '=', personId).execute();
    expect(keys).toHaveLength(1);
    expect(keys[0]?.key_encrypted.startsWith('v1.')).toBe(true);

    const elsewhere = createPersonalDataCipher({ current: oldKey });
    const opener = await openerFor(handle.db, elsewhere, [...sealed, cipher.seal('staff-only value')]);
    expect(opener.open(sealed[0] as string)).toBe('ငါ့ပတ်စ်ပို့ကို အလုပ်ရှင်က ယူထားတယ်');
    expect(opener.open(sealed[1] as string)).toBe('+66812345678');
    // A changed character of the ciphertext (not the tag's last one, whose low bits are padding) fails.
    const parts = (sealed[0] as string).split('.');
    parts[3] = (parts[3] as string).replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
    expect(() => opener.open(parts.join('.'))).toThrow();
  });

  it('keeps two people’s values apart: one key never opens the other’s value', async () => {
    const [a, b] = [await newPerson(), await newPerson()];
    const sealedA = (await sealerFor(handle.db, cipher, a)).seal('A’s words');
    const sealedB = (await sealerFor(handle.db, cipher, b)).seal('B’s words');
    const [, keyB, ...restA] = sealedA.split('.');
    const forged = ['p1', sealedB.split('.')[1], ...restA].join('.');
    expect(keyB).not.toBe(sealedB.split('.')[1]);
    const opener = await openerFor(handle.db, cipher, [forged]);
    expect(() => opener.open(forged)).toThrow();
  });

  it('never opens a value once the person’s key is deleted, even with a warm cache, and seals nothing new for an erased person', async () => {
    const personId = await newPerson();
    const sealed = (await sealerFor(handle.db, cipher, personId)).seal('injury at the factory');
    expect((await openerFor(handle.db, cipher, [sealed])).open(sealed)).toBe('injury at the factory');
    await deletePersonKeys(handle.db, [personId]);
    await handle.db.updateTable('people').set({ erased_at: new Date() }).where('id', '=', personId).execute();
    const opener = await openerFor(handle.db, cipher, [sealed]);
    expect(() => opener.open(sealed)).toThrow(ErasedValueError);
    expect(opener.openOrErased(sealed)).toBeNull();
    await expect(sealerFor(handle.db, cipher, personId)).rejects.toBeInstanceOf(PersonErasedError);
  });

  it('re-wraps data keys under a new ENCRYPTION_KEY without touching the values', async () => {
    const personId = await newPerson();
    const sealed = (await sealerFor(handle.db, cipher, personId)).seal('recruitment debt 30,000 baht');
    const newKey = generateKey();
    const rotated = createPersonalDataCipher({ current: newKey, previous: [oldKey] });
    let after: string | null = null;
    let total = 0;
    do {
      const page = await rewrapPersonKeys(handle.db, rotated, after, 2);
      after = page.lastId;
      total += page.rewrapped;
    } while (after !== null);
    expect(total).toBeGreaterThan(0);
    forgetPersonKeys(rotated);
    const row = await handle.db.selectFrom('person_keys').select('key_encrypted').where('person_id', '=', personId).executeTakeFirstOrThrow();
    expect(row.key_encrypted.split('.')[1]).toBe(rotated.currentKeyId);
    const newKeyOnly = createPersonalDataCipher({ current: newKey });
    expect((await openerFor(handle.db, newKeyOnly, [sealed])).open(sealed)).toBe('recruitment debt 30,000 baht');
    expect((await rewrapPersonKeys(handle.db, rotated, null, 1000)).rewrapped).toBe(0);
  });
});
