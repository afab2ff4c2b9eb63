import fs from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { Registry } from 'prom-client';
import request from 'supertest';
import type { Express } from 'express';
import { createInboundSpool } from '../../src/channels/sms/inbound-spool';
import type { DatabaseHandle } from '../../src/db/database';
import type { Database } from '../../src/db/schema';
import { registerHotlineGauges } from '../../src/observability/hotline-gauges';
import { startWorkerMetricsServer, type WorkerMetricsServer } from '../../src/observability/worker-metrics-server';
import { buildTestHotline, type TestHotline } from '../support/app';
import { createFakeClock } from '../support/clock';
import { openTestDatabase, truncate } from '../support/database';
import { startFakeTwilio, type FakeTwilio } from '../support/fake-twilio';
import { createCapturingLogger, silentLogger } from '../support/logger';
import { useTestNetwork } from '../support/network';
import { inboundSms, messageSid, postSigned } from '../support/twilio-webhook';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parseSamples(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`unreadable metrics line: ${line}`);
      const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/([a-zA-Z_]+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
      return { name: match[1] ?? '', labels, value: Number(match[3]) };
    });
}

async function scrape(app: Express): Promise<Sample[]> {
  const response = await request(app).get('/metrics').expect(200);
  return parseSamples(response.text);
}

/** The value of one series, or undefined when /metrics has no such sample. */
function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value))?.value;
}

const PHONE_LIKE = /\+?\d[\d\s-]{6,}\d/;
const REFERENCE_LIKE = /\b[A-Z0-9]{3}-[A-Z0-9]{3}\b/;

