import IORedis from 'ioredis';
import { z } from 'zod';
import type { DatabaseHandle } from '../../src/db/database';
import { inTransaction } from '../../src/db/transaction';
import { createBullmqQueue } from '../../src/jobs/bullmq-queue';
import { createInProcessQueue } from '../../src/jobs/in-process-queue';
import type { JobCatalogue, JobQueue } from '../../src/jobs/job.types';
import { dispatchLeaseCheckInterval } from '../../src/jobs/dispatch-lease';
import { DISPATCH_LEASE_MS } from '../../src/jobs/outbox.repository';
import { createFakeClock } from '../support/clock';
import { openTestDatabase, truncate } from '../support/database';
import { silentLogger } from '../support/logger';

type TestJobs = {
  'test.record': { caseId: string };
  'test.flaky': { caseId: string };
  'test.slow': { caseId: string };
};

interface Runs {
  record: string[];
  flaky: number;
  slowFinished: boolean;
}

function buildCatalogue(runs: Runs, failuresBeforeSuccess = 1): JobCatalogue<TestJobs> {
  const payload = z.object({ caseId: z.uuid() });
  return {
    'test.record': {
      payload,
      retry: { attempts: 3, backoffMs: 1000 },
      handle: async ({ caseId }) => {
        runs.record.push(caseId);
      },
    },
    'test.flaky': {
      payload,
      retry: { attempts: 3, backoffMs: 1000 },
      handle: async () => {
        runs.flaky += 1;
        if (runs.flaky <= failuresBeforeSuccess) throw new Error('provider timed out');
      },
    },
    'test.slow': {
      payload,
      retry: { attempts: 1, backoffMs: 0 },
      handle: async () => {
        await new Promise((resolve) => setTimeout(resolve, 300));
        runs.slowFinished = true;
      },
    },
  };
}

const CASE_ID = '6f1c1c1e-1111-4c1c-9c1c-111111111111';
const OTHER_CASE_ID = '6f1c1c1e-2222-4c1c-9c1c-222222222222';

async function outboxRows(handle: DatabaseHandle) {
  return handle.db.selectFrom('jobs_outbox').select(['name', 'status', 'attempts', 'last_error']).orderBy('id').execute();
}

