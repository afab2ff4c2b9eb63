import type { ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import IORedis from 'ioredis';
import { Client } from 'pg';
import sharp from 'sharp';
import twilio from 'twilio';
import { benchServers, freshBenchDatabase } from './bench-database';
import { cpuOf, cpuOfMatching, freePort, median, rssMiB, startNode, stop, waitForOk } from './process-probe';
import { measureServing, type ServingResult } from './attachment-serving';

// Evidence through the production path: signed Twilio webhooks each carrying a 2 MB phone photo
// (with EXIF) into the compiled web process; worker processes fetch each photo from a local fake of
// Twilio's media API (a 307 to its CDN, as Twilio answers), strip and re-encode it, make its
// thumbnail, seal both into PostgreSQL and delete Twilio's copy. The same number of text-only
// messages through the same processes is the baseline. Then a 16 MB file is served back through
// the API while the web process's memory is sampled.

const FILES = Number(process.env['BENCH_FILES'] ?? 1000);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 1);
const WORKERS = Number(process.env['BENCH_WORKERS'] ?? 2);
const CONCURRENCY = Number(process.env['BENCH_CONNECTIONS'] ?? 20);
const PHOTO_BYTES = 2 * 1024 * 1024;
const MAIN = path.resolve(__dirname, '../src/main.js');
const WORKER = path.resolve(__dirname, '../src/worker.js');
const PUBLIC_URL = 'https://hotline.example.org';
const ACCOUNT_SID = `AC${'1'.repeat(32)}`;
const TWILIO_TOKEN = crypto.randomBytes(16).toString('hex');

/** A phone photo of about 2 MB: noisy pixels (they do not compress away) and camera tags. */
async function twoMegabytePhoto(): Promise<Buffer> {
  let side = 1200;
  for (;;) {
    const photo = await sharp({ create: { width: side, height: Math.round(side * 0.75), channels: 3, background: { r: 128, g: 128, b: 128 }, noise: { type: 'gaussian', mean: 128, sigma: 50 } } })
      .jpeg({ quality: 90 })
      .withExif({ IFD0: { Make: 'Bench', Model: 'Phone 9', Artist: 'A worker' } })
      .toBuffer();
    if (photo.length >= PHOTO_BYTES * 0.95) return photo;
    side = Math.round(side * Math.sqrt(PHOTO_BYTES / photo.length) * 1.02);
  }
}

