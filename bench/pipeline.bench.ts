import type { ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import IORedis from 'ioredis';
import { Client } from 'pg';
import twilio from 'twilio';
import { viberSignatureOf } from '../src/channels/viber/viber-signature';
import { benchServers, freshBenchDatabase } from './bench-database';
import { cpuOf, cpuOfMatching, freePort, median, startNode, stop, waitForOk } from './process-probe';
import { startProviderFakes, type ProviderFakes } from './provider-fakes';

// The whole pipeline, end to end: signed webhooks into the compiled web process, the outbox, the
// relay into Redis, worker processes running the processing and send jobs, and the replies
// arriving at local fakes of Twilio, LINE and Viber. Real PostgreSQL and Redis. The voice phase
// plays whole phone calls (BENCH_VOICE_CALLS at once, 50 by default): every webhook Twilio would
// post, signed, from the ring to the hang-up, each timed, since a caller hears silence meanwhile.

const RUNS = Number(process.env['BENCH_RUNS'] ?? 1);
/** Rates of the latency phase: a quiet one (the pipeline's floor, the baseline) and the target's. */
const RATES = (process.env['BENCH_RATES'] ?? '5,100').split(',').map(Number);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 30);
const PEOPLE = Number(process.env['BENCH_PEOPLE'] ?? 2000);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 50);
const WORKER_COUNTS = (process.env['BENCH_WORKERS'] ?? '1,2').split(',').map(Number);
const PHASES = (process.env['BENCH_PHASES'] ?? 'latency,burst,voice').split(',');
/** Calls of the voice phase, all at once. */
const VOICE_CALLS = Number(process.env['BENCH_VOICE_CALLS'] ?? 50);
/** Diagnosis only: a directory for V8 CPU profiles of the worker processes (`node --cpu-prof`). */
const CPU_PROFILE_DIR = process.env['BENCH_CPU_PROF'];
/** Diagnosis only: the statistics rollup's triggers on `cases` switched off, to measure what they cost. */
const WITHOUT_ROLLUP = process.env['BENCH_WITHOUT_ROLLUP'] === '1';
const MAIN = path.resolve(__dirname, '../src/main.js');
const WORKER = path.resolve(__dirname, '../src/worker.js');
const PUBLIC_URL = 'https://hotline.example.org';
const ACCOUNT_SID = `AC${'1'.repeat(32)}`;
const TWILIO_TOKEN = crypto.randomBytes(16).toString('hex');
const LINE_SECRET = crypto.randomBytes(16).toString('hex');
const LINE_TOKEN = `bench-line-token-${crypto.randomBytes(8).toString('hex')}`;
const VIBER_TOKEN = `${crypto.randomBytes(8).toString('hex')}-${crypto.randomBytes(8).toString('hex')}-${crypto.randomBytes(8).toString('hex')}`;
const MESSENGER_PAGE = '104729384756';

const CHANNELS = ['sms', 'whatsapp', 'messenger', 'line', 'viber'] as const;
type Channel = (typeof CHANNELS)[number];

// A factory closing: the story, the problem menu (1 = wages), where, consent, thanks. In Burmese,
// so the language is detected and the nationality question is skipped (origin from the language).
const SCRIPT = ['စက်ရုံပိတ်သွားပြီ လုပ်ခလစာ မပေးဘူး', '၁', 'မဲဆောက်', 'ရပါတယ်', 'ကျေးဇူးပါ'];
/** The replies each person must get, in this order; the thanks at the end gets none. */
const EXPECTED_REPLIES = ['intake.category_first', 'intake.location', 'intake.consent', 'intake.done'];
/** SMS gets the case's PIN in a message of its own after the case number; chat apps get it in the same one. */
const expectedRepliesOn = (sms: boolean) => (sms ? [...EXPECTED_REPLIES, 'intake.pin'] : EXPECTED_REPLIES);
/** A Twilio SMS recipient is a bare E.164 number; WhatsApp and Messenger carry a prefix, LINE and Viber user ids. */
const isSmsRecipient = (recipient: string) => recipient.startsWith('+');

interface Person {
  channel: Channel;
  /** As the fakes write the recipient. */
  key: string;
  /** The n-th (1-based) message of this person, signed. */
  request: (n: number, text: string) => { path: string; headers: Record<string, string>; body: string };
}

let personCounter = 0;

function twilioRequest(from: string, to: string, text: string) {
  const params = { MessageSid: `SM${crypto.randomBytes(16).toString('hex')}`, AccountSid: ACCOUNT_SID, From: from, To: to, Body: text, NumMedia: '0' };
  const signature = twilio.getExpectedTwilioSignature(TWILIO_TOKEN, `${PUBLIC_URL}/webhooks/twilio/messaging`, params);
  return {
    path: '/webhooks/twilio/messaging',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
    body: new URLSearchParams(params).toString(),
  };
}