describe('jobs through the outbox (in-process runner)', () => {
  let handle: DatabaseHandle;
  const clock = createFakeClock();
  let runs: Runs;

  const newQueue = (failures = 1) =>
    createInProcessQueue({ db: handle.db, catalogue: buildCatalogue(runs, failures), clock, logger: silentLogger(), pollIntervalMs: 20 });

  beforeAll(async () => {
    handle = await openTestDatabase();
  });
  afterAll(async () => {
    await handle.close();
  });
  beforeEach(async () => {
    runs = { record: [], flaky: 0, slowFinished: false };
    await truncate(handle, ['jobs_outbox']);
  });

  it('never runs a job whose transaction rolled back', async () => {
    const queue = newQueue();
    await expect(
      inTransaction({ db: handle.db, jobs: queue }, async (trx) => {
        await queue.enqueue(trx, 'test.record', { caseId: CASE_ID });
        throw new Error('the case could not be saved');
      }),
    ).rejects.toThrow('the case could not be saved');
    expect(await queue.runDue()).toBe(0);
    expect(runs.record).toEqual([]);
    expect(await outboxRows(handle)).toEqual([]);
  });

  it('runs a committed job exactly once, even when the runner restarts before and after it', async () => {
    const first = newQueue();
    await inTransaction({ db: handle.db, jobs: first }, (trx) => first.enqueue(trx, 'test.record', { caseId: CASE_ID }));
    await first.drain(); // stopped before it ran anything

    const second = newQueue();
    expect(await second.runDue()).toBe(1);
    await second.drain();

    const third = newQueue();
    expect(await third.runDue()).toBe(0);
    expect(runs.record).toEqual([CASE_ID]);
    expect(await outboxRows(handle)).toEqual([{ name: 'test.record', status: 'done', attempts: 1, last_error: null }]);
  });

  it('picks up, once started, jobs committed while it was down', async () => {
    const queue = newQueue();
    await inTransaction({ db: handle.db, jobs: queue }, async (trx) => {
      await queue.enqueue(trx, 'test.record', { caseId: CASE_ID });
      await queue.enqueue(trx, 'test.record', { caseId: OTHER_CASE_ID });
    });
    await queue.start();
    await waitFor(() => runs.record.length === 2);
    await queue.drain();
    expect(runs.record.sort()).toEqual([CASE_ID, OTHER_CASE_ID].sort());
  });

  it('retries a failing job after its backoff, and not before', async () => {
    const queue = newQueue(1);
    await inTransaction({ db: handle.db, jobs: queue }, (trx) => queue.enqueue(trx, 'test.flaky', { caseId: CASE_ID }));
    await queue.runDue();
    expect(await outboxRows(handle)).toEqual([{ name: 'test.flaky', status: 'pending', attempts: 1, last_error: 'Error: provider timed out' }]);
    clock.advance(999);
    expect(await queue.runDue()).toBe(0);
    clock.advance(1);
    expect(await queue.runDue()).toBe(1);
    expect(runs.flaky).toBe(2);
    expect(await outboxRows(handle)).toEqual([{ name: 'test.flaky', status: 'done', attempts: 2, last_error: null }]);
  });

  it('doubles the wait between retries and gives up after the last attempt', async () => {
    const queue = newQueue(99);
    await inTransaction({ db: handle.db, jobs: queue }, (trx) => queue.enqueue(trx, 'test.flaky', { caseId: CASE_ID }));
    await queue.runDue();
    clock.advance(1000);
    await queue.runDue();
    clock.advance(1999);
    expect(await queue.runDue()).toBe(0);
    clock.advance(1);
    expect(await queue.runDue()).toBe(1);
    expect(runs.flaky).toBe(3);
    const [row] = await outboxRows(handle);
    expect(row).toMatchObject({ status: 'dead', attempts: 3 });
  });

  it('sends a job with a malformed payload straight to dead, without running it', async () => {
    const queue = newQueue();
    await inTransaction({ db: handle.db, jobs: queue }, (trx) =>
      queue.enqueue(trx, 'test.record', { caseId: 'not-a-uuid' }),
    );
    await queue.runDue();
    expect(runs.record).toEqual([]);
    const [row] = await outboxRows(handle);
    expect(row).toMatchObject({ status: 'dead', attempts: 1 });
    expect(row?.last_error).toMatch(/caseId/);
  });

  it('holds delayed jobs until their time', async () => {
    const queue = newQueue();
    await inTransaction({ db: handle.db, jobs: queue }, (trx) =>
      queue.enqueue(trx, 'test.record', { caseId: CASE_ID }, { delayMs: 48 * 3600_000 }),
    );
    expect(await queue.runDue()).toBe(0);
    clock.advance(48 * 3600_000);
    expect(await queue.runDue()).toBe(1);
  });

  it('takes over a job whose runner died mid-run once its lease runs out', async () => {
    const queue = newQueue();
    await inTransaction({ db: handle.db, jobs: queue }, (trx) => queue.enqueue(trx, 'test.record', { caseId: CASE_ID }));
    await handle.db
      .updateTable('jobs_outbox')
      .set({ status: 'running', attempts: 1, locked_until: new Date(clock.now().getTime() + 60_000) })
      .execute();
    expect(await queue.runDue()).toBe(0);
    clock.advance(60_001);
    expect(await queue.runDue()).toBe(1);
    expect(runs.record).toEqual([CASE_ID]);
  });

  it('runs once, after its lease, a job left dispatched with nothing running it (the relay died before Redis had it)', async () => {
    const queue = newQueue();
    await inTransaction({ db: handle.db, jobs: queue }, (trx) => queue.enqueue(trx, 'test.record', { caseId: CASE_ID }));
    await handle.db.updateTable('jobs_outbox').set({ status: 'dispatched', dispatched_at: clock.now() }).execute();
    expect(await queue.runDue()).toBe(0);
    clock.advance(DISPATCH_LEASE_MS - 1);
    expect(await queue.runDue()).toBe(0);
    // The runner looks for stale dispatched jobs once per check interval, not at every poll.
    clock.advance(dispatchLeaseCheckInterval(DISPATCH_LEASE_MS) + 1);
    expect(await queue.runDue()).toBe(1);
    expect(await queue.runDue()).toBe(0);
    expect(runs.record).toEqual([CASE_ID]);
    expect(await outboxRows(handle)).toEqual([{ name: 'test.record', status: 'done', attempts: 1, last_error: null }]);
  });

  it('counts the lease of a delayed dispatched job from its run time, not its dispatch', async () => {
    const queue = newQueue();
    await inTransaction({ db: handle.db, jobs: queue }, (trx) =>
      queue.enqueue(trx, 'test.record', { caseId: CASE_ID }, { delayMs: 48 * 3600_000 }),
    );
    await handle.db.updateTable('jobs_outbox').set({ status: 'dispatched', dispatched_at: clock.now() }).execute();
    clock.advance(48 * 3600_000);
    expect(await queue.runDue()).toBe(0);
    clock.advance(DISPATCH_LEASE_MS + 1);
    expect(await queue.runDue()).toBe(1);
    expect(runs.record).toEqual([CASE_ID]);
  });

  it('drains: stops taking work and waits for the running job to finish', async () => {
    const queue = newQueue();
    await inTransaction({ db: handle.db, jobs: queue }, async (trx) => {
      await queue.enqueue(trx, 'test.slow', { caseId: CASE_ID });
    });
    await queue.start();
    await waitFor(async () => (await outboxRows(handle))[0]?.status === 'running');
    await inTransaction({ db: handle.db, jobs: queue }, (trx) => queue.enqueue(trx, 'test.record', { caseId: CASE_ID }));
    await queue.drain();
    expect(runs.slowFinished).toBe(true);
    expect(runs.record).toEqual([]);
    expect((await outboxRows(handle)).map((row) => row.status)).toEqual(['done', 'pending']);
  });
});

