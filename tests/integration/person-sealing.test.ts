import crypto from 'node:crypto';
import { insertInboundMessages, type SealedInbound } from '../../src/channels/sms/inbound.repository';
import type { DatabaseHandle } from '../../src/db/database';
import { deletePersonKeys } from '../../src/privacy/person-key.repository';
import { newPersonKey, openerFor, personKeyIdOf } from '../../src/privacy/person-keys';
import { buildTestHotline, type TestHotline } from '../support/app';
import { openTestDatabase } from '../support/database';
import { useTestNetwork } from '../support/network';
import { createWorkerPhone } from '../support/sms-conversation';

// Issue #16: everything personal about a worker is sealed under their own data key, from the
// webhook on, so that destroying that key erases them everywhere, backups included.

describe('sealing under the worker’s own key', () => {
  let handle: DatabaseHandle;
  let hotline: TestHotline;

  beforeAll(async () => {
    handle = await openTestDatabase();
    hotline = buildTestHotline(handle);
  });
  afterAll(async () => {
    await handle.close();
  });

  async function keyIdOfPerson(personId: string): Promise<string> {
    const row = await handle.db.selectFrom('person_keys').select('id').where('person_id', '=', personId).executeTakeFirstOrThrow();
    return row.id.replace(/-/g, '');
  }

  async function contactsOf(address: string) {
    const rows = await handle.db.selectFrom('contacts').selectAll().execute();
    const opener = await openerFor(handle.db, hotline.cipher, rows.map((row) => row.address_encrypted));
    return rows.filter((row) => opener.openOrErased(row.address_encrypted) === address);
  }

  it('seals an SMS worker’s number, words, case and the replies to them under one key of theirs', async () => {
    const from = '+66811110001';
    const phone = createWorkerPhone(handle, hotline, from);
    await phone.text('Boss keeps my passport');
    await phone.text('1');
    await phone.text('Mahachai');
    await phone.text('1');
    await phone.text('ok');
    const [contact] = await contactsOf(from);
    if (!contact) throw new Error('no contact');
    const keyId = await keyIdOfPerson(contact.person_id);
    const found = await handle.db.selectFrom('cases').selectAll().where('contact_id', '=', contact.id).executeTakeFirstOrThrow();
    const messages = await handle.db.selectFrom('messages').select(['direction', 'body_encrypted']).where('contact_id', '=', contact.id).execute();
    expect(found.person_id).toBe(contact.person_id);
    expect(messages.some((message) => message.direction === 'out')).toBe(true);
    const sealed = [contact.address_encrypted, found.summary_encrypted, found.location_raw_encrypted, found.consent_wording_encrypted, ...messages.map((m) => m.body_encrypted)];
    for (const value of sealed) expect(personKeyIdOf(value)).toBe(keyId);

    const opener = await openerFor(handle.db, hotline.cipher, sealed);
    expect(opener.open(found.summary_encrypted ?? '')).toBe('Boss keeps my passport');
    expect(opener.open(found.location_raw_encrypted ?? '')).toBe('Mahachai');
    // Another worker's key does not open it.
    await createWorkerPhone(handle, hotline, '+66811110002').text('unpaid wages');
    const [otherContact] = await contactsOf('+66811110002');
    expect(await keyIdOfPerson(otherContact?.person_id ?? '')).not.toBe(keyId);
  });

  it('gives a worker who had no key yet (data from before keys) one, at their next message', async () => {
    const from = '+66811110003';
    await createWorkerPhone(handle, hotline, from).text('they took my phone');
    const [contact] = await contactsOf(from);
    if (!contact) throw new Error('no contact');
    await deletePersonKeys(handle.db, [contact.person_id]);
    await handle.db.updateTable('contacts').set({ address_encrypted: hotline.cipher.seal(from) }).where('id', '=', contact.id).execute();
    await createWorkerPhone(handle, hotline, from).text('still no phone');
    const keyId = await keyIdOfPerson(contact.person_id);
    const latest = await handle.db.selectFrom('messages').select('body_encrypted').where('contact_id', '=', contact.id).where('direction', '=', 'in')
      .orderBy('sequence', 'desc').executeTakeFirstOrThrow();
    expect(personKeyIdOf(latest.body_encrypted)).toBe(keyId);
    expect((await contactsOf(from)).map((row) => row.id)).toEqual([contact.id]);
  });

  it('starts afresh, as a new person, when a number whose person was erased writes again', async () => {
    const from = '+66811110004';
    await createWorkerPhone(handle, hotline, from).text('my boss hit me');
    const [erased] = await contactsOf(from);
    if (!erased) throw new Error('no contact');
    await deletePersonKeys(handle.db, [erased.person_id]);
    await handle.db.updateTable('people').set({ erased_at: new Date() }).where('id', '=', erased.person_id).execute();
    await handle.db.updateTable('contacts').set({ erased_at: new Date(), address_encrypted: null }).where('id', '=', erased.id).execute();

    const replies = await createWorkerPhone(handle, hotline, from).text('I need help again');
    expect(replies[0]?.template).toBe('intake.category_first');
    const [fresh] = await contactsOf(from);
    expect(fresh?.id).not.toBe(erased.id);
    expect(fresh?.person_id).not.toBe(erased.person_id);
    const before = await handle.db.selectFrom('contacts').select('address_hash').where('id', '=', erased.id).executeTakeFirstOrThrow();
    expect(before.address_hash).toBe(`erased:${erased.id}`);
    expect(await handle.db.selectFrom('person_keys').select('id').where('person_id', '=', erased.person_id).execute()).toEqual([]);
  });

  it('tells the webhook’s store when another writer made the sender’s contact first, so that it plans again', async () => {
    const from = '+66811110005';
    await createWorkerPhone(handle, hotline, from).text('first');
    const [existing] = await contactsOf(from);
    if (!existing) throw new Error('no contact');
    // A plan made before that contact existed: a new person, with a key of their own.
    const personId = crypto.randomUUID();
    const { stored, sealer } = newPersonKey(hotline.cipher, personId);
    const stale: SealedInbound = {
      providerId: `SM${'7'.repeat(32)}`, channel: 'sms', addressHash: hotline.cipher.lookupHash(from), contactId: null, personId, newPerson: true, newKey: stored,
      addressEncrypted: sealer.seal(from), bodyEncrypted: sealer.seal('second'), rawBodyEncrypted: null, language: null, media: '[]',
      receivedAt: new Date(), event: null, replyToken: null,
    };
    await expect(handle.db.transaction().execute(async (trx) => {
      const [result] = await insertInboundMessages(trx, [stale]);
      expect(result).toMatchObject({ contactId: existing.id, planHeld: false });
      throw new Error('rolled back as the store does');
    })).rejects.toThrow('rolled back');
    expect(await handle.db.selectFrom('people').select('id').where('id', '=', personId).execute()).toEqual([]);
  });

  it('fails a queued reply for good, without sending, once the worker’s key is gone', async () => {
    const from = '+66811110006';
    await createWorkerPhone(handle, hotline, from).text('help me');
    const [contact] = await contactsOf(from);
    if (!contact) throw new Error('no contact');
    const before = await handle.db.selectFrom('messages').select('id').where('contact_id', '=', contact.id).where('direction', '=', 'out').execute();
    await handle.db.updateTable('messages').set({ status: 'queued' }).where('id', 'in', before.map((row) => row.id)).execute();
    await deletePersonKeys(handle.db, [contact.person_id]);
    const sending = buildTestHotline(handle, { cipher: hotline.cipher, sender: { canSend: () => true, send: () => Promise.reject(new Error('must not send')) } });
    for (const row of before) await sending.jobs.enqueue(handle.db, 'sms.send', { messageId: row.id });
    await sending.runJobs();
    const after = await handle.db.selectFrom('messages').select(['status', 'error_code']).where('id', 'in', before.map((row) => row.id)).execute();
    expect(after.every((row) => row.status === 'failed' && row.error_code === 'erased')).toBe(true);
  });
});

