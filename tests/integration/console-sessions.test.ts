import request from 'supertest';
import type { DatabaseHandle } from '../../src/db/database';
import { hashPassword } from '../../src/users/password';
import { endAllSessions } from '../../src/users/session.service';
import { upsertUser } from '../../src/users/user.repository';
import { buildTestHotline, type TestHotline } from '../support/app';
import { createFakeClock } from '../support/clock';
import { openTestDatabase, truncate } from '../support/database';

const PASSWORD = 'correct horse battery staple';
const MINUTE = 60_000;

describe('console sign-in and sessions', () => {
  let handle: DatabaseHandle;
  let hotline: TestHotline;
  const clock = createFakeClock();
  let userId: string;

  beforeAll(async () => {
    handle = await openTestDatabase();
    hotline = buildTestHotline(handle, { clock });
    const org = await handle.db.insertInto('organisations').values({ slug: 'mae-sot-ngo', name: 'Mae Sot NGO', kind: 'ngo', country: 'TH' }).returning('id').executeTakeFirstOrThrow();
    userId = await upsertUser(handle.db, {
      organisationId: org.id, email: 'naw.paw@example.org', displayName: 'Naw Paw', role: 'caseworker', locale: 'my', passwordHash: await hashPassword(PASSWORD),
    });
  });
  afterAll(async () => {
    await handle.close();
  });
  beforeEach(async () => {
    await truncate(handle, ['sessions', 'rate_limits']);
    await handle.db.updateTable('users').set({ disabled_at: null }).execute();
  });

  async function signIn(password = PASSWORD, email = 'naw.paw@example.org') {
    const agent = request.agent(hotline.app);
    const form = await agent.get('/console/sign-in').expect(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)?.[1] ?? '';
    const response = await agent.post('/console/sign-in').type('form').send({ email, password, _csrf: csrf });
    if (response.status !== 303) return { agent, response, csrf };
    // Signed in, the console's forms carry the session's own token.
    const home = await agent.get('/console').expect(200);
    return { agent, response, csrf: /name="_csrf" value="([^"]+)"/.exec(home.text)?.[1] ?? '' };
  }

  const sessionCookie = (response: request.Response) =>
    ([] as string[]).concat(response.headers['set-cookie'] ?? []).find((cookie) => cookie.startsWith('hotline_session='));

  it('signs in with the right password into a new HttpOnly, SameSite=Lax session and shows the console in the user\'s language', async () => {
    const { agent, response } = await signIn();
    expect(response.status).toBe(303);
    expect(response.headers['location']).toBe('/console');
    const cookie = sessionCookie(response) ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/); // PUBLIC_URL is http here; https makes it Secure
    const home = await agent.get('/console').expect(200);
    expect(home.text).toContain('<html lang="my">');
    expect(home.text).toContain('Naw Paw');
  });

  it('issues a new session id at every sign-in', async () => {
    const first = sessionCookie((await signIn()).response);
    const second = sessionCookie((await signIn()).response);
    expect(first).toBeDefined();
    expect(first).not.toBe(second);
    const stored = await handle.db.selectFrom('sessions').select('id_hash').execute();
    expect(stored).toHaveLength(2);
    expect(stored.map((row) => row.id_hash).join()).not.toContain(first?.split(';')[0]?.split('=')[1] ?? 'x');
  });

  it('answers a wrong password and an unknown email the same way', async () => {
    const wrong = (await signIn('wrong password')).response;
    const unknown = (await signIn(PASSWORD, 'nobody@example.org')).response;
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const notice = (text: string) => /role="alert">([^<]+)</.exec(text)?.[1];
    expect(notice(wrong.text)).toBe(notice(unknown.text));
    expect(sessionCookie(wrong)).toBeUndefined();
  });

  it('locks an email for 15 minutes after 5 wrong passwords, even for the right one', async () => {
    for (let i = 0; i < 5; i += 1) expect((await signIn('wrong password')).response.status).toBe(401);
    expect((await signIn()).response.status).toBe(429);
    clock.advance(15 * MINUTE);
    expect((await signIn()).response.status).toBe(303);
  });

  it('takes a browser that is not signed in to the sign-in form', async () => {
    const response = await request(hotline.app).get('/console').set('Accept', 'text/html').expect(303);
    expect(response.headers['location']).toBe('/console/sign-in');
  });

  it('ends a session after 30 minutes without activity', async () => {
    const { agent } = await signIn();
    clock.advance(29 * MINUTE);
    await agent.get('/console').expect(200);
    clock.advance(29 * MINUTE);
    await agent.get('/console').expect(200);
    clock.advance(30 * MINUTE);
    await agent.get('/console').set('Accept', 'text/html').expect(303);
  });

  it('ends a session 12 hours after sign-in, however active', async () => {
    const { agent } = await signIn();
    for (let elapsed = 0; elapsed < 12 * 60 - 20; elapsed += 20) {
      clock.advance(20 * MINUTE);
      await agent.get('/console').expect(200);
    }
    clock.advance(20 * MINUTE);
    await agent.get('/console').set('Accept', 'text/html').expect(303);
  });

  it('ends the session at sign-out; the old cookie no longer works', async () => {
    const { agent, response, csrf } = await signIn();
    const cookie = (sessionCookie(response) ?? '').split(';')[0] ?? '';
    await agent.post('/console/sign-out').type('form').send({ _csrf: csrf }).expect(303);
    await request(hotline.app).get('/console').set('Cookie', cookie).set('Accept', 'text/html').expect(303);
  });

  it('refuses a sign-out or sign-in without the form\'s CSRF token', async () => {
    const { agent } = await signIn();
    await agent.post('/console/sign-out').type('form').send({}).expect(403);
    await agent.get('/console').expect(200);
    await request(hotline.app).post('/console/sign-in').type('form').send({ email: 'naw.paw@example.org', password: PASSWORD }).expect(403);
  });

  const cookieOf = (response: request.Response, name: string) =>
    ([] as string[]).concat(response.headers['set-cookie'] ?? []).find((cookie) => cookie.startsWith(`${name}=`))?.split(';')[0] ?? '';

  it('refuses a form token of one session posted with another session, even with the first one\'s CSRF cookie', async () => {
    const first = await signIn();
    const second = await signIn();
    expect(first.csrf).not.toBe('');
    expect(first.csrf).not.toBe(second.csrf);
    // An attacker who planted their own CSRF cookie and token in the victim's browser.
    const attackerPage = await request(hotline.app).get('/console/sign-in').expect(200);
    const plantedCookie = cookieOf(attackerPage, 'csrf');
    const plantedToken = /name="_csrf" value="([^"]+)"/.exec(attackerPage.text)?.[1] ?? '';
    const victimSession = cookieOf(second.response, 'hotline_session');
    await request(hotline.app).post('/console/language').set('Cookie', `${victimSession}; ${plantedCookie}`).type('form').send({ language: 'km', _csrf: plantedToken }).expect(403);
    await request(hotline.app).post('/console/language').set('Cookie', victimSession).type('form').send({ language: 'km', _csrf: first.csrf }).expect(403);
    await second.agent.post('/console/sign-out').type('form').send({ _csrf: first.csrf }).expect(403);
    await second.agent.get('/console').expect(200);
    await request(hotline.app).post('/console/language').set('Cookie', victimSession).type('form').send({ language: 'km', _csrf: second.csrf }).expect(303);
  });

  it('refuses a token picked up anonymously on a worker form in a signed-in session', async () => {
    const { agent, response } = await signIn();
    const report = await agent.get('/report?lang=en').expect(200);
    const anonymous = /name="_csrf" value="([^"]+)"/.exec(report.text)?.[1] ?? '';
    expect(anonymous).not.toBe('');
    await agent.post('/console/sign-out').type('form').send({ _csrf: anonymous }).expect(403);
    const session = cookieOf(response, 'hotline_session');
    await request(hotline.app).post('/console/sign-out').set('Cookie', `${session}; ${cookieOf(report, 'csrf') || 'csrf=x'}`).type('form').send({ _csrf: anonymous }).expect(403);
    await agent.get('/console').expect(200);
  });

  it('ends every session of a user who is disabled, at once', async () => {
    const first = await signIn();
    const second = await signIn();
    await handle.db.updateTable('users').set({ disabled_at: clock.now() }).where('id', '=', userId).execute();
    expect(await endAllSessions({ db: handle.db, clock }, userId)).toBe(2);
    await first.agent.get('/console').set('Accept', 'text/html').expect(303);
    await second.agent.get('/console').set('Accept', 'text/html').expect(303);
    expect((await signIn()).response.status).toBe(401);
  });

  it('lets a user choose the console\'s language for themselves', async () => {
    const { agent, csrf } = await signIn();
    await agent.post('/console/language').type('form').send({ language: 'km', _csrf: csrf }).expect(303);
    expect((await agent.get('/console').expect(200)).text).toContain('<html lang="km">');
    await agent.post('/console/language').type('form').send({ language: 'xx', _csrf: csrf }).set('Accept', 'application/json').expect(400);
    await agent.post('/console/language').type('form').send({ language: 'my', _csrf: csrf }).expect(303);
  });

  it('records sign-ins and failures in the audit log', async () => {
    await signIn('wrong password');
    await signIn();
    const rows = await handle.db.selectFrom('audit_log').select('action').where('action', 'like', 'user.sign%').orderBy('id').execute();
    expect(rows.map((row) => row.action).slice(-2)).toEqual(['user.sign_in_failed', 'user.signed_in']);
  });
});
