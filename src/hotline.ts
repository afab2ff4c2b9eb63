import path from 'node:path';
import type { i18n } from 'i18next';
import type { Kysely } from 'kysely';
import { systemClock, type Clock } from './clock';
import type { Config } from './config';
import { openDatabase, type DatabaseHandle } from './db/database';
import { lockDataDir } from './db/data-dir-lock';
import { migrateToLatest } from './db/migrator';
import { sealPlaintextConsentWordings } from './cases/case.repository';
import type { Database } from './db/schema';
import { createInboundSpool, type InboundSpool } from './channels/sms/inbound-spool';
import { createInboundService, type InboundService } from './channels/sms/inbound.service';
import { createTwilioSender } from './channels/sms/twilio-sender';
import { combineSenders, type MessageSender } from './channels/senders';
import { createLineSender } from './channels/line/line-sender';
import { createViberSender } from './channels/viber/viber-sender';
import type { ChannelSender } from './channels/channel';
import { createJobQueue, type HotlineJobQueue } from './jobs/job-queue';
import { createJobCatalogue } from './jobs/job.catalogue';
import { createDomainEvents, type DomainEventPublisher, type DomainEvents } from './events/domain-events';
import { createI18n } from './language/i18n';
import { createMailer } from './notifications/mailer';
import { subscribeNotifications } from './notifications/notification.subscribers';
import { createHotlineCounters, type HotlineCounters } from './observability/hotline-counters';
import { registerHotlineGauges } from './observability/hotline-gauges';
import type { Logger } from './observability/logger';
import { createScheduledFailures, type ScheduledFailures } from './observability/scheduled-failures';
import { Registry } from 'prom-client';
import { resolveSecrets } from './privacy/embedded-secrets';
import { createPersonalDataCipher, type PersonalDataCipher } from './privacy/personal-data';
import { sealerFor } from './privacy/person-keys';
import type { OfferDeps } from './referrals/referral-offer';
import { subscribeRouting } from './routing/routing.subscribers';

/** Everything a process of the hotline works with, built once from the configuration. */
export interface Hotline {
  config: Config;
  database: DatabaseHandle;
  db: Kysely<Database>;
  jobs: HotlineJobQueue;
  /** What services announce (a case opened, a referral declined…), with routing and notifications subscribed. */
  events: DomainEventPublisher;
  cipher: PersonalDataCipher;
  /** Inbound SMS and WhatsApp: store first (or spool), then process by job. */
  inbound: InboundService;
  /** Where inbound messages wait while the database cannot take them (DATA_DIR/spool/inbound). */
  spool: InboundSpool;
  clock: Clock;
  logger: Logger;
  i18n: i18n;
  sessionSecret: string;
  /** True when SMTP_URL is set: notices are also emailed (by the job runner). */
  mailEnabled: boolean;
  /** The process's Prometheus registry (the app adds its HTTP metrics to it). */
  metrics: Registry;
  /** The domain counters on that registry (messages, jobs, referrals), counted in this process. */
  counters: HotlineCounters;
  /** Where timers (periodic jobs, the spool drain) report a failed round. */
  scheduledFailures: ScheduledFailures;
  /** Stops jobs (letting running ones finish) and closes the database. */
  close(): Promise<void>;
}

export interface OpenHotlineOptions {
  /** 'all' runs jobs in this process; 'enqueue' only writes them to the outbox (web processes with Redis). */
  jobRole: 'all' | 'enqueue';
  migrate: boolean;
  clock?: Clock;
  /** Replaces the Twilio sender (tests pass one backed by a local fake Twilio). */
  sender?: MessageSender;
  /** Replace the LINE and Viber senders (tests pass ones backed by local fakes). */
  lineSender?: ChannelSender;
  viberSender?: ChannelSender;
}

/**
 * The part of a migration that needs the encryption key, which migrations never hold: free text
 * an earlier version stored in plain text is sealed here (consent wordings, migration 0008).
 */
export async function sealAfterMigrations(deps: Pick<Hotline, 'db' | 'cipher' | 'logger'>): Promise<void> {
  const sealed = await sealPlaintextConsentWordings(deps.db, async (text, personId) => (await sealerFor(deps.db, deps.cipher, personId)).seal(text));
  if (sealed > 0) deps.logger.info({ sealed }, 'sealed consent wordings stored in plain text');
}