describe('sealing case work under the worker’s own key', () => {
  const testbed = useTestNetwork();

  it('seals notes, referral and decline reasons, escalation reasons and outcomes under the key of the case’s worker', async () => {
    const { handle, hotline, network } = testbed;
    const created = await network.openRoutedCase({ destinationCountry: 'TH', destinationProvince: 'TH-10', originCountry: 'MM', categories: ['wages'] });
    const referral = await handle.db.selectFrom('referrals').select('id').where('case_id', '=', created.id).executeTakeFirstOrThrow();
    await network.as('bangkok', 'patch', `/api/v1/referrals/${referral.id}`, { status: 'declined', reason: 'No capacity this month' }).expect(204);
    await network.as('coordinator', 'post', `/api/v1/cases/${created.reference}/notes`, { body: 'Called the worker at 081 234 5678', visibility: 'partners' }).expect(201);
    await network.as('coordinator', 'post', `/api/v1/cases/${created.reference}/referrals`, { to_organisation: 'mae-sot', reason: 'Closer to the worker' }).expect(201);
    const escalation = await network.as('coordinator', 'post', `/api/v1/cases/${created.reference}/escalations`, { reason: 'Detained at the border' }).expect(201);
    await network.as('liaisonMM', 'patch', `/api/v1/escalations/${escalation.body.id}`, { status: 'closed', outcome: 'Released on bail' }).expect(204);

    const kase = await handle.db.selectFrom('cases').innerJoin('person_keys', 'person_keys.person_id', 'cases.person_id')
      .select(['person_keys.id', 'cases.summary_encrypted']).where('cases.id', '=', created.id).executeTakeFirstOrThrow();
    const keyId = kase.id.replace(/-/g, '');
    const notes = await handle.db.selectFrom('notes').select('body_encrypted').where('case_id', '=', created.id).execute();
    const referrals = await handle.db.selectFrom('referrals').select(['reason_encrypted', 'decline_reason_encrypted']).where('case_id', '=', created.id).execute();
    const escalations = await handle.db.selectFrom('escalations').select(['reason_encrypted', 'outcome_encrypted']).where('case_id', '=', created.id).execute();
    const sealed = [
      kase.summary_encrypted, ...notes.map((row) => row.body_encrypted),
      ...referrals.flatMap((row) => [row.reason_encrypted, row.decline_reason_encrypted]), ...escalations.flatMap((row) => [row.reason_encrypted, row.outcome_encrypted]),
    ].filter((value): value is string => value !== null);
    expect(sealed).toHaveLength(6);
    for (const value of sealed) expect(personKeyIdOf(value)).toBe(keyId);
    const opener = await openerFor(handle.db, hotline.cipher, sealed);
    expect(sealed.map((value) => opener.open(value))).toEqual(expect.arrayContaining(['No capacity this month', 'Closer to the worker', 'Detained at the border', 'Released on bail']));
  });
});
