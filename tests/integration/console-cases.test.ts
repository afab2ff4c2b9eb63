import request from 'supertest';
import type { DatabaseHandle } from '../../src/db/database';
import { createI18n } from '../../src/language/i18n';
import { hashPassword } from '../../src/users/password';
import { upsertUser } from '../../src/users/user.repository';
import { buildTestHotline, type TestHotline } from '../support/app';
import { signedInAgent } from '../support/console';
import { openTestDatabase } from '../support/database';
import { createWorkerPhone } from '../support/sms-conversation';

const PASSWORD = 'a long staff password';

describe('console case pages', () => {
  let handle: DatabaseHandle;
  let hotline: TestHotline;
  let reference: string;

  beforeAll(async () => {
    handle = await openTestDatabase();
    hotline = buildTestHotline(handle);
    const org = await handle.db.insertInto('organisations').values({ slug: 'mae-sot', name: 'Mae Sot', kind: 'ngo', country: 'TH' }).returning('id').executeTakeFirstOrThrow();
    const other = await handle.db.insertInto('organisations').values({ slug: 'yangon', name: 'Yangon', kind: 'ngo', country: 'MM' }).returning('id').executeTakeFirstOrThrow();
    const hash = await hashPassword(PASSWORD);
    await upsertUser(handle.db, { organisationId: org.id, email: 'cw@example.org', displayName: 'Caseworker', role: 'caseworker', locale: 'my', passwordHash: hash });
    await upsertUser(handle.db, { organisationId: other.id, email: 'other@example.org', displayName: 'Other', role: 'caseworker', locale: 'en', passwordHash: hash });
    await createWorkerPhone(handle, hotline, '+66861234567').text('ငွေမရဘူး');
    const found = await handle.db.selectFrom('cases').select('reference').executeTakeFirstOrThrow();
    reference = found.reference;
    await handle.db.updateTable('cases').set({ owner_organisation_id: org.id }).execute();
  });
  afterAll(async () => {
    await handle.close();
  });

  const signedIn = (email = 'cw@example.org') => signedInAgent(hotline.app, email, PASSWORD);

  it('lists the organisation\'s cases in the inbox, in the caseworker\'s language, with counts', async () => {
    const { agent } = await signedIn();
    const inbox = await agent.get('/console/cases?status=new&waiting=true').expect(200);
    expect(inbox.text).toContain('<html lang="my">');
    expect(inbox.text).toContain(`/console/cases/${reference}`);
    expect(inbox.headers['cache-control']).toBe('no-store');
  });

  it('shows another organisation\'s caseworker neither the case in the inbox nor its page', async () => {
    const { agent } = await signedIn('other@example.org');
    const inbox = await agent.get('/console/cases').expect(200);
    expect(inbox.text).not.toContain(reference);
    await agent.get(`/console/cases/${reference}`).set('Accept', 'text/html').expect(404);
  });

  it('previews a reply\'s encoding and SMS count without JavaScript and without sending it', async () => {
    const { agent, csrf } = await signedIn();
    const body = 'ကျွန်ုပ်တို့ အလုပ်ရှင်ကို ဖုန်းဆက်ပါမည်။ '.repeat(3);
    const preview = await agent.post(`/console/cases/${reference}/reply`).type('form').send({ body, action: 'preview', _csrf: csrf }).expect(200);
    expect(preview.text).toContain('UCS-2');
    expect(preview.text).toContain('ကျွန်ုပ်တို့ အလုပ်ရှင်ကို');
    const sent = await handle.db.selectFrom('messages').select('id').where('direction', '=', 'out').where('sent_by_user_id', 'is not', null).execute();
    expect(sent).toEqual([]);
  });

  it('sends a reply, adds a note and changes the status, each shown on the timeline', async () => {
    const { agent, csrf } = await signedIn();
    await agent.post(`/console/cases/${reference}/reply`).type('form').send({ body: 'We will call your employer.', action: 'send', _csrf: csrf }).expect(303);
    await agent.post(`/console/cases/${reference}/notes`).type('form').send({ body: 'Employer phone from union', visibility: 'organisation', _csrf: csrf }).expect(303);
    await agent.post(`/console/cases/${reference}`).type('form').send({ status: 'open', urgency: 'high', outcome: 'wages_recovered', categories: ['wages', 'documents'], forced_labour_indicators: 'withholding_of_wages', amount_recovered: '1,500', recovered_currency: 'THB', assign_to_me: 'yes', _csrf: csrf }).expect(303);
    await hotline.runJobs();
    const page = await agent.get(`/console/cases/${reference}`).expect(200);
    expect(page.text).toContain('We will call your employer.');
    expect(page.text).toContain('Employer phone from union');
    const found = await handle.db.selectFrom('cases').select(['status', 'urgency', 'assigned_user_id', 'categories', 'forced_labour_indicators', 'amount_recovered', 'recovered_currency', 'outcome']).where('reference', '=', reference).executeTakeFirstOrThrow();
    expect(found).toMatchObject({ status: 'open', urgency: 'high', categories: ['wages', 'documents'], forced_labour_indicators: ['withholding_of_wages'], recovered_currency: 'THB', outcome: 'wages_recovered' });
    expect(Number(found.amount_recovered)).toBe(1500);
    expect(found.assigned_user_id).not.toBeNull();
    // The caseworker reads the console in Burmese.
    const t = createI18n().getFixedT('my', 'console');
    expect(page.text).toContain(t('event.case.assigned'));
    await agent.post(`/console/cases/${reference}`).type('form').send({ status: 'waiting', _csrf: csrf }).expect(303);
    expect((await agent.get(`/console/cases/${reference}`).expect(200)).text).toContain(t('event.case.status_changed', { from: t('status.open'), to: t('status.waiting') }));
  });

  describe('two caseworkers saving the triage form of one case', () => {
    const versionOf = (page: string) => /name="version" value="(\d+)"/.exec(page)?.[1];

    it('saves the first and shows the second the case again (409) with why, writing nothing of it', async () => {
      const org = await handle.db.selectFrom('organisations').select('id').where('slug', '=', 'mae-sot').executeTakeFirstOrThrow();
      await upsertUser(handle.db, { organisationId: org.id, email: 'cw2@example.org', displayName: 'Second', role: 'caseworker', locale: 'en', passwordHash: await hashPassword(PASSWORD) });
      const first = await signedIn();
      const second = await signedIn('cw2@example.org');
      const firstPage = (await first.agent.get(`/console/cases/${reference}`).expect(200)).text;
      const secondPage = (await second.agent.get(`/console/cases/${reference}`).expect(200)).text;
      const version = versionOf(firstPage);
      expect(version).toMatch(/^\d+$/);
      expect(versionOf(secondPage)).toBe(version);

      await first.agent.post(`/console/cases/${reference}`).type('form').send({ status: 'open', urgency: 'emergency', sector: 'fishing', version, _csrf: first.csrf }).expect(303);
      const refused = await second.agent.post(`/console/cases/${reference}`).type('form').send({ status: 'closed', urgency: 'low', sector: 'construction', version, _csrf: second.csrf }).expect(409);
      const t = createI18n().getFixedT('en');
      expect(refused.text).toContain(t('errors:code.case_changed'));
      // The page drawn again shows the first caseworker's change, and carries its new version.
      expect(refused.text).toContain('<option value="fishing" selected>');
      expect(versionOf(refused.text)).not.toBe(version);
      const found = await handle.db.selectFrom('cases').select(['id', 'status', 'urgency', 'sector']).where('reference', '=', reference).executeTakeFirstOrThrow();
      expect(found).toMatchObject({ status: 'open', urgency: 'emergency', sector: 'fishing' });
      const events = await handle.db.selectFrom('case_events').select('data').where('case_id', '=', found.id).execute();
      expect(events.map((event) => JSON.stringify(event.data))).not.toEqual(expect.arrayContaining([expect.stringMatching(/construction|"closed"|"low"/)]));

      // Drawn again, the form carries the new version, and the second caseworker's save goes through.
      await second.agent.post(`/console/cases/${reference}`).type('form').send({ status: 'open', urgency: 'emergency', sector: 'construction', version: versionOf(refused.text), _csrf: second.csrf }).expect(303);
      expect((await handle.db.selectFrom('cases').select('sector').where('reference', '=', reference).executeTakeFirstOrThrow()).sector).toBe('construction');
    });
  });

  describe('in each of the six languages', () => {
    const LANGUAGES = ['en', 'my', 'km', 'lo', 'th', 'vi'] as const;
    const titleOf = (page: string) => /<title>([^<]*)<\/title>/.exec(page)?.[1];
    const escaped = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

    beforeAll(async () => {
      const org = await handle.db.selectFrom('organisations').select('id').where('slug', '=', 'mae-sot').executeTakeFirstOrThrow();
      const hash = await hashPassword(PASSWORD);
      for (const language of LANGUAGES) {
        await upsertUser(handle.db, { organisationId: org.id, email: `reader-${language}@example.org`, displayName: language, role: 'caseworker', locale: language, passwordHash: hash });
      }
    });

    it.each(LANGUAGES)('titles every console page "<page> · <product>", naming the product once (%s)', async (language) => {
      const t = createI18n().getFixedT(language, 'console');
      const product = t('product');
      const { agent } = await signedIn(`reader-${language}@example.org`);
      const pages = [
        { path: '/console', title: product },
        { path: '/console/cases', title: `${t('inbox.title')} · ${product}` },
        { path: `/console/cases/${reference}`, title: `${t('case.title', { reference })} · ${product}` },
      ];
      for (const page of pages) {
        const title = titleOf((await agent.get(page.path).expect(200)).text);
        expect(title).toBe(escaped(page.title));
        expect(title?.split(escaped(product))).toHaveLength(2);
      }
      const signIn = await request(hotline.app).get('/console/sign-in').expect(200);
      expect(titleOf(signIn.text)?.split(' · ')).toHaveLength(2);
    });

    it.each(LANGUAGES)('labels the triage form\'s sector and origin for staff, not with the worker\'s questions (%s)', async (language) => {
      const t = createI18n().getFixedT(language);
      const { agent } = await signedIn(`reader-${language}@example.org`);
      const page = (await agent.get(`/console/cases/${reference}`).expect(200)).text;
      expect(page).toContain(`<label for="sector">${escaped(t('console:field.sector'))}</label>`);
      expect(page).toContain(`<label for="origin_country">${escaped(t('console:field.origin_country'))}</label>`);
      expect(page).not.toContain(escaped(t('web:report.sector')));
      expect(page).not.toContain(escaped(t('web:report.nationality')));
    });
  });

  it('refuses a change posted without the form\'s CSRF token', async () => {
    const { agent } = await signedIn();
    await agent.post(`/console/cases/${reference}/notes`).type('form').send({ body: 'forged' }).expect(403);
  });
});