/** A new person on the channel their number picks, who has never written before. */
function newPerson(): Person {
  const i = (personCounter += 1);
  const channel = CHANNELS[i % CHANNELS.length] ?? 'sms';
  const digits = String(i).padStart(7, '0');
  switch (channel) {
    case 'sms':
      return { channel, key: `+6681${digits}`, request: (_n, text) => twilioRequest(`+6681${digits}`, '+66900000000', text) };
    case 'whatsapp':
      return { channel, key: `whatsapp:+6682${digits}`, request: (_n, text) => twilioRequest(`whatsapp:+6682${digits}`, 'whatsapp:+66900000000', text) };
    case 'messenger':
      return { channel, key: `messenger:${1_000_000_000_000 + i}`, request: (_n, text) => twilioRequest(`messenger:${1_000_000_000_000 + i}`, `messenger:${MESSENGER_PAGE}`, text) };
    case 'line': {
      const userId = `U${i.toString(16).padStart(32, '0')}`;
      return {
        channel,
        key: `line:${userId}`,
        request: (n, text) => {
          const body = JSON.stringify({
            destination: 'U0000000000000000000000000000hot',
            events: [{
              type: 'message', webhookEventId: `01B${i}x${n}`, timestamp: Date.now(), mode: 'active',
              source: { type: 'user', userId }, deliveryContext: { isRedelivery: false },
              replyToken: `r.${userId}.${n}`, message: { type: 'text', id: `${i}${String(n).padStart(2, '0')}`, text },
            }],
          });
          const signature = crypto.createHmac('sha256', LINE_SECRET).update(body).digest('base64');
          return { path: '/webhooks/line', headers: { 'content-type': 'application/json', 'x-line-signature': signature }, body };
        },
      };
    }
    case 'viber': {
      const userId = `v${digits}AAAAAAAAAAAAAA==`;
      return {
        channel,
        key: `viber:${userId}`,
        request: (n, text) => {
          const token = 5_000_000_000_000_000_000n + BigInt(i) * 100n + BigInt(n);
          const body = `{"event":"message","timestamp":${Date.now()},"message_token":${token},"sender":${JSON.stringify({ id: userId, name: 'Worker', api_version: 10 })},"message":${JSON.stringify({ type: 'text', text })}}`;
          return { path: '/webhooks/viber', headers: { 'content-type': 'application/json', 'x-viber-content-signature': viberSignatureOf(body, VIBER_TOKEN) }, body };
        },
      };
    }
  }
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });

/** Posts one webhook; resolves with its HTTP status (0 when the connection failed). */
function post(port: number, request: { path: string; headers: Record<string, string>; body: string }): Promise<number> {
  return new Promise((resolve) => {
    const outgoing = http.request({ host: '127.0.0.1', port, method: 'POST', path: request.path, headers: request.headers, agent }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    outgoing.on('error', () => resolve(0));
    outgoing.end(request.body);
  });
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? Number.NaN;
}

/** Resolves true once `done()` holds (checked every 20 ms), or false after `timeoutMs`. */
function until(done: () => boolean, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (done()) return resolve(true);
    const timer = setTimeout(() => {
      clearInterval(poll);
      resolve(false);
    }, timeoutMs);
    const poll = setInterval(() => {
      if (done()) {
        clearTimeout(timer);
        clearInterval(poll);
        resolve(true);
      }
    }, 20);
  });
}

interface Pipeline {
  port: number;
  databaseUrl: string;
  /** CPU seconds used so far by the web process, the workers, the database's backends and Redis. */
  cpu: () => CpuUse;
  stop: () => Promise<void>;
}

interface CpuUse {
  web: number;
  workers: number;
  postgres: number;
  redis: number;
  bench: number;
}

function cpuDelta(after: CpuUse, before: CpuUse): CpuUse {
  return {
    web: after.web - before.web,
    workers: after.workers - before.workers,
    postgres: after.postgres - before.postgres,
    redis: after.redis - before.redis,
    bench: after.bench - before.bench,
  };
}

