import crypto from 'node:crypto';
import { sql } from 'kysely';
import { findContactByAddress, findOrCreateContact } from '../../src/contacts/contact.repository';
import type { DatabaseHandle } from '../../src/db/database';
import { insertInboundMessage } from '../../src/messages/message.repository';
import { createPersonalDataCipher } from '../../src/privacy/personal-data';
import { openTestDatabase } from '../support/database';
import { openStored } from '../support/sealed';

const PHONE = '+66812345678';
const BODY = 'နယ်ပါတ်စ်ပို့ကို အလုပ်ရှင်က သိမ်းထားတယ် — boss keeps my passport';
const key = () => crypto.randomBytes(32).toString('base64');

/** Every text and jsonb value of every row of every table, as stored. */
async function everyStoredValue(handle: DatabaseHandle): Promise<string> {
  const { rows: tables } = await sql<{ table_name: string }>`
    select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`.execute(handle.db);
  const dumps = await Promise.all(
    tables.map(async ({ table_name }) => {
      const { rows } = await sql<{ row: string }>`select t::text as row from ${sql.table(table_name)} t`.execute(handle.db);
      return rows.map((row) => row.row).join('\n');
    }),
  );
  return dumps.join('\n');
}

describe('personal data at rest', () => {
  let handle: DatabaseHandle;
  const oldKey = key();
  const cipher = createPersonalDataCipher({ current: oldKey });

  beforeAll(async () => {
    handle = await openTestDatabase();
  });
  afterAll(async () => {
    await handle.close();
  });

  it('stores no phone number or message body in clear, and reads both back', async () => {
    const contact = await findOrCreateContact(handle.db, cipher, { channel: 'sms', address: PHONE, language: 'my' });
    await insertInboundMessage(handle.db, cipher, {
      providerId: 'SM00000000000000000000000000000001',
      channel: 'sms',
      contactId: contact.id,
      caseId: null,
      body: BODY,
      receivedAt: new Date('2026-11-27T08:00:00Z'),
    });
    const stored = await everyStoredValue(handle);
    expect(stored).not.toContain(PHONE);
    expect(stored).not.toContain(PHONE.slice(1));
    expect(stored).not.toContain('passport');
    expect(stored).not.toContain('နယ်ပါတ်စ်');

    const raw = await handle.db.selectFrom('messages').select('body_encrypted').executeTakeFirstOrThrow();
    expect(raw.body_encrypted?.startsWith('p1.')).toBe(true);
    expect(await openStored(handle.db, cipher, raw.body_encrypted)).toBe(BODY);
    expect((await findContactByAddress(handle.db, cipher, 'sms', PHONE))?.address).toBe(PHONE);
  });

  it('stores one message per provider id, however often it arrives', async () => {
    const contact = await findOrCreateContact(handle.db, cipher, { channel: 'sms', address: PHONE });
    const again = await insertInboundMessage(handle.db, cipher, {
      providerId: 'SM00000000000000000000000000000001',
      channel: 'sms',
      contactId: contact.id,
      caseId: null,
      body: BODY,
      receivedAt: new Date(),
    });
    expect(again).toBeUndefined();
    const count = await handle.db.selectFrom('messages').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1);
  });

  it('finds the same contact when two first messages race', async () => {
    const address = '+60123456789';
    const [a, b] = await Promise.all([
      findOrCreateContact(handle.db, cipher, { channel: 'whatsapp', address }),
      findOrCreateContact(handle.db, cipher, { channel: 'whatsapp', address }),
    ]);
    expect(a.id).toBe(b.id);
  });

  it('still opens and finds old rows after the key is rotated', async () => {
    const rotated = createPersonalDataCipher({ current: key(), previous: [oldKey] });
    const contact = await findContactByAddress(handle.db, rotated, 'sms', PHONE);
    expect(contact?.address).toBe(PHONE);
    const created = await findOrCreateContact(handle.db, rotated, { channel: 'sms', address: PHONE });
    expect(created.id).toBe(contact?.id);
  });

  it('reads nothing without the key that sealed it', async () => {
    const stranger = createPersonalDataCipher({ current: key() });
    expect(await findContactByAddress(handle.db, stranger, 'sms', PHONE)).toBeUndefined();
    const raw = await handle.db.selectFrom('messages').select('body_encrypted').executeTakeFirstOrThrow();
    // The worker's own key is itself sealed with ENCRYPTION_KEY: without that, nothing opens.
    await expect(openStored(handle.db, stranger, raw.body_encrypted)).rejects.toThrow(/no key/);
  });
});
