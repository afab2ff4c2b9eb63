import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LineConfig } from '../../src/config';

export const FAKE_LINE_SECRET = '8c5e2a7f1b3d4e6f9a0b1c2d3e4f5a6b';
export const FAKE_LINE_TOKEN = 'fake-line-channel-access-token';

/** One request LINE's API received. */
export interface FakeLineRequest {
  method: string;
  path: string;
  headers: { authorization?: string; retryKey?: string; contentType?: string };
  /** The JSON body, or undefined for a request without one. */
  body: unknown;
}

/** What the fake answers next: a status and a JSON body, a dropped connection, or no answer at all. */
export type FakeLineAnswer = { status: number; body?: unknown } | 'drop' | 'hang';

/** Signs a webhook body as LINE does: base64 HMAC-SHA256 of the exact bytes under the channel secret. */
export function signLineBody(body: string | Buffer, secret: string = FAKE_LINE_SECRET): string {
  return crypto.createHmac('sha256', secret).update(body).digest('base64');
}

/**
 * A local stand-in for LINE's Messaging API and its data API (message content) on one server.
 * Queued answers (`answerNext`) come first; otherwise it behaves as LINE does: a reply token
 * works once and not after `expireReplyToken`, a push with a retry key already accepted is 409.
 */
export async function startFakeLine() {
  const requests: FakeLineRequest[] = [];
  const answers: FakeLineAnswer[] = [];
  const usedReplyTokens = new Set<string>();
  const acceptedRetryKeys = new Set<string>();
  const contents = new Map<string, { contentType: string; bytes: Buffer }>();
  let counter = 0;
  const nextSent = () => ({ sentMessages: [{ id: String(500_000_000_000 + ++counter), quoteToken: `quote-${counter}` }] });

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const body = raw ? (JSON.parse(raw) as unknown) : undefined;
      const path = req.url ?? '';
      const retryKey = req.headers['x-line-retry-key'];
      requests.push({
        method: req.method ?? '',
        path,
        headers: { authorization: req.headers.authorization, retryKey: typeof retryKey === 'string' ? retryKey : undefined, contentType: req.headers['content-type'] },
        body,
      });
      const answer = answers.shift() ?? behave(req.method ?? '', path, body, typeof retryKey === 'string' ? retryKey : undefined, req.headers.authorization);
      if (answer === 'drop') {
        req.socket.destroy();
        return;
      }
      if (answer === 'hang') return;
      if ('bytes' in answer) {
        res.writeHead(200, { 'Content-Type': answer.contentType });
        res.end(answer.bytes);
        return;
      }
      res.writeHead(answer.status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(answer.body ?? {}));
    });
  });

  function behave(method: string, path: string, body: unknown, retryKey: string | undefined, authorization: string | undefined): { status: number; body?: unknown } | { contentType: string; bytes: Buffer } {
    if (authorization !== `Bearer ${FAKE_LINE_TOKEN}`) return { status: 401, body: { message: 'Authentication failed. Confirm that the access token in the authorization header is valid.' } };
    if (method === 'POST' && path === '/v2/bot/message/reply') {
      const token = typeof body === 'object' && body !== null && 'replyToken' in body ? String(body.replyToken) : '';
      if (usedReplyTokens.has(token)) return { status: 400, body: { message: 'Invalid reply token' } };
      usedReplyTokens.add(token);
      return { status: 200, body: nextSent() };
    }
    if (method === 'POST' && path === '/v2/bot/message/push') {
      if (retryKey && acceptedRetryKeys.has(retryKey)) return { status: 409, body: { message: 'The retry key is already accepted' } };
      if (retryKey) acceptedRetryKeys.add(retryKey);
      return { status: 200, body: nextSent() };
    }
    if (method === 'PUT' && path === '/v2/bot/channel/webhook/endpoint') return { status: 200, body: {} };
    const content = /^\/v2\/bot\/message\/([^/]+)\/content$/.exec(path);
    if (method === 'GET' && content?.[1]) {
      const stored = contents.get(decodeURIComponent(content[1]));
      return stored ?? { status: 404, body: { message: 'Not found' } };
    }
    return { status: 404, body: { message: 'Not found' } };
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;

  return {
    baseUrl,
    requests,
    /** Requests to one endpoint, e.g. `/v2/bot/message/push`. */
    requestsTo: (path: string) => requests.filter((request) => request.path === path),
    answerNext: (...next: FakeLineAnswer[]) => answers.push(...next),
    /** The token stops working, as LINE's does a minute after the event. */
    expireReplyToken: (token: string) => usedReplyTokens.add(token),
    /** What the data API serves for a message's content. */
    setContent: (messageId: string, contentType: string, bytes: Buffer) => contents.set(messageId, { contentType, bytes }),
    /** The configuration production would have, pointed at this fake for both APIs. */
    config: (overrides: Partial<LineConfig> = {}): LineConfig => ({
      channelSecret: FAKE_LINE_SECRET,
      channelAccessToken: FAKE_LINE_TOKEN,
      apiBaseUrl: baseUrl,
      dataApiBaseUrl: baseUrl,
      ...overrides,
    }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type FakeLine = Awaited<ReturnType<typeof startFakeLine>>;
