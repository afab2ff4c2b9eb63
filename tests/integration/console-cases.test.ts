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

  it('refuses a change posted without the form\'s CSRF token', async () => {
    const { agent } = await signedIn();
    await agent.post(`/console/cases/${reference}/notes`).type('form').send({ body: 'forged' }).expect(403);
  });
});
