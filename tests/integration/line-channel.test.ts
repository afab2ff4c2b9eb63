import request from 'supertest';
import type { DatabaseHandle } from '../../src/db/database';
import { createLineSender } from '../../src/channels/line/line-sender';
import { issueApiToken } from '../../src/users/user.service';
import { upsertUser } from '../../src/users/user.repository';
import { buildTestHotline, type TestHotline } from '../support/app';
import { createLineWorker } from '../support/chat-worker';
import { openTestDatabase } from '../support/database';
import { signLineBody, startFakeLine, type FakeLine } from '../support/fake-line';
import { openStored } from '../support/sealed';
import { openerFor } from '../../src/privacy/person-keys';

// LINE end to end: signed webhooks in, the pipeline (store, conversation, case), replies out
// through a local fake of LINE's Messaging API — free reply tokens first, billed pushes otherwise.

const REPLY = '/v2/bot/message/reply';
const PUSH = '/v2/bot/message/push';

interface SentLine {
  path: string;
  to?: string;
  replyToken?: string;
  text: string;
  quickReplies: { label: string; text: string }[];
}

describe('the LINE channel', () => {
  let handle: DatabaseHandle;
  let hotline: TestHotline;
  let line: FakeLine;
  let staffToken: string;

  beforeAll(async () => {
    handle = await openTestDatabase();
    line = await startFakeLine();
    hotline = buildTestHotline(handle, { lineSender: createLineSender(line.config()) });
    const org = await handle.db.insertInto('organisations').values({ slug: 'network', name: 'Network', kind: 'network', country: 'TH' }).returning('id').executeTakeFirstOrThrow();
    await upsertUser(handle.db, { organisationId: org.id, email: 'coordinator@example.org', displayName: 'Coordinator', role: 'coordinator', locale: 'en', passwordHash: null });
    staffToken = await issueApiToken({ db: handle.db, clock: { now: () => new Date() } }, { email: 'coordinator@example.org' }, { kind: 'cli' });
  });
  afterAll(async () => {
    await line.close();
    await handle.close();
  });

  /** What reached LINE since `from` (a count of requests), as the worker's phone shows it. */
  function sentSince(from: number): SentLine[] {
    return line.requests.slice(from).filter((r) => r.path === REPLY || r.path === PUSH).map((r) => {
      const body = r.body as { to?: string; replyToken?: string; messages: { text: string; quickReply?: { items: { action: { label: string; text: string } }[] } }[] };
      const last = body.messages.at(-1);
      return {
        path: r.path,
        ...(body.to ? { to: body.to } : {}),
        ...(body.replyToken ? { replyToken: body.replyToken } : {}),
        text: body.messages.map((m) => m.text).join('\n'),
        quickReplies: (last?.quickReply?.items ?? []).map((item) => ({ label: item.action.label, text: item.action.text })),
      };
    });
  }

  async function caseOfLineUser(userId: string) {
    const contacts = await handle.db.selectFrom('contacts').select(['id', 'address_encrypted', 'is_opted_out', 'person_id']).where('channel', '=', 'line').execute();
    const opener = await openerFor(handle.db, hotline.cipher, contacts.map((row) => row.address_encrypted));
    const contact = contacts.find((row) => opener.openOptional(row.address_encrypted) === userId);
    if (!contact) throw new Error('no LINE contact');
    const found = await handle.db.selectFrom('cases').selectAll().where('person_id', '=', contact.person_id).orderBy('created_at', 'desc').executeTakeFirst();
    return { contact, found };
  }

  it('welcomes a new follower with the language menu as quick replies, on the free reply token', async () => {
    const worker = createLineWorker(hotline);
    const before = line.requests.length;
    await worker.follow();
    const [welcome, ...rest] = sentSince(before);
    expect(rest).toEqual([]);
    expect(welcome).toMatchObject({ path: REPLY, replyToken: worker.replyTokenOf(1) });
    expect(welcome?.text).toContain('မြန်မာ');
    expect(welcome?.quickReplies.map((q) => q.text)).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(welcome?.quickReplies.map((q) => q.label)).toEqual(['မြန်မာ', 'ខ្មែរ', 'ລາວ', 'ไทย', 'Tiếng Việt', 'English']);
  });

  it('takes a Thai worker from the menu to a completed intake, with buttons, and opens a LINE case', async () => {
    const worker = createLineWorker(hotline);
    const before = line.requests.length;
    await worker.follow();
    await worker.text('4');
    await worker.text('นายจ้างไม่จ่ายค่าแรงสองเดือนแล้ว');
    await worker.text('1');
    await worker.text('แม่สอด');
    await worker.text('1');
    const sent = sentSince(before);
    const consentQuestion = sent.at(-1);
    expect(consentQuestion?.quickReplies.map((q) => q.text)).toEqual(['ได้', 'ไม่ได้']);
    await worker.text(consentQuestion?.quickReplies[0]?.text ?? '');
    const all = sentSince(before);
    // Every answer used the free reply token of the message it answered: nothing was pushed.
    expect(all.every((m) => m.path === REPLY)).toBe(true);
    expect(all).toHaveLength(7);
    expect(all[2]?.quickReplies).toHaveLength(8);

    const { found } = await caseOfLineUser(worker.userId);
    expect(found).toMatchObject({
      channel: 'line', language: 'th', intake_complete: true, categories: ['wages'], destination_province: 'TH-63',
      origin_country: 'MM', consent_given: true, consent_source: 'line',
    });
    expect(all.at(-1)?.text).toContain(found?.reference);
    // The case's PIN follows in the same (free) reply, for joining another app to the case.
    expect(all.at(-1)?.text).toMatch(new RegExp(`PIN ของคุณคือ (\\d{6}) .*STATUS ${found?.reference} \\1`, 's'));
  });

  it('takes a Burmese worker who writes at once through intake, the language read from the text', async () => {
    const worker = createLineWorker(hotline);
    const before = line.requests.length;
    await worker.text('အလုပ်ရှင်က ပတ်စပို့ ယူထားတယ်');
    await worker.text('၂');
    await worker.text('မဟာချိုင်');
    await worker.text('ရပါတယ်');
    const { found } = await caseOfLineUser(worker.userId);
    expect(found).toMatchObject({ channel: 'line', language: 'my', intake_complete: true, categories: ['documents'], origin_country: 'MM', consent_given: true });
    expect(sentSince(before)).toHaveLength(4);
  });

  it('stores a redelivered event once and answers it once', async () => {
    const worker = createLineWorker(hotline);
    const body = await worker.text('my boss keeps my passport');
    const before = line.requests.length;
    const stored = await handle.db.selectFrom('messages').select('id').where('channel', '=', 'line').where('direction', '=', 'in').execute();
    await worker.repost(body);
    expect(line.requests.length).toBe(before);
    const after = await handle.db.selectFrom('messages').select('id').where('channel', '=', 'line').where('direction', '=', 'in').execute();
    expect(after).toHaveLength(stored.length);
  });

  it('pushes, with a retry key, when the reply token no longer works, and counts it as billed', async () => {
    const worker = createLineWorker(hotline);
    line.expireReplyToken(worker.replyTokenOf(1));
    const before = line.requests.length;
    await worker.text('I was hurt at work');
    const attempts = line.requests.slice(before);
    expect(attempts.map((r) => r.path)).toEqual([REPLY, PUSH]);
    expect(attempts[1]?.headers.retryKey).toMatch(/^[0-9a-f-]{36}$/);
    expect((attempts[1]?.body as { to: string }).to).toBe(worker.userId);
    const reply = await handle.db.selectFrom('messages').select(['status', 'provider_id']).where('id', '=', attempts[1]?.headers.retryKey ?? '').executeTakeFirstOrThrow();
    expect(reply.status).toBe('sent');
    expect(reply.provider_id).toMatch(/^line:/);
    const metrics = await request(hotline.app).get('/metrics').expect(200);
    expect(metrics.text).toMatch(/hotline_billed_messages_total\{channel="line"\} [1-9]/);
  });

  it('keeps a sticker on the case without taking it for an answer', async () => {
    const worker = createLineWorker(hotline);
    await worker.text('they do not pay us');
    const before = line.requests.length;
    await worker.sticker(['sad', 'crying']);
    expect(line.requests.length).toBe(before);
    const { contact } = await caseOfLineUser(worker.userId);
    const sticker = await handle.db.selectFrom('messages').select(['event', 'body_encrypted', 'case_id']).where('contact_id', '=', contact.id).where('event', '=', 'sticker').executeTakeFirstOrThrow();
    expect(await openStored(handle.db, hotline.cipher, sticker.body_encrypted)).toContain('sad');
    expect(sticker.case_id).not.toBeNull();
    const state = await handle.db.selectFrom('contacts').select('conversation').where('id', '=', contact.id).executeTakeFirstOrThrow();
    expect(state.conversation).toMatchObject({ step: 'category' });
  });

  it('treats an unfollow as opting out: nothing is sent until the worker follows again', async () => {
    const worker = createLineWorker(hotline);
    await worker.text('my agent took my money');
    await worker.unfollow();
    const { contact, found } = await caseOfLineUser(worker.userId);
    expect(contact.is_opted_out).toBe(true);

    const before = line.requests.length;
    await request(hotline.app).post(`/api/v1/cases/${found?.reference}/replies`).set('Authorization', `Bearer ${staffToken}`).send({ body: 'We will call you' }).expect(409);
    expect(line.requests.length).toBe(before);

    await worker.follow();
    expect((await caseOfLineUser(worker.userId)).contact.is_opted_out).toBe(false);
    expect(sentSince(before)[0]?.quickReplies).toHaveLength(6);
  });

  it('sends a caseworker reply to the LINE worker by push', async () => {
    const worker = createLineWorker(hotline);
    await worker.text('my employer hit me');
    const { found } = await caseOfLineUser(worker.userId);
    const before = line.requests.length;
    await request(hotline.app).post(`/api/v1/cases/${found?.reference}/replies`).set('Authorization', `Bearer ${staffToken}`).send({ body: 'We are calling the labour office for you' }).expect(201);
    await hotline.runJobs();
    expect(sentSince(before)).toEqual([expect.objectContaining({ path: PUSH, to: worker.userId, text: 'We are calling the labour office for you', quickReplies: [] })]);
  });

  it('refuses an unsigned or wrongly signed webhook and writes nothing', async () => {
    const body = JSON.stringify({ destination: 'U0', events: [{ type: 'follow', webhookEventId: '01HX', timestamp: 1, source: { type: 'user', userId: 'Uabc' }, replyToken: 'r' }] });
    const count = async () => (await handle.db.selectFrom('messages').select('id').execute()).length;
    const before = await count();
    await request(hotline.app).post('/webhooks/line').set('Content-Type', 'application/json').send(body).expect(400);
    await request(hotline.app).post('/webhooks/line').set('Content-Type', 'application/json').set('X-Line-Signature', signLineBody(body, 'ffffffffffffffffffffffffffffffff')).send(body).expect(403);
    await request(hotline.app).post('/webhooks/line').set('Content-Type', 'application/json').set('X-Line-Signature', signLineBody(body)).send(`${body} `).expect(403);
    expect(await count()).toBe(before);
  });

  it('checks the signature of a form-encoded body too, as raw bytes, rather than failing (no 500)', async () => {
    const body = 'a=%FF&b=%00';
    await request(hotline.app).post('/webhooks/line').set('Content-Type', 'application/x-www-form-urlencoded').send(body).expect(400);
    await request(hotline.app).post('/webhooks/line').set('Content-Type', 'application/x-www-form-urlencoded').set('X-Line-Signature', signLineBody(body)).send(body).expect(400);
  });
});
