import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ViberConfig } from '../../src/config';
import { viberSignatureOf } from '../../src/channels/viber/viber-signature';

export const FAKE_VIBER_TOKEN = '4453b6ac12345678-e02c5f12174805f9-daec9cbb5448c51f';

/** One request Viber's REST API received. */
export interface FakeViberRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

/** What the fake answers next: an HTTP status and a JSON body, or a dropped connection. */
export type FakeViberAnswer = { http?: number; json: Record<string, unknown> } | 'drop';

/**
 * A local stand-in for Viber's /pa/send_message and /pa/set_webhook. Answers are queued with
 * `answerNext`; with none queued it accepts, with message tokens as large as Viber's (beyond a
 * JavaScript number's exact range, written as raw JSON digits).
 */
export async function startFakeViber() {
  const requests: FakeViberRequest[] = [];
  const answers: FakeViberAnswer[] = [];
  let token = 5741311803571721087n;
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      requests.push({ path: req.url ?? '', headers: req.headers, body: text ? JSON.parse(text) : undefined });
      const answer = answers.shift();
      if (answer === 'drop') {
        req.socket.destroy();
        return;
      }
      res.setHeader('Content-Type', 'application/json');
      if (answer) {
        res.statusCode = answer.http ?? 200;
        res.end(JSON.stringify(answer.json));
        return;
      }
      token += 1n;
      res.end(req.url === '/pa/send_message'
        ? `{"status":0,"status_message":"ok","message_token":${token},"chat_hostname":"SN-CHAT-01_"}`
        : '{"status":0,"status_message":"ok","event_types":["delivered","seen","failed"]}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    requests,
    answerNext: (...next: FakeViberAnswer[]) => answers.push(...next),
    /** The token the next accepted message gets, as a string of digits. */
    nextToken: () => String(token + 1n),
    /** Configuration as production would have it, pointing at this fake. */
    config: (overrides: Partial<ViberConfig> = {}): ViberConfig => ({
      authToken: FAKE_VIBER_TOKEN,
      botName: 'Migrant Hotline',
      apiBaseUrl: `http://127.0.0.1:${port}`,
      ...overrides,
    }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type FakeViber = Awaited<ReturnType<typeof startFakeViber>>;

/** Signs a webhook body as Viber does: hex HMAC-SHA256 of the exact bytes, keyed with the token. */
export function signViberBody(body: string, token: string = FAKE_VIBER_TOKEN): string {
  return viberSignatureOf(body, token);
}
