import request from 'supertest';
import { sealPlaintextConsentWordings } from '../../src/cases/case.repository';
import type { DatabaseHandle } from '../../src/db/database';
import type { TestHotline } from '../support/app';
import { csrfOf, signedInAgent } from '../support/console';
import { useTestNetwork, type Person, type TestNetwork } from '../support/network';
import { hashPassword } from '../../src/users/password';
import { openStored } from '../support/sealed';
import { sealerFor } from '../../src/privacy/person-keys';

// Only the worker, the organisation that owns the case and coordinators may record the worker's
// consent; it decides what every partner and embassy sees, so a NO or a withdrawal narrows every
// view at once (issue #11, finding 1).

const PHONE = '081 234 5678';
const YES = { given: true, wording: 'May we share your case with partner organisations? — Yes, you may' };

describe('the worker\'s consent', () => {
  const testbed = useTestNetwork();
  let handle: DatabaseHandle;
  let hotline: TestHotline;
  let network: TestNetwork;
  beforeAll(() => ({ handle, hotline, network } = testbed));

  const consentOf = (caseId: string) =>
    handle.db.selectFrom('cases').select(['consent_given', 'consent_wording', 'consent_wording_encrypted', 'consent_source', 'consent_recorded_by_user_id']).where('id', '=', caseId).executeTakeFirstOrThrow();
  const consentEvents = (caseId: string) =>
    handle.db.selectFrom('case_events').select(['actor_kind', 'actor_user_id', 'data']).where('case_id', '=', caseId).where('type', '=', 'case.consent_recorded').orderBy('created_at').orderBy('id').execute();
  const auditOf = (caseId: string, action: string) =>
    handle.db.selectFrom('audit_log').select(['actor_kind', 'actor_user_id', 'details']).where('case_id', '=', caseId).where('action', '=', action).orderBy('id').execute();
  const viewOf = async (person: Person, reference: string) => (await network.as(person, 'get', `/api/v1/cases/${reference}`).expect(200)).body as { view: string; summary: string };

  /** A case the routing rules offered to Mae Sot (pending), with the worker's NO from the web form. */
  async function offeredToMaeSot(consent: boolean | null = false) {
    const created = await network.openRoutedCase({
      destinationCountry: 'TH', destinationProvince: 'TH-63', originCountry: 'MM', categories: ['arrest'], employer: 'Golden Sea Foods',
      ...(consent === null ? {} : { consent: { given: consent, wording: 'web form answer' } }),
    });
    const referral = await handle.db.selectFrom('referrals').select('id').where('case_id', '=', created.id).executeTakeFirstOrThrow();
    return { ...created, referralId: referral.id };
  }

  describe('recorded by someone who is not the worker', () => {
    it('refuses a partner holding only a pending referral with 403 consent_not_yours, writing nothing, over the worker\'s own NO', async () => {
      const { id, reference } = await offeredToMaeSot(false);
      const before = await consentOf(id);
      const refused = await network.as('maesot', 'patch', `/api/v1/cases/${reference}`, { consent: YES, urgency: 'high' }).expect(403);
      expect(refused.body.error.code).toBe('consent_not_yours');
      expect(refused.body.error.fields).toEqual([expect.objectContaining({ field: 'consent', reason: 'consent_not_yours' })]);
      expect(await consentOf(id)).toEqual(before);
      expect((await handle.db.selectFrom('cases').select('urgency').where('id', '=', id).executeTakeFirstOrThrow()).urgency).not.toBe('high');
      expect(await consentEvents(id)).toHaveLength(1); // the worker's own NO, from the web form
      expect(await auditOf(id, 'case.consent_refused')).toEqual([expect.objectContaining({ actor_user_id: network.user.maesot })]);
      expect((await viewOf('maesot', reference)).view).toBe('limited');
      expect(JSON.stringify(await viewOf('maesot', reference))).not.toContain(PHONE);
    });

    it('refuses an organisation that accepted a referral from the owner (working beside it), and an embassy liaison', async () => {
      const { reference, referralId } = await offeredToMaeSot(null);
      await network.as('maesot', 'patch', `/api/v1/referrals/${referralId}`, { status: 'accepted' }).expect(204);
      const onward = await network.as('maesot', 'post', `/api/v1/cases/${reference}/referrals`, { to_organisation: 'yangon-returnees', reason: 'Going home' }).expect(201);
      await network.as('yangon', 'patch', `/api/v1/referrals/${onward.body.id}`, { status: 'accepted' }).expect(204);
      const refused = await network.as('yangon', 'patch', `/api/v1/cases/${reference}`, { consent: YES }).expect(403);
      expect(refused.body.error.code).toBe('consent_not_yours');
      await network.as('liaisonMM', 'patch', `/api/v1/cases/${reference}`, { consent: YES }).expect(403);
      expect((await viewOf('yangon', reference)).view).toBe('limited');
    });

    it('refuses the console\'s consent form from a pending referral\'s holder, and shows them no such form', async () => {
      const { id, reference } = await offeredToMaeSot(false);
      await handle.db.updateTable('users').set({ password_hash: await hashPassword('correct horse battery staple') }).where('id', '=', network.user.maesot).execute();
      const { agent } = await signedInAgent(hotline.app, 'maesot@network.test', 'correct horse battery staple');
      const page = await agent.get(`/console/cases/${reference}`).expect(200);
      expect(page.text).toContain('You see a limited view of this case');
      expect(page.text).not.toContain(`action="/console/cases/${reference}/consent"`);
      expect(page.text).toContain('Only the organisation that holds this case, or a coordinator, can record the worker&#39;s answer.');
      expect(page.text).not.toContain('id="refer-to"');
      const refused = await agent.post(`/console/cases/${reference}/consent`).type('form').send({ given: 'yes', wording: 'yes', _csrf: csrfOf(page.text) }).expect(403);
      expect(refused.text).toContain('can record the worker');
      expect((await consentOf(id)).consent_given).toBe(false);
    });
  });

  describe('recorded by the owner or a coordinator', () => {
    it('records the words used, sealed, as a timeline event and an audit line naming who and how', async () => {
      const { id, reference, referralId } = await offeredToMaeSot(null);
      await network.as('maesot', 'patch', `/api/v1/referrals/${referralId}`, { status: 'accepted' }).expect(204);
      await network.as('maesot', 'patch', `/api/v1/cases/${reference}`, { consent: { given: true, wording: '  ' } }).expect(400);
      await network.as('maesot', 'patch', `/api/v1/cases/${reference}`, { consent: { given: true } }).expect(400);
      await network.as('maesot', 'patch', `/api/v1/cases/${reference}`, { consent: YES }).expect(200);
      const stored = await consentOf(id);
      expect(stored).toMatchObject({ consent_given: true, consent_wording: null, consent_source: 'staff', consent_recorded_by_user_id: network.user.maesot });
      expect(stored.consent_wording_encrypted).not.toContain('Yes, you may');
      expect(await openStored(handle.db, hotline.cipher, stored.consent_wording_encrypted)).toBe(YES.wording);
      expect(await consentEvents(id)).toEqual([{ actor_kind: 'staff', actor_user_id: network.user.maesot, data: { given: true, source: 'staff' } }]);
      expect(await auditOf(id, 'case.consent_recorded')).toEqual([
        { actor_kind: 'token', actor_user_id: network.user.maesot, details: { given: true, source: 'staff', via: 'api' } },
      ]);
      const detail = (await network.as('maesot', 'get', `/api/v1/cases/${reference}`).expect(200)).body;
      expect(detail).toMatchObject({ view: 'full', consent: { given: true, wording: YES.wording, source: 'staff' } });
    });

    it('lets a coordinator record it on a case nobody holds yet', async () => {
      const created = await network.openRoutedCase({ destinationCountry: 'MY', categories: ['wages'] });
      await network.as('coordinator', 'patch', `/api/v1/cases/${created.reference}`, { consent: YES }).expect(200);
      expect((await consentOf(created.id)).consent_given).toBe(true);
    });
  });

  describe('a NO or a withdrawal', () => {
    it('narrows every partner\'s and the liaison\'s view at once when the owner records that the worker withdrew', async () => {
      const { reference, referralId } = await offeredToMaeSot(null);
      await network.as('maesot', 'patch', `/api/v1/referrals/${referralId}`, { status: 'accepted' }).expect(204);
      await network.as('maesot', 'patch', `/api/v1/cases/${reference}`, { consent: YES }).expect(200);
      const onward = await network.as('maesot', 'post', `/api/v1/cases/${reference}/referrals`, { to_organisation: 'yangon-returnees', reason: 'Going home' }).expect(201);
      const pending = await network.as('maesot', 'post', `/api/v1/cases/${reference}/referrals`, { to_organisation: 'bangkok-legal', reason: 'Lawyer' }).expect(201);
      await network.as('yangon', 'patch', `/api/v1/referrals/${onward.body.id}`, { status: 'accepted' }).expect(204);
      expect(pending.body.id).toBeDefined();
      const [escalation] = (await network.as('liaisonMM', 'get', '/api/v1/escalations').expect(200)).body.data as { id: string }[];
      const liaisonView = async () => (await network.as('liaisonMM', 'get', `/api/v1/escalations/${escalation?.id}`).expect(200)).body.case.view;
      for (const partner of ['yangon', 'bangkok'] as const) expect((await viewOf(partner, reference)).view).toBe('full');
      expect(await liaisonView()).toBe('full');

      await network.as('maesot', 'patch', `/api/v1/cases/${reference}`, { consent: { given: false, wording: 'Worker called: please stop sharing my details' } }).expect(200);
      for (const partner of ['yangon', 'bangkok'] as const) {
        const seen = await viewOf(partner, reference);
        expect(seen.view).toBe('limited');
        expect(JSON.stringify(seen)).not.toContain(PHONE);
        expect(JSON.stringify(seen)).not.toContain('Golden Sea Foods');
      }
      expect(await liaisonView()).toBe('limited');
      expect((await viewOf('maesot', reference)).view).toBe('limited');
      expect((await viewOf('coordinator', reference)).view).toBe('full');
    });

    it('narrows every view when the worker says NO on the status page, and records it as theirs', async () => {
      const agent = request.agent(hotline.app);
      const form = await agent.get('/report?lang=en').expect(200);
      const sent = await agent.post('/report?lang=en').type('form').send({
        _csrf: csrfOf(form.text), story: `My employer keeps my passport. Call ${PHONE}.`, categories: 'documents', country: 'TH',
        province: 'Mae Sot', consent: 'yes',
      }).expect(200);
      const reference = /([A-HJ-NP-Z2-9]{3}-[A-HJ-NP-Z2-9]{3})/.exec(sent.text)?.[1] ?? '';
      const pin = /\b(\d{6})\b/.exec(sent.text.replace(reference, ''))?.[1] ?? '';
      expect(reference).not.toBe('');
      expect((await viewOf('maesot', reference)).view).toBe('full');

      const status = await agent.get('/status?lang=en').expect(200);
      const shown = await agent.post('/status?lang=en').type('form').send({ _csrf: csrfOf(status.text), reference, pin }).expect(200);
      expect(shown.text).toContain('Your answer now: yes.');
      const changed = await agent.post('/status?lang=en').type('form').send({ _csrf: csrfOf(status.text), reference, pin, consent: 'no' }).expect(200);
      expect(changed.text).toContain('Thank you. We saved your answer.');
      expect(changed.text).toContain('Your answer now: no.');

      expect((await viewOf('maesot', reference)).view).toBe('limited');
      const kase = await handle.db.selectFrom('cases').select('id').where('reference', '=', reference).executeTakeFirstOrThrow();
      expect(await consentOf(kase.id)).toMatchObject({ consent_given: false, consent_source: 'status_page', consent_recorded_by_user_id: null });
      expect((await consentEvents(kase.id)).map((event) => [event.actor_kind, event.data])).toEqual([
        ['worker', { given: true, source: 'web' }],
        ['worker', { given: false, source: 'status_page' }],
      ]);
      expect(await auditOf(kase.id, 'case.consent_recorded')).toEqual([expect.objectContaining({ actor_kind: 'worker', details: { given: false, source: 'status_page' } })]);
    });
  });

  describe('referring onward', () => {
    it('refuses a partner holding only a pending referral, until it accepts', async () => {
      const { reference, referralId } = await offeredToMaeSot(true);
      const refused = await network.as('maesot', 'post', `/api/v1/cases/${reference}/referrals`, { to_organisation: 'yangon-returnees', reason: 'Going home' }).expect(403);
      expect(refused.body.error.fields).toEqual([expect.objectContaining({ field: 'reference', reason: 'accept_referral_first' })]);
      expect(await handle.db.selectFrom('referrals').select('id').where('to_organisation_id', '=', network.org['yangon-returnees'] ?? '').execute()).toEqual([]);
      await network.as('maesot', 'patch', `/api/v1/referrals/${referralId}`, { status: 'accepted' }).expect(204);
      await network.as('maesot', 'post', `/api/v1/cases/${reference}/referrals`, { to_organisation: 'yangon-returnees', reason: 'Going home' }).expect(201);
    });
  });

  describe('wordings stored before they were sealed', () => {
    const sealUnderPerson = async (text: string, personId: string) => (await sealerFor(handle.db, hotline.cipher, personId)).seal(text);

    it('are sealed by the application after the migration, and still read the same', async () => {
      const { id, reference } = await offeredToMaeSot(null);
      await handle.db.updateTable('cases').set({ consent_given: true, consent_at: new Date(), consent_wording: 'Old plain wording: YES', consent_wording_encrypted: null }).where('id', '=', id).execute();
      expect((await network.as('coordinator', 'get', `/api/v1/cases/${reference}`).expect(200)).body.consent.wording).toBe('Old plain wording: YES');
      expect(await sealPlaintextConsentWordings(handle.db, sealUnderPerson, 1)).toBe(1);
      expect(await sealPlaintextConsentWordings(handle.db, sealUnderPerson)).toBe(0);
      const stored = await consentOf(id);
      expect(stored.consent_wording).toBeNull();
      expect(await openStored(handle.db, hotline.cipher, stored.consent_wording_encrypted)).toBe('Old plain wording: YES');
      expect((await network.as('coordinator', 'get', `/api/v1/cases/${reference}`).expect(200)).body.consent.wording).toBe('Old plain wording: YES');
    });
  });
});
