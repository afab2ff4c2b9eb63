import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { openDatabase } from '../src/db/database';
import { migrateToLatest } from '../src/db/migrator';
import { createPersonalDataCipher, generateKey } from '../src/privacy/personal-data';
import { hashPassword } from '../src/users/password';
import { freshBenchDatabase } from './bench-database';
import { BENCH_CASE_COUNT, insertBenchCases } from './inbox.bench';
import { freePort, median, startNode, stop, waitForOk } from './process-probe';

// The console's two pages a caseworker opens all day, through the compiled web process on real
// PostgreSQL: the inbox (first page, the default view) and a case page with 200 messages, on the
// inbox benchmark's synthetic network (BENCH_CASES cases, a million by default). Each sample is
// one request from a signed-in caseworker of the largest organisation, sent over loopback and
// timed to the last byte of the page, one at a time: the server's time plus a loopback round trip.

const RUNS = Number(process.env['BENCH_RUNS'] ?? 100);
const WARM_UP = 10;
const MESSAGES = 200;
const TARGET_P95_MS = 100;
const MAIN = path.resolve(__dirname, '../src/main.js');
const PASSWORD = 'a long bench password';

const count = (value: number) => value.toLocaleString('en-US');

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(fraction * sorted.length) - 1)] ?? Number.NaN;
}

/** The cookies a response sets, as one Cookie header together with those already held. */
function withCookies(held: string, response: Response): string {
  const set = response.headers.getSetCookie().map((cookie) => cookie.split(';')[0] ?? '');
  const jar = new Map(held.split('; ').filter(Boolean).map((pair) => [pair.split('=')[0] ?? '', pair] as const));
  for (const pair of set) jar.set(pair.split('=')[0] ?? '', pair);
  return [...jar.values()].join('; ');
}

/** Signs in through the console's own form; resolves with the session's cookies. */
async function signIn(base: string, email: string): Promise<string> {
  const form = await fetch(`${base}/console/sign-in`);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
  const cookies = withCookies('', form);
  const signedIn = await fetch(`${base}/console/sign-in`, {
    method: 'POST', redirect: 'manual', headers: { cookie: cookies, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email, password: PASSWORD, _csrf: csrf }).toString(),
  });
  if (signedIn.status !== 303) throw new Error(`sign-in answered ${signedIn.status}`);
  return withCookies(cookies, signedIn);
}

/** p50 and p95 of RUNS requests after WARM_UP, and the size of the page. */
async function measure(url: string, cookies: string): Promise<{ p50: number; p95: number; bytes: number }> {
  const once = async () => {
    const started = performance.now();
    const response = await fetch(url, { headers: { cookie: cookies } });
    const body = await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
    return { ms: performance.now() - started, bytes: body.byteLength };
  };
  for (let run = 0; run < WARM_UP; run += 1) await once();
  const samples: number[] = [];
  let bytes = 0;
  for (let run = 0; run < RUNS; run += 1) {
    const sample = await once();
    samples.push(sample.ms);
    bytes = sample.bytes;
  }
  return { p50: median(samples), p95: percentile(samples, 0.95), bytes };
}

