import crypto from 'node:crypto';
import path from 'node:path';
import autocannon from 'autocannon';
import { Client } from 'pg';
import twilio from 'twilio';
import { openLoop, type OpenLoopRequest } from './open-loop';
import { freshBenchDatabase } from './bench-database';
import { freePort, median, startNode, stop, waitForOk } from './process-probe';

// Signed inbound webhooks against the real web process on real PostgreSQL, beside a bare Express
// route that answers static TwiML, measured in the same run by the same load generator.

const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const MAIN = path.resolve(__dirname, '../src/main.js');
const AUTH_TOKEN = crypto.randomBytes(16).toString('hex');
const WEBHOOK = '/webhooks/twilio/messaging';

const BARE_SERVER = `
const express = require('express');
const app = express();
app.use(express.urlencoded({ extended: false, limit: '64kb' }));
app.get('/healthz', (req, res) => res.json({ status: 'ok' }));
app.post('${WEBHOOK}', (req, res) => res.type('text/xml').send('<?xml version="1.0" encoding="UTF-8"?><Response></Response>'));
app.listen(Number(process.env.PORT));`;

interface Measured {
  throughput: number;
  p50: number;
  p99: number;
  failures: number;
}

/** A signed Twilio webhook with a new MessageSid, from one of 5,000 senders. */
function signedWebhook(publicUrl: string): OpenLoopRequest {
  const params = {
    MessageSid: `SM${crypto.randomBytes(16).toString('hex')}`,
    AccountSid: `AC${'1'.repeat(32)}`,
    From: `+6681${String(crypto.randomInt(5000)).padStart(7, '0')}`,
    To: '+66900000000',
    Body: 'နယ်ပါတ်စ်ပို့ကို အလုပ်ရှင်က သိမ်းထားတယ်',
    NumMedia: '0',
  };
  const signature = twilio.getExpectedTwilioSignature(AUTH_TOKEN, `${publicUrl}${WEBHOOK}`, params);
  return {
    path: WEBHOOK,
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
    body: new URLSearchParams(params).toString(),
  };
}

/** Signed Twilio webhooks for autocannon's closed-loop runs. */
function signedRequest(publicUrl: string) {
  return (request: autocannon.Request): autocannon.Request => {
    const webhook = signedWebhook(publicUrl);
    request.headers = { ...request.headers, ...webhook.headers };
    request.body = webhook.body;
    return request;
  };
}

/** As fast as the server answers: autocannon with 50 connections (closed loop). */
async function saturate(port: number, publicUrl: string): Promise<Measured> {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: 50,
    duration: SECONDS,
    requests: [{ method: 'POST', path: WEBHOOK, setupRequest: signedRequest(publicUrl) }],
  });
  return {
    throughput: result.requests.total / SECONDS,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failures: result.non2xx + result.errors + result.timeouts,
  };
}

/** At a fixed rate, evenly spaced (open loop). */
async function fixedRate(port: number, publicUrl: string, rate: number): Promise<Measured> {
  const result = await openLoop(port, rate, SECONDS, () => signedWebhook(publicUrl));
  return { throughput: result.achieved, p50: result.p50, p99: result.p99, failures: result.failures };
}

async function series(measure: () => Promise<Measured>): Promise<Measured> {
  const runs: Measured[] = [];
  for (let run = 0; run < RUNS; run += 1) runs.push(await measure());
  const pick = (key: keyof Measured) => median(runs.map((measured) => measured[key]));
  return { throughput: pick('throughput'), p50: pick('p50'), p99: pick('p99'), failures: pick('failures') };
}


async function storedMessages(databaseUrl: string): Promise<number> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  const { rows } = await client.query<{ n: string }>(`select count(*) as n from messages where direction = 'in'`);
  await client.end();
  return Number(rows[0]?.n ?? 0);
}

/** Runs the SMS webhook benchmark and prints a Markdown table. */
export async function runSmsBenchmark(): Promise<void> {
  const serverUrl = process.env['BENCH_DATABASE_URL'] ?? process.env['DATABASE_URL'];
  if (!serverUrl) throw new Error('the sms benchmark needs BENCH_DATABASE_URL (a PostgreSQL server it may create databases on)');
  const redisUrl = process.env['BENCH_REDIS_URL'] ?? process.env['REDIS_URL'];
  const database = await freshBenchDatabase(serverUrl, 'sms');
  const publicUrl = 'https://hotline.example.org';
  const [barePort, hotlinePort] = [await freePort(), await freePort()];
  const base = { PATH: process.env['PATH'], NODE_ENV: 'production' };
  const bare = startNode(['-e', BARE_SERVER], { ...base, PORT: String(barePort), NODE_PATH: path.resolve(__dirname, '../../node_modules') });
  const hotline = startNode([MAIN], {
    ...base,
    PORT: String(hotlinePort),
    PUBLIC_URL: publicUrl,
    DATABASE_URL: database.url,
    DATABASE_POOL_SIZE: '20',
    ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    ENCRYPTION_KEY: crypto.randomBytes(32).toString('base64'),
    SESSION_SECRET: crypto.randomBytes(32).toString('base64'),
    LOG_LEVEL: 'warn',
  });
  try {
    await waitForOk(`http://127.0.0.1:${barePort}/healthz`, performance.now());
    await waitForOk(`http://127.0.0.1:${hotlinePort}/healthz`, performance.now());
    await fixedRate(hotlinePort, publicUrl, 200); // warm-up: connections, JIT, caches

    const bareAt200 = await series(() => fixedRate(barePort, publicUrl, 200));
    const at200 = await series(() => fixedRate(hotlinePort, publicUrl, 200));
    const at1000 = await series(() => fixedRate(hotlinePort, publicUrl, 1000));
    const bareMax = await series(() => saturate(barePort, publicUrl));
    const hotlineMax = await series(() => saturate(hotlinePort, publicUrl));
    const stored = await storedMessages(database.url);

    const row = (label: string, measured: Measured) =>
      `| ${label} | ${measured.throughput.toFixed(0)} | ${measured.p50.toFixed(1)} | ${measured.p99.toFixed(1)} | ${measured.failures} |`;
    const lines = [
      `sms: median of ${RUNS} runs of ${SECONDS} s each; jobs ${redisUrl ? 'written to the outbox only (web process as in production; workers not running)' : 'run in-process'}`,
      '',
      '| load | messages/s | p50 (ms) | p99 (ms) | failures |',
      '|---|---:|---:|---:|---:|',
      row('bare Express TwiML route, 200/s evenly spaced', bareAt200),
      row('hotline webhook, 200/s evenly spaced', at200),
      row('hotline webhook, 1,000/s evenly spaced', at1000),
      row('bare Express TwiML route, as fast as it answers (50 connections)', bareMax),
      row('hotline webhook, as fast as it answers (50 connections)', hotlineMax),
      '',
      `hotline / bare throughput: ${((hotlineMax.throughput / bareMax.throughput) * 100).toFixed(0)}%`,
      `inbound messages stored by the hotline during the run: ${stored}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await stop(hotline);
    await stop(bare);
    await database.drop();
  }
}