/** Twilio's media API and CDN: GET answers 307 to the CDN, the CDN serves the photo, DELETE answers 204. */
async function startMediaFake(photo: Buffer) {
  let served = 0;
  let deleted = 0;
  const server = http.createServer((req, res) => {
    const url = req.url ?? '';
    if (url.startsWith('/cdn/')) {
      served += 1;
      res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': photo.length }).end(photo);
    } else if (url.includes('/Media/ME') && req.method === 'DELETE') {
      deleted += 1;
      res.writeHead(204).end();
    } else if (url.includes('/Media/ME')) {
      res.writeHead(307, { location: `/cdn/${url.slice(-34)}` }).end();
    } else if (url.endsWith('/Messages.json')) {
      // Replies to workers: accepted, as Twilio does.
      req.resume();
      req.on('end', () => res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ sid: `SM${crypto.randomBytes(16).toString('hex')}`, status: 'queued' })));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    counts: () => ({ served, deleted }),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

type MediaFake = Awaited<ReturnType<typeof startMediaFake>>;

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function post(port: number, body: string, signature: string): Promise<number> {
  return new Promise((resolve) => {
    const outgoing = http.request({
      host: '127.0.0.1', port, method: 'POST', path: '/webhooks/twilio/messaging', agent,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
    }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    outgoing.on('error', () => resolve(0));
    outgoing.end(body);
  });
}

/** One new worker's first message: words, and with `media` a photo on the fake's media API. */
function webhook(index: number, media: MediaFake | undefined): { body: string; signature: string } {
  const params: Record<string, string> = {
    MessageSid: `${media ? 'MM' : 'SM'}${crypto.randomBytes(16).toString('hex')}`,
    AccountSid: ACCOUNT_SID,
    From: `+6682${String(index).padStart(7, '0')}`,
    To: '+66900000000',
    Body: 'My employer keeps my passport. Here is my pay slip.',
    NumMedia: media ? '1' : '0',
  };
  if (media) {
    params['MediaUrl0'] = `${media.baseUrl}/2010-04-01/Accounts/${ACCOUNT_SID}/Messages/MM${crypto.randomBytes(16).toString('hex')}/Media/ME${crypto.randomBytes(16).toString('hex')}`;
    params['MediaContentType0'] = 'image/jpeg';
  }
  const signature = twilio.getExpectedTwilioSignature(TWILIO_TOKEN, `${PUBLIC_URL}/webhooks/twilio/messaging`, params);
  return { body: new URLSearchParams(params).toString(), signature };
}

interface Hotline {
  port: number;
  databaseUrl: string;
  encryptionKey: string;
  web: ChildProcess;
  workers: ChildProcess[];
  stop: () => Promise<void>;
}

async function startHotline(serverUrl: string, redisUrl: string, media: MediaFake): Promise<Hotline> {
  const redis = new IORedis(redisUrl);
  await redis.flushdb();
  redis.disconnect();
  const database = await freshBenchDatabase(serverUrl, 'attachments');
  const port = await freePort();
  const encryptionKey = crypto.randomBytes(32).toString('base64');
  const env = {
    PATH: process.env['PATH'],
    NODE_ENV: 'production',
    PUBLIC_URL,
    DATABASE_URL: database.url,
    REDIS_URL: redisUrl,
    ENCRYPTION_KEY: encryptionKey,
    SESSION_SECRET: crypto.randomBytes(32).toString('base64'),
    TWILIO_ACCOUNT_SID: ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
    TWILIO_FROM: '+66900000000',
    TWILIO_API_BASE_URL: media.baseUrl,
    SEED_DEMO: 'never',
    LOG_LEVEL: 'warn',
  };
  const web = startNode([MAIN], { ...env, PORT: String(port), DATABASE_POOL_SIZE: '20' });
  await waitForOk(`http://127.0.0.1:${port}/healthz`, performance.now());
  const workers = Array.from({ length: WORKERS }, () => startNode([WORKER], { ...env, WORKER_METRICS_PORT: '0' }));
  return {
    port,
    databaseUrl: database.url,
    encryptionKey,
    web,
    workers,
    stop: async () => {
      for (const child of [...workers, web]) await stop(child);
      if (!process.env['BENCH_KEEP']) await database.drop();
    },
  };
}

/** Peak resident memory of some processes while `work` runs (sampled every 50 ms), in MiB. */
async function peakRss<T>(pids: number[], work: () => Promise<T>): Promise<{ result: T; peak: number[] }> {
  const peak = pids.map((pid) => rssMiB(pid));
  const timer = setInterval(() => pids.forEach((pid, index) => {
    const now = rssMiB(pid);
    if (now > (peak[index] ?? 0)) peak[index] = now;
  }), 50);
  try {
    return { result: await work(), peak };
  } finally {
    clearInterval(timer);
  }
}

/** Posts `count` new workers' messages, CONCURRENCY at a time; the statuses other than 200. */
async function postAll(port: number, count: number, offset: number, media: MediaFake | undefined): Promise<number> {
  let next = 0;
  let failures = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < count) {
      const index = offset + next++;
      const request = webhook(index, media);
      if ((await post(port, request.body, request.signature)) !== 200) failures += 1;
    }
  }));
  return failures;
}