describe('/metrics', () => {
  let handle: DatabaseHandle;
  let twilio: FakeTwilio;
  let hotline: TestHotline;
  const clock = createFakeClock();

  beforeAll(async () => {
    handle = await openTestDatabase();
    twilio = await startFakeTwilio();
  });
  afterAll(async () => {
    await twilio.close();
    await handle.close();
  });
  beforeEach(async () => {
    await truncate(handle, ['jobs_outbox', 'case_events', 'messages', 'cases', 'contacts']);
    clock.set('2026-11-27T08:00:00Z');
    hotline = buildTestHotline(handle, { clock, sender: twilio.sender() });
  });

  it('counts an inbound SMS received then processed, and shows its job waiting with its age by the clock', async () => {
    await postSigned(hotline.app, '/webhooks/twilio/messaging', inboundSms('+66812345678', 'Boss keeps my passport')).expect(200);
    let samples = await scrape(hotline.app);
    expect(valueOf(samples, 'hotline_inbound_messages_received_total', { channel: 'sms' })).toBe(1);
    expect(valueOf(samples, 'hotline_inbound_messages_processed_total', { channel: 'sms' })).toBe(0);
    expect(valueOf(samples, 'hotline_job_queue_depth', { job: 'sms.process_inbound' })).toBe(1);
    expect(valueOf(samples, 'hotline_job_oldest_waiting_age_seconds', { job: 'sms.process_inbound' })).toBe(0);

    clock.advance(90_000);
    samples = await scrape(hotline.app);
    expect(valueOf(samples, 'hotline_job_oldest_waiting_age_seconds', { job: 'sms.process_inbound' })).toBe(90);

    await hotline.runJobs();
    samples = await scrape(hotline.app);
    expect(valueOf(samples, 'hotline_inbound_messages_processed_total', { channel: 'sms' })).toBe(1);
    expect(valueOf(samples, 'hotline_jobs_completed_total', { job: 'sms.process_inbound' })).toBe(1);
    expect(valueOf(samples, 'hotline_job_queue_depth', { job: 'sms.process_inbound' })).toBe(0);
    expect(valueOf(samples, 'hotline_job_oldest_waiting_age_seconds', { job: 'sms.process_inbound' })).toBe(0);
  });

  it('counts a reply by each status it reaches: queued, then sent and delivered from the status callbacks', async () => {
    await postSigned(hotline.app, '/webhooks/twilio/messaging', inboundSms('+66812345679', 'hello')).expect(200);
    await hotline.runJobs();
    const reply = await handle.db.selectFrom('messages').select(['id', 'provider_id']).where('direction', '=', 'out').executeTakeFirstOrThrow();
    expect(twilio.requests).not.toHaveLength(0);
    for (const status of ['sent', 'delivered', 'delivered']) {
      await postSigned(hotline.app, `/webhooks/twilio/status?message=${reply.id}`, { MessageSid: reply.provider_id ?? messageSid(), MessageStatus: status }).expect(204);
    }
    const samples = await scrape(hotline.app);
    expect(valueOf(samples, 'hotline_outbound_messages_total', { channel: 'sms', status: 'queued' })).toBe(1);
    expect(valueOf(samples, 'hotline_outbound_messages_total', { channel: 'sms', status: 'sent' })).toBe(1);
    // A repeated callback changes nothing and is not counted again.
    expect(valueOf(samples, 'hotline_outbound_messages_total', { channel: 'sms', status: 'delivered' })).toBe(1);
    expect(valueOf(samples, 'hotline_jobs_completed_total', { job: 'sms.send' })).toBe(1);
  });

  it('counts a job that throws as a failure, and a retry when it will run again', async () => {
    twilio.answerNext({ status: 503 });
    await postSigned(hotline.app, '/webhooks/twilio/messaging', inboundSms('+66812345670', 'hello')).expect(200);
    await hotline.runJobs();
    await handle.db.insertInto('jobs_outbox').values({ name: 'sms.send', payload: JSON.stringify({ messageId: 'not-a-uuid' }), run_after: clock.now() }).execute();
    await hotline.runJobs();
    const samples = await scrape(hotline.app);
    expect(valueOf(samples, 'hotline_job_failures_total', { job: 'sms.send' })).toBe(2);
    // The Twilio outage is retried; the malformed payload goes dead at once.
    expect(valueOf(samples, 'hotline_job_retries_total', { job: 'sms.send' })).toBe(1);
    expect(valueOf(samples, 'hotline_jobs_delayed', { job: 'sms.send' })).toBe(1);
    expect(valueOf(samples, 'hotline_job_failures_total', { job: 'sms.process_inbound' })).toBe(0);
  });

  it('shows the inbound spool\'s files and bytes', async () => {
    let samples = await scrape(hotline.app);
    expect(valueOf(samples, 'hotline_inbound_spool_files')).toBe(0);
    expect(valueOf(samples, 'hotline_inbound_spool_bytes')).toBe(0);
    const spool = createInboundSpool(hotline.spoolDir, hotline.cipher, silentLogger());
    spool.write(messageSid(), { params: inboundSms('+66812345671', 'spooled'), receivedAt: clock.now().toISOString() });
    const [file] = fs.readdirSync(hotline.spoolDir);
    samples = await scrape(hotline.app);
    expect(valueOf(samples, 'hotline_inbound_spool_files')).toBe(1);
    expect(valueOf(samples, 'hotline_inbound_spool_bytes')).toBe(fs.statSync(path.join(hotline.spoolDir, file ?? '')).size);
  });

  it('has no label value that looks like a phone number or a case reference', async () => {
    await postSigned(hotline.app, '/webhooks/twilio/messaging', inboundSms('+66812345672', 'my passport')).expect(200);
    await hotline.runJobs();
    const reference = (await handle.db.selectFrom('cases').select('reference').executeTakeFirst())?.reference;
    await request(hotline.app).get(`/api/v1/cases/${reference ?? 'K7M-4QX'}`);
    const text = (await request(hotline.app).get('/metrics').expect(200)).text;
    const labelValues = parseSamples(text).flatMap((sample) => Object.values(sample.labels));
    expect(labelValues.length).toBeGreaterThan(0);
    expect(labelValues.filter((value) => PHONE_LIKE.test(value) || REFERENCE_LIKE.test(value))).toEqual([]);
    expect(text).not.toContain('66812345672');
  });

  it('answers when the job queue cannot be read: the gauges are skipped and the failure logged', async () => {
    const registry = new Registry();
    const { logger, lines } = createCapturingLogger();
    const brokenDb = { selectFrom: () => { throw new Error('connection refused'); } } as unknown as Kysely<Database>;
    registerHotlineGauges({ registry, db: brokenDb, clock, logger, spool: { usage: () => ({ files: 2, bytes: 10 }) } });
    const samples = parseSamples(await registry.metrics());
    expect(valueOf(samples, 'hotline_job_queue_depth')).toBeUndefined();
    expect(valueOf(samples, 'hotline_inbound_spool_files')).toBe(2);
    expect(lines().join('\n')).toContain('job queue gauges not read');
  });
});

