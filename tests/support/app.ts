import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import { createApp } from '../../src/app';
import { createInboundSpool } from '../../src/channels/sms/inbound-spool';
import { createRateLimiter } from '../../src/http/rate-limit';
import type { MediaFetchConfig } from '../../src/attachments/media-fetch';
import { createInboundService, type InboundService } from '../../src/channels/sms/inbound.service';
import { createTwilioSender } from '../../src/channels/sms/twilio-sender';
import type { TwilioCalls } from '../../src/channels/voice/twilio-calls';
import { FAKE_LINE_SECRET } from './fake-line';
import { FAKE_VIBER_TOKEN } from './fake-viber';
import { combineSenders, type MessageSender } from '../../src/channels/senders';
import type { ChannelSender } from '../../src/channels/channel';
import type { Clock } from '../../src/clock';
import type { DatabaseHandle } from '../../src/db/database';
import type { DomainEventPublisher } from '../../src/events/domain-events';
import { createHotlineEvents } from '../../src/hotline';
import type { HotlineJobEnqueuer } from '../../src/jobs/hotline-jobs';
import { createInProcessQueue } from '../../src/jobs/in-process-queue';
import { createJobCatalogue, type HotlineJobs } from '../../src/jobs/job.catalogue';
import type { JobQueue } from '../../src/jobs/job.types';
import { createI18n } from '../../src/language/i18n';
import { Registry } from 'prom-client';
import { createHotlineCounters } from '../../src/observability/hotline-counters';
import { registerHotlineGauges } from '../../src/observability/hotline-gauges';
import { createLogger, type Logger } from '../../src/observability/logger';
import type { Mailer } from '../../src/notifications/mailer';
import { createPersonalDataCipher, type PersonalDataCipher } from '../../src/privacy/personal-data';
import { createAuthenticator } from '../../src/users/authentication';
import { silentLogger } from './logger';
import { spoolPrefix } from './test-run';

export const TEST_AUTH_TOKEN = '0123456789abcdef0123456789abcdef';
export const TEST_PUBLIC_URL = 'https://hotline.example.org';
export const TEST_LINE_CHANNEL_SECRET = FAKE_LINE_SECRET;
export const TEST_VIBER_AUTH_TOKEN = FAKE_VIBER_TOKEN;
export const TEST_SESSION_SECRET = 'test-session-secret-that-is-long-enough';

/** The hotline's parts over a test database: jobs run only when a test calls `runJobs()`. */
export interface TestHotline {
  app: Express;
  cipher: PersonalDataCipher;
  inbound: InboundService;
  jobs: JobQueue<HotlineJobs> & { runDue(): Promise<number> };
  /** The domain events, routing and notifications subscribed as in `hotline.ts`. */
  events: DomainEventPublisher;
  spoolDir: string;
  /** The registry behind /metrics: the domain counters and the database gauges. */
  metrics: Registry;
  /** Runs every due job, again and again, until none is left. */
  runJobs(): Promise<void>;
}

export interface TestHotlineOptions {
  clock?: Clock;
  logger?: Logger;
  /** The Twilio sender (SMS, WhatsApp, Messenger); none configured unless a test passes a fake's. */
  sender?: MessageSender;
  lineSender?: ChannelSender;
  viberSender?: ChannelSender;
  readiness?: Record<string, () => Promise<void>>;
  twilioAuthToken?: string | undefined;
  publicUrl?: string;
  cipher?: PersonalDataCipher;
  /** STATS_MIN_CELL; 10 unless a test sets it. */
  statsMinCell?: number;
  /** TWILIO_WHATSAPP_TEMPLATE_SID; unset unless a test sets it. */
  whatsappTemplateSid?: string;
  /** A mailer to a local SMTP server; none: notices stay in the console. */
  mailer?: Mailer;
  /** Where media is fetched from (fake providers); unset: no provider configured. */
  media?: MediaFetchConfig;
  /** Call-backs through a (fake) Twilio; unset: nobody can be called back. */
  callbacks?: { calls: TwilioCalls; from: string | undefined; maxAttempts: number };
}

const NO_MEDIA_PROVIDER: MediaFetchConfig = {
  twilio: { accountSid: undefined, authToken: undefined, apiBaseUrl: 'https://api.twilio.com' },
  line: { channelAccessToken: undefined, dataApiBaseUrl: 'https://api-data.line.me' },
  viber: { apiBaseUrl: 'https://chatapi.viber.com' },
};

const spoolDirs: string[] = [];

