import http from 'node:http';
import type { AddressInfo } from 'node:net';

// Stand-ins for the providers' sending APIs (Twilio, LINE, Viber) on one local server, for the
// pipeline benchmark: each accepts at once, as the real APIs do, and records when each message
// arrived, for whom, and the ids that must never repeat (our message id in Twilio's status
// callback, LINE's reply token or retry key). Twilio's recordings (the voice line's messages) are
// served as one short WAV under any recording sid, and their deletion is counted.

/** One message a provider was asked to send. */
export interface ProviderArrival {
  /** The person, written as the benchmark writes it: `+66…`, `whatsapp:+66…`, `messenger:…`, `line:U…`, `viber:…`. */
  recipient: string;
  at: number;
  /** An id that identifies one send of one of our messages, or undefined when the API carries none (Viber). */
  sendId: string | undefined;
}

export interface ProviderFakes {
  baseUrl: string;
  /** Recordings fetched (GET of a .wav) and deleted (DELETE), by recording sid. */
  recordings: { fetched: Set<string>; deleted: Set<string> };
  arrivals: ProviderArrival[];
  /** When the first message for each recipient arrived (performance.now()). */
  firstArrival: Map<string, number>;
  /** Called on every arrival (the benchmark waits on it). */
  onArrival: (listener: () => void) => void;
  reset: () => void;
  close: () => Promise<void>;
}

/** The recipient of a LINE reply is written into its reply token by the benchmark: `r.<userId>.<n>`. */
function lineRecipientOfToken(token: string): string {
  return `line:${token.split('.')[1] ?? token}`;
}

/** Two seconds of a 440 Hz tone, 8 kHz mono 16-bit PCM, as Twilio records calls. */
function toneWav(): Buffer {
  const samples = 16_000;
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i += 1) data.writeInt16LE(Math.round(Math.sin((2 * Math.PI * 440 * i) / 8000) * 8000), i * 2);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8, 'latin1');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(8000, 24);
  header.writeUInt32LE(16000, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'latin1');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

export async function startProviderFakes(): Promise<ProviderFakes> {
  const recordingWav = toneWav();
  const recordings = { fetched: new Set<string>(), deleted: new Set<string>() };
  const arrivals: ProviderArrival[] = [];
  const firstArrival = new Map<string, number>();
  const listeners: (() => void)[] = [];
  let counter = 0;
  let viberToken = 5741311803571721087n;

  const record = (recipient: string, sendId: string | undefined) => {
    const at = performance.now();
    arrivals.push({ recipient, at, sendId });
    if (!firstArrival.has(recipient)) firstArrival.set(recipient, at);
    for (const listener of listeners) listener();
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const url = req.url ?? '';
      counter += 1;
      const recording = /^\/2010-04-01\/Accounts\/[^/]+\/Recordings\/(RE[0-9a-f]{32})(\.wav|\.json)?$/.exec(url);
      if (recording?.[1]) {
        if (req.method === 'GET' && recording[2] === '.wav') {
          recordings.fetched.add(recording[1]);
          res.writeHead(200, { 'Content-Type': 'audio/x-wav', 'Content-Length': String(recordingWav.length) });
          res.end(recordingWav);
        } else if (req.method === 'DELETE') {
          recordings.deleted.add(recording[1]);
          res.writeHead(204);
          res.end();
        } else {
          res.writeHead(404, { 'Content-Type': 'application/json' });
          res.end('{}');
        }
        return;
      }
      if (/^\/2010-04-01\/Accounts\/[^/]+\/Messages\.json$/.test(url)) {
        const form = new URLSearchParams(raw);
        const callback = form.get('StatusCallback') ?? '';
        record(form.get('To') ?? '', `twilio:${new URL(callback, 'http://x').searchParams.get('message') ?? ''}`);
        res.writeHead(201, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ sid: `SM${counter.toString(16).padStart(32, '0')}`, status: 'queued' }));
        return;
      }
      if (url === '/v2/bot/message/reply' || url === '/v2/bot/message/push') {
        const body = JSON.parse(raw) as { replyToken?: string; to?: string };
        if (url === '/v2/bot/message/reply') record(lineRecipientOfToken(body.replyToken ?? ''), `line-reply:${body.replyToken ?? ''}`);
        else record(`line:${body.to ?? ''}`, `line-push:${String(req.headers['x-line-retry-key'] ?? '')}`);
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ sentMessages: [{ id: String(500_000_000_000 + counter), quoteToken: `q${counter}` }] }));
        return;
      }
      if (url === '/pa/send_message') {
        const body = JSON.parse(raw) as { receiver?: string };
        record(`viber:${body.receiver ?? ''}`, undefined);
        viberToken += 1n;
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(`{"status":0,"status_message":"ok","message_token":${viberToken},"chat_hostname":"SN-CHAT-01_"}`);
        return;
      }
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end('{}');
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    recordings,
    arrivals,
    firstArrival,
    onArrival: (listener) => listeners.push(listener),
    reset: () => {
      recordings.fetched.clear();
      recordings.deleted.clear();
      arrivals.length = 0;
      firstArrival.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
