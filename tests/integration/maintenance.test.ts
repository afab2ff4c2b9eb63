import fs from 'node:fs';
import path from 'node:path';
import { Registry } from 'prom-client';
import { inTransaction } from '../../src/db/transaction';
import { scheduleMaintenance, scheduleSpoolDrain } from '../../src/jobs/maintenance-schedule';
import { DISPATCH_LEASE_MS } from '../../src/jobs/outbox.repository';
import { createHotlineCounters } from '../../src/observability/hotline-counters';
import { createScheduledFailures } from '../../src/observability/scheduled-failures';
import { createInboundSpool } from '../../src/channels/sms/inbound-spool';
import type { DatabaseHandle } from '../../src/db/database';
import { hitRateLimit, lockRateLimit } from '../../src/http/rate-limit.repository';
import { buildTestHotline, type TestHotline } from '../support/app';
import { createFakeClock } from '../support/clock';
import { openTestDatabase, truncate } from '../support/database';
import { createCapturingLogger } from '../support/logger';

const MINUTE = 60_000;

describe('the periodic purge (maintenance.purge)', () => {
  let handle: DatabaseHandle;
  let hotline: TestHotline;
  const clock = createFakeClock();

  beforeAll(async () => {
    handle = await openTestDatabase();
    hotline = buildTestHotline(handle, { clock });
  });
  afterAll(async () => {
    await handle.close();
  });
  beforeEach(async () => {
    await truncate(handle, ['jobs_outbox', 'rate_limits']);
  });

  const rateLimitKeys = async () =>
    (await handle.db.selectFrom('rate_limits').select('key').orderBy('key').execute()).map((row) => row.key);

  it('deletes rate-limit windows that have ended, keeping live windows and lockouts still in force', async () => {
    await hitRateLimit(handle.db, 'ended', clock.now(), MINUTE);
    await hitRateLimit(handle.db, 'ended-lockout', clock.now(), MINUTE);
    await lockRateLimit(handle.db, 'ended-lockout', new Date(clock.now().getTime() + 5 * MINUTE));
    await hitRateLimit(handle.db, 'locked', clock.now(), MINUTE);
    await lockRateLimit(handle.db, 'locked', new Date(clock.now().getTime() + 60 * MINUTE));
    clock.advance(10 * MINUTE);
    await hitRateLimit(handle.db, 'live', clock.now(), MINUTE);

    await inTransaction({ db: handle.db, jobs: hotline.jobs }, (trx) => hotline.jobs.enqueue(trx, 'maintenance.purge', {}));
    await hotline.runJobs();

    expect(await rateLimitKeys()).toEqual(['live', 'locked']);
  });
});

describe('the periodic scheduler', () => {
  let handle: DatabaseHandle;
  const clock = createFakeClock();

  beforeAll(async () => {
    handle = await openTestDatabase();
  });
  afterAll(async () => {
    await handle.close();
  });

  it('queues a periodic job again when the one it would wait for was dispatched and never finished within the lease', async () => {
    const hotline = buildTestHotline(handle, { clock });
    const dispatchedAt = (ago: number) => new Date(clock.now().getTime() - ago);
    await handle.db
      .insertInto('jobs_outbox')
      .values([
        { name: 'maintenance.purge', payload: '{}', status: 'dispatched', run_after: dispatchedAt(DISPATCH_LEASE_MS + 1), dispatched_at: dispatchedAt(DISPATCH_LEASE_MS + 1) },
        { name: 'referral.sweep', payload: '{}', status: 'dispatched', run_after: dispatchedAt(60_000), dispatched_at: dispatchedAt(60_000) },
        { name: 'case.flag_overdue', payload: '{}', status: 'dispatched', run_after: dispatchedAt(DISPATCH_LEASE_MS + 1), dispatched_at: dispatchedAt(1000) },
        { name: 'callback.flag_missed', payload: '{}', status: 'dispatched', run_after: dispatchedAt(60_000), dispatched_at: dispatchedAt(60_000) },
        { name: 'retention.run', payload: '{}', status: 'dispatched', run_after: dispatchedAt(60_000), dispatched_at: dispatchedAt(60_000) },
      ])
      .execute();
    const registry = new Registry();
    const { logger } = createCapturingLogger();
    const stop = scheduleMaintenance({ db: handle.db, jobs: hotline.jobs, clock, failures: createScheduledFailures({ registry, logger }) });
    const pendingNames = async () =>
      (await handle.db.selectFrom('jobs_outbox').select('name').where('status', '=', 'pending').execute()).map((row) => row.name);
    try {
      await waitFor(async () => (await pendingNames()).length > 0);
      await new Promise((resolve) => setTimeout(resolve, 200)); // the other rounds finish
    } finally {
      stop();
    }
    expect(await pendingNames()).toEqual(['maintenance.purge']);
  });
});

