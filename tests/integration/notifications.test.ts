import type { DatabaseHandle } from '../../src/db/database';
import { createMailer, type Mailer } from '../../src/notifications/mailer';
import { notify } from '../../src/notifications/notification.service';
import { flagOverdueCases } from '../../src/cases/case-overdue.service';
import { hashPassword } from '../../src/users/password';
import { csrfOf, signedInAgent } from '../support/console';
import { buildTestHotline, type TestHotline } from '../support/app';
import { createFakeClock } from '../support/clock';
import { openTestDatabase, truncate } from '../support/database';
import { seedTestNetwork, type TestNetwork } from '../support/network';
import { startSmtpServer, type LocalSmtpServer } from '../support/smtp';

describe('notifications', () => {
  let handle: DatabaseHandle;
  let hotline: TestHotline;
  let network: TestNetwork;
  let smtp: LocalSmtpServer;
  let mailer: Mailer;

  beforeAll(async () => {
    handle = await openTestDatabase();
    smtp = await startSmtpServer({ rejectRecipient: (address) => address.startsWith('yangon@') });
    const built = createMailer({ smtpUrl: smtp.url, from: 'Migrant Hotline <no-reply@hotline.test>' });
    if (!built) throw new Error('no mailer');
    mailer = built;
    const clock = createFakeClock();
    hotline = buildTestHotline(handle, { clock, mailer });
    network = await seedTestNetwork(handle, hotline, clock);
    await handle.db.updateTable('users').set({ locale: 'my' }).where('id', '=', network.user.maesot).execute();
  });
  afterAll(async () => {
    mailer.close();
    await smtp.close();
    await handle.close();
  });
  beforeEach(async () => {
    await truncate(handle, ['notifications', 'escalations', 'referrals', 'case_events', 'notes', 'messages', 'cases', 'jobs_outbox']);
    smtp.messages.length = 0;
  });

  it('counts a person\'s unread notices, lists them newest first and marks them read', async () => {
    const first = await network.openRoutedCase({ destinationCountry: 'TH', destinationProvince: 'TH-10', categories: ['wages'] });
    const second = await network.openRoutedCase({ destinationCountry: 'TH', destinationProvince: 'TH-10', categories: ['wages'] });
    const listed = await network.as('bangkok', 'get', '/api/v1/notifications').expect(200);
    expect(listed.body.unread).toBe(2);
    expect(listed.body.data.map((row: { kind: string; reference: string }) => [row.kind, row.reference]).sort()).toEqual([
      ['referral.received', first.reference], ['referral.received', second.reference],
    ].sort());
    const [one] = listed.body.data as { id: string }[];
    await network.as('maesot', 'patch', `/api/v1/notifications/${one?.id}`, { read: true }).expect(404);
    await network.as('bangkok', 'patch', `/api/v1/notifications/${one?.id}`, { read: true }).expect(204);
    expect((await network.as('bangkok', 'get', '/api/v1/notifications?unread=true').expect(200)).body.unread).toBe(1);
    await network.as('bangkok', 'patch', '/api/v1/notifications', { read: false }).expect(400);
    expect((await network.as('bangkok', 'patch', '/api/v1/notifications', { read: true }).expect(200)).body).toEqual({ marked: 1 });
    expect((await network.as('bangkok', 'get', '/api/v1/notifications').expect(200)).body.unread).toBe(0);
  });

  it('keeps one unread notice of a kind per case and person, however often it happens', async () => {
    const created = await network.openRoutedCase({ destinationCountry: 'MY', categories: ['wages'] });
    const deps = { clock: { now: () => new Date() }, jobs: hotline.jobs, mailEnabled: false };
    await handle.db.transaction().execute(async (trx) => {
      for (let time = 0; time < 3; time += 1) await notify(trx, deps, { kind: 'case.worker_replied', caseId: created.id }, { userIds: [network.user.coordinator] });
    });
    const rows = await handle.db.selectFrom('notifications').select('kind').where('user_id', '=', network.user.coordinator).where('case_id', '=', created.id).orderBy('kind').execute();
    expect(rows).toEqual([{ kind: 'case.needs_triage' }, { kind: 'case.worker_replied' }]);
    await network.as('coordinator', 'patch', '/api/v1/notifications', { read: true }).expect(200);
    await handle.db.transaction().execute((trx) => notify(trx, deps, { kind: 'case.worker_replied', caseId: created.id }, { userIds: [network.user.coordinator] }));
    expect((await network.as('coordinator', 'get', '/api/v1/notifications?unread=true').expect(200)).body.data).toMatchObject([{ kind: 'case.worker_replied' }]);
  });

  it('emails each notice in its reader\'s language, with no details of the case', async () => {
    const created = await network.openRoutedCase({ destinationCountry: 'TH', destinationProvince: 'TH-63', categories: ['wages'], story: 'Boss took my passport, call 0812345678' });
    // openRoutedCase in the test network runs without email; a referral by hand goes through the API with it.
    await network.as('coordinator', 'post', `/api/v1/cases/${created.reference}/referrals`, { to_organisation: 'yangon-returnees', reason: 'Going home' }).expect(201);
    await network.as('coordinator', 'post', `/api/v1/cases/${created.reference}/referrals`, { to_organisation: 'bangkok-legal', reason: 'Legal advice' }).expect(201);
    await hotline.runJobs();
    expect(smtp.messages).toHaveLength(1);
    const [mail] = smtp.messages;
    expect(mail?.to).toEqual(['bangkok@network.test']);
    expect(mail?.subject).toContain(created.reference);
    expect(mail?.text).toContain('https://hotline.example.org/console/notifications');
    expect(mail?.text).not.toContain('passport');
    expect(mail?.text).not.toContain('0812345678');
    const states = await handle.db.selectFrom('notifications').innerJoin('users', 'users.id', 'notifications.user_id').select(['users.email', 'notifications.email_status']).where('notifications.kind', '=', 'referral.received').execute();
    // Mae Sot's notice came from the rule, routed without email in this test network.
    expect(states.map((row) => [row.email, row.email_status]).sort()).toEqual([['bangkok@network.test', 'sent'], ['maesot@network.test', null], ['yangon@network.test', 'failed']]);
  });

  it('writes the email in Burmese for a Burmese-speaking caseworker', async () => {
    const created = await network.openRoutedCase({ destinationCountry: 'TH', destinationProvince: 'TH-10', categories: ['wages'] });
    await network.as('coordinator', 'post', `/api/v1/cases/${created.reference}/referrals`, { to_organisation: 'mae-sot', reason: 'Closer to the worker' }).expect(201);
    await hotline.runJobs();
    const [mail] = smtp.messages.filter((message) => message.to.includes('maesot@network.test'));
    expect(mail?.subject).toMatch(/[\u1000-\u109F]/);
    expect(mail?.subject).toContain(created.reference);
  });

  it('lets a person turn their emails off in the console; their notices still come', async () => {
    await handle.db.updateTable('users').set({ password_hash: await hashPassword('a long test password') }).where('id', '=', network.user.bangkok).execute();
    const { agent } = await signedInAgent(hotline.app, 'bangkok@network.test', 'a long test password');
    const home = await agent.get('/console').expect(200);
    expect(home.text).toMatch(/name="email_notifications" value="yes" checked/);
    await agent.post('/console/email-notifications').type('form').send({ email_notifications: 'maybe', _csrf: csrfOf(home.text) }).expect(400);
    await agent.post('/console/email-notifications').type('form').send({ email_notifications: 'no', _csrf: csrfOf(home.text) }).expect(303);
    expect((await agent.get('/console').expect(200)).text).toMatch(/name="email_notifications" value="no" checked/);
    const created = await network.openRoutedCase({ destinationCountry: 'TH', destinationProvince: 'TH-63', categories: ['wages'] });
    await network.as('coordinator', 'post', `/api/v1/cases/${created.reference}/referrals`, { to_organisation: 'bangkok-legal', reason: 'Legal advice' }).expect(201);
    await hotline.runJobs();
    expect(smtp.messages).toEqual([]);
    expect((await network.as('bangkok', 'get', '/api/v1/notifications?unread=true').expect(200)).body.data).toMatchObject([{ kind: 'referral.received', reference: created.reference }]);
  });

  it('tells a case\'s team once when the worker has waited 48 hours for an answer, and again after the next wait', async () => {
    const clock = { now: () => now };
    let now = new Date();
    const deps = { db: handle.db, clock, jobs: hotline.jobs, mailEnabled: false, events: hotline.events };
    const created = await network.openRoutedCase({ destinationCountry: 'TH', destinationProvince: 'TH-10', categories: ['wages'] });
    await handle.db.updateTable('cases').set({ owner_organisation_id: network.org['bangkok-legal'] ?? null, created_at: now, last_worker_message_at: now }).where('id', '=', created.id).execute();
    await handle.db.updateTable('notifications').set({ read_at: now }).execute();
    expect(await flagOverdueCases(deps)).toBe(0);
    now = new Date(now.getTime() + 49 * 3600_000);
    expect(await flagOverdueCases(deps)).toBe(1);
    expect(await flagOverdueCases(deps)).toBe(0);
    const unread = await handle.db.selectFrom('notifications').select('kind').where('user_id', '=', network.user.bangkok).where('read_at', 'is', null).execute();
    expect(unread).toEqual([{ kind: 'case.overdue' }]);
    // We answer; the worker writes again and waits another two days: a new wait, a new flag.
    await handle.db.updateTable('cases').set({ first_response_at: now, last_staff_message_at: now, last_worker_message_at: new Date(now.getTime() + 60_000) }).where('id', '=', created.id).execute();
    now = new Date(now.getTime() + 50 * 3600_000);
    expect(await flagOverdueCases(deps)).toBe(1);
    const events = await handle.db.selectFrom('case_events').select('type').where('case_id', '=', created.id).where('type', '=', 'case.overdue').execute();
    expect(events).toHaveLength(2);
  });
});
