import request from 'supertest';
import type { DatabaseHandle } from '../../src/db/database';
import { createLineSender } from '../../src/channels/line/line-sender';
import { buildTestHotline, type TestHotline } from '../support/app';
import { createLineWorker } from '../support/chat-worker';
import { openTestDatabase } from '../support/database';
import { startFakeLine, type FakeLine } from '../support/fake-line';
import { createWorkerPhone } from '../support/sms-conversation';
import { openerFor, personKeyIdOf } from '../../src/privacy/person-keys';

// One worker, many channels: a worker who reported by SMS (or on the web) joins LINE to their case
// by sending STATUS <reference> <PIN> there, after which that chat is the same person's.

describe('joining a channel to a case with STATUS <reference> <PIN>', () => {
  let handle: DatabaseHandle;
  let hotline: TestHotline;
  let line: FakeLine;

  beforeAll(async () => {
    handle = await openTestDatabase();
    line = await startFakeLine();
    hotline = buildTestHotline(handle, { lineSender: createLineSender(line.config()) });
  });
  afterAll(async () => {
    await line.close();
    await handle.close();
  });

  /** Reports by SMS to the end of intake; returns the reference and the PIN the last message gave. */
  async function reportBySms(from: string) {
    const phone = createWorkerPhone(handle, hotline, from);
    await phone.text('My boss has not paid me for two months');
    await phone.text('1');
    await phone.text('Mae Sot');
    await phone.text('1');
    const last = await phone.text('yes');
    const pinMessage = last.find((reply) => reply.template === 'intake.pin');
    const done = last.find((reply) => reply.template === 'intake.done');
    const match = /PIN is (\d{6})\..*STATUS (\S+) \1/.exec(pinMessage?.body ?? '');
    if (!match || !done) throw new Error(`no PIN message: ${JSON.stringify(last)}`);
    return { reference: match[2] ?? '', pin: match[1] ?? '', phone };
  }

  async function personOf(channel: string, address: string) {
    const rows = await handle.db.selectFrom('contacts').select(['id', 'person_id', 'address_encrypted']).where('channel', '=', channel).execute();
    const opener = await openerFor(handle.db, hotline.cipher, rows.map((contact) => contact.address_encrypted));
    const row = rows.find((contact) => opener.openOptional(contact.address_encrypted) === address);
    if (!row) throw new Error(`no ${channel} contact`);
    return row;
  }

  const lineTexts = (from: number) => line.requests.slice(from).map((r) => (r.body as { messages: { text: string }[] }).messages.map((m) => m.text).join('\n'));

  it('gives the PIN at the end of an SMS intake, stores only its hash, and joins LINE to the case with it', async () => {
    const { reference, pin } = await reportBySms('+66830000001');
    const kase = await handle.db.selectFrom('cases').select(['id', 'person_id', 'pin_hash']).where('reference', '=', reference).executeTakeFirstOrThrow();
    expect(kase.pin_hash).toMatch(/.+/);
    expect(kase.pin_hash).not.toContain(pin);

    const worker = createLineWorker(hotline);
    const before = line.requests.length;
    await worker.text(`status ${reference.toLowerCase().replace('-', '')} ${pin}`);
    expect(lineTexts(before)).toEqual([expect.stringContaining(reference)]);
    expect(lineTexts(before)[0]).toContain('joined');
    const identity = await personOf('line', worker.userId);
    expect(identity.person_id).toBe(kase.person_id);

    // The message with the PIN joins no case: caseworkers never see a PIN.
    const linkMessage = await handle.db.selectFrom('messages').select('case_id').where('contact_id', '=', identity.id).executeTakeFirstOrThrow();
    expect(linkMessage.case_id).toBeNull();
    const events = await handle.db.selectFrom('case_events').select(['type', 'data']).where('case_id', '=', kase.id).where('type', '=', 'person.identity_linked').execute();
    expect(events).toEqual([{ type: 'person.identity_linked', data: { channel: 'line', casesMoved: 0 } }]);
    const audit = await handle.db.selectFrom('audit_log').select(['action', 'details']).where('case_id', '=', kase.id).where('action', '=', 'person.identity_linked').execute();
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit)).not.toContain(pin);

    // What the worker writes on LINE now joins the SMS case, and a reply goes back to LINE.
    await worker.text('any news about my pay?');
    const followUp = await handle.db.selectFrom('messages').select('case_id').where('contact_id', '=', identity.id).orderBy('sequence', 'desc').executeTakeFirstOrThrow();
    expect(followUp.case_id).toBe(kase.id);
    const cases = await handle.db.selectFrom('cases').select('id').where('person_id', '=', kase.person_id).execute();
    expect(cases).toHaveLength(1);
  });

  it('brings the cases of a LINE-only person along when their LINE joins another case', async () => {
    const { reference, pin } = await reportBySms('+66830000002');
    const worker = createLineWorker(hotline);
    await worker.text('my employer keeps my passport');
    const lineCase = await handle.db.selectFrom('cases').select('id').where('channel', '=', 'line').orderBy('created_at', 'desc').executeTakeFirstOrThrow();
    await worker.text(`STATUS ${reference} ${pin}`);
    const smsPerson = (await personOf('sms', '+66830000002')).person_id;
    const moved = await handle.db.selectFrom('cases').select(['person_id', 'summary_encrypted']).where('id', '=', lineCase.id).executeTakeFirstOrThrow();
    expect(moved.person_id).toBe(smsPerson);
    // The LINE identity's words and its case came along under the key of the worker they joined.
    const key = await handle.db.selectFrom('person_keys').select('id').where('person_id', '=', smsPerson).executeTakeFirstOrThrow();
    const identity = await personOf('line', worker.userId);
    const words = await handle.db.selectFrom('messages').select('body_encrypted').where('contact_id', '=', identity.id).execute();
    const sealed = [identity.address_encrypted, moved.summary_encrypted, ...words.map((row) => row.body_encrypted)];
    expect(new Set(sealed.map((value) => personKeyIdOf(value)))).toEqual(new Set([key.id.replace(/-/g, '')]));
  });

  it('refuses a wrong PIN without saying whether the case exists, and locks the reference after five', async () => {
    const { reference, pin } = await reportBySms('+66830000003');
    const worker = createLineWorker(hotline);
    const before = line.requests.length;
    const wrong = pin === '000000' ? '111111' : '000000';
    await worker.text(`STATUS ${reference} ${wrong}`);
    await worker.text(`STATUS AAA-2AA ${pin}`);
    expect(lineTexts(before)).toEqual([expect.stringContaining('not right'), expect.stringContaining('not right')]);
    for (let attempt = 0; attempt < 4; attempt += 1) await worker.text(`STATUS ${reference} ${wrong}`);
    const afterLock = line.requests.length;
    await worker.text(`STATUS ${reference} ${pin}`);
    expect(lineTexts(afterLock)).toEqual([expect.stringContaining('Too many')]);
    const identity = await personOf('line', worker.userId);
    expect(identity.person_id).not.toBe((await personOf('sms', '+66830000003')).person_id);
  });

  it('joins LINE to a web report with the PIN of its thank-you page', async () => {
    const page = await request(hotline.app).get('/report?lang=en').expect(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    const cookies = page.headers['set-cookie'];
    const submitted = await request(hotline.app).post('/report').set('Cookie', Array.isArray(cookies) ? cookies : []).type('form')
      .send({ _csrf: csrf, lang: 'en', story: 'The agent took my passport and wants more money', categories: 'documents', consent: 'yes' });
    const reference = /([A-Z0-9]{3}-[A-Z0-9]{3})/.exec(submitted.text)?.[1];
    const pin = /\b(\d{6})\b/.exec(submitted.text)?.[1];
    if (!reference || !pin) throw new Error(`no reference or PIN on the thank-you page (${submitted.status})`);
    const worker = createLineWorker(hotline);
    await worker.text(`STATUS ${reference} ${pin}`);
    const webCase = await handle.db.selectFrom('cases').select('person_id').where('reference', '=', reference).executeTakeFirstOrThrow();
    expect((await personOf('line', worker.userId)).person_id).toBe(webCase.person_id);
  });
});
