import { insertCase } from '../../src/cases/case.repository';
import type { DatabaseHandle } from '../../src/db/database';
import type { NewCase } from '../../src/db/schema';
import { insertEscalation } from '../../src/escalations/escalation.repository';
import { hashPassword } from '../../src/users/password';
import { upsertUser } from '../../src/users/user.repository';
import { buildTestHotline, type TestHotline } from '../support/app';
import { createFakeClock } from '../support/clock';
import { csrfOf, signedInAgent } from '../support/console';
import { openTestDatabase } from '../support/database';

const PASSWORD = 'a long staff password';
const HOUR = 3_600_000;
const PHONE = '081 234 5678';

describe('console referrals, escalations and notifications', () => {
  const clock = createFakeClock('2026-11-27T08:00:00Z');
  let handle: DatabaseHandle;
  let hotline: TestHotline;
  const orgs: Record<'maeSot' | 'mahachai' | 'network' | 'embassy', string> = { maeSot: '', mahachai: '', network: '', embassy: '' };

  /** A case Mae Sot holds, as the intake leaves it: the worker's words, with a phone number in them. */
  async function buildCase(overrides: Partial<NewCase> = {}): Promise<{ id: string; reference: string }> {
    return handle.db.transaction().execute((trx) =>
      insertCase(trx, {
        channel: 'sms', language: 'my', status: 'open', categories: ['wages'], origin_country: 'MM', destination_country: 'TH', destination_province: 'TH-63',
        summary_encrypted: hotline.cipher.seal(`No pay for three months. Call me on ${PHONE}`), owner_organisation_id: orgs.maeSot, created_at: clock.now(), ...overrides,
      }),
    );
  }

  beforeAll(async () => {
    handle = await openTestDatabase();
    hotline = buildTestHotline(handle, { clock });
    const organisation = async (slug: string, name: string, kind: string, nationalities: string[] = []) =>
      (await handle.db.insertInto('organisations').values({ slug, name, kind, country: 'TH', city: 'Tak', nationalities }).returning('id').executeTakeFirstOrThrow()).id;
    orgs.network = await organisation('mekong-network', 'Mekong Network', 'network');
    orgs.maeSot = await organisation('mae-sot', 'Mae Sot Workers Centre', 'ngo');
    orgs.mahachai = await organisation('mahachai', 'Mahachai Union', 'union');
    orgs.embassy = await organisation('mm-embassy', 'Myanmar Embassy Bangkok', 'embassy', ['MM']);
    const hash = await hashPassword(PASSWORD);
    const user = (email: string, role: string, organisationId: string) =>
      upsertUser(handle.db, { organisationId, email, displayName: email.split('@')[0] ?? email, role, locale: 'en', passwordHash: hash });
    await user('a@example.org', 'caseworker', orgs.maeSot);
    await user('b@example.org', 'caseworker', orgs.mahachai);
    await user('coordinator@example.org', 'coordinator', orgs.network);
    await user('liaison@example.org', 'liaison', orgs.embassy);
  });
  afterAll(async () => {
    await handle.close();
  });

  const signIn = (who: 'a' | 'b' | 'coordinator' | 'liaison') => signedInAgent(hotline.app, `${who}@example.org`, PASSWORD);
  const referralOf = (caseId: string) => handle.db.selectFrom('referrals').select(['id', 'status', 'to_organisation_id']).where('case_id', '=', caseId).executeTakeFirstOrThrow();

  describe('a referral offered by one organisation and accepted by another', () => {
    let kase: { id: string; reference: string };
    beforeAll(async () => {
      kase = await buildCase();
    });

    it('offers only other active organisations that can take a case, and refers it through the form', async () => {
      const { agent } = await signIn('a');
      const page = await agent.get(`/console/cases/${kase.reference}`).expect(200);
      expect(page.text).toContain('<option value="mahachai">');
      expect(page.text).not.toContain('<option value="mae-sot">');
      expect(page.text).not.toContain('<option value="mm-embassy">');
      expect(page.text).not.toContain('<option value="mekong-network">');
      const sent = await agent.post(`/console/cases/${kase.reference}/referrals`).type('form')
        .send({ to_organisation: 'mahachai', reason: 'They have a lawyer in Samut Sakhon', response_hours: '48', _csrf: csrfOf(page.text) }).expect(303);
      expect(sent.headers['location']).toBe(`/console/cases/${kase.reference}`);
      expect(await referralOf(kase.id)).toMatchObject({ status: 'pending', to_organisation_id: orgs.mahachai });
      const after = await agent.get(`/console/cases/${kase.reference}`).expect(200);
      expect(after.text).toContain('Mae Sot Workers Centre → Mahachai Union');
      expect(after.text).toContain('Waiting for an answer');
      expect(after.text).toContain('Referred to Mahachai Union');
    });

    it('tells the receiving organisation: one unread notice in the menu, listed on the notifications page', async () => {
      const { agent } = await signIn('b');
      const home = await agent.get('/console').expect(200);
      expect(home.text).toContain('aria-label="1 unread"');
      const notices = await agent.get('/console/notifications').expect(200);
      expect(notices.text).toContain(`<a href="/console/cases/${kase.reference}">New referral</a>`);
      expect(notices.text).toMatch(/<tr class="unread">\s*<td><span class="badge">New<\/span>/);
      expect(notices.text).toContain('Mark all as read');
    });

    it('shows the receiving organisation a limited view until the worker agrees, and marks its notices read', async () => {
      const { agent } = await signIn('b');
      const page = await agent.get(`/console/cases/${kase.reference}`).expect(200);
      expect(page.text).toContain('You see a limited view of this case');
      expect(page.text).not.toContain(PHONE);
      // Only the owner or a coordinator records the worker's answer, never a partner offered the case.
      expect(page.text).not.toContain('action="/console/cases/' + kase.reference + '/consent"');
      expect(page.text).toContain('can record the worker&#39;s answer');
      const home = await agent.get('/console').expect(200);
      expect(home.text).not.toContain('unread"');
    });

    it('records the worker\'s consent from the owner\'s banner form, and then shows the partner the whole case', async () => {
      const owner = await signIn('a');
      const page = await owner.agent.get(`/console/cases/${kase.reference}`).expect(200);
      expect(page.text).toContain('action="/console/cases/' + kase.reference + '/consent"');
      await owner.agent.post(`/console/cases/${kase.reference}/consent`).type('form')
        .send({ given: 'yes', wording: 'Can we share your details with the union? — Yes', _csrf: csrfOf(page.text) }).expect(303);
      const { agent } = await signIn('b');
      const full = await agent.get(`/console/cases/${kase.reference}`).expect(200);
      expect(full.text).not.toContain('You see a limited view of this case');
      expect(full.text).toContain(PHONE);
      expect(full.text).toContain('Consent recorded: the worker agrees to share their details');
    });

    it('shows the receiving side Accept and Decline but no Withdraw', async () => {
      const { agent } = await signIn('b');
      const page = await agent.get(`/console/cases/${kase.reference}`).expect(200);
      expect(page.text).toContain('name="status" value="accepted"');
      expect(page.text).toContain('name="status" value="declined"');
      expect(page.text).not.toContain('name="status" value="withdrawn"');
    });

    it('refuses a decline without a reason, beside the reason, changing nothing', async () => {
      const { agent } = await signIn('b');
      const { id } = await referralOf(kase.id);
      const page = await agent.get(`/console/cases/${kase.reference}`).expect(200);
      const refused = await agent.post(`/console/referrals/${id}`).type('form').send({ status: 'declined', reason: '  ', _csrf: csrfOf(page.text) }).expect(400);
      expect(refused.text).toContain(`<p class="field-error" id="decline-reason-${id}-error">Please fill this in.</p>`);
      expect(refused.text).toContain(`aria-describedby="decline-reason-${id}-error"`);
      expect((await referralOf(kase.id)).status).toBe('pending');
    });

    it('accepts the referral, and the referring organisation sees it accepted', async () => {
      const b = await signIn('b');
      const { id } = await referralOf(kase.id);
      const page = await b.agent.get(`/console/cases/${kase.reference}`).expect(200);
      const accepted = await b.agent.post(`/console/referrals/${id}`).type('form').send({ status: 'accepted', _csrf: csrfOf(page.text) }).expect(303);
      expect(accepted.headers['location']).toBe(`/console/cases/${kase.reference}`);
      const a = await signIn('a');
      const seen = await a.agent.get(`/console/cases/${kase.reference}`).expect(200);
      expect(seen.text).toMatch(/<span class="referral-status">Accepted<\/span>/);
      expect(seen.text).toContain('Referral to Mahachai Union accepted');
      expect(seen.text).not.toContain('name="status" value="withdrawn"');
    });

    it('answers a second answer with the reason beside the referral (409)', async () => {
      const { agent } = await signIn('b');
      const { id } = await referralOf(kase.id);
      const page = await agent.get(`/console/cases/${kase.reference}`).expect(200);
      const again = await agent.post(`/console/referrals/${id}`).type('form').send({ status: 'accepted', _csrf: csrfOf(page.text) }).expect(409);
      expect(again.text).toContain('This is no longer possible: the referral has already been answered or has ended.');
    });
  });

  describe('declining and withdrawing', () => {
    async function referred(): Promise<{ id: string; reference: string; referralId: string }> {
      const kase = await buildCase();
      const { agent } = await signIn('a');
      const page = await agent.get(`/console/cases/${kase.reference}`).expect(200);
      await agent.post(`/console/cases/${kase.reference}/referrals`).type('form').send({ to_organisation: 'mahachai', reason: 'Closer to the worker', _csrf: csrfOf(page.text) }).expect(303);
      return { ...kase, referralId: (await referralOf(kase.id)).id };
    }

    it('declines with a reason, sends the decliner to its referrals (it no longer sees the case) and shows the referrer why', async () => {
      const kase = await referred();
      const b = await signIn('b');
      const page = await b.agent.get(`/console/cases/${kase.reference}`).expect(200);
      const declined = await b.agent.post(`/console/referrals/${kase.referralId}`).type('form').send({ status: 'declined', reason: 'We have no lawyer free this month', _csrf: csrfOf(page.text) }).expect(303);
      expect(declined.headers['location']).toBe('/console/referrals');
      const a = await signIn('a');
      const seen = await a.agent.get(`/console/cases/${kase.reference}`).expect(200);
      expect(seen.text).toMatch(/<span class="referral-status">Declined<\/span>/);
      expect(seen.text).toContain('Why it was declined: We have no lawyer free this month');
      expect(seen.text).toContain('Referral to Mahachai Union declined');
    });

    it('lets the referring organisation withdraw a pending referral, and not accept it', async () => {
      const kase = await referred();
      const { agent } = await signIn('a');
      const page = await agent.get(`/console/cases/${kase.reference}`).expect(200);
      expect(page.text).toContain('name="status" value="withdrawn"');
      expect(page.text).not.toContain('name="status" value="accepted"');
      const forbidden = await agent.post(`/console/referrals/${kase.referralId}`).type('form').send({ status: 'accepted', _csrf: csrfOf(page.text) }).expect(403);
      expect(forbidden.text).toContain('Your organisation cannot do this on this referral.');
      await agent.post(`/console/referrals/${kase.referralId}`).type('form').send({ status: 'withdrawn', _csrf: csrfOf(page.text) }).expect(303);
      expect((await referralOf(kase.id)).status).toBe('withdrawn');
    });
  });

  describe('the referrals page', () => {
    it('lists what was sent and received, and what is overdue, with empty states', async () => {
      const kase = await buildCase();
      const a = await signIn('a');
      const page = await a.agent.get(`/console/cases/${kase.reference}`).expect(200);
      await a.agent.post(`/console/cases/${kase.reference}/referrals`).type('form').send({ to_organisation: 'mahachai', reason: 'Near the port', response_hours: '2', _csrf: csrfOf(page.text) }).expect(303);
      clock.advance(3 * HOUR);
      const sent = await (await signIn('a')).agent.get('/console/referrals').expect(200);
      expect(sent.text).toContain('No case has been referred to your organisation.');
      const outgoing = sent.text.slice(sent.text.indexOf('id="outgoing-heading"'), sent.text.indexOf('id="overdue-heading"'));
      expect(outgoing).toContain(`/console/cases/${kase.reference}`);
      const overdue = sent.text.slice(sent.text.indexOf('id="overdue-heading"'));
      expect(overdue).toContain(`/console/cases/${kase.reference}`);
      expect(overdue).toContain('<span class="badge">Overdue</span>');

      const b = await signIn('b');
      const received = await b.agent.get('/console/referrals').expect(200);
      const incoming = received.text.slice(received.text.indexOf('id="incoming-heading"'), received.text.indexOf('id="outgoing-heading"'));
      expect(incoming).toContain(`/console/cases/${kase.reference}`);
      expect(received.text).toContain('Your organisation has not referred any case.');

      const coordinator = await signIn('coordinator');
      const network = await coordinator.agent.get('/console/referrals').expect(200);
      expect(network.text).toContain('Overdue across the network');
      expect(network.text.slice(network.text.indexOf('id="overdue-heading"'))).toContain(`/console/cases/${kase.reference}`);
      // The network's pending referrals, though the coordinators' own organisation is neither side.
      const pending = network.text.slice(network.text.indexOf('id="incoming-heading"'), network.text.indexOf('id="outgoing-heading"'));
      expect(pending).toContain('Waiting for an answer across the network');
      expect(pending).toContain(`/console/cases/${kase.reference}`);
      expect(network.text).toContain('Accepted across the network');
    });

    it('is not for liaisons or researchers', async () => {
      const { agent } = await signIn('liaison');
      await agent.get('/console/referrals').set('Accept', 'text/html').expect(403);
    });
  });

  describe('escalating from the case page', () => {
    it('escalates to the embassy of the worker\'s nationality, shown on the case', async () => {
      const kase = await buildCase();
      const { agent } = await signIn('a');
      const page = await agent.get(`/console/cases/${kase.reference}`).expect(200);
      await agent.post(`/console/cases/${kase.reference}/escalations`).type('form').send({ reason: 'Arrested at a checkpoint', _csrf: csrfOf(page.text) }).expect(303);
      const after = await agent.get(`/console/cases/${kase.reference}`).expect(200);
      const section = after.text.slice(after.text.indexOf('id="escalations-heading"'));
      expect(section).toContain('Myanmar Embassy Bangkok');
      expect(section).toContain('Reason: Arrested at a checkpoint');
      expect(after.text).toContain('Escalated to Myanmar Embassy Bangkok');
      // The embassy has the case: no second escalation form while this one is open.
      expect(section).not.toContain(`action="/console/cases/${kase.reference}/escalations"`);
    });

    it('says plainly when no embassy covers the worker\'s nationality (409), beside the form', async () => {
      const kase = await buildCase({ origin_country: 'VN' });
      const { agent } = await signIn('a');
      const page = await agent.get(`/console/cases/${kase.reference}`).expect(200);
      const refused = await agent.post(`/console/cases/${kase.reference}/escalations`).type('form').send({ reason: 'Passport taken', _csrf: csrfOf(page.text) }).expect(409);
      expect(refused.text).toContain('No embassy liaison is known for this worker');
      expect(refused.text).toContain('Passport taken');
      expect(await handle.db.selectFrom('escalations').select('id').where('case_id', '=', kase.id).execute()).toEqual([]);
    });
  });

  describe('notifications', () => {
    it('links a liaison\'s escalation notices to the escalation, and marks them all read', async () => {
      const kase = await buildCase();
      const id = await insertEscalation(handle.db, { caseId: kase.id, embassyId: orgs.embassy, ruleId: null, reasonSealed: null, createdByUserId: null, at: clock.now() });
      const liaison = await handle.db.selectFrom('users').select('id').where('email', '=', 'liaison@example.org').executeTakeFirstOrThrow();
      await handle.db.insertInto('notifications').values({ user_id: liaison.id, kind: 'escalation.opened', case_id: kase.id, subject_id: id, created_at: clock.now() }).execute();
      const { agent } = await signIn('liaison');
      const page = await agent.get('/console/notifications').expect(200);
      expect(page.text).toContain(`<a href="/console/escalations/${id}">New escalation</a>`);
      expect(page.text).not.toContain(`/console/cases/${kase.reference}`);
      await agent.post('/console/notifications/read').type('form').send({ _csrf: csrfOf(page.text) }).expect(303);
      const read = await agent.get('/console/notifications').expect(200);
      expect(read.text).not.toContain('class="unread"');
      expect(read.text).not.toContain('Mark all as read');
    });

    it('says so when there are none', async () => {
      const { agent } = await signIn('coordinator');
      await handle.db.deleteFrom('notifications').where('user_id', 'in', handle.db.selectFrom('users').select('id').where('email', '=', 'coordinator@example.org')).execute();
      expect((await agent.get('/console/notifications').expect(200)).text).toContain('You have no notifications.');
    });
  });

  describe('the coordinators\' triage queue', () => {
    it('offers coordinators a "To triage" filter that shows only cases nobody holds', async () => {
      const held = await buildCase();
      const unheld = await buildCase({ owner_organisation_id: null });
      const { agent } = await signIn('coordinator');
      const queue = await agent.get('/console/cases?triage=true').expect(200);
      expect(queue.text).toContain('name="triage" value="true" checked');
      expect(queue.text).toContain(`/console/cases/${unheld.reference}`);
      expect(queue.text).not.toContain(`/console/cases/${held.reference}`);
      const a = await signIn('a');
      expect((await a.agent.get('/console/cases').expect(200)).text).not.toContain('name="triage"');
    });
  });
});
