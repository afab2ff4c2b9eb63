import fs from 'node:fs';
import request from 'supertest';
import twilio from 'twilio';
import type { DatabaseHandle } from '../../src/db/database';
import { buildTestHotline, TEST_AUTH_TOKEN, TEST_PUBLIC_URL, type TestHotline } from '../support/app';
import { openTestDatabase, truncate, usingRealPostgres } from '../support/database';
import { inboundSms, messageSid, postSigned } from '../support/twilio-webhook';
import { openStored } from '../support/sealed';

const PATH = '/webhooks/twilio/messaging';

async function count(handle: DatabaseHandle, table: 'messages' | 'jobs_outbox' | 'contacts' | 'cases' | 'case_events'): Promise<number> {
  const row = await handle.db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('POST /webhooks/twilio/messaging', () => {
  let handle: DatabaseHandle;
  let hotline: TestHotline;

  beforeAll(async () => {
    handle = await openTestDatabase();
    hotline = buildTestHotline(handle);
  });
  afterAll(async () => {
    await handle.close();
  });
  beforeEach(async () => {
    await truncate(handle, ['jobs_outbox', 'case_events', 'messages', 'cases', 'contacts']);
  });

  describe('signature', () => {
    const params = () => inboundSms('+66812345678', 'hello');

    it('accepts a request signed for the public URL and answers TwiML', async () => {
      const response = await postSigned(hotline.app, PATH, params()).expect(200);
      expect(response.headers['content-type']).toMatch(/text\/xml/);
      expect(response.text).toBe('<?xml version="1.0" encoding="UTF-8"?><Response></Response>');
      expect(await count(handle, 'messages')).toBe(1);
    });

    it('accepts it behind a proxy: the internal host differs, the public URL is what counts', async () => {
      // supertest connects to 127.0.0.1 over http; Twilio signed https://hotline.example.org.
      await postSigned(hotline.app, PATH, params()).set('Host', 'internal-web-7:3000').set('X-Forwarded-Proto', 'http').expect(200);
    });

    it.each([
      ['a missing signature', 400, 'signature_missing', (p: Record<string, string>) => request(hotline.app).post(PATH).type('form').send(p)],
      ['a tampered parameter', 403, 'signature_invalid', (p: Record<string, string>) => {
        const signature = twilio.getExpectedTwilioSignature(TEST_AUTH_TOKEN, `${TEST_PUBLIC_URL}${PATH}`, p);
        return request(hotline.app).post(PATH).type('form').set('X-Twilio-Signature', signature).send({ ...p, Body: 'changed' });
      }],
      ['another auth token', 403, 'signature_invalid', (p: Record<string, string>) => postSigned(hotline.app, PATH, p, { authToken: 'f'.repeat(32) })],
      ['http instead of https', 403, 'signature_invalid', (p: Record<string, string>) =>
        postSigned(hotline.app, PATH, p, { signedUrl: `http://hotline.example.org${PATH}` })],
      ['the internal host instead of the public URL', 403, 'signature_invalid', (p: Record<string, string>) =>
        postSigned(hotline.app, PATH, p, { signedUrl: `http://internal-web-7:3000${PATH}` })],
      ['another path', 403, 'signature_invalid', (p: Record<string, string>) =>
        postSigned(hotline.app, PATH, p, { signedUrl: `${TEST_PUBLIC_URL}/webhooks/twilio/status` })],
    ])('refuses %s (%i) and writes and queues nothing', async (_name, status, code, send) => {
      const response = await send(params()).expect(status);
      expect(response.body.error.code).toBe(code);
      expect(await count(handle, 'messages')).toBe(0);
      expect(await count(handle, 'contacts')).toBe(0);
      expect(await count(handle, 'jobs_outbox')).toBe(0);
    });

    it('refuses every webhook when no auth token is configured (it cannot verify them)', async () => {
      const unverifiable = buildTestHotline(handle, { twilioAuthToken: undefined });
      await postSigned(unverifiable.app, PATH, params()).expect(503);
      expect(await count(handle, 'messages')).toBe(0);
    });
  });

  describe('store first', () => {
    it('commits the sealed message and its processing job before answering', async () => {
      const params = inboundSms('+66812345678', 'Boss keeps my passport');
      await postSigned(hotline.app, PATH, params).expect(200);
      const message = await handle.db.selectFrom('messages').selectAll().executeTakeFirstOrThrow();
      expect(message).toMatchObject({ provider_id: params['MessageSid'], direction: 'in', status: 'received', channel: 'sms' });
      expect(message.body_encrypted).not.toContain('passport');
      expect(await openStored(handle.db, hotline.cipher, message.body_encrypted)).toBe('Boss keeps my passport');
      const jobs = await handle.db.selectFrom('jobs_outbox').select(['name', 'payload']).execute();
      expect(jobs).toEqual([{ name: 'sms.process_inbound', payload: { contactId: message.contact_id } }]);
    });

    it('answers a replay with the same TwiML and stores nothing twice', async () => {
      const params = inboundSms('+66812345678', 'hello');
      const first = await postSigned(hotline.app, PATH, params).expect(200);
      const again = await postSigned(hotline.app, PATH, params).expect(200);
      expect(again.text).toBe(first.text);
      await hotline.runJobs();
      await postSigned(hotline.app, PATH, params).expect(200);
      await hotline.runJobs();
      expect(await count(handle, 'messages')).toBe(2); // the inbound message and one reply
      expect(await count(handle, 'jobs_outbox')).toBe(2); // its processing and the reply's send
      expect(await count(handle, 'cases')).toBe(1);
    });

    const concurrency = usingRealPostgres() ? 'against real PostgreSQL' : 'on the embedded database';
    it(`stores 50 concurrent duplicates of one MessageSid once, with one case event and one job (${concurrency})`, async () => {
      const params = inboundSms('+66899999999', 'ငွေမရဘူး');
      const responses = await Promise.all(Array.from({ length: 50 }, () => postSigned(hotline.app, PATH, params)));
      expect(responses.map((response) => response.status)).toEqual(Array(50).fill(200));
      expect(new Set(responses.map((response) => response.text)).size).toBe(1);
      expect(await count(handle, 'messages')).toBe(1);
      expect(await count(handle, 'contacts')).toBe(1);
      expect(await count(handle, 'jobs_outbox')).toBe(1);
      await hotline.runJobs();
      const events = await handle.db.selectFrom('case_events').select('type').where('actor_kind', '=', 'worker').execute();
      expect(events).toEqual([{ type: 'case.opened' }]);
    });

    it('records media as sealed references without fetching them', async () => {
      const params = inboundSms('whatsapp:+66812345678', '', {
        NumMedia: '1',
        MediaUrl0: 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1',
        MediaContentType0: 'image/jpeg',
      });
      await postSigned(hotline.app, PATH, params).expect(200);
      const message = await handle.db.selectFrom('messages').select(['media', 'channel']).executeTakeFirstOrThrow();
      expect(message.channel).toBe('whatsapp');
      const [media] = message.media as { contentType: string; url: string }[];
      expect(media?.contentType).toBe('image/jpeg');
      expect(media?.url).not.toContain('api.twilio.com');
      expect(await openStored(handle.db, hotline.cipher, media?.url)).toBe('https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1');
    });

    it('stores a body over 1,600 characters and one with control characters, keeping the raw text', async () => {
      await postSigned(hotline.app, PATH, inboundSms('+66811111111', 'x'.repeat(2000))).expect(200);
      await postSigned(hotline.app, PATH, inboundSms('+66822222222', 'pay\u0000 me\u0007')).expect(200);
      const rows = await handle.db.selectFrom('messages').select(['body_encrypted', 'raw_body_encrypted']).orderBy('sequence').execute();
      expect(await openStored(handle.db, hotline.cipher, rows[0]?.body_encrypted)).toHaveLength(2000);
      expect(await openStored(handle.db, hotline.cipher, rows[1]?.body_encrypted)).toBe('pay me');
      expect(await openStored(handle.db, hotline.cipher, rows[1]?.raw_body_encrypted)).toBe('pay\u0000 me\u0007');
    });

    it.each([
      ['no MessageSid', { From: '+66812345678', Body: 'hi' }, 'MessageSid'],
      ['no From', { MessageSid: messageSid(), Body: 'hi' }, 'From'],
      ['a malformed From', { MessageSid: messageSid(), From: '0812345678', Body: 'hi' }, 'From'],
      ['a malformed MessageSid', { MessageSid: 'SM123', From: '+66812345678', Body: 'hi' }, 'MessageSid'],
    ])('answers %s with a 400 naming the field, never a 500', async (_name, params, field) => {
      const response = await postSigned(hotline.app, PATH, params as Record<string, string>).expect(400);
      expect(response.body.error.code).toBe('validation_failed');
      expect(response.body.error.fields.map((issue: { field: string }) => issue.field)).toContain(field);
      expect(await count(handle, 'messages')).toBe(0);
    });

    it('spools the message when the database fails, answers normally, and stores it once the database is back', async () => {
      const broken = await openTestDatabase();
      const spooling = buildTestHotline(broken);
      await broken.close();
      const params = inboundSms('+66833333333', 'the police took my friend');
      const response = await postSigned(spooling.app, PATH, params).expect(200);
      expect(response.text).toContain('<Response>');
      const files = fs.readdirSync(spooling.spoolDir);
      expect(files).toHaveLength(1);
      expect(fs.readFileSync(`${spooling.spoolDir}/${files[0]}`, 'utf8')).not.toContain('police');

      // The same spool, read by a process whose database answers.
      const recovered = buildTestHotline(handle, { cipher: spooling.cipher });
      fs.renameSync(`${spooling.spoolDir}/${files[0]}`, `${recovered.spoolDir}/${files[0]}`);
      expect(await recovered.inbound.drainSpool()).toBe(1);
      expect(fs.readdirSync(recovered.spoolDir)).toHaveLength(0);
      const message = await handle.db.selectFrom('messages').select(['provider_id', 'body_encrypted']).executeTakeFirstOrThrow();
      expect(message.provider_id).toBe(params['MessageSid']);
      expect(await openStored(handle.db, recovered.cipher, message.body_encrypted)).toBe('the police took my friend');
    });
  });
});