describe('scheduled work that fails', () => {
  const failuresCounted = async (registry: Registry) => {
    const metric = registry.getSingleMetric('hotline_scheduled_failures_total');
    const values = metric ? (await metric.get()).values : [];
    return Object.fromEntries(values.map((value) => [String(value.labels['task']), value.value]));
  };

  it('logs each periodic job it could not queue, by name, and counts it per task', async () => {
    const handle = await openTestDatabase();
    const hotline = buildTestHotline(handle);
    await handle.close(); // the database is gone: every round of the scheduler fails
    const registry = new Registry();
    const { logger, lines } = createCapturingLogger();
    const stop = scheduleMaintenance({ db: handle.db, jobs: hotline.jobs, clock: { now: () => new Date() }, failures: createScheduledFailures({ registry, logger }) });
    try {
      await waitFor(async () => Object.keys(await failuresCounted(registry)).length === 5);
    } finally {
      stop();
    }
    expect(await failuresCounted(registry)).toEqual({ 'maintenance.purge': 1, 'referral.sweep': 1, 'case.flag_overdue': 1, 'callback.flag_missed': 1, 'retention.run': 1 });
    const logged = lines().map((line) => JSON.parse(line) as { level: number; task?: string; msg: string });
    expect(logged.filter((line) => line.level === 50).map((line) => line.task).sort()).toEqual(['callback.flag_missed', 'case.flag_overdue', 'maintenance.purge', 'referral.sweep', 'retention.run']);
  });

  it('purges its own spool\'s files not stored in 30 days, after trying them once more', async () => {
    const handle = await openTestDatabase();
    try {
      const clock = createFakeClock('2026-12-02T08:00:00Z');
      const hotline = buildTestHotline(handle, { clock });
      const { logger, lines } = createCapturingLogger();
      const spool = createInboundSpool(hotline.spoolDir, hotline.cipher, logger);
      const ago = (days: number) => new Date(clock.now().getTime() - days * 86_400_000);
      // Files the drain cannot store (no webhook parameters): one spooled 31 days ago, one 29.
      for (const [name, days] of [['SMold', 31], ['SMnew', 29]] as const) {
        spool.write(name, { receivedAt: ago(days).toISOString() });
        fs.utimesSync(path.join(hotline.spoolDir, `${name}.sealed`), ago(days), ago(days));
      }
      const registry = new Registry();
      const counters = createHotlineCounters({ registry });
      const stop = scheduleSpoolDrain({ inbound: hotline.inbound, logger, failures: createScheduledFailures({ registry, logger }), spool, clock, counters });
      try {
        await waitFor(async () => fs.readdirSync(hotline.spoolDir).length === 1);
      } finally {
        stop();
      }
      expect(fs.readdirSync(hotline.spoolDir)).toEqual(['SMnew.sealed']);
      const purged = await registry.getSingleMetric('hotline_retention_purged_total')?.get();
      expect(purged?.values.find((value) => value.labels['kind'] === 'spool')?.value).toBe(1);
      const logged = lines().map((line) => JSON.parse(line) as { msg: string; spoolFiles?: number });
      // Tried by the drain first, then removed.
      expect(logged.findIndex((line) => line.msg === 'spooled inbound message not stored yet'))
        .toBeLessThan(logged.findIndex((line) => line.msg === 'inbound spool files not stored in 30 days were removed'));
      expect(logged.find((line) => line.spoolFiles !== undefined)?.spoolFiles).toBe(1);
    } finally {
      await handle.close();
    }
  });

  it('logs and counts a spool drain that could not read its spool', async () => {
    const handle = await openTestDatabase();
    try {
      const hotline = buildTestHotline(handle);
      fs.rmSync(hotline.spoolDir, { recursive: true, force: true });
      fs.writeFileSync(hotline.spoolDir, 'not a directory'); // readdir fails: ENOTDIR
      const registry = new Registry();
      const { logger, lines } = createCapturingLogger();
      const stop = scheduleSpoolDrain({ inbound: hotline.inbound, logger, failures: createScheduledFailures({ registry, logger }) });
      try {
        await waitFor(async () => (await failuresCounted(registry))['inbound.spool_drain'] === 1);
      } finally {
        stop();
        fs.rmSync(hotline.spoolDir, { force: true });
      }
      const [line] = lines().map((text) => JSON.parse(text) as { level: number; task?: string; err?: string });
      expect(line).toMatchObject({ level: 50, task: 'inbound.spool_drain' });
      expect(line?.err).toMatch(/ENOTDIR/);
    } finally {
      await handle.close();
    }
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
