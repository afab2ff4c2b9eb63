import type { DatabaseHandle } from '../../src/db/database';
import { buildTestHotline, type TestHotline } from '../support/app';
import { createFakeClock } from '../support/clock';
import { openTestDatabase, truncate } from '../support/database';
import { startFakeTwilio, type FakeTwilio } from '../support/fake-twilio';
import { createCapturingLogger } from '../support/logger';
import { createWorkerPhone } from '../support/sms-conversation';
import { postSigned } from '../support/twilio-webhook';

describe('outbound messages and delivery status', () => {
  let handle: DatabaseHandle;
  let twilio: FakeTwilio;
  const clock = createFakeClock();

  beforeAll(async () => {
    handle = await openTestDatabase();
    twilio = await startFakeTwilio();
  });
  afterAll(async () => {
    await twilio.close();
    await handle.close();
  });
  beforeEach(async () => {
    twilio.requests.length = 0;
    await truncate(handle, ['jobs_outbox', 'case_events', 'messages', 'cases', 'contacts']);
  });

  async function latestReply() {
    return handle.db
      .selectFrom('messages')
      .select(['id', 'status', 'provider_id', 'error_code', 'encoding', 'segments', 'contact_id'])
      .where('direction', '=', 'out')
      .orderBy('sequence', 'desc')
      .executeTakeFirstOrThrow();
  }

  async function retryDueJobs(hotline: TestHotline, waitMs: number) {
    clock.advance(waitMs);
    await hotline.runJobs();
  }

  describe('sending', () => {
    it('sends through Twilio with a status callback that carries our message id, and stores encoding and segments', async () => {
      const hotline = buildTestHotline(handle, { clock, sender: twilio.sender() });
      await createWorkerPhone(handle, hotline, '+66840000001').text('ငွေမရဘူး');
      const reply = await latestReply();
      expect(twilio.requests).toHaveLength(1);
      const [sent] = twilio.requests;
      expect(sent?.path).toMatch(/\/Accounts\/AC1+\/Messages\.json$/);
      expect(sent?.form).toMatchObject({ To: '+66840000001', From: '+66900000000', StatusCallback: `https://hotline.example.org/webhooks/twilio/status?message=${reply.id}` });
      expect(reply).toMatchObject({ status: 'queued', provider_id: expect.stringMatching(/^SM/), encoding: 'UCS-2' });
      expect(reply.segments).toBeGreaterThanOrEqual(1);
    });

    it('answers WhatsApp on WhatsApp, and uses the messaging service when one is configured', async () => {
      const hotline = buildTestHotline(handle, { clock, sender: twilio.sender({ messagingServiceSid: `MG${'2'.repeat(32)}` }) });
      await createWorkerPhone(handle, hotline, 'whatsapp:+66840000002').text('hello');
      expect(twilio.requests[0]?.form).toMatchObject({ To: 'whatsapp:+66840000002', MessagingServiceSid: `MG${'2'.repeat(32)}` });
      expect(twilio.requests[0]?.form['From']).toBeUndefined();
      const fromNumber = buildTestHotline(handle, { clock, sender: twilio.sender({ from: '+66900000000' }) });
      await createWorkerPhone(handle, fromNumber, 'whatsapp:+66840000003').text('hello');
      expect(twilio.requests[1]?.form).toMatchObject({ To: 'whatsapp:+66840000003', From: 'whatsapp:+66900000000' });
    });

    it.each([
      ['429 Too Many Requests', { status: 429, code: 20429 }],
      ['500 from Twilio', { status: 500 }],
      ['503 from Twilio', { status: 503 }],
      ['a dropped connection', 'drop' as const],
    ])('retries after %s with backoff and sends exactly once', async (_name, failure) => {
      const hotline = buildTestHotline(handle, { clock, sender: twilio.sender() });
      twilio.answerNext(failure, failure);
      await createWorkerPhone(handle, hotline, '+66840000004').text('hello');
      expect(twilio.requests).toHaveLength(1);
      await retryDueJobs(hotline, 4_999);
      expect(twilio.requests).toHaveLength(1);
      await retryDueJobs(hotline, 1);
      expect(twilio.requests).toHaveLength(2);
      await retryDueJobs(hotline, 10_000);
      expect(twilio.requests).toHaveLength(3);
      await retryDueJobs(hotline, 3_600_000);
      expect(twilio.requests).toHaveLength(3);
      expect(await latestReply()).toMatchObject({ status: 'queued', provider_id: expect.stringMatching(/^SM/) });
    });

    it('does not retry another 4xx, and marks the message failed with Twilio\'s code', async () => {
      const hotline = buildTestHotline(handle, { clock, sender: twilio.sender() });
      twilio.answerNext({ status: 400, code: 21211 });
      await createWorkerPhone(handle, hotline, '+66840000005').text('hello');
      await retryDueJobs(hotline, 3_600_000);
      expect(twilio.requests).toHaveLength(1);
      expect(await latestReply()).toMatchObject({ status: 'failed', error_code: '21211', provider_id: null });
    });

    it('marks the contact opted out on Twilio\'s 21610 and sends it nothing more', async () => {
      const hotline = buildTestHotline(handle, { clock, sender: twilio.sender() });
      twilio.answerNext({ status: 400, code: 21610 });
      const phone = createWorkerPhone(handle, hotline, '+66840000006');
      await phone.text('hello');
      const reply = await latestReply();
      expect(reply).toMatchObject({ status: 'failed', error_code: '21610' });
      const contact = await handle.db.selectFrom('contacts').select('is_opted_out').where('id', '=', reply.contact_id ?? '').executeTakeFirstOrThrow();
      expect(contact.is_opted_out).toBe(true);
      await phone.text('HELP');
      expect(twilio.requests).toHaveLength(1);
    });

    it('gives up after the last attempt and marks the message failed', async () => {
      const hotline = buildTestHotline(handle, { clock, sender: twilio.sender() });
      twilio.answerNext(...Array(6).fill({ status: 503 }));
      await createWorkerPhone(handle, hotline, '+66840000007').text('hello');
      for (let i = 0; i < 6; i += 1) await retryDueJobs(hotline, 3_600_000);
      expect(twilio.requests).toHaveLength(6);
      expect(await latestReply()).toMatchObject({ status: 'failed', error_code: '503' });
    });

    it('sends a message once even when its job runs twice', async () => {
      const hotline = buildTestHotline(handle, { clock, sender: twilio.sender() });
      await createWorkerPhone(handle, hotline, '+66840000008').text('hello');
      await handle.db.updateTable('jobs_outbox').set({ status: 'pending', run_after: clock.now() }).where('name', '=', 'sms.send').execute();
      await hotline.runJobs();
      expect(twilio.requests).toHaveLength(1);
    });

    it('never texts a demo contact, even with a Twilio account', async () => {
      const hotline = buildTestHotline(handle, { clock, sender: twilio.sender() });
      await createWorkerPhone(handle, hotline, '+66840000010').text('hello');
      const reply = await latestReply();
      await handle.db.updateTable('contacts').set({ conversation: JSON.stringify({ step: 'idle', demo: true }) }).where('id', '=', reply.contact_id ?? '').execute();
      const before = twilio.requests.length;
      await handle.db.updateTable('messages').set({ status: 'queued', provider_id: null }).where('id', '=', reply.id).execute();
      await handle.db.updateTable('jobs_outbox').set({ status: 'pending', run_after: clock.now() }).where('name', '=', 'sms.send').execute();
      await hotline.runJobs();
      expect(twilio.requests.length).toBe(before);
      expect((await latestReply()).status).toBe('recorded');
    });

    it('records instead of sending without a Twilio account, and logs no body or number', async () => {
      const { logger, lines } = createCapturingLogger('debug');
      const hotline = buildTestHotline(handle, { clock, logger });
      await createWorkerPhone(handle, hotline, '+66840000009').text('my boss took my passport');
      expect(await latestReply()).toMatchObject({ status: 'recorded', provider_id: null });
      const logged = lines().join('\n');
      expect(logged).toContain('recorded, not sent');
      expect(logged).not.toContain('66840000009');
      expect(logged).not.toContain('passport');
      expect(logged).not.toContain('Reply with numbers');
    });
  });

  describe('POST /webhooks/twilio/status', () => {
    async function sentReply(): Promise<{ hotline: TestHotline; id: string; sid: string }> {
      const hotline = buildTestHotline(handle, { clock, sender: twilio.sender() });
      await createWorkerPhone(handle, hotline, `+6685${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`).text('hello');
      const reply = await latestReply();
      return { hotline, id: reply.id, sid: reply.provider_id ?? '' };
    }

    function callback(hotline: TestHotline, id: string, sid: string, status: string, extra: Record<string, string> = {}) {
      return postSigned(hotline.app, `/webhooks/twilio/status?message=${id}`, { MessageSid: sid, MessageStatus: status, ...extra });
    }

    const orders: [string[], string][] = [
      [['sending', 'sent', 'delivered', 'read'], 'read'],
      [['read', 'delivered', 'sent', 'sending'], 'read'],
      [['delivered', 'sent', 'delivered', 'sent'], 'delivered'],
      [['sent', 'undelivered', 'delivered'], 'undelivered'],
      [['failed', 'sent', 'read'], 'failed'],
      [['sent', 'sent', 'sent'], 'sent'],
      [['sending', 'queued', 'accepted'], 'sending'],
    ];

    it.each(orders)('ends where it should when callbacks arrive as %j', async (sequence, final) => {
      const { hotline, id, sid } = await sentReply();
      for (const status of sequence) await callback(hotline, id, sid, status).expect(204);
      expect((await latestReply()).status).toBe(final);
    });

    it('ends the same whatever the order, with concurrent callbacks too', async () => {
      const { hotline, id, sid } = await sentReply();
      await Promise.all(['delivered', 'sent', 'sending', 'read', 'delivered'].map((status) => callback(hotline, id, sid, status)));
      expect((await latestReply()).status).toBe('read');
    });

    it('records the error code, and marks the contact opted out on 21610', async () => {
      const { hotline, id, sid } = await sentReply();
      await callback(hotline, id, sid, 'failed', { ErrorCode: '21610' }).expect(204);
      const reply = await latestReply();
      expect(reply).toMatchObject({ status: 'failed', error_code: '21610' });
      const contact = await handle.db.selectFrom('contacts').select('is_opted_out').where('id', '=', reply.contact_id ?? '').executeTakeFirstOrThrow();
      expect(contact.is_opted_out).toBe(true);
    });

    it('ignores a callback naming another message\'s provider id', async () => {
      const { hotline, id } = await sentReply();
      await callback(hotline, id, `SM${'9'.repeat(32)}`, 'delivered').expect(204);
      expect((await latestReply()).status).toBe('queued');
    });

    it('refuses an unsigned callback and changes nothing', async () => {
      const { hotline, id, sid } = await sentReply();
      const request = (await import('supertest')).default;
      await request(hotline.app).post(`/webhooks/twilio/status?message=${id}`).type('form').send({ MessageSid: sid, MessageStatus: 'delivered' }).expect(400);
      expect((await latestReply()).status).toBe('queued');
    });
  });
});
