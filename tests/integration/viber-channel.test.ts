import request from 'supertest';
import type { DatabaseHandle } from '../../src/db/database';
import { createViberSender } from '../../src/channels/viber/viber-sender';
import { buildTestHotline, type TestHotline } from '../support/app';
import { createViberWorker } from '../support/chat-worker';
import { openTestDatabase } from '../support/database';
import { signViberBody, startFakeViber, type FakeViber } from '../support/fake-viber';
import { openerFor } from '../../src/privacy/person-keys';

// Viber end to end: signed webhooks in, the pipeline, replies out through a local fake of Viber's
// REST bot API, receipts moving statuses forward.

interface SentViber {
  receiver: string;
  text: string;
  buttons: { Text: string; ActionBody: string }[];
}

describe('the Viber channel', () => {
  let handle: DatabaseHandle;
  let hotline: TestHotline;
  let viber: FakeViber;

  beforeAll(async () => {
    handle = await openTestDatabase();
    viber = await startFakeViber();
    hotline = buildTestHotline(handle, { viberSender: createViberSender(viber.config()) });
  });
  afterAll(async () => {
    await viber.close();
    await handle.close();
  });

  function sentSince(from: number): SentViber[] {
    return viber.requests.slice(from).filter((r) => r.path === '/pa/send_message').map((r) => {
      const body = r.body as { receiver: string; text: string; keyboard?: { Buttons: { Text: string; ActionBody: string }[] } };
      return { receiver: body.receiver, text: body.text, buttons: (body.keyboard?.Buttons ?? []).map((b) => ({ Text: b.Text, ActionBody: b.ActionBody })) };
    });
  }

  async function caseOfViberUser(userId: string) {
    const contacts = await handle.db.selectFrom('contacts').select(['id', 'address_encrypted', 'is_opted_out', 'person_id']).where('channel', '=', 'viber').execute();
    const opener = await openerFor(handle.db, hotline.cipher, contacts.map((row) => row.address_encrypted));
    const contact = contacts.find((row) => opener.openOptional(row.address_encrypted) === userId);
    if (!contact) throw new Error('no Viber contact');
    const found = await handle.db.selectFrom('cases').selectAll().where('person_id', '=', contact.person_id).orderBy('created_at', 'desc').executeTakeFirst();
    return { contact, found };
  }

  it('welcomes a worker who opens the chat with the language menu as a keyboard, in the answer to the callback', async () => {
    const worker = createViberWorker(hotline);
    const before = viber.requests.length;
    const answer = await worker.conversationStarted();
    // A bot may not message a worker who has not subscribed: the welcome is the callback's answer.
    expect(sentSince(before)).toEqual([]);
    expect(answer).toMatchObject({ type: 'text', sender: { name: 'Migrant Hotline' } });
    expect(String(answer['text'])).toContain('မြန်မာ');
    const keyboard = answer['keyboard'] as { Buttons: { ActionBody: string }[] };
    expect(keyboard.Buttons.map((b) => b.ActionBody)).toEqual(['1', '2', '3', '4', '5', '6']);
    // The menu's answer then picks the language, as the welcome promised.
    await worker.text('4');
    expect((await caseOfViberUser(worker.userId)).found).toBeUndefined();
    const rows = await handle.db.selectFrom('contacts').select(['language', 'is_opted_out', 'address_encrypted']).where('channel', '=', 'viber').execute();
    const addresses = await openerFor(handle.db, hotline.cipher, rows.map((row) => row.address_encrypted));
    const opened = rows.find((row) => addresses.openOptional(row.address_encrypted) === worker.userId);
    expect(opened).toMatchObject({ language: 'th', is_opted_out: false });
    // The worker's Viber name and avatar are never kept.
    const stored = await handle.db.selectFrom('messages').select(['body_encrypted', 'raw_body_encrypted']).where('channel', '=', 'viber').execute();
    const bodies = await openerFor(handle.db, hotline.cipher, stored.flatMap((row) => [row.body_encrypted, row.raw_body_encrypted]));
    for (const row of stored) expect(`${bodies.openOptional(row.body_encrypted)}${bodies.openOptional(row.raw_body_encrypted)}`).not.toContain('Worker Name');
  });

  it.each([
    { language: 'vi', story: 'Công ty môi giới giữ hộ chiếu và bắt tôi trả nợ', category: '3', place: 'Tôi làm ở Bangkok', categories: ['recruitment'], origin: 'VN', province: 'TH-10' },
    { language: 'km', story: 'ថៅកែយកលិខិតឆ្លងដែនរបស់ខ្ញុំ ហើយមិនឲ្យប្រាក់ខែ', category: '១', place: 'រ៉ាយ៉ុង', categories: ['wages'], origin: 'KH', province: 'TH-21' },
  ])('takes a worker writing in $language through intake to a Viber case', async (script) => {
    const worker = createViberWorker(hotline);
    const before = viber.requests.length;
    await worker.text(script.story);
    await worker.text(script.category);
    await worker.text(script.place);
    const consentQuestion = sentSince(before).at(-1);
    expect(consentQuestion?.buttons).toHaveLength(2);
    await worker.text(consentQuestion?.buttons[0]?.ActionBody ?? '');
    const { found } = await caseOfViberUser(worker.userId);
    expect(found).toMatchObject({
      channel: 'viber', language: script.language, intake_complete: true, categories: script.categories,
      origin_country: script.origin, destination_province: script.province, consent_given: true, consent_source: 'viber',
    });
    const sent = sentSince(before);
    expect(sent).toHaveLength(4);
    expect(sent.at(-1)?.text).toContain(found?.reference);
  });

  it('moves a reply forward on delivered and seen, never back', async () => {
    const worker = createViberWorker(hotline);
    await worker.text('my boss did not pay me');
    const reply = await handle.db.selectFrom('messages').select(['id', 'provider_id', 'status']).where('channel', '=', 'viber').where('direction', '=', 'out').orderBy('sequence', 'desc').executeTakeFirstOrThrow();
    expect(reply.status).toBe('sent');
    const token = (reply.provider_id ?? '').replace(/^viber:/, '');
    await worker.receipt('seen', token);
    await worker.receipt('delivered', token);
    const after = await handle.db.selectFrom('messages').select('status').where('id', '=', reply.id).executeTakeFirstOrThrow();
    expect(after.status).toBe('read');
  });

  it('stores a repeated delivery once', async () => {
    const worker = createViberWorker(hotline);
    const body = await worker.text('my passport is with the agent');
    const count = async () => (await handle.db.selectFrom('messages').select('id').where('channel', '=', 'viber').execute()).length;
    const before = await count();
    await worker.repost(body);
    expect(await count()).toBe(before);
  });

  it('treats unsubscribing as opting out', async () => {
    const worker = createViberWorker(hotline);
    await worker.text('I was arrested');
    await worker.unsubscribed();
    expect((await caseOfViberUser(worker.userId)).contact.is_opted_out).toBe(true);
    const before = viber.requests.length;
    await worker.text('hello again');
    // Writing again on Viber subscribes again, but STOP rules: the worker must say START to hear back.
    expect(sentSince(before)).toEqual([]);
  });

  it('opts a worker out when Viber says they are no longer on Viber, but not when merely not subscribed', async () => {
    const gone = createViberWorker(hotline);
    viber.answerNext({ json: { status: 5, status_message: 'receiverNotRegistered' } });
    await gone.text('help me please');
    expect((await caseOfViberUser(gone.userId)).contact.is_opted_out).toBe(true);

    const notYet = createViberWorker(hotline);
    viber.answerNext({ json: { status: 6, status_message: 'notSubscribed' } });
    await notYet.text('help me please');
    const { contact } = await caseOfViberUser(notYet.userId);
    expect(contact.is_opted_out).toBe(false);
    const failed = await handle.db.selectFrom('messages').select(['status', 'error_code']).where('contact_id', '=', contact.id).where('direction', '=', 'out').executeTakeFirstOrThrow();
    expect(failed).toEqual({ status: 'failed', error_code: 'viber_6' });
  });

  it('refuses an unsigned or wrongly signed webhook and writes nothing', async () => {
    const body = '{"event":"message","timestamp":1,"message_token":1,"sender":{"id":"abc"},"message":{"type":"text","text":"hi"}}';
    const count = async () => (await handle.db.selectFrom('messages').select('id').execute()).length;
    const before = await count();
    await request(hotline.app).post('/webhooks/viber').set('Content-Type', 'application/json').send(body).expect(400);
    await request(hotline.app).post('/webhooks/viber').set('Content-Type', 'application/json').set('X-Viber-Content-Signature', signViberBody(body, 'wrong-token')).send(body).expect(403);
    expect(await count()).toBe(before);
  });
});
