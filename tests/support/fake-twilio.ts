import crypto from 'node:crypto';
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
  // Media as Twilio serves it: the API answers GET with a 307 to its storage CDN (no credentials
  // there) and deletes on DELETE; `mediaAnswers` can fail the next GETs of one media id.
  const media = new Map<string, { contentType: string; bytes: Buffer }>();
  const mediaRequests: { method: string; path: string; authorization: string | undefined }[] = [];
  const mediaAnswers = new Map<string, number[]>();
  const deletedMedia: string[] = [];
  // Call recordings as Twilio serves them: GET of the resource with a .wav or .mp3 suffix (with the
  // account's credentials), DELETE of the resource itself.
  const recordings = new Map<string, Buffer>();
  const recordingAnswers = new Map<string, number[]>();
  const deletedRecordings: string[] = [];
  // Outbound calls (call-backs): each POST to Calls.json it was asked to make, with its credentials,
  // and each change asked of a call (Calls/CA….json, e.g. Status=completed).
  const calls: (FakeTwilioRequest & { sid: string; authorization: string | undefined })[] = [];
  const callUpdates: (FakeTwilioRequest & { sid: string })[] = [];
  // Erasure: DELETEs of messages, media and recordings, each recorded; `failDeletes` makes the next
  // DELETEs (of any of them) answer these statuses instead.
  const deleteRequests: { path: string; authorization: string | undefined; status: number }[] = [];
  const deleteAnswers: number[] = [];
  const deletedMessages: string[] = [];
  const deletedCalls: string[] = [];
  const credentials = `Basic ${Buffer.from(`${FAKE_ACCOUNT_SID}:${FAKE_AUTH_TOKEN}`).toString('base64')}`;
  const server = http.createServer((req, res) => {
    if (req.method === 'DELETE') {
      res.on('finish', () => deleteRequests.push({ path: req.url ?? '', authorization: req.headers.authorization, status: res.statusCode }));
      const failWith = req.headers.authorization === credentials ? deleteAnswers.shift() : undefined;
      if (failWith) {
        res.writeHead(failWith).end();
        return;
      }
    }
    const messagePath = /^\/2010-04-01\/Accounts\/AC[0-9a-f]{32}\/Messages\/((?:SM|MM)[0-9a-f]{32})(\.json)?$/.exec(req.url ?? '');
    if (messagePath?.[1] && req.method === 'DELETE') {
      if (req.headers.authorization !== credentials) res.writeHead(401).end();
      else if (deletedMessages.includes(messagePath[1])) res.writeHead(404).end();
      else {
        deletedMessages.push(messagePath[1]);
        res.writeHead(204).end();
      }
      return;
    }
    // A call's log: every well-formed sid is deleted once; then 404.
    const callLogPath = /^\/2010-04-01\/Accounts\/AC[0-9a-f]{32}\/Calls\/(CA[0-9a-f]{32})\.json$/.exec(req.url ?? '');
    if (callLogPath?.[1] && req.method === 'DELETE') {
      if (req.headers.authorization !== credentials) res.writeHead(401).end();
      else if (deletedCalls.includes(callLogPath[1])) res.writeHead(404).end();
      else {
        deletedCalls.push(callLogPath[1]);
        res.writeHead(204).end();
      }
      return;
    }
    const recordingPath = /^\/2010-04-01\/Accounts\/AC[0-9a-f]{32}\/Recordings\/(RE[0-9a-f]{32})(\.wav|\.mp3|\.json)?$/.exec(req.url ?? '');
    if (recordingPath?.[1]) {
      const id = recordingPath[1];
      mediaRequests.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization });
      const stored = recordings.get(id);
      const failWith = req.method === 'GET' ? recordingAnswers.get(id)?.shift() : undefined;
      if (req.headers.authorization !== `Basic ${Buffer.from(`${FAKE_ACCOUNT_SID}:${FAKE_AUTH_TOKEN}`).toString('base64')}`) res.writeHead(401).end();
      else if (failWith) res.writeHead(failWith).end();
      else if (!stored) res.writeHead(404).end();
      else if (req.method === 'DELETE' && recordingPath[2] !== '.wav' && recordingPath[2] !== '.mp3') {
        recordings.delete(id);
        deletedRecordings.push(id);
        res.writeHead(204).end();
      } else if (req.method === 'GET' && recordingPath[2] === '.wav') {
        res.writeHead(200, { 'content-type': 'audio/x-wav', 'content-length': stored.length }).end(stored);
      } else res.writeHead(404).end();
      return;
    }
    const mediaPath = /^\/2010-04-01\/Accounts\/AC[0-9a-f]{32}\/Messages\/MM[0-9a-f]{32}\/Media\/(ME[0-9a-f]{32})(?:\.json)?$/.exec(req.url ?? '');
    const cdnPath = /^\/cdn\/(ME[0-9a-f]{32})$/.exec(req.url ?? '');
    if (mediaPath?.[1] || cdnPath?.[1]) {
      const id = (mediaPath?.[1] ?? cdnPath?.[1]) as string;
      mediaRequests.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization });
      const failWith = mediaPath ? mediaAnswers.get(id)?.shift() : undefined;
      const stored = media.get(id);
      if (failWith) res.writeHead(failWith).end();
      else if (mediaPath && req.headers.authorization !== `Basic ${Buffer.from(`${FAKE_ACCOUNT_SID}:${FAKE_AUTH_TOKEN}`).toString('base64')}`) res.writeHead(401).end();
      else if (!stored) res.writeHead(404).end();
      else if (mediaPath && req.method === 'DELETE') {
        media.delete(id);
        deletedMedia.push(id);
        res.writeHead(204).end();
      } else if (mediaPath) res.writeHead(307, { location: `/cdn/${id}` }).end();
      else res.writeHead(200, { 'content-type': stored.contentType, 'content-length': stored.bytes.length }).end(stored.bytes);
      return;
    }
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const form = Object.fromEntries(new URLSearchParams(body));
      requests.push({ path: req.url ?? '', form });
      const callsPath = /^\/2010-04-01\/Accounts\/(AC[0-9a-f]{32})\/Calls(?:\/(CA[0-9a-f]{32}))?\.json$/.exec(req.url ?? '');
      if (callsPath) {
        res.setHeader('Content-Type', 'application/json');
        const callAnswer = answers.shift() ?? { status: 201 };
        if (callAnswer === 'drop') {
          req.socket.destroy();
        } else if (req.headers.authorization !== `Basic ${Buffer.from(`${FAKE_ACCOUNT_SID}:${FAKE_AUTH_TOKEN}`).toString('base64')}`) {
          res.writeHead(401).end(JSON.stringify({ code: 20003, message: 'Authenticate', status: 401 }));
        } else if (callAnswer.status >= 400) {
          res.writeHead(callAnswer.status).end(JSON.stringify({ code: callAnswer.code ?? callAnswer.status, message: 'fake error', status: callAnswer.status }));
        } else if (callsPath[2]) {
          callUpdates.push({ path: req.url ?? '', form, sid: callsPath[2] });
          res.writeHead(200).end(JSON.stringify({ sid: callsPath[2], status: form['Status'] ?? 'in-progress' }));
        } else {
          counter += 1;
          const sid = `CA${counter.toString(16).padStart(32, '0')}`;
          calls.push({ path: req.url ?? '', form, sid, authorization: req.headers.authorization });
          res.writeHead(201).end(JSON.stringify({ sid, status: 'queued', to: form['To'], from: form['From'] }));
        }
        return;
      }
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
    /** The outbound calls (Calls.json) it was asked to make, in order, with their CallSid. */
    calls,
    /** The changes asked of calls (Calls/CA….json), e.g. ending one. */
    callUpdates,
    /** TWILIO_API_BASE_URL pointing at this fake. */
    baseUrl: `http://127.0.0.1:${port}`,
    /** Serves a file as Twilio's Media resource of a new inbound message; its MediaUrl. */
    addMedia(bytes: Buffer, contentType: string): string {
      const id = `ME${crypto.randomBytes(16).toString('hex')}`;
      media.set(id, { contentType, bytes });
      return `http://127.0.0.1:${port}/2010-04-01/Accounts/${FAKE_ACCOUNT_SID}/Messages/MM${crypto.randomBytes(16).toString('hex')}/Media/${id}`;
    },
    /** The next GETs of this media answer these HTTP statuses (e.g. 503) before serving it. */
    failMedia: (url: string, ...statuses: number[]) => mediaAnswers.set(url.slice(-34), statuses),
    /** Serves audio as a new call recording; its RecordingSid and RecordingUrl (without suffix, as Twilio posts it). */
    addRecording(wav: Buffer): { sid: string; url: string } {
      const sid = `RE${crypto.randomBytes(16).toString('hex')}`;
      recordings.set(sid, wav);
      return { sid, url: `http://127.0.0.1:${port}/2010-04-01/Accounts/${FAKE_ACCOUNT_SID}/Recordings/${sid}` };
    },
    /** The next GETs of this recording answer these HTTP statuses before serving it. */
    failRecording: (sid: string, ...statuses: number[]) => recordingAnswers.set(sid, statuses),
    /** Recording sids deleted through the API. */
    deletedRecordings,
    mediaRequests,
    /** Media ids deleted through the API. */
    deletedMedia,
    /** Message sids deleted through the API (every well-formed sid is deleted once; then 404). */
    deletedMessages,
    /** Call sids whose log was deleted through the API (every well-formed sid once; then 404). */
    deletedCalls,
    /** Every DELETE it received (messages, media, recordings, calls), with the status it answered. */
    deleteRequests,
    /** The next DELETEs, of any kind, answer these HTTP statuses (e.g. 500) instead. */
    failDeletes: (...statuses: number[]) => deleteAnswers.push(...statuses),
    /** Media configuration as production would have it, pointed at this fake. */
    mediaConfig: () => ({ accountSid: FAKE_ACCOUNT_SID, authToken: FAKE_AUTH_TOKEN, apiBaseUrl: `http://127.0.0.1:${port}` }),
    /** A hotline's media settings with Twilio at this fake and no LINE or Viber (the voice line's tests). */
    twilioOnlyMedia: () => ({
      twilio: { accountSid: FAKE_ACCOUNT_SID, authToken: FAKE_AUTH_TOKEN, apiBaseUrl: `http://127.0.0.1:${port}` },
      line: { channelAccessToken: undefined, dataApiBaseUrl: 'https://api-data.line.me' },
      viber: { apiBaseUrl: 'https://chatapi.viber.com' },
    }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type FakeTwilio = Awaited<ReturnType<typeof startFakeTwilio>>;
