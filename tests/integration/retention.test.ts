import fs from 'node:fs';
import { sql } from 'kysely';
import path from 'node:path';
import { Registry } from 'prom-client';
import { openCase } from '../../src/cases/case.service';
import { findOrCreateContact } from '../../src/contacts/contact.repository';
import type { DatabaseHandle } from '../../src/db/database';
import { inTransaction } from '../../src/db/transaction';
import { createHotlineCounters } from '../../src/observability/hotline-counters';
import { planRetention, runRetention, type RetentionDeps } from '../../src/privacy/retention.service';
import { upsertUser } from '../../src/users/user.repository';
import { buildTestHotline, type TestHotline } from '../support/app';
import { createFakeClock, type FakeClock } from '../support/clock';
import { openTestDatabase } from '../support/database';
import { createInboundSpool } from '../../src/channels/sms/inbound-spool';
import { createCapturingLogger } from '../support/logger';
import { openStored } from '../support/sealed';
import { sealerFor } from '../../src/privacy/person-keys';

// The retention schedule on a fake clock: a case resolved or closed 24 months ago (or its owning
// organisation's shorter period) has its personal data erased, the whole worker when every case of
// theirs is due; nothing a day earlier; nothing under legal hold; a second run does nothing. Old
// spool files, sessions, rate limits and notifications are purged; the figures are logged and counted.

const T0 = '2026-01-15T08:00:00Z';
const DAY = 86_400_000;

/** The instant `months` calendar months after T0, moved by `days`. */
function monthsAfter(months: number, days = 0): Date {
  const at = new Date(T0);
  at.setUTCMonth(at.getUTCMonth() + months);
  return new Date(at.getTime() + days * DAY);
}

