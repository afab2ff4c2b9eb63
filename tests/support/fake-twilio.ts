import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTwilioSender } from '../../src/channels/sms/twilio-sender';
import type { MessageSender } from '../../src/channels/senders';

export const FAKE_ACCOUNT_SID = `AC${'1'.repeat(32)}`;
export const FAKE_AUTH_TOKEN = '0123456789abcdef0123456789abcdef';

/** One request Twilio's REST API received. */
export interface FakeTwilioRequest {
  path: string;
  form: Record<string, string>;
}

/** What the fake answers next: a status and a Twilio error code, or a dropped connection. */
export type FakeAnswer = { status: number; code?: number } | 'drop';

/**
 * A local stand-in for Twilio's Messages API. Answers are queued with `answerNext`; with none
 * queued it accepts the message (201, status "queued").
 */
export async function startFakeTwilio() {
  const requests: FakeTwilioRequest[] = [];
  const answers: FakeAnswer[] = [];
  let counter = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const form = Object.fromEntries(new URLSearchParams(body));
      requests.push({ path: req.url ?? '', form });
      const answer = answers.shift() ?? { status: 201 };
      if (answer === 'drop') {
        req.socket.destroy();
        return;
      }
      res.setHeader('Content-Type', 'application/json');
      if (answer.status >= 400) {
        res.statusCode = answer.status;
        res.end(JSON.stringify({ code: answer.code ?? answer.status, message: 'fake error', status: answer.status }));
        return;
      }
      counter += 1;
      res.statusCode = 201;
      res.end(JSON.stringify({ sid: `SM${counter.toString(16).padStart(32, '0')}`, status: 'queued', to: form['To'], body: form['Body'] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    requests,
    answerNext: (...next: FakeAnswer[]) => answers.push(...next),
    /** A sender configured as production would be, pointed at this fake by TWILIO_API_BASE_URL; Messenger sends only with `messengerFrom`. */
    sender(config: { from?: string; messagingServiceSid?: string; messengerFrom?: string } = { from: '+66900000000' }): MessageSender {
      return createTwilioSender(
        {
          accountSid: FAKE_ACCOUNT_SID,
          authToken: FAKE_AUTH_TOKEN,
          from: config.from,
          messagingServiceSid: config.messagingServiceSid,
          canSend: true,
          messengerFrom: config.messengerFrom,
          whatsappTemplateSid: undefined,
          apiBaseUrl: `http://127.0.0.1:${port}`,
        },
      );
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type FakeTwilio = Awaited<ReturnType<typeof startFakeTwilio>>;
