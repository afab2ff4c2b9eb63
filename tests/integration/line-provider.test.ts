import crypto from 'node:crypto';
import express from 'express';
import request from 'supertest';
import { SendFailure, type InboundEvent, type OutboundMessage } from '../../src/channels/channel';
import { createLineSender, LINE_LIMITS } from '../../src/channels/line/line-sender';
import { LineSetupError, registerLineWebhook } from '../../src/channels/line/line-setup';
import { lineRoutes } from '../../src/channels/line/line.routes';
import { createErrorHandler, notFoundHandler } from '../../src/http/error-handler';
import { mountRoutes } from '../../src/http/routes';
import { createI18n } from '../../src/language/i18n';
import { createFakeClock } from '../support/clock';
import { FAKE_LINE_SECRET, FAKE_LINE_TOKEN, signLineBody, startFakeLine, type FakeLine } from '../support/fake-line';
import { silentLogger } from '../support/logger';

const WORKER = 'U4af4980629a1b2c3d4e5f60718293a4b';
const REPLY = '/v2/bot/message/reply';
const PUSH = '/v2/bot/message/push';

/** An outbound LINE message as the pipeline hands it over. */
function buildOutbound(overrides: Partial<OutboundMessage> = {}): OutboundMessage {
  return { messageId: crypto.randomUUID(), channel: 'line', to: WORKER, body: 'We received your message. Your case is K7M-4QX.', ...overrides };
}

async function sendFailureOf(promise: Promise<unknown>): Promise<SendFailure> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SendFailure) return error;
    throw error;
  }
  throw new Error('expected the send to fail');
}