/** Removes the spool directories this test file made (run after each file, see jest.config.js). */
export function removeTestSpools(): void {
  for (const dir of spoolDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** Builds the hotline's app and job runner over a test database. */
export function buildTestHotline(handle: DatabaseHandle, options: TestHotlineOptions = {}): TestHotline {
  const clock = options.clock ?? { now: () => new Date() };
  const logger = options.logger ?? (process.env['TEST_LOG'] ? createLogger('debug') : silentLogger());
  const cipher = options.cipher ?? createPersonalDataCipher({ current: crypto.randomBytes(32).toString('base64') });
  const i18n = createI18n();
  const publicUrl = options.publicUrl ?? TEST_PUBLIC_URL;
  const twilioSender = options.sender ?? createTwilioSender({ accountSid: undefined, authToken: undefined, messagingServiceSid: undefined, from: undefined, canSend: false, messengerFrom: undefined, whatsappTemplateSid: undefined, apiBaseUrl: 'https://api.twilio.com' });
  const sender = combineSenders({
    twilio: twilioSender,
    ...(options.lineSender ? { line: options.lineSender } : {}),
    ...(options.viberSender ? { viber: options.viberSender } : {}),
  });
  const queueRef: { current?: JobQueue<HotlineJobs> } = {};
  const mailer = options.mailer;
  const metricsRegistry = new Registry();
  const counters = createHotlineCounters({ registry: metricsRegistry });
  const queue: HotlineJobEnqueuer = {
    enqueue: async (trx, name, payload, enqueueOptions) => {
      if (!queueRef.current) throw new Error('job queue not ready');
      return queueRef.current.enqueue(trx, name, payload, enqueueOptions);
    },
    wake: () => undefined,
  };
  const events = createHotlineEvents({ cipher, clock, jobs: queue, mailEnabled: mailer !== undefined });
  const catalogue = createJobCatalogue({
    db: handle.db, clock, cipher, i18n, sender, publicUrl, mailer, counters, events, whatsappTemplateSid: options.whatsappTemplateSid,
    enqueueSend: async (trx, messageId) => queueRef.current?.enqueue(trx, 'sms.send', { messageId }),
    jobs: queue, media: options.media ?? NO_MEDIA_PROVIDER,
  });
  const jobs = createInProcessQueue({ db: handle.db, catalogue, clock, logger, counters });
  queueRef.current = jobs;
  const spoolDir = fs.mkdtempSync(path.join(os.tmpdir(), `${spoolPrefix()}-`));
  spoolDirs.push(spoolDir);
  const spool = createInboundSpool(spoolDir, cipher, logger);
  registerHotlineGauges({ registry: metricsRegistry, db: handle.db, clock, logger, spool });
  const inbound = createInboundService({ db: handle.db, cipher, clock, logger, spool, wake: () => undefined, counters });
  const rateLimiter = createRateLimiter({ db: handle.db, clock, cipher });
  const app = createApp({
    db: handle.db,
    clock,
    logger,
    inbound,
    twilioAuthToken: 'twilioAuthToken' in options ? options.twilioAuthToken : TEST_AUTH_TOKEN,
    lineChannelSecret: TEST_LINE_CHANNEL_SECRET,
    viberAuthToken: TEST_VIBER_AUTH_TOKEN,
    publicUrl,
    web: {
      db: handle.db,
      cipher,
      clock,
      i18n,
      jobs,
      mailEnabled: mailer !== undefined,
      events,
      rateLimiter,
      sessionSecret: TEST_SESSION_SECRET,
      secureCookies: false,
      counters,
    },
    cases: { db: handle.db, cipher, clock, jobs, mailEnabled: mailer !== undefined, events, counters, whatsappTemplateSid: options.whatsappTemplateSid, workerText: i18n },
    console: { db: handle.db, clock, i18n, rateLimiter, sessionSecret: TEST_SESSION_SECRET, secureCookies: false },
    i18n,
    authenticate: createAuthenticator({ db: handle.db, clock }),
    readiness: options.readiness ?? { database: handle.ping },
    secureCookies: false,
    trustProxy: true,
    statsMinCell: options.statsMinCell ?? 10,
    cipher,
    metricsRegistry,
    counters,
    ...(options.callbacks ? { callbacks: options.callbacks } : {}),
  });
  return {
    app,
    cipher,
    inbound,
    jobs,
    events,
    spoolDir,
    metrics: metricsRegistry,
    async runJobs() {
      while ((await jobs.runDue()) > 0) {
        // keep going: a processed message queues its reply's send job
      }
    },
  };
}

/** Just the app, for tests that need no jobs. */
export function buildTestApp(handle: DatabaseHandle, options: TestHotlineOptions = {}): Express {
  return buildTestHotline(handle, options).app;
}
