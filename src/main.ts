import type { Server } from 'node:http';
import { createApp } from './app';
import { createTwilioCalls } from './channels/voice/twilio-calls';
import { createRateLimiter } from './http/rate-limit';
import { scheduleMaintenance, scheduleSpoolDrain } from './jobs/maintenance-schedule';
import { openHotline, type Hotline } from './hotline';
import { startKeyMigration } from './privacy/key-migration.service';
import { countOrganisations } from './orgs/organisation.repository';
import { seedDemo } from './seed/demo-seed';
import { configOrExit, onShutdownSignal } from './startup';
import { createAuthenticator } from './users/authentication';

// The web process. Embedded (no REDIS_URL) it also runs the jobs; with Redis it only writes
// them to the outbox, and `npm run worker` relays them through Redis and runs them.

async function main(): Promise<void> {
  const { config, logger } = configOrExit();
  const hotline = await openHotline(config, logger, { jobRole: config.redisUrl ? 'enqueue' : 'all', migrate: true });
  if (config.embedded && config.seedDemo === 'auto') await seedOnFirstStart(hotline);

  const rateLimiter = createRateLimiter(hotline);
  const secureCookies = config.publicUrl.startsWith('https://');
  const app = createApp({
    db: hotline.db,
    clock: hotline.clock,
    inbound: hotline.inbound,
    twilioAuthToken: config.twilio.authToken,
    lineChannelSecret: config.line.channelSecret,
    viberAuthToken: config.viber.authToken,
    viberBotName: config.viber.botName,
    publicUrl: config.publicUrl,
    web: {
      db: hotline.db,
      cipher: hotline.cipher,
      clock: hotline.clock,
      i18n: hotline.i18n,
      jobs: hotline.jobs,
      mailEnabled: hotline.mailEnabled,
      events: hotline.events,
      rateLimiter,
      sessionSecret: hotline.sessionSecret,
      secureCookies,
      counters: hotline.counters,
    },
    cases: {
      db: hotline.db, cipher: hotline.cipher, clock: hotline.clock, jobs: hotline.jobs, mailEnabled: hotline.mailEnabled, events: hotline.events, counters: hotline.counters,
      whatsappTemplateSid: config.twilio.whatsappTemplateSid, workerText: hotline.i18n,
    },
    console: { db: hotline.db, clock: hotline.clock, i18n: hotline.i18n, rateLimiter, sessionSecret: hotline.sessionSecret, secureCookies },
    logger,
    i18n: hotline.i18n,
    authenticate: createAuthenticator({ db: hotline.db, clock: hotline.clock }),
    readiness: {
      database: hotline.database.ping,
      ...(config.redisUrl ? { redis: hotline.jobs.ping } : {}),
    },
    secureCookies,
    trustProxy: config.env === 'production' ? 1 : false,
    statsMinCell: config.statsMinCell,
    cipher: hotline.cipher,
    metricsRegistry: hotline.metrics,
    counters: hotline.counters,
    callbacks: { calls: createTwilioCalls(config.twilio), from: config.voice.from, maxAttempts: config.voice.callbackMaxAttempts },
  });
  const server: Server = app.listen(config.port);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  await hotline.jobs.start();
  const stopMaintenance = config.redisUrl ? () => undefined : scheduleMaintenance({ ...hotline, failures: hotline.scheduledFailures });
  // Running the jobs itself (no Redis), this process moves values sealed before per-person keys to them; with Redis the worker does.
  if (!config.redisUrl) startKeyMigration(hotline).catch((error: unknown) => hotline.scheduledFailures.record('keys.migrate', error));
  const stopSpoolDrain = scheduleSpoolDrain({ ...hotline, failures: hotline.scheduledFailures });
  logger.info({ port: config.port, embedded: config.embedded, jobs: hotline.jobs.kind }, 'hotline listening');
  process.stdout.write(`\nMigrant Hotline is running at ${config.publicUrl}\n`);

  onShutdownSignal(logger, async () => {
    stopMaintenance();
    stopSpoolDrain();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await hotline.close();
  });
}

/** Loads the demo network into a new, empty embedded database only; never into one in use. */
async function seedOnFirstStart(hotline: Hotline): Promise<void> {
  if ((await countOrganisations(hotline.db)) > 0) return;
  const result = await seedDemo(hotline);
  if (!result.seeded || !result.signIn) return;
  process.stdout.write(
    [
      '',
      'A fictional demo network was loaded (this is shown once).',
      `  Console sign-in: ${result.signIn.email}`,
      `  Password:        ${result.signIn.password}`,
      '  Every demo user (see README) shares this password.',
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`hotline failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