/** A fresh database, an emptied Redis, the web process and `workers` worker processes, warmed up. */
async function startPipeline(serverUrl: string, redisUrl: string, fakes: ProviderFakes, workers: number): Promise<Pipeline> {
  const redis = new IORedis(redisUrl);
  await redis.flushdb();
  redis.disconnect();
  const database = await freshBenchDatabase(serverUrl, 'pipeline');
  const port = await freePort();
  const env = {
    PATH: process.env['PATH'],
    NODE_ENV: 'production',
    PUBLIC_URL,
    DATABASE_URL: database.url,
    REDIS_URL: redisUrl,
    ENCRYPTION_KEY: crypto.randomBytes(32).toString('base64'),
    SESSION_SECRET: crypto.randomBytes(32).toString('base64'),
    TWILIO_ACCOUNT_SID: ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
    TWILIO_FROM: '+66900000000',
    TWILIO_MESSENGER_FROM: `messenger:${MESSENGER_PAGE}`,
    TWILIO_API_BASE_URL: fakes.baseUrl,
    LINE_CHANNEL_SECRET: LINE_SECRET,
    LINE_CHANNEL_ACCESS_TOKEN: LINE_TOKEN,
    LINE_API_BASE_URL: fakes.baseUrl,
    LINE_DATA_API_BASE_URL: fakes.baseUrl,
    VIBER_AUTH_TOKEN: VIBER_TOKEN,
    VIBER_API_BASE_URL: fakes.baseUrl,
    SEED_DEMO: 'never',
    LOG_LEVEL: 'warn',
  };
  const web = startNode([MAIN], { ...env, PORT: String(port), DATABASE_POOL_SIZE: '20' });
  await waitForOk(`http://127.0.0.1:${port}/healthz`, performance.now());
  if (WITHOUT_ROLLUP) await disableRollup(database.url);
  const children: ChildProcess[] = [web];
  for (let index = 0; index < workers; index += 1) children.push(startNode([...(CPU_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROFILE_DIR}`] : []), WORKER], { ...env, WORKER_METRICS_PORT: '0' }));
  const stopAll = async () => {
    for (const child of children.reverse()) await stop(child);
    if (!process.env['BENCH_KEEP']) await database.drop();
  };
  // Warm-up: one new person per channel and then some, until their replies come back.
  const warm = Array.from({ length: 20 }, () => newPerson());
  await Promise.all(warm.map((person) => post(port, person.request(1, SCRIPT[0] ?? ''))));
  if (!(await until(() => warm.every((person) => fakes.firstArrival.has(person.key)), 120_000))) {
    await stopAll();
    throw new Error('warm-up replies did not arrive');
  }
  await new Promise((resolve) => setTimeout(resolve, 1000));
  fakes.reset();
  const databaseName = new URL(database.url).pathname.slice(1);
  const redisPort = new URL(redisUrl).port;
  const cpu = (): CpuUse => {
    const usage = process.cpuUsage();
    return {
      web: cpuOf(web.pid ?? 0),
      workers: children.filter((child) => child !== web).reduce((sum, child) => sum + cpuOf(child.pid ?? 0), 0),
      // Backends show the database in their title: "postgres: postgres <database> 127.0.0.1(…) idle".
      postgres: cpuOfMatching(` ${databaseName} `),
      redis: cpuOfMatching(`:${redisPort}`),
      bench: (usage.user + usage.system) / 1e6,
    };
  };
  return { port, databaseUrl: database.url, cpu, stop: stopAll };
}

async function disableRollup(databaseUrl: string): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    for (const trigger of ['insert', 'update', 'delete']) await client.query(`alter table cases disable trigger stats_case_month_${trigger}`);
  } finally {
    await client.end();
  }
}

interface Latency {
  /** CPU milliseconds per message, by process. */
  cpuPerMessage: CpuUse;
  seconds: number;
  sent: number;
  replied: number;
  p50: number;
  p99: number;
  max: number;
  webhookP99: number;
  failures: number;
}

/** Open loop: `rate` new people a second, each one message, evenly spaced, across the channels. */
async function measureLatency(pipeline: Pipeline, fakes: ProviderFakes, rate: number): Promise<Latency> {
  const total = Math.round(rate * SECONDS);
  const interval = 1000 / rate;
  const sentAt = new Map<string, number>();
  const webhookLatencies: number[] = [];
  let failures = 0;
  const inFlight: Promise<void>[] = [];
  const cpuBefore = pipeline.cpu();
  const started = performance.now();
  for (let index = 0; index < total; index += 1) {
    const due = started + index * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const person = newPerson();
    const request = person.request(1, SCRIPT[0] ?? '');
    const from = Math.max(due, performance.now());
    sentAt.set(person.key, from);
    inFlight.push(post(pipeline.port, request).then((status) => {
      webhookLatencies.push(performance.now() - from);
      if (status !== 200) failures += 1;
    }));
  }
  await Promise.all(inFlight);
  await until(() => [...sentAt.keys()].every((key) => fakes.firstArrival.has(key)), 300_000);
  const cpu = cpuDelta(pipeline.cpu(), cpuBefore);
  const seconds = (performance.now() - started) / 1000;
  const latencies = [...sentAt].flatMap(([key, at]) => {
    const arrived = fakes.firstArrival.get(key);
    return arrived === undefined ? [] : [arrived - at];
  }).sort((a, b) => a - b);
  webhookLatencies.sort((a, b) => a - b);
  const perMessage = (value: number) => (value * 1000) / total;
  return {
    cpuPerMessage: { web: perMessage(cpu.web), workers: perMessage(cpu.workers), postgres: perMessage(cpu.postgres), redis: perMessage(cpu.redis), bench: perMessage(cpu.bench) },
    seconds,
    sent: total,
    replied: latencies.length,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    max: latencies.at(-1) ?? Number.NaN,
    webhookP99: percentile(webhookLatencies, 0.99),
    failures,
  };
}

interface Burst {
  /** Webhook answers other than 200, by status (0: the connection failed). */
  failedStatuses: Record<string, number>;
  /** CPU seconds used during the burst (until every reply arrived), by process. */
  cpu: CpuUse;
  intakeSeconds: number;
  firstRepliesSeconds: number;
  allRepliesSeconds: number;
  firstReplies: number;
  replies: number;
  failures: number;
  checks: Checks;
  stages: Stages;
}

/** `PEOPLE` people each write the whole script, one message after another, over `CONNECTIONS` connections. */
async function measureBurst(pipeline: Pipeline, fakes: ProviderFakes): Promise<Burst> {
  const people = Array.from({ length: PEOPLE }, () => newPerson());
  const keys = new Set(people.map((person) => person.key));
  let failures = 0;
  const failedStatuses: Record<string, number> = {};
  let next = 0;
  const since = new Date();
  const cpuBefore = pipeline.cpu();
  const started = performance.now();
  const lane = async () => {
    for (let person = people[next++]; person; person = people[next++]) {
      for (let n = 1; n <= SCRIPT.length; n += 1) {
        const status = await post(pipeline.port, person.request(n, SCRIPT[n - 1] ?? ''));
        if (status !== 200) {
          failures += 1;
          failedStatuses[status] = (failedStatuses[status] ?? 0) + 1;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, lane));
  const intakeSeconds = (performance.now() - started) / 1000;
  const expectedReplies = people.reduce((sum, person) => sum + expectedRepliesOn(isSmsRecipient(person.key)).length, 0);
  const burstReplies = () => fakes.arrivals.filter((arrival) => keys.has(arrival.recipient)).length;
  await until(() => people.every((person) => fakes.firstArrival.has(person.key)), 600_000);
  const firstRepliesAt = Math.max(...people.map((person) => fakes.firstArrival.get(person.key) ?? Number.NaN));
  await until(() => burstReplies() >= expectedReplies, 600_000);
  const lastReplyAt = Math.max(...fakes.arrivals.map((arrival) => arrival.at));
  const cpu = cpuDelta(pipeline.cpu(), cpuBefore);
  // Anything sent twice would come now.
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const checks = await verify(pipeline.databaseUrl, fakes, keys);
  return {
    failedStatuses,
    cpu,
    intakeSeconds,
    firstRepliesSeconds: (firstRepliesAt - started) / 1000,
    allRepliesSeconds: (lastReplyAt - started) / 1000,
    firstReplies: people.filter((person) => fakes.firstArrival.has(person.key)).length,
    replies: burstReplies(),
    failures,
    checks,
    stages: await stagesOf(pipeline.databaseUrl, since),
  };
}

interface Checks {
  /** Contacts whose replies were queued in exactly the expected order (of the burst's people). */
  inOrder: number;
  /** Contacts whose inbound messages were processed in sequence order. */
  processedInOrder: number;
  /** Cases with the story's answers in place: wages, consent given, intake complete. */
  completeCases: number;
  /** Replies the fakes received more than once (same send id), and more than each person's four. */
  duplicateSends: number;
  overDelivered: number;
  /** Outbound messages with a provider id in the database, against arrivals at the fakes. */
  sentInDatabase: number;
  arrivals: number;
  deadJobs: number;
}

async function verify(databaseUrl: string, fakes: ProviderFakes, keys: Set<string>): Promise<Checks> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const replies = await client.query<{ channel: string; templates: string[] }>(`
      select c.channel, array_agg(m.template order by m.sequence) as templates
      from messages m join contacts c on c.id = m.contact_id where m.direction = 'out' group by m.contact_id, c.channel`);
    const inOrder = replies.rows.filter((row) => row.templates.join(',') === expectedRepliesOn(row.channel === 'sms').join(',')).length;
    const processed = await client.query<{ n: string }>(`
      select count(*) as n from (
        select contact_id, bool_and(processed_at is not null) as all_done,
               bool_and(processed_at >= coalesce(previous, processed_at)) as ordered
        from (select contact_id, processed_at, lag(processed_at) over (partition by contact_id order by sequence) as previous
              from messages where direction = 'in') m
        group by contact_id having count(*) = ${SCRIPT.length}) c
      where all_done and ordered`);
    const cases = await client.query<{ n: string }>(`
      select count(*) as n from cases where intake_complete and categories = array['wages'] and consent_given`);
    const sent = await client.query<{ n: string }>(`select count(*) as n from messages where direction = 'out' and provider_id is not null`);
    const dead = await client.query<{ n: string }>(`select count(*) as n from jobs_outbox where status = 'dead'`);
    const sendIds = fakes.arrivals.flatMap((arrival) => (arrival.sendId ? [arrival.sendId] : []));
    const perRecipient = new Map<string, number>();
    for (const arrival of fakes.arrivals) perRecipient.set(arrival.recipient, (perRecipient.get(arrival.recipient) ?? 0) + 1);
    const overDelivered = [...perRecipient].filter(([key, count]) => keys.has(key) && count > expectedRepliesOn(isSmsRecipient(key)).length).length;
    return {
      inOrder,
      processedInOrder: Number(processed.rows[0]?.n ?? 0),
      completeCases: Number(cases.rows[0]?.n ?? 0),
      duplicateSends: sendIds.length - new Set(sendIds).size,
      overDelivered,
      sentInDatabase: Number(sent.rows[0]?.n ?? 0),
      arrivals: fakes.arrivals.length,
      deadJobs: Number(dead.rows[0]?.n ?? 0),
    };
  } finally {
    await client.end();
  }
}

/** Where the time of the first replies went, from the timestamps the pipeline keeps (medians and p99, ms). */
interface Stages {
  rows: { stage: string; p50: number; p99: number }[];
}

async function stagesOf(databaseUrl: string, since: Date): Promise<Stages> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    // For each contact's first inbound message and first reply: stored → handed to Redis → processed
    // (reply queued, same transaction) → send job handed to Redis → sent (provider answered).
    const { rows } = await client.query<{ stage: string; p50: number; p99: number }>(`
      with first_in as (
        select distinct on (contact_id) contact_id, id, created_at, processed_at from messages where direction = 'in' order by contact_id, sequence
      ), first_out as (
        select distinct on (contact_id) contact_id, id, created_at, status_updated_at from messages where direction = 'out' order by contact_id, sequence
      ), process_job as (
        select distinct on (payload->>'contactId') payload->>'contactId' as contact_id, dispatched_at
        from jobs_outbox where name = 'sms.process_inbound' order by payload->>'contactId', created_at
      ), send_job as (
        select payload->>'messageId' as message_id, dispatched_at from jobs_outbox where name = 'sms.send'
      ), timeline as (
        select extract(epoch from (p.dispatched_at - i.created_at)) * 1000 as stored_to_relayed,
               extract(epoch from (i.processed_at - p.dispatched_at)) * 1000 as relayed_to_processed,
               extract(epoch from (s.dispatched_at - o.created_at)) * 1000 as queued_to_relayed,
               extract(epoch from (o.status_updated_at - s.dispatched_at)) * 1000 as relayed_to_sent,
               extract(epoch from (o.status_updated_at - i.created_at)) * 1000 as stored_to_sent
        from first_in i join first_out o using (contact_id) join process_job p on p.contact_id = i.contact_id::text
        join send_job s on s.message_id = o.id::text
        where i.created_at >= $1
      )
      select stage, percentile_cont(0.5) within group (order by ms) as p50, percentile_cont(0.99) within group (order by ms) as p99
      from timeline cross join lateral (values
        ('1 stored → processing job relayed to Redis', stored_to_relayed, 1),
        ('2 relayed → processed (reply queued)', relayed_to_processed, 2),
        ('3 reply queued → send job relayed to Redis', queued_to_relayed, 3),
        ('4 relayed → provider answered', relayed_to_sent, 4),
        ('all: stored → provider answered', stored_to_sent, 5)) as s(stage, ms, ord)
      group by stage, ord order by ord`, [since]);
    return { rows: rows.map((row) => ({ stage: row.stage, p50: Number(row.p50), p99: Number(row.p99) })) };
  } finally {
    await client.end();
  }
}

/** One signed voice webhook, and the status Twilio must get back. */
interface VoiceWebhook {
  step: string;
  request: { path: string; headers: Record<string, string>; body: string };
  expected: number;
}

let callCounter = 0;

function voiceRequest(path: string, params: Record<string, string>) {
  const signature = twilio.getExpectedTwilioSignature(TWILIO_TOKEN, `${PUBLIC_URL}${path}`, params);
  return { path, headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature }, body: new URLSearchParams(params).toString() };
}

/**
 * A whole call as Twilio makes it, from a number never seen before: the ring (language menu), English,
 * the wages problem, a message (the <Record> answer and the recording status callback), yes to a
 * call-back, in the afternoon, and the hang-up.
 */
function voiceCall(fakes: ProviderFakes): VoiceWebhook[] {
  const i = (callCounter += 1);
  const callSid = `CA${crypto.createHash('md5').update(`call-${i}-${process.pid}`).digest('hex')}`;
  const recordingSid = `RE${crypto.createHash('md5').update(`recording-${i}-${process.pid}`).digest('hex')}`;
  const recordingUrl = `${fakes.baseUrl}/2010-04-01/Accounts/${ACCOUNT_SID}/Recordings/${recordingSid}`;
  const base = { CallSid: callSid, AccountSid: ACCOUNT_SID, From: `+6689${String(i).padStart(7, '0')}`, To: '+6621234567', Direction: 'inbound', ApiVersion: '2010-04-01' };
  const step = (name: string, params: Record<string, string>): VoiceWebhook => ({
    step: name, request: voiceRequest(`/webhooks/twilio/voice/step?step=${name}`, { ...base, CallStatus: 'in-progress', ...params }), expected: 200,
  });
  const recording = { RecordingUrl: recordingUrl, RecordingSid: recordingSid, RecordingDuration: '2' };
  return [
    { step: 'ring', request: voiceRequest('/webhooks/twilio/voice', { ...base, CallStatus: 'ringing' }), expected: 200 },
    step('language', { Digits: '6' }),
    step('category', { Digits: '1' }),
    step('record', { Digits: '#', ...recording }),
    { step: 'recording', request: voiceRequest('/webhooks/twilio/voice/recording', { ...base, ...recording, RecordingStatus: 'completed', RecordingChannels: '1', RecordingSource: 'RecordVerb' }), expected: 204 },
    step('callback', { Digits: '1' }),
    step('safe_time', { Digits: '2' }),
    { step: 'status', request: voiceRequest('/webhooks/twilio/voice/status', { ...base, CallStatus: 'completed', CallDuration: '60' }), expected: 204 },
  ];
}

interface VoiceLoad {
  calls: number;
  webhooks: number;
  failures: number;
  p50: number;
  p99: number;
  max: number;
  /** p50 and p99 of each webhook of the call, in call order. */
  byStep: { step: string; p50: number; p99: number }[];
  seconds: number;
  casesOpened: number;
  recordingsFetched: number;
  recordingsDeleted: number;
  /** CPU ms per webhook by process, from the first ring until the last recording is deleted at Twilio (the workers' filing included). */
  cpuPerWebhook: CpuUse;
}

async function countVoiceCases(databaseUrl: string): Promise<number> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const opened = await client.query<{ n: string }>(`select count(*) as n from cases where channel = 'voice'`);
    return Number(opened.rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

/**
 * Seconds a caller spends after each webhook's answer before Twilio posts the next one, [shortest,
 * longest], from the English prompts read at about 2.5 words a second: the language menu (a line in
 * each language), the safety line and the problem menu (a caller presses on hearing their problem),
 * the record prompt and the message itself (20 s to a minute; up to 3 are allowed), the recording
 * status callback (Twilio posts it as the recording ends, beside the `<Record>` answer), the call-back
 * question, the safe-time menu, and the reference read out twice with the goodbye before the hang-up.
 */
const LISTENING: Record<string, readonly [number, number]> = {
  ring: [8, 14],
  language: [8, 20],
  category: [20, 60],
  record: [0, 2],
  recording: [3, 6],
  callback: [4, 8],
  safe_time: [15, 25],
  status: [0, 0],
};
/** Callers' listening times are divided by this (4: each call lasts 18 to 34 s instead of 58 to 135 s). */
const VOICE_SPEEDUP = Number(process.env['BENCH_VOICE_SPEEDUP'] ?? 4);
/** The calls of the "on the line" run all ring within this many seconds. */
const VOICE_RING_SPREAD_S = 2;
/** Calls of the baseline, one at a time. */
const BASELINE_CALLS = 10;

/**
 * How the calls are played: `alone` one call at a time, webhooks back to back (the floor, the
 * baseline); `callers` VOICE_CALLS calls on the line together, ringing within 2 s, each webhook
 * after its caller's listening time (the target's load); `back-to-back` VOICE_CALLS calls at once
 * with no listening time at all, every webhook posted the moment the last was answered (a stress:
 * what the line answers when it is saturated, not what a caller meets).
 */
type VoicePace = 'alone' | 'callers' | 'back-to-back';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const listeningAfter = (step: string) => {
  const [shortest, longest] = LISTENING[step] ?? [0, 0];
  return ((shortest + Math.random() * (longest - shortest)) * 1000) / VOICE_SPEEDUP;
};

async function measureVoice(pipeline: Pipeline, fakes: ProviderFakes, pace: VoicePace): Promise<VoiceLoad> {
  const count = pace === 'alone' ? BASELINE_CALLS : VOICE_CALLS;
  const calls = Array.from({ length: count }, () => voiceCall(fakes));
  const latencies: number[] = [];
  const byStep = new Map<string, number[]>();
  let failures = 0;
  const play = async (webhooks: VoiceWebhook[]) => {
    if (pace === 'callers') await sleep(Math.random() * VOICE_RING_SPREAD_S * 1000);
    for (const webhook of webhooks) {
      const from = performance.now();
      const status = await post(pipeline.port, webhook.request);
      const elapsed = performance.now() - from;
      latencies.push(elapsed);
      byStep.set(webhook.step, [...(byStep.get(webhook.step) ?? []), elapsed]);
      if (status !== webhook.expected) failures += 1;
      if (pace === 'callers') await sleep(listeningAfter(webhook.step));
    }
  };
  const cpuBefore = pipeline.cpu();
  const started = performance.now();
  if (pace === 'alone') for (const webhooks of calls) await play(webhooks);
  else await Promise.all(calls.map(play));
  const seconds = (performance.now() - started) / 1000;
  // The messages' audio is fetched (and Twilio's copy deleted) by the workers, after the answers.
  await until(() => fakes.recordings.deleted.size >= count, 120_000);
  const cpu = cpuDelta(pipeline.cpu(), cpuBefore);
  latencies.sort((a, b) => a - b);
  const casesOpened = await countVoiceCases(pipeline.databaseUrl);
  const perWebhook = (value: number) => (value * 1000) / Math.max(1, latencies.length);
  return {
    calls: count,
    webhooks: latencies.length,
    failures,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    max: latencies.at(-1) ?? Number.NaN,
    byStep: [...byStep].map(([step, values]) => {
      const sorted = [...values].sort((a, b) => a - b);
      return { step, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
    }),
    seconds,
    casesOpened,
    recordingsFetched: fakes.recordings.fetched.size,
    recordingsDeleted: fakes.recordings.deleted.size,
    cpuPerWebhook: { web: perWebhook(cpu.web), workers: perWebhook(cpu.workers), postgres: perWebhook(cpu.postgres), redis: perWebhook(cpu.redis), bench: perWebhook(cpu.bench) },
  };
}

const ms = (value: number) => value.toFixed(0);

/** Runs the pipeline benchmark and prints Markdown. */
export async function runPipelineBenchmark(): Promise<void> {
  const { serverUrl, redisUrl } = benchServers('pipeline');
  const fakes = await startProviderFakes();
  const lines: string[] = [];
  if (WITHOUT_ROLLUP) lines.push('DIAGNOSIS: statistics rollup triggers on cases disabled');
  const out = (line: string) => {
    lines.push(line);
    process.stderr.write(`${line}\n`);
  };
  try {
    if (PHASES.includes('latency')) {
      const byRate = new Map<number, Latency[]>();
      for (let run = 0; run < RUNS; run += 1) {
        for (const rate of RATES) {
          const pipeline = await startPipeline(serverUrl, redisUrl, fakes, 2);
          try {
            const since = new Date();
            const measured = await measureLatency(pipeline, fakes, rate);
            out(`latency run ${run + 1} at ${rate}/s: ${JSON.stringify(measured)}`);
            byRate.set(rate, [...(byRate.get(rate) ?? []), measured]);
            const stages = await stagesOf(pipeline.databaseUrl, since);
            for (const row of stages.rows) out(`  ${row.stage}: p50 ${ms(row.p50)} ms, p99 ${ms(row.p99)} ms`);
          } finally {
            await pipeline.stop();
            fakes.reset();
          }
        }
      }
      out('');
      out(`| load | messages | first replies | p50 (ms) | p99 (ms) | max (ms) | webhook p99 (ms) | failures | CPU ms per message: web / workers / PostgreSQL / Redis / load generator | last reply after (s) |`);
      out('|---|---:|---:|---:|---:|---:|---:|---:|---|---:|');
      for (const [rate, runs] of byRate) {
        const pick = (key: Exclude<keyof Latency, 'cpuPerMessage'>) => median(runs.map((run) => run[key]));
        const cpu = (key: keyof CpuUse) => median(runs.map((run) => run.cpuPerMessage[key])).toFixed(1);
        out(`| ${rate}/s new people for ${SECONDS} s, 2 workers | ${pick('sent')} | ${pick('replied')} | ${ms(pick('p50'))} | ${ms(pick('p99'))} | ${ms(pick('max'))} | ${pick('webhookP99').toFixed(1)} | ${pick('failures')} | ${cpu('web')} / ${cpu('workers')} / ${cpu('postgres')} / ${cpu('redis')} / ${cpu('bench')} | ${pick('seconds').toFixed(1)} |`);
      }
    }
    if (PHASES.includes('burst')) {
      const byWorkers = new Map<number, Burst[]>();
      for (let run = 0; run < RUNS; run += 1) {
        for (const workers of WORKER_COUNTS) {
          const pipeline = await startPipeline(serverUrl, redisUrl, fakes, workers);
          try {
            const measured = await measureBurst(pipeline, fakes);
            out(`burst run ${run + 1}, ${workers} worker(s): ${JSON.stringify({ ...measured, stages: undefined })}`);
            for (const row of measured.stages.rows) out(`  ${row.stage}: p50 ${ms(row.p50)} ms, p99 ${ms(row.p99)} ms`);
            byWorkers.set(workers, [...(byWorkers.get(workers) ?? []), measured]);
          } finally {
            await pipeline.stop();
            fakes.reset();
          }
        }
      }
      out('');
      const cpuLines: string[] = [];
      out('| workers | intake of 10,000 (s) | every first reply (s) | every reply (s) | first replies | replies | in order | sent twice | failures |');
      out('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
      for (const [workers, runs] of byWorkers) {
        const pick = (get: (burst: Burst) => number) => median(runs.map(get));
        const perMessage = (key: keyof CpuUse) => ((pick((b) => b.cpu[key]) * 1000) / (PEOPLE * SCRIPT.length)).toFixed(1);
        cpuLines.push(`${workers} worker(s): CPU ms per inbound message: web ${perMessage('web')}, workers ${perMessage('workers')}, PostgreSQL ${perMessage('postgres')}, Redis ${perMessage('redis')}, load generator and fakes ${perMessage('bench')}`);
        out(`| ${workers} | ${pick((b) => b.intakeSeconds).toFixed(1)} | ${pick((b) => b.firstRepliesSeconds).toFixed(1)} | ${pick((b) => b.allRepliesSeconds).toFixed(1)} | ${pick((b) => b.firstReplies)} | ${pick((b) => b.replies)} | ${pick((b) => b.checks.inOrder)} | ${pick((b) => b.checks.duplicateSends + b.checks.overDelivered)} | ${pick((b) => b.failures)} |`);
      }
      out('');
      for (const line of cpuLines) out(line);
    }
    if (PHASES.includes('voice')) {
      const paces: { pace: VoicePace; label: string }[] = [
        { pace: 'alone', label: `${BASELINE_CALLS} calls one at a time, back to back (baseline)` },
        { pace: 'callers', label: `${VOICE_CALLS} callers on the line, ringing within ${VOICE_RING_SPREAD_S} s, listening times ÷ ${VOICE_SPEEDUP} (target)` },
        { pace: 'back-to-back', label: `${VOICE_CALLS} calls at once, no listening time (stress)` },
      ];
      const byPace = new Map<VoicePace, VoiceLoad[]>();
      for (let run = 0; run < RUNS; run += 1) {
        for (const { pace } of paces) {
          const pipeline = await startPipeline(serverUrl, redisUrl, fakes, 2);
          try {
            const measured = await measureVoice(pipeline, fakes, pace);
            out(`voice run ${run + 1}, ${pace}: ${JSON.stringify({ ...measured, byStep: undefined })}`);
            for (const row of measured.byStep) out(`  ${row.step}: p50 ${ms(row.p50)} ms, p99 ${ms(row.p99)} ms`);
            byPace.set(pace, [...(byPace.get(pace) ?? []), measured]);
          } finally {
            await pipeline.stop();
            fakes.reset();
          }
        }
      }
      out('');
      out('| calls | webhooks | in (s) | p50 (ms) | p99 (ms) | max (ms) | failures | cases opened | recordings fetched / deleted at Twilio | CPU ms per webhook: web / workers / PostgreSQL / Redis / load generator |');
      out('|---|---:|---:|---:|---:|---:|---:|---:|---|---|');
      const medians = new Map<VoicePace, (get: (load: VoiceLoad) => number) => number>();
      for (const { pace, label } of paces) {
        const runs = byPace.get(pace) ?? [];
        const pick = (get: (load: VoiceLoad) => number) => median(runs.map(get));
        medians.set(pace, pick);
        const cpu = (key: keyof CpuUse) => pick((r) => r.cpuPerWebhook[key]).toFixed(1);
        out(`| ${label} | ${pick((r) => r.webhooks)} | ${pick((r) => r.seconds).toFixed(1)} | ${ms(pick((r) => r.p50))} | ${ms(pick((r) => r.p99))} | ${ms(pick((r) => r.max))} | ${pick((r) => r.failures)} | ${pick((r) => r.casesOpened)} | ${pick((r) => r.recordingsFetched)} / ${pick((r) => r.recordingsDeleted)} | ${cpu('web')} / ${cpu('workers')} / ${cpu('postgres')} / ${cpu('redis')} / ${cpu('bench')} |`);
      }
      const baseline = medians.get('alone')?.((r) => r.p50) ?? Number.NaN;
      const target = medians.get('callers')?.((r) => r.p99) ?? Number.NaN;
      out(`target: webhook p99 < 300 ms with ${VOICE_CALLS} callers on the line: ${ms(target)} ms, ${target < 300 ? 'met' : 'NOT met'} (${(target / baseline).toFixed(1)} × one call's p50 alone)`);
    }
  } finally {
    await fakes.close();
    agent.destroy();
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