async function waitFor(databaseUrl: string, query: string, target: number, timeoutMs: number): Promise<boolean> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const started = performance.now();
    for (;;) {
      const { rows } = await client.query<{ n: string }>(query);
      if (Number(rows[0]?.n ?? 0) >= target) return true;
      if (performance.now() - started > timeoutMs) return false;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await client.end();
  }
}

interface Throughput {
  seconds: number;
  perSecond: number;
  failures: number;
  /** Peak RSS in MiB: web, then each worker. */
  peak: number[];
  idle: number[];
  /** CPU milliseconds per message: web, workers, PostgreSQL (this database's backends). */
  cpuMs: { web: number; workers: number; postgres: number };
}

async function measureThroughput(hotline: Hotline, count: number, offset: number, media: MediaFake | undefined): Promise<Throughput> {
  const pids = [hotline.web, ...hotline.workers].map((child) => child.pid ?? 0);
  const idle = pids.map((pid) => rssMiB(pid));
  const query = media
    ? `select count(*) as n from attachments where status in ('stored', 'refused', 'failed')`
    : `select count(*) as n from messages where direction = 'in' and processed_at is not null`;
  const { count: before } = await countOf(hotline.databaseUrl, query);
  const databaseName = new URL(hotline.databaseUrl).pathname.slice(1);
  const cpu = () => ({
    web: cpuOf(hotline.web.pid ?? 0),
    workers: hotline.workers.reduce((sum, child) => sum + cpuOf(child.pid ?? 0), 0),
    postgres: cpuOfMatching(` ${databaseName} `),
  });
  const cpuBefore = cpu();
  const started = performance.now();
  const { result, peak } = await peakRss(pids, async () => {
    const failures = await postAll(hotline.port, count, offset, media);
    const done = await waitFor(hotline.databaseUrl, query, before + count, 30 * 60_000);
    if (!done) throw new Error('the files were not all stored within 30 minutes');
    return failures;
  });
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = cpu();
  const perMessage = (key: keyof typeof cpuAfter) => ((cpuAfter[key] - cpuBefore[key]) * 1000) / count;
  return { seconds, perSecond: count / seconds, failures: result, peak, idle, cpuMs: { web: perMessage('web'), workers: perMessage('workers'), postgres: perMessage('postgres') } };
}

async function countOf(databaseUrl: string, query: string): Promise<{ count: number }> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(query);
    return { count: Number(rows[0]?.n ?? 0) };
  } finally {
    await client.end();
  }
}

async function checkStored(databaseUrl: string): Promise<{ stored: number; refused: number; failed: number; providerDeleted: number; thumbnails: number }> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<Record<string, string>>(`select
      count(*) filter (where status = 'stored') as stored, count(*) filter (where status = 'refused') as refused,
      count(*) filter (where status = 'failed') as failed, count(*) filter (where provider_deleted_at is not null) as provider_deleted,
      count(*) filter (where has_thumbnail) as thumbnails from attachments`);
    const row = rows[0] ?? {};
    return { stored: Number(row['stored']), refused: Number(row['refused']), failed: Number(row['failed']), providerDeleted: Number(row['provider_deleted']), thumbnails: Number(row['thumbnails']) };
  } finally {
    await client.end();
  }
}

async function durability(serverUrl: string): Promise<string> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const fsync = (await client.query<{ fsync: string }>('show fsync')).rows[0]?.fsync;
    const commit = (await client.query<{ synchronous_commit: string }>('show synchronous_commit')).rows[0]?.synchronous_commit;
    return `fsync=${fsync}, synchronous_commit=${commit}`;
  } finally {
    await client.end();
  }
}

const mib = (value: number) => value.toFixed(0);