/** Runs the console benchmark and prints a Markdown table. */
export async function runConsoleBenchmark(): Promise<void> {
  const serverUrl = process.env['BENCH_DATABASE_URL'] ?? process.env['DATABASE_URL'];
  if (!serverUrl) throw new Error('the console benchmark needs BENCH_DATABASE_URL (a PostgreSQL server it may create databases on)');
  const database = await freshBenchDatabase(serverUrl, 'console');
  const handle = await openDatabase({ databaseUrl: database.url, poolSize: 2 });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hotline-bench-console-'));
  const key = generateKey();
  const cipher = createPersonalDataCipher({ current: key });
  const db = handle.db;
  let child: ReturnType<typeof startNode> | undefined;
  try {
    await migrateToLatest(db);
    const now = new Date();
    const { insertSeconds } = await insertBenchCases(db, now);

    // A caseworker of the largest organisation, and one of its open cases with a long conversation.
    const largest = await db.selectFrom('cases').select(['owner_organisation_id', (eb) => eb.fn.countAll<string>().as('count')])
      .where('owner_organisation_id', 'is not', null).groupBy('owner_organisation_id').orderBy('count', 'desc').limit(1).executeTakeFirstOrThrow();
    const organisationId = largest.owner_organisation_id ?? '';
    const caseworker = await db.updateTable('users').set({ password_hash: await hashPassword(PASSWORD), locale: 'en' })
      .where('id', '=', db.selectFrom('users').select('id').where('organisation_id', '=', organisationId).orderBy('email').limit(1))
      .returning(['id', 'email']).executeTakeFirstOrThrow();
    const kase = await db.selectFrom('cases').select(['id', 'reference', 'channel', 'created_at']).where('owner_organisation_id', '=', organisationId)
      .where('status', '=', 'open').orderBy('updated_at', 'desc').limit(1).executeTakeFirstOrThrow();
    const start = new Date(kase.created_at).getTime();
    await db.updateTable('cases').set({ summary_encrypted: cipher.seal('The boat owner has not paid us for three months. Call me on 081 234 5678.') }).where('id', '=', kase.id).execute();
    await db.insertInto('messages').values(Array.from({ length: MESSAGES }, (_, index) => ({
      case_id: kase.id, direction: index % 2 === 0 ? 'in' : 'out', channel: kase.channel, status: index % 2 === 0 ? 'received' : 'delivered',
      body_encrypted: cipher.seal(`Message ${index + 1}: ${'the employer still keeps our passports and has not paid the overtime. '.repeat(2)}`),
      created_at: new Date(start + (index + 1) * 60_000),
    }))).execute();
    await sql`vacuum analyze messages`.execute(db);

    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const startedAt = performance.now();
    child = startNode([MAIN], {
      PATH: process.env['PATH'], NODE_ENV: 'production', LOG_LEVEL: 'warn', PORT: String(port), PUBLIC_URL: 'https://hotline.example.org',
      DATABASE_URL: database.url, ENCRYPTION_KEY: key, SESSION_SECRET: crypto.randomBytes(32).toString('hex'), DATA_DIR: dataDir, SEED_DEMO: 'never',
    });
    await waitForOk(`${base}/healthz`, startedAt);
    const cookies = await signIn(base, caseworker.email);

    const rows = [
      { label: "inbox, first page (`/console/cases`, the caseworker's default view)", ...(await measure(`${base}/console/cases`, cookies)) },
      { label: `case page with ${MESSAGES} messages (\`/console/cases/:reference\`)`, ...(await measure(`${base}/console/cases/${kase.reference}`, cookies)) },
      { label: `printable summary of that case (\`/console/cases/:reference/summary\`)`, ...(await measure(`${base}/console/cases/${kase.reference}/summary`, cookies)) },
    ];
    const missed = rows.filter((row) => row.p95 >= TARGET_P95_MS);
    const lines = [
      `console: ${count(BENCH_CASE_COUNT)} cases (the inbox benchmark's data), the compiled web process (NODE_ENV=production, jobs in-process) on real PostgreSQL; p50 and p95 of ${RUNS} requests after ${WARM_UP} warm-up ones, one at a time, over loopback to the last byte`,
      '',
      `- machine: ${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim() ?? 'unknown'}), Node ${process.version}; data generated in ${insertSeconds} s`,
      `- reader: a caseworker of the largest organisation (owner of ${count(Number(largest.count))} cases); every request is audited as in production`,
      '',
      '| page | p50 ms | p95 ms | size KiB |',
      '|---|---:|---:|---:|',
      ...rows.map((row) => `| ${row.label} | ${row.p50.toFixed(1)} | ${row.p95.toFixed(1)} | ${(row.bytes / 1024).toFixed(0)} |`),
      '',
      missed.length === 0 ? `Target p95 < ${TARGET_P95_MS} ms: met by every page.` : `Target p95 < ${TARGET_P95_MS} ms: missed by ${missed.map((row) => row.label).join('; ')}.`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    if (child) await stop(child);
    await handle.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (process.env['BENCH_KEEP'] === '1') process.stderr.write(`kept ${database.url}\n`);
    else await database.drop();
  }
}