describe('the retention schedule', () => {
  let handle: DatabaseHandle;
  let hotline: TestHotline;
  let clock: FakeClock;
  const registry = new Registry();
  const counters = createHotlineCounters({ registry });
  const log = createCapturingLogger('info');
  const org: Record<string, string> = {};
  let userId: string;

  beforeAll(async () => {
    handle = await openTestDatabase();
    clock = createFakeClock(T0);
    hotline = buildTestHotline(handle, { clock });
    for (const [slug, months] of [['network', null], ['partner', null], ['short', 6]] as const) {
      org[slug] = (await handle.db.insertInto('organisations').values({ slug, name: slug, kind: 'ngo', country: 'TH', retention_months: months }).returning('id').executeTakeFirstOrThrow()).id;
    }
    userId = await upsertUser(handle.db, { organisationId: org['network'] ?? '', email: 'coordinator@example.org', displayName: 'C', role: 'coordinator', locale: 'en', passwordHash: null });
  });
  afterAll(async () => {
    await handle.close();
  });

  const deps = (): RetentionDeps => ({
    db: handle.db, cipher: hotline.cipher, clock, jobs: hotline.jobs, events: hotline.events, logger: log.logger, retentionMonths: 24,
    counters, spool: createInboundSpool(hotline.spoolDir, hotline.cipher, log.logger),
  });

  /** A worker (an SMS identity) with cases, each with a status and the time it was resolved or last changed. */
  async function worker(phone: string, cases: { status: string; at: Date; owner?: string; resolved?: boolean }[]) {
    return inTransaction({ db: handle.db, jobs: hotline.jobs }, async (trx) => {
      const contact = await findOrCreateContact(trx, hotline.cipher, { channel: 'sms', address: phone });
      const made: string[] = [];
      for (const [index, item] of cases.entries()) {
        const opened = await openCase(trx, { cipher: hotline.cipher, clock }, { channel: 'sms', language: 'en', contactId: contact.id, story: `story ${phone} ${index}`, receivedAt: new Date(T0), categories: ['wages'] });
        await trx
          .updateTable('cases')
          .set({ status: item.status, owner_organisation_id: org[item.owner ?? 'partner'] ?? null, resolved_at: item.resolved === false ? null : item.at, updated_at: item.at })
          .where('id', '=', opened.id)
          .execute();
        made.push(opened.id);
      }
      return made;
    });
  }

  const story = async (caseId: string) =>
    openStored(handle.db, hotline.cipher, (await handle.db.selectFrom('cases').select('summary_encrypted').where('id', '=', caseId).executeTakeFirstOrThrow()).summary_encrypted);
  const erasures = () => handle.db.selectFrom('erasures').select(['scope', 'source', 'reason', 'status', 'case_id', 'person_id']).orderBy('requested_at').orderBy('id').execute();
  const statistics = () => handle.db.selectFrom('stats_case_month').selectAll().orderBy('month').orderBy('category').orderBy('origin_country').orderBy('destination_country').orderBy('sector').orderBy('currency').execute();
  const counted = async (name: string) => {
    const metric = registry.getSingleMetric(name);
    return Object.fromEntries(((metric ? await metric.get() : { values: [] }).values).map((value) => [Object.values(value.labels).join(','), value.value]));
  };

  it('erases at the end of each period, never a day before, never under hold, and a second run does nothing', async () => {
    const [resolved] = await worker('+66811110001', [{ status: 'resolved', at: new Date(T0) }]);
    const [closed, open] = await worker('+66811110002', [{ status: 'closed', at: new Date(T0), resolved: false }, { status: 'open', at: new Date(T0) }]);
    const [short] = await worker('+66811110003', [{ status: 'closed', at: new Date(T0), owner: 'short' }]);
    const [held] = await worker('+66811110004', [{ status: 'resolved', at: new Date(T0) }]);
    if (!resolved || !closed || !open || !short || !held) throw new Error('cases not made');
    const hold = await handle.db
      .insertInto('legal_holds')
      .values({ case_id: held, reason_encrypted: hotline.cipher.seal('court'), held_until: monthsAfter(60), created_by_user_id: userId })
      .returning('id')
      .executeTakeFirstOrThrow();
    const statisticsBefore = await statistics();

    clock.set(monthsAfter(6, -1));
    expect(await runRetention(deps())).toMatchObject({ people: 0, cases: 0 });
    expect(await story(short)).toBe('story +66811110003 0');

    clock.set(monthsAfter(6, 1));
    expect(await runRetention(deps())).toMatchObject({ people: 1, cases: 0, refused: 0 });
    expect(await story(short)).toBeNull();

    clock.set(monthsAfter(24, -1));
    expect(await runRetention(deps())).toMatchObject({ people: 0, cases: 0 });
    expect(await story(resolved)).toBe('story +66811110001 0');

    clock.set(monthsAfter(24, 1));
    expect(await planRetention(deps())).toMatchObject({ people: 1, cases: 1 });
    expect(await story(resolved)).toBe('story +66811110001 0');
    expect(await runRetention(deps())).toMatchObject({ people: 1, cases: 1, refused: 0 });
    expect([await story(resolved), await story(closed), await story(open), await story(held)]).toEqual([null, null, 'story +66811110002 1', 'story +66811110004 0']);
    const people = await handle.db.selectFrom('cases').innerJoin('people', 'people.id', 'cases.person_id').select(['cases.id', 'people.erased_at']).execute();
    expect(people.find((row) => row.id === resolved)?.erased_at).not.toBeNull();
    expect(people.find((row) => row.id === closed)?.erased_at).toBeNull();
    const made = await erasures();
    expect(made).toHaveLength(3);
    expect(made.every((row) => row.source === 'retention' && row.reason === 'retention' && row.status === 'done')).toBe(true);
    expect(made.map((row) => `${row.scope} ${row.case_id ?? ''}`).sort()).toEqual([`case ${closed}`, 'person ', 'person ']);

    // Idempotent: the same day again, or a week later, erases nothing more.
    expect(await runRetention(deps())).toMatchObject({ people: 0, cases: 0, refused: 0 });
    clock.advance(7 * DAY);
    expect(await runRetention(deps())).toMatchObject({ people: 0, cases: 0 });
    expect(await erasures()).toHaveLength(3);
    expect(await statistics()).toEqual(statisticsBefore);

    // Once the hold is released, the next run erases that worker too.
    await handle.db.updateTable('legal_holds').set({ released_at: clock.now(), released_by_user_id: userId }).where('id', '=', hold.id).execute();
    expect(await runRetention(deps())).toMatchObject({ people: 1 });
    expect(await story(held)).toBeNull();
    expect(await counted('hotline_retention_erased_total')).toEqual({ person: 3, case: 1 });
    const logged = log.lines().map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line['msg'] === 'retention: personal data past its period erased, old records purged');
    expect(logged.at(-1)).toMatchObject({ people: 1, cases: 0, retentionMonths: 24 });
    expect(JSON.stringify(logged)).not.toContain('+6681');
  });

  it('erases a worker with no case who has not been heard from for the period, never one merged with a worker whose case is kept', async () => {
    clock.set(T0);
    /** A worker on SMS who wrote once, `at`, and never opened a case: their words, sealed, in a message. */
    const caseless = async (phone: string, at: Date) => inTransaction({ db: handle.db, jobs: hotline.jobs }, async (trx) => {
      const contact = await findOrCreateContact(trx, hotline.cipher, { channel: 'sms', address: phone });
      // Written back in time: the rows' own dates are the database's clock, not the test's.
      const { rows: [row] } = await sql<{ person_id: string }>`update contacts set created_at = ${at}, updated_at = ${at}, last_message_at = ${at} where id = ${contact.id} returning person_id`.execute(trx);
      const personId = row?.person_id ?? '';
      await sql`update people set created_at = ${at} where id = ${personId}`.execute(trx);
      const sealer = await sealerFor(trx, hotline.cipher, personId);
      const message = await trx.insertInto('messages').values({ contact_id: contact.id, direction: 'in', channel: 'sms', status: 'received', body_encrypted: sealer.seal(`left before a case ${phone}`), created_at: at })
        .returning('id').executeTakeFirstOrThrow();
      return { personId, body: message.id };
    });
    const silent = await caseless('+66811110011', new Date(T0));
    const lately = await caseless('+66811110012', monthsAfter(12));
    const merged = await caseless('+66811110013', new Date(T0));
    const [kept] = await worker('+66811110014', [{ status: 'open', at: new Date(T0) }]);
    const keptPerson = (await handle.db.selectFrom('cases').select('person_id').where('id', '=', kept ?? '').executeTakeFirstOrThrow()).person_id;
    await handle.db.insertInto('person_merges').values({ kept_person_id: keptPerson, merged_person_id: merged.personId, contact_ids: [], case_ids: [], merged_by_user_id: userId, merged_at: new Date(T0) }).execute();
    /** The message's words as stored now (null once erased). */
    const opens = async (messageId: string) =>
      openStored(handle.db, hotline.cipher, (await handle.db.selectFrom('messages').select('body_encrypted').where('id', '=', messageId).executeTakeFirstOrThrow()).body_encrypted);

    clock.set(monthsAfter(24, -1));
    expect(await planRetention(deps())).toMatchObject({ idle: 0 });
    clock.set(monthsAfter(24, 1));
    expect(await planRetention(deps())).toMatchObject({ idle: 1 });
    expect(await opens(silent.body)).toBe('left before a case +66811110011');
    expect(await runRetention(deps())).toMatchObject({ idle: 1, people: 0, refused: 0 });
    expect([await opens(silent.body), await opens(lately.body), await opens(merged.body)]).toEqual([null, 'left before a case +66811110012', 'left before a case +66811110013']);
    const gone = await handle.db.selectFrom('people').select('erased_at').where('id', '=', silent.personId).executeTakeFirstOrThrow();
    expect(gone.erased_at).not.toBeNull();
    expect(await handle.db.selectFrom('erasures').select(['scope', 'source', 'reason', 'status']).where('person_id', '=', silent.personId).execute())
      .toEqual([{ scope: 'person', source: 'retention', reason: 'retention', status: 'done' }]);
    expect(await runRetention(deps())).toMatchObject({ idle: 0 });

    // A year later the one heard from lately is due too; the merged one never while their group keeps a case.
    clock.set(monthsAfter(36, 1));
    expect(await runRetention(deps())).toMatchObject({ idle: 1 });
    expect([await opens(lately.body), await opens(merged.body)]).toEqual([null, 'left before a case +66811110013']);
  });

  it('runs as the daily job, with the deployment\'s period', async () => {
    clock.set(T0);
    const [due] = await worker('+66811110005', [{ status: 'resolved', at: new Date(T0) }]);
    if (!due) throw new Error('case not made');
    clock.set(monthsAfter(24, 1));
    await inTransaction({ db: handle.db, jobs: hotline.jobs }, (trx) => hotline.jobs.enqueue(trx, 'retention.run', {}));
    await hotline.runJobs();
    expect(await story(due)).toBeNull();
    const job = await handle.db.selectFrom('jobs_outbox').select(['status', 'last_error']).where('name', '=', 'retention.run').executeTakeFirstOrThrow();
    expect(job).toMatchObject({ status: 'done', last_error: null });
  });

  it('purges spool files not stored in 30 days, sessions ended 30 days ago, spent rate limits and old notifications, after a dry run', async () => {
    clock.set(monthsAfter(30));
    const now = clock.now().getTime();
    const ago = (days: number) => new Date(now - days * DAY);
    const spool = createInboundSpool(hotline.spoolDir, hotline.cipher, log.logger);
    spool.write('SMold', { receivedAt: ago(31).toISOString() });
    spool.write('SMnew', { receivedAt: ago(29).toISOString() });
    fs.utimesSync(path.join(hotline.spoolDir, 'SMold.sealed'), ago(31), ago(31));
    fs.utimesSync(path.join(hotline.spoolDir, 'SMnew.sealed'), ago(29), ago(29));
    const session = (id: string, expiresAt: Date, endedAt: Date | null) =>
      ({ id_hash: id, user_id: userId, csrf_secret: 'x', created_at: ago(90), last_seen_at: ago(90), expires_at: expiresAt, ended_at: endedAt });
    await handle.db.insertInto('sessions').values([
      session('ended-long-ago', ago(-10), ago(31)), session('expired-long-ago', ago(31), null), session('ended-lately', ago(-10), ago(29)), session('live', ago(-1), null),
    ]).execute();
    await handle.db.insertInto('rate_limits').values([
      { key: 'spent', hits: 3, window_ends_at: ago(1), locked_until: null },
      { key: 'locked', hits: 9, window_ends_at: ago(1), locked_until: ago(-1) },
      { key: 'live', hits: 1, window_ends_at: ago(-1), locked_until: null },
    ]).execute();
    const notice = (kind: string, createdDaysAgo: number, read: boolean) => ({ user_id: userId, kind, created_at: ago(createdDaysAgo), read_at: read ? ago(createdDaysAgo - 1) : null });
    await handle.db.insertInto('notifications').values([
      notice('case.overdue', 200, true), notice('case.needs_triage', 200, false), notice('case.overdue', 800, false), notice('case.overdue', 10, true),
    ]).execute();

    const plan = await planRetention(deps());
    expect(plan).toMatchObject({ spoolFiles: 1, sessions: 2, rateLimits: 1, notifications: 2 });
    expect(spool.size()).toBe(2);
    expect(await runRetention(deps())).toMatchObject({ spoolFiles: 1, sessions: 2, rateLimits: 1, notifications: 2 });
    expect(fs.readdirSync(hotline.spoolDir).sort()).toEqual(['SMnew.sealed']);
    expect((await handle.db.selectFrom('sessions').select('id_hash').orderBy('id_hash').execute()).map((row) => row.id_hash)).toEqual(['ended-lately', 'live']);
    expect((await handle.db.selectFrom('rate_limits').select('key').orderBy('key').execute()).map((row) => row.key)).toEqual(['live', 'locked']);
    const kept = await handle.db.selectFrom('notifications').select(['kind', 'read_at']).orderBy('created_at').execute();
    expect(kept.map((row) => [row.kind, row.read_at !== null])).toEqual([['case.needs_triage', false], ['case.overdue', true]]);
    expect(await runRetention(deps())).toMatchObject({ spoolFiles: 0, sessions: 0, rateLimits: 0, notifications: 0 });
    expect(await counted('hotline_retention_purged_total')).toMatchObject({ spool: 1, sessions: 2, rate_limits: 1, notifications: 2 });
    expect(log.lines().some((line) => line.includes('inbound spool files not stored in 30 days were removed'))).toBe(true);
  });
});