/**
 * The domain events with their subscribers: notifications first (the notice of a change comes
 * before the routing it sets off), then routing. The publishers import neither.
 */
export function createHotlineEvents(deps: Omit<OfferDeps, 'events'>): DomainEvents {
  const events = createDomainEvents();
  subscribeNotifications(events, deps);
  subscribeRouting(events, { ...deps, events });
  return events;
}

/** Takes the embedded data directory (when there is no DATABASE_URL), opens the database (migrating it when asked), the job queue and the cipher. */
export async function openHotline(config: Config, logger: Logger, options: OpenHotlineOptions): Promise<Hotline> {
  const releaseDataDir = config.databaseUrl ? async () => undefined : await lockDataDir(config.dataDir, exitOnLostLock(logger));
  let database: DatabaseHandle | undefined;
  try {
    const secrets = resolveSecrets(config, logger);
    database = await openDatabase({
      databaseUrl: config.databaseUrl,
      pgliteDataDir: path.join(config.dataDir, 'pgdata'),
      poolSize: config.databasePoolSize,
    });
    if (options.migrate) {
      const applied = await migrateToLatest(database.db);
      if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');
    }
    return await assemble(config, logger, options, database, secrets, releaseDataDir);
  } catch (error) {
    await database?.close();
    await releaseDataDir();
    throw error;
  }
}

/** Another process may now be writing the embedded files: stop rather than corrupt them. */
function exitOnLostLock(logger: Logger): (error: Error) => void {
  return (error) => {
    logger.fatal({ err: error.message }, 'lost the lock on the data directory; stopping');
    process.exit(1);
  };
}

async function assemble(
  config: Config,
  logger: Logger,
  options: OpenHotlineOptions,
  database: DatabaseHandle,
  secrets: ReturnType<typeof resolveSecrets>,
  releaseDataDir: () => Promise<void>,
): Promise<Hotline> {
  const clock = options.clock ?? systemClock;
  const cipher = createPersonalDataCipher({ current: secrets.encryptionKey, previous: secrets.previousEncryptionKeys });
  if (options.migrate) await sealAfterMigrations({ db: database.db, cipher, logger });
  const i18n = createI18n();
  const sender = combineSenders({
    twilio: options.sender ?? createTwilioSender(config.twilio),
    line: options.lineSender ?? createLineSender(config.line),
    viber: options.viberSender ?? createViberSender(config.viber),
  });
  const mailer = createMailer(config.mail);
  const metrics = new Registry();
  const counters = createHotlineCounters({ registry: metrics });
  const eventsRef: { current?: DomainEvents } = {};
  const events: DomainEventPublisher = {
    publish: async (trx, event, context) => {
      if (!eventsRef.current) throw new Error('domain events not ready');
      await eventsRef.current.publish(trx, event, context);
    },
  };
  const spool = createInboundSpool(path.join(config.dataDir, 'spool', 'inbound'), cipher, logger);
  const jobs = createJobQueue({
    db: database.db, clock, logger, redisUrl: config.redisUrl, role: options.jobRole, counters,
    catalogue: (queue) => createJobCatalogue({
      db: database.db, clock, cipher, i18n, sender, mailer, publicUrl: config.publicUrl, counters, whatsappTemplateSid: config.twilio.whatsappTemplateSid,
      enqueueSend: (trx, messageId) => queue.enqueue(trx, 'sms.send', { messageId }),
      jobs: queue, events, media: { twilio: config.twilio, line: config.line, viber: config.viber },
      retentionMonths: config.retentionMonths, spool,
    }),
  });
  eventsRef.current = createHotlineEvents({ cipher, clock, jobs, mailEnabled: mailer !== undefined });
  registerHotlineGauges({ registry: metrics, db: database.db, clock, logger, spool });
  const inbound = createInboundService({ db: database.db, cipher, clock, logger, spool, wake: () => jobs.wake(), counters });
  return {
    config,
    database,
    db: database.db,
    jobs,
    events,
    cipher,
    inbound,
    spool,
    clock,
    logger,
    i18n,
    sessionSecret: secrets.sessionSecret,
    mailEnabled: mailer !== undefined,
    metrics,
    counters,
    scheduledFailures: createScheduledFailures({ registry: metrics, logger }),
    async close() {
      await jobs.drain();
      mailer?.close();
      await database.close();
      await releaseDataDir();
    },
  };
}