const describeWithRedis = process.env['REDIS_URL'] ? describe : describe.skip;

describeWithRedis('jobs through the outbox (BullMQ on Redis)', () => {
  let handle: DatabaseHandle;
  let runs: Runs;
  let prefix: string;
  const realClock = { now: () => new Date() };

  const newQueue = (failures = 1, dispatchLeaseMs?: number): JobQueue<TestJobs> =>
    createBullmqQueue({
      db: handle.db,
      catalogue: { ...buildCatalogue(runs, failures), 'test.flaky': { ...buildCatalogue(runs, failures)['test.flaky'], retry: { attempts: 3, backoffMs: 50 } } },
      clock: realClock,
      logger: silentLogger(),
      redisUrl: process.env['REDIS_URL'] ?? '',
      role: 'all',
      pollIntervalMs: 50,
      prefix,
      ...(dispatchLeaseMs ? { dispatchLeaseMs } : {}),
    });

  // Only this test's namespace: other test files may share the Redis database in CI.
  const flushTestNamespace = async () => {
    const redis = new IORedis(process.env['REDIS_URL'] ?? '');
    try {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      return keys.length;
    } finally {
      redis.disconnect();
    }
  };

  beforeAll(async () => {
    handle = await openTestDatabase();
  });
  afterAll(async () => {
    await handle.close();
  });
  beforeEach(async () => {
    runs = { record: [], flaky: 0, slowFinished: false };
    prefix = `hotline-test-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    await truncate(handle, ['jobs_outbox']);
  });

  it('never runs a job whose transaction rolled back', async () => {
    const queue = newQueue();
    await queue.start();
    await expect(
      inTransaction({ db: handle.db, jobs: queue }, async (trx) => {
        await queue.enqueue(trx, 'test.record', { caseId: CASE_ID });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await queue.drain();
    expect(runs.record).toEqual([]);
    expect(await outboxRows(handle)).toEqual([]);
  });

  it('runs a committed job exactly once across a restart of the worker', async () => {
    const first = newQueue();
    await inTransaction({ db: handle.db, jobs: first }, (trx) => first.enqueue(trx, 'test.record', { caseId: CASE_ID }));
    await first.drain();
    const second = newQueue();
    await second.start();
    await waitFor(() => runs.record.length === 1);
    await second.drain();
    const third = newQueue();
    await third.start();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await third.drain();
    expect(runs.record).toEqual([CASE_ID]);
    expect(await outboxRows(handle)).toEqual([{ name: 'test.record', status: 'done', attempts: 0, last_error: null }]);
  });

  it('retries a failing job with backoff until it succeeds', async () => {
    const queue = newQueue(2);
    await queue.start();
    await inTransaction({ db: handle.db, jobs: queue }, (trx) => queue.enqueue(trx, 'test.flaky', { caseId: CASE_ID }));
    await waitFor(async () => (await outboxRows(handle))[0]?.status === 'done');
    await queue.drain();
    expect(runs.flaky).toBe(3);
  });

  it('dispatches again, after its lease, a job marked dispatched by a relay that died before Redis had it', async () => {
    const queue = newQueue(1, 300);
    await inTransaction({ db: handle.db, jobs: queue }, (trx) => queue.enqueue(trx, 'test.record', { caseId: CASE_ID }));
    await handle.db.updateTable('jobs_outbox').set({ status: 'dispatched', dispatched_at: new Date() }).execute();
    await queue.start();
    try {
      await waitFor(async () => (await outboxRows(handle))[0]?.status === 'done');
    } finally {
      await queue.drain();
    }
    expect(runs.record).toEqual([CASE_ID]);
  });

  it('runs, after its lease, a delayed job that Redis lost (its keys flushed)', async () => {
    const queue = newQueue(1, 300);
    await queue.start();
    await inTransaction({ db: handle.db, jobs: queue }, (trx) =>
      queue.enqueue(trx, 'test.record', { caseId: CASE_ID }, { delayMs: 500 }),
    );
    try {
      await waitFor(async () => (await outboxRows(handle))[0]?.status === 'dispatched');
      expect(await flushTestNamespace()).toBeGreaterThan(0);
      await waitFor(async () => (await outboxRows(handle))[0]?.status === 'done');
    } finally {
      await queue.drain();
    }
    expect(runs.record).toEqual([CASE_ID]);
  });

  it('makes one round of a periodic task per interval between several workers, not one each', async () => {
    const workers = [newQueue(), newQueue()];
    const rounds: number[] = [];
    const startedAt = Date.now();
    try {
      for (const worker of workers) {
        await worker.start();
        await worker.schedulePeriodic?.([{ name: 'test.periodic', everyMs: 400, run: async () => void rounds.push(Date.now()) }]);
      }
      await waitFor(() => rounds.length >= 3);
      await new Promise((resolve) => setTimeout(resolve, 800));
    } finally {
      await Promise.all(workers.map((worker) => worker.drain()));
      await flushTestNamespace(); // the scheduler would otherwise stay in Redis
    }
    const intervals = Math.floor((Date.now() - startedAt) / 400);
    // Each worker timing its own rounds would make about two per interval.
    expect(rounds.length).toBeLessThanOrEqual(intervals + 1);
    expect(rounds.length).toBeGreaterThanOrEqual(3);
  });

  it('answers its readiness check', async () => {
    const queue = newQueue();
    await expect(queue.ping()).resolves.toBeUndefined();
    await queue.drain();
  });
});

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
