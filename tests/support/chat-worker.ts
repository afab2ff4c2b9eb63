import crypto from 'node:crypto';
import request from 'supertest';
import type { TestHotline } from './app';
import { signLineBody } from './fake-line';
import { signViberBody } from './fake-viber';

// Workers on LINE and Viber, as the providers' webhooks would bring them: each call posts one
// signed event and runs the jobs it caused.

const LINE_DESTINATION = 'U0000000000000000000000000000hot';

/** One LINE user writing to the hotline's official account. */
export function createLineWorker(hotline: TestHotline, userId = `U${crypto.randomBytes(16).toString('hex')}`) {
  let sequence = 0;
  const next = () => ++sequence;
  async function post(event: Record<string, unknown>) {
    const body = JSON.stringify({ destination: LINE_DESTINATION, events: [event] });
    await request(hotline.app).post('/webhooks/line').set('Content-Type', 'application/json').set('X-Line-Signature', signLineBody(body)).send(body).expect(200);
    await hotline.runJobs();
    return body;
  }
  const base = () => {
    const n = next();
    return { webhookEventId: `01H${userId.slice(1, 10)}${n}`, timestamp: Date.now(), mode: 'active', source: { type: 'user', userId }, deliveryContext: { isRedelivery: false }, n };
  };
  return {
    userId,
    /** The reply token of the n-th event this worker sent. */
    replyTokenOf: (n: number) => `reply-${userId}-${n}`,
    async text(text: string) {
      const { n, ...rest } = base();
      return post({ type: 'message', ...rest, replyToken: `reply-${userId}-${n}`, message: { type: 'text', id: `${Date.now()}${n}${crypto.randomInt(1000)}`, text } });
    },
    async follow() {
      const { n, ...rest } = base();
      return post({ type: 'follow', ...rest, replyToken: `reply-${userId}-${n}` });
    },
    async unfollow() {
      const { n: _n, ...rest } = base();
      return post({ type: 'unfollow', ...rest });
    },
    /** Sends a photo, voice note or file held by LINE under `contentId` (serve it with the fake's setContent). */
    async media(type: 'image' | 'audio' | 'file', contentId: string) {
      const { n, ...rest } = base();
      const message = type === 'file' ? { type, id: contentId, fileName: 'payslip.pdf', fileSize: 1000 } : { type, id: contentId, contentProvider: { type: 'line' }, ...(type === 'audio' ? { duration: 3000 } : {}) };
      return post({ type: 'message', ...rest, replyToken: `reply-${userId}-${n}`, message });
    },
    async sticker(keywords: string[]) {
      const { n, ...rest } = base();
      return post({ type: 'message', ...rest, replyToken: `reply-${userId}-${n}`, message: { type: 'sticker', id: `${Date.now()}${n}`, packageId: '446', stickerId: '1988', keywords } });
    },
    /** Posts a body exactly as given (a redelivery of an earlier one). */
    async repost(body: string) {
      await request(hotline.app).post('/webhooks/line').set('Content-Type', 'application/json').set('X-Line-Signature', signLineBody(body)).send(body).expect(200);
      await hotline.runJobs();
    },
  };
}

/** One Viber user writing to the hotline's bot. */
export function createViberWorker(hotline: TestHotline, userId = `${crypto.randomBytes(16).toString('base64').replace(/[^A-Za-z0-9]/g, '')}==`) {
  let token = 5_000_000_000_000_000_000n + BigInt(crypto.randomInt(1_000_000)) * 1000n;
  async function post(body: string) {
    await request(hotline.app).post('/webhooks/viber').set('Content-Type', 'application/json').set('X-Viber-Content-Signature', signViberBody(body)).send(body).expect(200);
    await hotline.runJobs();
    return body;
  }
  const user = { id: userId, name: 'Worker Name', avatar: 'https://avatar.example/x.jpg', country: 'TH', language: 'th', api_version: 10 };
  return {
    userId,
    /** Opens the chat; returns Viber's answer to the callback (where a welcome goes). */
    async conversationStarted(): Promise<Record<string, unknown>> {
      token += 1n;
      const body = `{"event":"conversation_started","timestamp":${Date.now()},"message_token":${token},"type":"open","user":${JSON.stringify(user)},"subscribed":false}`;
      const answer = await request(hotline.app).post('/webhooks/viber').set('Content-Type', 'application/json').set('X-Viber-Content-Signature', signViberBody(body)).send(body).expect(200);
      await hotline.runJobs();
      return answer.body as Record<string, unknown>;
    },
    async text(text: string) {
      token += 1n;
      return post(`{"event":"message","timestamp":${Date.now()},"message_token":${token},"sender":${JSON.stringify(user)},"message":${JSON.stringify({ type: 'text', text })}}`);
    },
    /** Sends a picture or a file at `url` (Viber's media CDN), with an optional caption. */
    async media(type: 'picture' | 'file', url: string, caption?: string) {
      token += 1n;
      const message = { type, media: url, ...(caption ? { text: caption } : {}), ...(type === 'file' ? { file_name: 'payslip.pdf', size: 1000 } : {}) };
      return post(`{"event":"message","timestamp":${Date.now()},"message_token":${token},"sender":${JSON.stringify(user)},"message":${JSON.stringify(message)}}`);
    },
    async unsubscribed() {
      return post(`{"event":"unsubscribed","timestamp":${Date.now()},"user_id":${JSON.stringify(userId)},"message_token":${token + 7n}}`);
    },
    /** Viber's receipt for one of our messages (its message token as digits). */
    async receipt(event: 'delivered' | 'seen' | 'failed', messageToken: string) {
      return post(`{"event":"${event}","timestamp":${Date.now()},"message_token":${messageToken},"user_id":${JSON.stringify(userId)}${event === 'failed' ? ',"desc":"failure reason"' : ''}}`);
    },
    async repost(body: string) {
      await post(body);
    },
  };
}
