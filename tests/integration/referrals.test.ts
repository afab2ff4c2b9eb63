import type { DatabaseHandle } from '../../src/db/database';
import { expireReferral } from '../../src/referrals/referral.service';
import type { TestHotline } from '../support/app';
import type { FakeClock } from '../support/clock';
import { usingRealPostgres } from '../support/database';
import { routeCase } from '../../src/routing/routing.service';
import { useTestNetwork, type TestNetwork } from '../support/network';
import { openStored } from '../support/sealed';

const HOUR = 3600_000;

describe('referrals between organisations', () => {
  const testbed = useTestNetwork();
  let handle: DatabaseHandle;
  let hotline: TestHotline;
  let clock: FakeClock;
  let network: TestNetwork;
  beforeAll(() => ({ handle, hotline, clock, network } = testbed));

  const referralsOf = (caseId: string) =>
    handle.db.selectFrom('referrals').select(['id', 'to_organisation_id', 'status', 'due_at', 'routing_rule_id']).where('case_id', '=', caseId).orderBy('created_at').execute();
  const eventsOf = async (caseId: string) =>
    (await handle.db.selectFrom('case_events').select('type').where('case_id', '=', caseId).orderBy('created_at').orderBy('id').execute()).map((row) => row.type);
  const unreadOf = async (userId: string) =>
    (await handle.db.selectFrom('notifications').select('kind').where('user_id', '=', userId).where('read_at', 'is', null).execute()).map((row) => row.kind);

  describe('routing', () => {
    it('refers a new case to the organisation of the first matching rule, due after its response time', async () => {
      const created = await network.openRoutedCase({ destinationCountry: 'TH', destinationProvince: 'TH-63', categories: ['wages'] });
      const [referral] = await referralsOf(created.id);
      expect(referral).toMatchObject({ to_organisation_id: network.org['mae-sot'], status: 'pending', routing_rule_id: network.rule['Tak to Mae Sot'] });
      expect(referral?.due_at.toISOString()).toBe(new Date(clock.now().getTime() + 48 * HOUR).toISOString());
      expect(await eventsOf(created.id)).toEqual(['case.opened', 'referral.created']);
      expect(await unreadOf(network.user.maesot)).toEqual(['referral.received']);
      expect(await unreadOf(network.user.bangkok)).toEqual([]);
      const job = await handle.db.selectFrom('jobs_outbox').select(['payload', 'run_after']).where('name', '=', 'referral.expire').executeTakeFirstOrThrow();
      expect(job.payload).toEqual({ referralId: referral?.id });
      expect(job.run_after.toISOString()).toBe(referral?.due_at.toISOString());
    });

    it('sends a case no rule matches to the coordinators\' triage queue, and tells them', async () => {
      const created = await network.openRoutedCase({ destinationCountry: 'MY', categories: ['wages'] });
      expect(await referralsOf(created.id)).toEqual([]);
      expect(await eventsOf(created.id)).toEqual(['case.opened', 'case.needs_triage']);
      expect(await unreadOf(network.user.coordinator)).toEqual(['case.needs_triage']);
      const queue = await network.as('coordinator', 'get', '/api/v1/cases?triage=true').expect(200);
      expect(queue.body.data.map((row: { reference: string }) => row.reference)).toEqual([created.reference]);
    });

    it('routes again when triage changes a field the rules match on, without duplicating a referral', async () => {
      const created = await network.openRoutedCase({ destinationCountry: null, categories: ['wages'] });
      expect(await referralsOf(created.id)).toEqual([]);
      await network.as('coordinator', 'patch', `/api/v1/cases/${created.reference}`, { destination_country: 'TH', destination_province: 'TH-63' }).expect(200);
      expect((await referralsOf(created.id)).map((row) => row.to_organisation_id)).toEqual([network.org['mae-sot']]);
      // Another change, routable or not, while Mae Sot holds the case: nothing new.
      await network.as('coordinator', 'patch', `/api/v1/cases/${created.reference}`, { destination_province: 'TH-10', urgency: 'high' }).expect(200);
      expect(await referralsOf(created.id)).toHaveLength(1);
      const queue = await network.as('coordinator', 'get', '/api/v1/cases?triage=true').expect(200);
      expect(queue.body.data).toEqual([]);
    });

    it('escalates by rule to the embassy of the worker\'s nationality when triage adds an arrest', async () => {
      const created = await network.openRoutedCase({ destinationCountry: 'TH', destinationProvince: 'TH-10', originCountry: 'MM', categories: ['wages'] });
      await network.as('coordinator', 'patch', `/api/v1/cases/${created.reference}`, { categories: ['wages', 'arrest'] }).expect(200);
      await network.as('coordinator', 'patch', `/api/v1/cases/${created.reference}`, { urgency: 'emergency' }).expect(200);
      const escalations = await handle.db.selectFrom('escalations').select(['embassy_organisation_id', 'status', 'routing_rule_id']).where('case_id', '=', created.id).execute();
      expect(escalations).toEqual([{ embassy_organisation_id: network.org['embassy-mm-th'], status: 'open', routing_rule_id: network.rule['arrest to the embassy'] }]);
      expect(await unreadOf(network.user.liaisonMM)).toEqual(['escalation.opened']);
      expect(await unreadOf(network.user.liaisonKH)).toEqual([]);
    });

    it('routes an SMS case when the worker finishes the intake', async () => {
      const { createWorkerPhone } = await import('../support/sms-conversation');
      const phone = createWorkerPhone(handle, hotline, '+66810000077');
      for (const answer of ['My boss has not paid me for two months', '1', 'I work in Mae Sot', '1']) await phone.text(answer);
      const found = await handle.db.selectFrom('cases').select(['id', 'destination_province']).executeTakeFirstOrThrow();
      expect(found.destination_province).toBe('TH-63');
      expect(await referralsOf(found.id)).toEqual([]);
      await phone.text('YES');
      expect((await referralsOf(found.id)).map((row) => row.to_organisation_id)).toEqual([network.org['mae-sot']]);
      // The worker writes again: Mae Sot has not accepted yet, so nobody holds the case to tell.
      await phone.text('they also took my phone');
      expect(await unreadOf(network.user.maesot)).toEqual(['referral.received']);
      const [referral] = await referralsOf(found.id);
      await network.as('maesot', 'patch', `/api/v1/referrals/${referral?.id}`, { status: 'accepted' }).expect(204);
      await phone.text('and my friend too');
      await phone.text('please help');
      expect((await unreadOf(network.user.maesot)).sort()).toEqual(['case.worker_replied', 'referral.received']);
    });
  });

  describe('lifecycle', () => {
    async function referredToMaeSot() {
      const created = await network.openRoutedCase({ destinationCountry: 'TH', destinationProvince: 'TH-63', categories: ['wages'] });
      const [referral] = await referralsOf(created.id);
      if (!referral) throw new Error('not referred');
      return { ...created, referralId: referral.id };
    }

    it('is accepted by the receiving organisation, which then holds the case, and completed', async () => {
      const { id, reference, referralId } = await referredToMaeSot();
      await network.as('maesot', 'patch', `/api/v1/referrals/${referralId}`, { status: 'accepted' }).expect(204);
      const owned = await handle.db.selectFrom('cases').select(['owner_organisation_id', 'status']).where('id', '=', id).executeTakeFirstOrThrow();
      expect(owned).toEqual({ owner_organisation_id: network.org['mae-sot'], status: 'open' });
      expect(await unreadOf(network.user.coordinator)).toContain('referral.accepted');
      await network.as('maesot', 'patch', `/api/v1/referrals/${referralId}`, { status: 'completed' }).expect(204);
      const detail = await network.as('maesot', 'get', `/api/v1/cases/${reference}`).expect(200);
      expect(detail.body.referrals).toMatchObject([{ id: referralId, status: 'completed', to: { slug: 'mae-sot' }, from: null, rule: 'Tak to Mae Sot' }]);
      expect(await eventsOf(id)).toEqual(['case.opened', 'referral.created', 'referral.accepted', 'referral.completed']);
      const audit = await handle.db.selectFrom('audit_log').select('action').where('subject_id', '=', referralId).orderBy('id').execute();
      expect(audit.map((row) => row.action)).toEqual(['referral.created', 'referral.accepted', 'referral.completed']);
    });

    it('needs a reason to decline, and then offers the case to the next matching organisation', async () => {
      const { id, referralId } = await referredToMaeSot();
      const refused = await network.as('maesot', 'patch', `/api/v1/referrals/${referralId}`, { status: 'declined' }).expect(400);
      expect(refused.body.error.fields).toEqual([expect.objectContaining({ field: 'reason', reason: 'required' })]);
      await network.as('maesot', 'patch', `/api/v1/referrals/${referralId}`, { status: 'declined', reason: 'No capacity this month' }).expect(204);
      const referrals = await referralsOf(id);
      expect(referrals.map((row) => [row.to_organisation_id, row.status])).toEqual([[network.org['mae-sot'], 'declined'], [network.org['bangkok-legal'], 'pending']]);
      const stored = await handle.db.selectFrom('referrals').select('decline_reason_encrypted').where('id', '=', referralId).executeTakeFirstOrThrow();
      expect(stored.decline_reason_encrypted).not.toContain('capacity');
      expect(await openStored(handle.db, hotline.cipher, stored.decline_reason_encrypted)).toBe('No capacity this month');
      expect(await unreadOf(network.user.bangkok)).toEqual(['referral.received']);
    });

    it('answers 403 to the wrong side, 404 to a stranger and 409 to a change its state does not allow', async () => {
      const { referralId } = await referredToMaeSot();
      await network.as('bangkok', 'patch', `/api/v1/referrals/${referralId}`, { status: 'accepted' }).expect(404);
      await network.as('maesot', 'patch', `/api/v1/referrals/${referralId}`, { status: 'withdrawn' }).expect(403);
      await network.as('liaisonMM', 'patch', `/api/v1/referrals/${referralId}`, { status: 'accepted' }).expect(403);
      await network.as('maesot', 'patch', `/api/v1/referrals/${referralId}`, { status: 'completed' }).expect(409);
      await network.as('coordinator', 'patch', `/api/v1/referrals/${referralId}`, { status: 'withdrawn' }).expect(204);
      await network.as('maesot', 'patch', `/api/v1/referrals/${referralId}`, { status: 'accepted' }).expect(409);
      expect(await unreadOf(network.user.maesot)).toContain('referral.withdrawn');
    });

    it('crosses borders: the holder refers a returnee to an origin-country organisation and both work on it with shared notes', async () => {
      const { reference, referralId } = await referredToMaeSot();
      await network.as('maesot', 'patch', `/api/v1/referrals/${referralId}`, { status: 'accepted' }).expect(204);
      await network.as('maesot', 'patch', `/api/v1/cases/${reference}`, { consent: { given: true, wording: 'May we share your case with a partner at home? YES' } }).expect(200);
      const made = await network.as('maesot', 'post', `/api/v1/cases/${reference}/referrals`, { to_organisation: 'yangon-returnees', reason: 'Going home next week', response_hours: 72 }).expect(201);
      await network.as('maesot', 'post', `/api/v1/cases/${reference}/referrals`, { to_organisation: 'yangon-returnees', reason: 'again' }).expect(409);
      await network.as('yangon', 'patch', `/api/v1/referrals/${made.body.id}`, { status: 'accepted' }).expect(204);
      await network.as('yangon', 'post', `/api/v1/cases/${reference}/notes`, { body: 'Met the family in Yangon', visibility: 'partners' }).expect(201);
      clock.advance(60_000);
      await network.as('maesot', 'post', `/api/v1/cases/${reference}/notes`, { body: 'Wages claim filed in Tak', visibility: 'partners' }).expect(201);
      for (const person of ['maesot', 'yangon'] as const) {
        const detail = await network.as(person, 'get', `/api/v1/cases/${reference}`).expect(200);
        expect(detail.body.view).toBe('full');
        expect(detail.body.notes.map((note: { body: string }) => note.body)).toEqual(['Met the family in Yangon', 'Wages claim filed in Tak']);
      }
      const incoming = await network.as('yangon', 'get', '/api/v1/referrals?direction=incoming').expect(200);
      expect(incoming.body.data).toMatchObject([{ reference, status: 'accepted', from: { slug: 'mae-sot' }, to: { slug: 'yangon-returnees' } }]);
      const outgoing = await network.as('maesot', 'get', '/api/v1/referrals?direction=outgoing').expect(200);
      expect(outgoing.body.data).toHaveLength(1);
    });
  });

  describe('the response clock', () => {
    it('expires an unanswered referral at its due time, alerts the coordinators and refers the case on; running the job again does nothing', async () => {
      const created = await network.openRoutedCase({ destinationCountry: 'TH', destinationProvince: 'TH-63', categories: ['wages'] });
      await hotline.runJobs();
      expect((await referralsOf(created.id)).map((row) => row.status)).toEqual(['pending']);
      clock.advance(47 * HOUR);
      await hotline.runJobs();
      expect((await referralsOf(created.id)).map((row) => row.status)).toEqual(['pending']);
      const overdueBefore = await network.as('coordinator', 'get', '/api/v1/referrals?direction=all&overdue=true').expect(200);
      expect(overdueBefore.body.data).toEqual([]);
      clock.advance(HOUR + 1000);
      const overdue = await network.as('coordinator', 'get', '/api/v1/referrals?direction=all&overdue=true').expect(200);
      expect(overdue.body.data).toMatchObject([{ reference: created.reference, overdue: true, to: { slug: 'mae-sot' } }]);
      await hotline.runJobs();
      const after = await referralsOf(created.id);
      expect(after.map((row) => [row.to_organisation_id, row.status])).toEqual([[network.org['mae-sot'], 'expired'], [network.org['bangkok-legal'], 'pending']]);
      expect(await unreadOf(network.user.coordinator)).toContain('referral.expired');
      // The job again, and the sweep: no second expiry, no second referral.
      const [first] = after;
      expect(await expireReferral({ db: handle.db, cipher: hotline.cipher, clock, jobs: hotline.jobs, mailEnabled: false, events: hotline.events }, first?.id ?? '')).toBe(false);
      await handle.db.insertInto('jobs_outbox').values({ name: 'referral.expire', payload: JSON.stringify({ referralId: first?.id }), run_after: clock.now() }).execute();
      await handle.db.insertInto('jobs_outbox').values({ name: 'referral.sweep', payload: JSON.stringify({}), run_after: clock.now() }).execute();
      await hotline.runJobs();
      expect(await referralsOf(created.id)).toHaveLength(2);
      expect((await eventsOf(created.id)).filter((type) => type === 'referral.expired')).toHaveLength(1);
    });

    it('looks again at the due time when its job runs early', async () => {
      const created = await network.openRoutedCase({ destinationCountry: 'TH', destinationProvince: 'TH-63', categories: ['wages'] });
      const [referral] = await referralsOf(created.id);
      clock.advance(48 * HOUR - 5000);
      expect(await expireReferral({ db: handle.db, cipher: hotline.cipher, clock, jobs: hotline.jobs, mailEnabled: false, events: hotline.events }, referral?.id ?? '')).toBe(false);
      const checks = await handle.db.selectFrom('jobs_outbox').select('run_after').where('name', '=', 'referral.expire').where('status', '=', 'pending').execute();
      expect(checks.map((job) => job.run_after.toISOString())).toEqual([referral?.due_at.toISOString(), referral?.due_at.toISOString()]);
      clock.advance(5000);
      await hotline.runJobs();
      expect((await referralsOf(created.id)).map((row) => row.status)).toEqual(['expired', 'pending']);
      expect((await eventsOf(created.id)).filter((type) => type === 'referral.expired')).toHaveLength(1);
    });

    it('leaves a referral answered before its due time alone', async () => {
      const created = await network.openRoutedCase({ destinationCountry: 'TH', destinationProvince: 'TH-63', categories: ['wages'] });
      const [referral] = await referralsOf(created.id);
      await network.as('maesot', 'patch', `/api/v1/referrals/${referral?.id}`, { status: 'accepted' }).expect(204);
      clock.advance(49 * HOUR);
      await hotline.runJobs();
      expect((await referralsOf(created.id)).map((row) => row.status)).toEqual(['accepted']);
    });

    it('sends the case to triage when the last matching organisation lets it expire', async () => {
      const created = await network.openRoutedCase({ destinationCountry: 'TH', destinationProvince: 'TH-10', categories: ['wages'] });
      clock.advance(25 * HOUR);
      await hotline.runJobs();
      expect((await referralsOf(created.id)).map((row) => row.status)).toEqual(['expired']);
      expect(await eventsOf(created.id)).toEqual(['case.opened', 'referral.created', 'referral.expired', 'case.needs_triage']);
    });
  });

  describe(`at the same time (${usingRealPostgres() ? 'against real PostgreSQL' : 'on the embedded database'})`, () => {
    const deps = () => ({ db: handle.db, cipher: hotline.cipher, clock, jobs: hotline.jobs, mailEnabled: false, events: hotline.events });

    it('routes a case once when two triggers run together', async () => {
      const created = await network.openRoutedCase({ destinationCountry: null, categories: ['wages'] });
      await handle.db.updateTable('cases').set({ destination_country: 'TH', destination_province: 'TH-63' }).where('id', '=', created.id).execute();
      await Promise.all(Array.from({ length: 8 }, () => handle.db.transaction().execute((trx) => routeCase(trx, deps(), created.id, 'triage_changed'))));
      expect(await referralsOf(created.id)).toHaveLength(1);
    });

    it('lets either the answer or the expiry win, never both', async () => {
      const created = await network.openRoutedCase({ destinationCountry: 'TH', destinationProvince: 'TH-63', categories: ['wages'] });
      const [referral] = await referralsOf(created.id);
      clock.advance(49 * HOUR);
      const [accepted, expired] = await Promise.all([
        network.as('maesot', 'patch', `/api/v1/referrals/${referral?.id}`, { status: 'accepted' }),
        expireReferral(deps(), referral?.id ?? ''),
      ]);
      const status = (await referralsOf(created.id))[0]?.status;
      if (expired) expect([accepted.status, status]).toEqual([409, 'expired']);
      else expect([accepted.status, status]).toEqual([204, 'accepted']);
      const answers = (await eventsOf(created.id)).filter((type) => type === 'referral.accepted' || type === 'referral.expired');
      expect(answers).toHaveLength(1);
    });
  });
});
