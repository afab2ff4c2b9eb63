import { inTransaction } from '../../src/db/transaction';
import type { DatabaseHandle } from '../../src/db/database';
import { hitRateLimit, lockRateLimit } from '../../src/http/rate-limit.repository';
import { buildTestHotline, type TestHotline } from '../support/app';
import { createFakeClock } from '../support/clock';
import { openTestDatabase, truncate } from '../support/database';

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