describe('LINE provider', () => {
  let line: FakeLine;

  beforeAll(async () => {
    line = await startFakeLine();
  });
  afterAll(async () => {
    await line.close();
  });
  beforeEach(() => {
    line.requests.length = 0;
  });

  describe('sender', () => {
    it('replies with a valid reply token, free of charge', async () => {
      const sent = await createLineSender(line.config()).send(buildOutbound({ replyToken: 'token-fresh' }));
      expect(line.requests.map((r) => r.path)).toEqual([REPLY]);
      expect(line.requests[0]).toMatchObject({
        headers: { authorization: `Bearer ${FAKE_LINE_TOKEN}` },
        body: { replyToken: 'token-fresh', messages: [{ type: 'text', text: 'We received your message. Your case is K7M-4QX.' }] },
      });
      expect(sent).toEqual({ providerId: expect.stringMatching(/^line:\d+$/) as unknown, status: 'sent', billed: false });
    });

    it('pushes with our message id as retry key when there is no reply token, and marks it billed', async () => {
      const message = buildOutbound();
      const sent = await createLineSender(line.config()).send(message);
      expect(line.requests).toEqual([
        expect.objectContaining({ path: PUSH, headers: expect.objectContaining({ retryKey: message.messageId, authorization: `Bearer ${FAKE_LINE_TOKEN}` }) as unknown, body: { to: WORKER, messages: [{ type: 'text', text: message.body }] } }),
      ]);
      expect(sent).toMatchObject({ providerId: expect.stringMatching(/^line:\d+$/) as unknown, status: 'sent', billed: true });
    });

    it('falls back to a push when the reply token expired', async () => {
      line.expireReplyToken('token-stale');
      const message = buildOutbound({ replyToken: 'token-stale' });
      const sent = await createLineSender(line.config()).send(message);
      expect(line.requests.map((r) => r.path)).toEqual([REPLY, PUSH]);
      expect(line.requests[1]?.headers.retryKey).toBe(message.messageId);
      expect(sent.billed).toBe(true);
    });

    it('falls back to a push when the reply token was already used', async () => {
      const sender = createLineSender(line.config());
      await sender.send(buildOutbound({ replyToken: 'token-once' }));
      const second = await sender.send(buildOutbound({ replyToken: 'token-once' }));
      expect(line.requests.map((r) => r.path)).toEqual([REPLY, REPLY, PUSH]);
      expect(second.billed).toBe(true);
    });

    it('treats a repeated retry key (409) as already sent, so a retried job sends nothing twice', async () => {
      const sender = createLineSender(line.config());
      const message = buildOutbound();
      const first = await sender.send(message);
      const retried = await sender.send(message);
      expect(line.requestsTo(PUSH)).toHaveLength(2);
      expect(first.providerId).toMatch(/^line:\d+$/);
      expect(retried).toEqual({ providerId: `line:retry:${message.messageId}`, status: 'sent', billed: true });
    });

    it('offers at most 13 quick replies with labels of at most 20 characters, sending the choice value', async () => {
      const choices = Array.from({ length: 15 }, (_, index) => ({ label: `${index + 1}. Unpaid wages and overtime for last month`, value: String(index + 1) }));
      await createLineSender(line.config()).send(buildOutbound({ choices }));
      const [push] = line.requestsTo(PUSH);
      const items = (push?.body as { messages: { quickReply?: { items: { action: { type: string; label: string; text: string } }[] } }[] }).messages[0]?.quickReply?.items ?? [];
      expect(items).toHaveLength(LINE_LIMITS.quickReplyItems);
      for (const item of items) {
        expect(item.action.type).toBe('message');
        expect(item.action.label.length).toBeLessThanOrEqual(20);
      }
      expect(items[0]?.action).toEqual({ type: 'message', label: '1. Unpaid wages and…', text: '1' });
      expect(items.map((item) => item.action.text)).toEqual(choices.slice(0, 13).map((choice) => choice.value));
    });

    it('splits a text longer than 5000 characters into several messages, quick replies on the last', async () => {
      const body = 'ခ'.repeat(12_000);
      await createLineSender(line.config()).send(buildOutbound({ body, choices: [{ label: 'Yes', value: '1' }] }));
      const messages = (line.requestsTo(PUSH)[0]?.body as { messages: { text: string; quickReply?: unknown }[] }).messages;
      expect(messages.map((m) => m.text.length)).toEqual([5000, 5000, 2000]);
      expect(messages.map((m) => m.text).join('')).toBe(body);
      expect(messages.map((m) => m.quickReply !== undefined)).toEqual([false, false, true]);
    });

    it('refuses a text too long for one request without sending anything', async () => {
      const failure = await sendFailureOf(createLineSender(line.config()).send(buildOutbound({ body: 'x'.repeat(25_001) })));
      expect(failure).toMatchObject({ retriable: false, code: 'too_long' });
      expect(line.requests).toEqual([]);
    });

    it.each([
      [429, true, '429'],
      [500, true, '500'],
      [503, true, '503'],
      [400, false, '400'],
      [403, false, 'not_subscribed'],
      [404, false, 'not_subscribed'],
    ])('maps a push answered %i to a failure retriable=%s', async (status, retriable, code) => {
      line.answerNext({ status, body: { message: 'fake error' } });
      const failure = await sendFailureOf(createLineSender(line.config()).send(buildOutbound()));
      expect(failure).toMatchObject({ retriable, code, optedOut: false });
    });

    it('does not push when a reply fails for another reason than the token; a 5xx is retried', async () => {
      line.answerNext({ status: 500, body: { message: 'Internal server error' } });
      const failure = await sendFailureOf(createLineSender(line.config()).send(buildOutbound({ replyToken: 'token-5xx' })));
      expect(failure).toMatchObject({ retriable: true, code: '500' });
      expect(line.requests.map((r) => r.path)).toEqual([REPLY]);
    });

    it('retries a send whose connection dropped', async () => {
      line.answerNext('drop');
      const failure = await sendFailureOf(createLineSender(line.config()).send(buildOutbound()));
      expect(failure).toMatchObject({ retriable: true, code: 'network' });
    });

    it('retries a send LINE does not answer in time', async () => {
      line.answerNext('hang');
      const failure = await sendFailureOf(createLineSender(line.config(), { timeoutMs: 200 }).send(buildOutbound()));
      expect(failure).toMatchObject({ retriable: true, code: 'network' });
    });

    it('cannot send without a channel access token', async () => {
      const sender = createLineSender(line.config({ channelAccessToken: undefined }));
      expect(sender.canSend).toBe(false);
      expect(await sendFailureOf(sender.send(buildOutbound()))).toMatchObject({ retriable: false, code: 'not_configured' });
      expect(line.requests).toEqual([]);
    });
  });

  describe('webhook registration', () => {
    it('sets the webhook URL to PUBLIC_URL/webhooks/line', async () => {
      await expect(registerLineWebhook(line.config(), 'https://hotline.example.org/')).resolves.toBe('https://hotline.example.org/webhooks/line');
      expect(line.requests).toEqual([
        expect.objectContaining({ method: 'PUT', path: '/v2/bot/channel/webhook/endpoint', body: { endpoint: 'https://hotline.example.org/webhooks/line' }, headers: expect.objectContaining({ authorization: `Bearer ${FAKE_LINE_TOKEN}` }) as unknown }),
      ]);
    });

    it('says why when LINE refuses, when the URL is not https, or without an access token', async () => {
      line.answerNext({ status: 400, body: { message: 'Invalid webhook endpoint URL' } });
      await expect(registerLineWebhook(line.config(), 'https://hotline.example.org')).rejects.toThrow(/refused the webhook URL .*400/);
      await expect(registerLineWebhook(line.config(), 'http://localhost:3000')).rejects.toThrow(LineSetupError);
      await expect(registerLineWebhook(line.config({ channelAccessToken: undefined }), 'https://hotline.example.org')).rejects.toThrow(/LINE_CHANNEL_ACCESS_TOKEN/);
      expect(line.requests).toHaveLength(1);
    });
  });

  describe('webhook route', () => {
    const clock = createFakeClock();
    const received: InboundEvent[][] = [];
    const app = express();
    app.use(mountRoutes(express.Router(), lineRoutes({ clock, logger: silentLogger(), channelSecret: FAKE_LINE_SECRET, receive: async (events) => void received.push(events) }), () => Promise.resolve(undefined)));
    app.use(express.json());
    app.use(notFoundHandler);
    app.use(createErrorHandler(createI18n()));

    const body = JSON.stringify({
      destination: 'U0000000000000000000000000000000',
      events: [{ type: 'message', mode: 'active', timestamp: 1, webhookEventId: 'E1', source: { type: 'user', userId: WORKER }, replyToken: 'rt', message: { id: '42', type: 'text', text: 'ช่วยด้วย' } }],
    });
    const post = (payload: string, signature?: string) => {
      const test = request(app).post('/webhooks/line').set('Content-Type', 'application/json; charset=utf-8');
      return (signature === undefined ? test : test.set('X-Line-Signature', signature)).send(payload);
    };

    beforeEach(() => {
      received.length = 0;
    });

    it('stores the events of a signed webhook and answers 200', async () => {
      await post(body, signLineBody(body)).expect(200);
      expect(received).toEqual([[expect.objectContaining({ kind: 'message', providerId: 'line:42', address: WORKER, text: 'ช่วยด้วย', receivedAt: clock.now() })]]);
    });

    it('refuses a webhook without signature (400), with a wrong one or a tampered body (403)', async () => {
      await post(body).expect(400);
      await post(body, signLineBody(body, 'another-secret')).expect(403);
      await post(body.replace('ช่วยด้วย', 'hello'), signLineBody(body)).expect(403);
      expect(received).toEqual([]);
    });

    it('answers signed bad JSON and a malformed event with a 400 naming the field', async () => {
      const broken = '{"destination":"U0",';
      const badJson = await post(broken, signLineBody(broken)).expect(400);
      expect(JSON.stringify(badJson.body)).toContain('(body)');
      const noId = body.replace('"id":"42",', '');
      const malformed = await post(noId, signLineBody(noId)).expect(400);
      expect(JSON.stringify(malformed.body)).toContain('events.0.message.id');
      expect(received).toEqual([]);
    });

    it('refuses to check a signature over a body a JSON parser already read (the route must come first)', async () => {
      const wronglyWired = express();
      wronglyWired.use(express.json());
      wronglyWired.use(mountRoutes(express.Router(), lineRoutes({ clock, logger: silentLogger(), channelSecret: FAKE_LINE_SECRET, receive: async (events) => void received.push(events) }), () => Promise.resolve(undefined)));
      wronglyWired.use(createErrorHandler(createI18n()));
      await request(wronglyWired).post('/webhooks/line').set('Content-Type', 'application/json').set('X-Line-Signature', signLineBody(body)).send(body).expect(500);
      expect(received).toEqual([]);
    });
  });
});