describe('/metrics on referrals', () => {
  const testbed = useTestNetwork();

  it('counts a referral that expired unanswered', async () => {
    const { hotline, clock, network } = testbed;
    await network.openRoutedCase({ destinationCountry: 'TH', destinationProvince: 'TH-63', categories: ['wages'] });
    await hotline.runJobs();
    expect(valueOf(await scrape(hotline.app), 'hotline_referrals_expired_total')).toBe(0);
    expect(valueOf(await scrape(hotline.app), 'hotline_jobs_delayed', { job: 'referral.expire' })).toBe(1);
    clock.advance(48 * 3600_000 + 1000);
    await hotline.runJobs();
    expect(valueOf(await scrape(hotline.app), 'hotline_referrals_expired_total')).toBe(1);
  });
});

describe('the job worker\'s /metrics', () => {
  let handle: DatabaseHandle;
  let twilio: FakeTwilio;
  let server: WorkerMetricsServer | undefined;
  const clock = createFakeClock();

  beforeAll(async () => {
    handle = await openTestDatabase();
    twilio = await startFakeTwilio();
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  afterAll(async () => {
    await twilio.close();
    await handle.close();
  });

  it('serves the counters of the jobs it ran, and the job gauges, on its own port', async () => {
    clock.set('2026-11-27T08:00:00Z');
    const hotline = buildTestHotline(handle, { clock, sender: twilio.sender() });
    server = await startWorkerMetricsServer({ registry: hotline.metrics, host: '127.0.0.1', port: 0, logger: silentLogger() });
    const url = `http://127.0.0.1:${server.port}`;
    await postSigned(hotline.app, '/webhooks/twilio/messaging', inboundSms('+66812345673', 'hello')).expect(200);
    const before = parseSamples(await (await fetch(`${url}/metrics`)).text());
    expect(valueOf(before, 'hotline_job_queue_depth', { job: 'sms.process_inbound' })).toBe(1);
    expect(valueOf(before, 'hotline_jobs_completed_total', { job: 'sms.process_inbound' })).toBe(0);
    await hotline.runJobs();

    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const samples = parseSamples(await response.text());
    expect(valueOf(samples, 'hotline_jobs_completed_total', { job: 'sms.process_inbound' })).toBe(1);
    expect(valueOf(samples, 'hotline_jobs_completed_total', { job: 'sms.send' })).toBe(1);
    expect(valueOf(samples, 'hotline_inbound_messages_processed_total', { channel: 'sms' })).toBe(1);
    expect(valueOf(samples, 'hotline_outbound_messages_total', { channel: 'sms', status: 'queued' })).toBe(1);
    expect(valueOf(samples, 'hotline_job_queue_depth', { job: 'sms.process_inbound' })).toBe(0);
  });

  it('answers /healthz, and nothing else', async () => {
    const hotline = buildTestHotline(handle, { clock });
    server = await startWorkerMetricsServer({ registry: hotline.metrics, host: '127.0.0.1', port: 0, logger: silentLogger() });
    const url = `http://127.0.0.1:${server.port}`;
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    expect((await fetch(`${url}/api/v1/cases`)).status).toBe(404);
    expect((await fetch(`${url}/metrics`, { method: 'POST' })).status).toBe(405);
  });
});
