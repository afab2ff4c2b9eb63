import { createDomainEvents } from '../../src/events/domain-events';
import { expireReferral } from '../../src/referrals/referral.service';
import { useTestNetwork } from '../support/network';

const HOUR = 3600_000;

describe('domain events', () => {
  const testbed = useTestNetwork();

  const referralsOf = (caseId: string) =>
    testbed.handle.db.selectFrom('referrals').select(['id', 'status']).where('case_id', '=', caseId).orderBy('created_at').execute();
  const eventsOf = async (caseId: string) =>
    (await testbed.handle.db.selectFrom('case_events').select('type').where('case_id', '=', caseId).orderBy('created_at').orderBy('id').execute()).map((row) => row.type);

  it('publishes to nobody when nothing subscribed, and the transaction commits', async () => {
    const { handle, network } = testbed;
    const created = await network.openRoutedCase({ destinationCountry: 'MY', categories: ['wages'] });
    const events = createDomainEvents();
    await handle.db.transaction().execute(async (trx) => {
      await trx.updateTable('cases').set({ urgency: 'high' }).where('id', '=', created.id).execute();
      await events.publish(trx, { type: 'case.triage_changed', caseId: created.id, fields: ['urgency'] });
    });
    expect(await handle.db.selectFrom('cases').select('urgency').where('id', '=', created.id).executeTakeFirstOrThrow()).toEqual({ urgency: 'high' });
  });

  it('runs the subscribers of an event in the order they subscribed, in the publisher\'s transaction', async () => {
    const { handle, network } = testbed;
    const created = await network.openRoutedCase({ destinationCountry: 'MY', categories: ['wages'] });
    const events = createDomainEvents();
    const seen: string[] = [];
    events.subscribe('case.worker_wrote', async (trx, event) => {
      // The publisher's uncommitted write is visible: same transaction.
      const row = await trx.selectFrom('cases').select('urgency').where('id', '=', event.caseId).executeTakeFirstOrThrow();
      seen.push(`first saw ${row.urgency}`);
    });
    events.subscribe('case.worker_wrote', async () => {
      seen.push('second');
    });
    events.subscribe('case.opened', async () => {
      seen.push('not this one');
    });
    await handle.db.transaction().execute(async (trx) => {
      await trx.updateTable('cases').set({ urgency: 'emergency' }).where('id', '=', created.id).execute();
      await events.publish(trx, { type: 'case.worker_wrote', caseId: created.id });
    });
    expect(seen).toEqual(['first saw emergency', 'second']);
  });

  it('rolls the whole transaction back when a subscriber fails: the referral stays pending, nothing half-written', async () => {
    const { handle, hotline, clock, network } = testbed;
    const created = await network.openRoutedCase({ destinationCountry: 'TH', destinationProvince: 'TH-63', categories: ['wages'] });
    const [referral] = await referralsOf(created.id);
    clock.advance(49 * HOUR);
    const events = createDomainEvents();
    events.subscribe('referral.expired', async (trx, event) => {
      await trx.insertInto('notifications').values({ user_id: network.user.coordinator, kind: 'referral.expired', case_id: event.caseId, subject_id: event.referralId, created_at: clock.now() }).execute();
    });
    events.subscribe('referral.expired', async () => {
      throw new Error('routing is down');
    });
    const deps = { db: handle.db, cipher: hotline.cipher, clock, jobs: hotline.jobs, mailEnabled: false, events };
    await expect(expireReferral(deps, referral?.id ?? '')).rejects.toThrow('routing is down');
    expect((await referralsOf(created.id)).map((row) => row.status)).toEqual(['pending']);
    expect(await eventsOf(created.id)).toEqual(['case.opened', 'referral.created']);
    expect(await handle.db.selectFrom('notifications').select('kind').where('kind', '=', 'referral.expired').execute()).toEqual([]);
    expect(await handle.db.selectFrom('audit_log').select('action').where('action', '=', 'referral.expired').where('subject_id', '=', referral?.id ?? '').execute()).toEqual([]);
    // With the hotline's own subscribers it expires, and the case is routed on in the same commit.
    expect(await expireReferral({ ...deps, events: hotline.events }, referral?.id ?? '')).toBe(true);
    expect((await referralsOf(created.id)).map((row) => row.status)).toEqual(['expired', 'pending']);
  });

  it('lends the subscribers the publisher\'s clock and mail setting, over the hotline\'s', async () => {
    const { handle, hotline, network } = testbed;
    const created = await network.openRoutedCase({ destinationCountry: 'MY', categories: ['wages'] });
    const then = new Date('2025-03-01T09:00:00Z');
    await handle.db.transaction().execute(async (trx) => {
      // The test hotline has no mailer; this publisher has one, and a clock of its own.
      await hotline.events.publish(trx, { type: 'case.overdue', caseId: created.id }, { clock: { now: () => then }, mailEnabled: true });
    });
    const notices = await handle.db.selectFrom('notifications').select(['user_id', 'created_at', 'email_status'])
      .where('kind', '=', 'case.overdue').where('case_id', '=', created.id).execute();
    expect(notices.map((notice) => notice.user_id)).toContain(network.user.coordinator);
    expect(notices.map((notice) => [new Date(notice.created_at).toISOString(), notice.email_status])).toEqual(notices.map(() => [then.toISOString(), 'queued']));
  });
});