/** Runs the attachments benchmark and prints Markdown. */
export async function runAttachmentsBenchmark(): Promise<void> {
  const { serverUrl, redisUrl } = benchServers('attachments');
  const out = (line: string) => process.stderr.write(`${line}\n`);
  const photo = await twoMegabytePhoto();
  const media = await startMediaFake(photo);
  const runs: { text: Throughput; photos: Throughput; check: Awaited<ReturnType<typeof checkStored>>; serving: ServingResult }[] = [];
  try {
    out(`PostgreSQL: ${await durability(serverUrl)}; photo ${(photo.length / 1048576).toFixed(2)} MiB; ${FILES} files; ${WORKERS} worker(s)`);
    for (let run = 0; run < RUNS; run += 1) {
      const hotline = await startHotline(serverUrl, redisUrl, media);
      try {
        // Warm-up: a few of each, so both paths have compiled and connected.
        await measureThroughput(hotline, 10, 9_000_000, undefined);
        await measureThroughput(hotline, 10, 9_100_000, media);
        const text = await measureThroughput(hotline, FILES, 0, undefined);
        out(`run ${run + 1} text only: ${JSON.stringify(text)}`);
        const photos = await measureThroughput(hotline, FILES, 1_000_000, media);
        out(`run ${run + 1} photos: ${JSON.stringify(photos)}`);
        // Deletions run after storing: give them a moment before counting.
        await new Promise((resolve) => setTimeout(resolve, 3000));
        const check = await checkStored(hotline.databaseUrl);
        out(`run ${run + 1} stored: ${JSON.stringify(check)}; Twilio media served ${media.counts().served}, deleted ${media.counts().deleted}`);
        const serving = await measureServing({ port: hotline.port, databaseUrl: hotline.databaseUrl, encryptionKey: hotline.encryptionKey, webPid: hotline.web.pid ?? 0 });
        out(`run ${run + 1} serving: ${JSON.stringify(serving)}`);
        runs.push({ text, photos, check, serving });
      } finally {
        await hotline.stop();
      }
    }
  } finally {
    await media.close();
    agent.destroy();
  }
  const pick = (f: (run: (typeof runs)[number]) => number) => median(runs.map(f));
  out('');
  out(`| messages (new workers, ${FILES}) | seconds | per second | vs text only | CPU ms per message: web / workers / PostgreSQL | peak RSS web / workers (MiB) | idle RSS web / workers (MiB) |`);
  out('|---|---:|---:|---:|---|---|---|');
  const row = (label: string, f: (run: (typeof runs)[number]) => Throughput) => {
    const peakWorkers = pick((run) => Math.max(...f(run).peak.slice(1)));
    const idleWorkers = pick((run) => Math.max(...f(run).idle.slice(1)));
    out(`| ${label} | ${pick((run) => f(run).seconds).toFixed(1)} | ${pick((run) => f(run).perSecond).toFixed(1)} | ${(pick((run) => f(run).perSecond) / pick((run) => run.text.perSecond)).toFixed(2)}× | ${(['web', 'workers', 'postgres'] as const).map((key) => pick((run) => f(run).cpuMs[key]).toFixed(0)).join(' / ')} | ${mib(pick((run) => f(run).peak[0] ?? 0))} / ${mib(peakWorkers)} | ${mib(pick((run) => f(run).idle[0] ?? 0))} / ${mib(idleWorkers)} |`);
  };
  row('text only (baseline)', (run) => run.text);
  row('each with a 2 MB photo: fetched, stripped, thumbnailed, sealed, Twilio copy deleted', (run) => run.photos);
  out('');
  out('| serving a 16 MiB file through the API | web RSS idle (MiB) | peak (MiB) | peak over idle (MiB) | seconds per download |');
  out('|---|---:|---:|---:|---:|');
  for (const key of ['one', 'four'] as const) {
    out(`| ${key === 'one' ? 'one download at a time (5)' : 'four downloads at once'} | ${mib(pick((run) => run.serving[key].idle))} | ${mib(pick((run) => run.serving[key].peak))} | ${mib(pick((run) => run.serving[key].peak - run.serving[key].idle))} | ${pick((run) => run.serving[key].secondsPerDownload).toFixed(2)} |`);
  }
}
