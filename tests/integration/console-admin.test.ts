import request from 'supertest';
import type { DatabaseHandle } from '../../src/db/database';
import { hashPassword } from '../../src/users/password';
import { upsertUser } from '../../src/users/user.repository';
import { buildTestHotline, type TestHotline } from '../support/app';
import { withAuditRefused } from '../support/audit';
import { signedInAgent } from '../support/console';
import { openTestDatabase } from '../support/database';

const PASSWORD = 'a long staff password';

describe('console administration', () => {
  let handle: DatabaseHandle;
  let hotline: TestHotline;
  let caseworkerId: string;

  beforeAll(async () => {
    handle = await openTestDatabase();
    hotline = buildTestHotline(handle);
    const org = await handle.db.insertInto('organisations').values({ slug: 'network', name: 'Network', kind: 'network', country: 'TH' }).returning('id').executeTakeFirstOrThrow();
    const hash = await hashPassword(PASSWORD);
    await upsertUser(handle.db, { organisationId: org.id, email: 'admin@example.org', displayName: 'Admin', role: 'admin', locale: 'en', passwordHash: hash });
    caseworkerId = await upsertUser(handle.db, { organisationId: org.id, email: 'cw@example.org', displayName: 'Caseworker', role: 'caseworker', locale: 'en', passwordHash: hash });
    await upsertUser(handle.db, { organisationId: org.id, email: 'admin.th@example.org', displayName: 'Admin TH', role: 'admin', locale: 'th', passwordHash: hash });
    for (const role of ['coordinator', 'liaison', 'researcher'] as const) {
      await upsertUser(handle.db, { organisationId: org.id, email: `${role}@example.org`, displayName: role, role, locale: 'en', passwordHash: hash });
    }
  });
  afterAll(async () => {
    await handle.close();
  });

  const signedIn = (email: string) => signedInAgent(hotline.app, email, PASSWORD);

  it('refuses the admin pages to other roles (403)', async () => {
    const { agent } = await signedIn('cw@example.org');
    for (const path of ['/console/admin/users', '/console/admin/organisations', '/console/admin/organisations/new', '/console/admin/tokens', '/console/admin/audit']) await agent.get(path).expect(403);
  });

  const tokenIn = (html: string) => /<code class="token">(mh_[A-Za-z0-9_-]{43})<\/code>/.exec(html)?.[1] ?? '';

  it('issues an API token for the admin\'s own account, shown once, which then works, and revokes it', async () => {
    const { agent, csrf } = await signedIn('admin@example.org');
    const issued = await agent.post('/console/admin/tokens').type('form').send({ email: 'admin@example.org', name: 'user sync', _csrf: csrf }).expect(200);
    const token = tokenIn(issued.text);
    expect(issued.headers['cache-control']).toBe('no-store');
    await request(hotline.app).get('/api/v1/me').set('Authorization', `Bearer ${token}`).expect(200);
    const listed = await agent.get('/console/admin/tokens').expect(200);
    expect(listed.text).not.toContain(token);
    const id = (await handle.db.selectFrom('api_tokens').select('id').where('name', '=', 'user sync').executeTakeFirstOrThrow()).id;
    await agent.post(`/console/admin/tokens/${id}/revoke`).type('form').send({ _csrf: csrf }).expect(303);
    await request(hotline.app).get('/api/v1/me').set('Authorization', `Bearer ${token}`).expect(401);
  });

  it('refuses an admin a token for anyone who reads cases (caseworker, coordinator, liaison), issuing nothing; a researcher\'s is allowed', async () => {
    const { agent, csrf } = await signedIn('admin@example.org');
    const before = (await handle.db.selectFrom('api_tokens').select('id').execute()).length;
    for (const email of ['cw@example.org', 'coordinator@example.org', 'liaison@example.org']) {
      const refused = await agent.post('/console/admin/tokens').set('Accept', 'application/json').type('form').send({ email, name: 'read cases', _csrf: csrf }).expect(403);
      expect(refused.body.error.fields).toEqual([expect.objectContaining({ field: 'email', reason: 'token_for_case_reader' })]);
      expect(refused.text).not.toMatch(/mh_[A-Za-z0-9_-]{43}/);
    }
    expect((await handle.db.selectFrom('api_tokens').select('id').execute()).length).toBe(before);
    const audited = await handle.db.selectFrom('audit_log').select('action').where('action', '=', 'api_token.refused').execute();
    expect(audited).toHaveLength(3);
    const researcher = await agent.post('/console/admin/tokens').type('form').send({ email: 'researcher@example.org', name: 'stats export', _csrf: csrf }).expect(200);
    const token = tokenIn(researcher.text);
    await request(hotline.app).get('/api/v1/cases').set('Authorization', `Bearer ${token}`).expect(403);
  });

  it('lets each person issue and revoke their own tokens, and no one else\'s', async () => {
    const coordinator = await signedIn('coordinator@example.org');
    const page = await coordinator.agent.get('/console/tokens').expect(200);
    expect(page.text).toContain('Your API tokens');
    const issued = await coordinator.agent.post('/console/tokens').type('form').send({ name: 'my sync', _csrf: coordinator.csrf }).expect(200);
    const token = tokenIn(issued.text);
    await request(hotline.app).get('/api/v1/cases').set('Authorization', `Bearer ${token}`).expect(200);
    const id = (await handle.db.selectFrom('api_tokens').select('id').where('name', '=', 'my sync').executeTakeFirstOrThrow()).id;
    const other = await signedIn('cw@example.org');
    expect((await other.agent.get('/console/tokens').expect(200)).text).not.toContain('my sync');
    await other.agent.post(`/console/tokens/${id}/revoke`).type('form').send({ _csrf: other.csrf }).expect(404);
    await request(hotline.app).get('/api/v1/cases').set('Authorization', `Bearer ${token}`).expect(200);
    await coordinator.agent.post(`/console/tokens/${id}/revoke`).type('form').send({ _csrf: coordinator.csrf }).expect(303);
    await request(hotline.app).get('/api/v1/cases').set('Authorization', `Bearer ${token}`).expect(401);
  });

  it('disables a user, ending their sessions at once, and enables them again', async () => {
    const caseworker = await signedIn('cw@example.org');
    await caseworker.agent.get('/console').expect(200);
    const { agent, csrf } = await signedIn('admin@example.org');
    await agent.post(`/console/admin/users/${caseworkerId}/disable`).type('form').send({ _csrf: csrf }).expect(303);
    await caseworker.agent.get('/console').set('Accept', 'text/html').expect(303);
    await agent.post(`/console/admin/users/${caseworkerId}/enable`).type('form').send({ _csrf: csrf }).expect(303);
    await signedIn('cw@example.org');
  });

  it('disables a user only together with its audit line: when the line cannot be written, the user stays enabled and signed in', async () => {
    const caseworker = await signedIn('cw@example.org');
    const { agent, csrf } = await signedIn('admin@example.org');
    await withAuditRefused(handle.db, 'user.disabled', () => agent.post(`/console/admin/users/${caseworkerId}/disable`).type('form').send({ _csrf: csrf }).expect(500));
    expect(await handle.db.selectFrom('users').select('disabled_at').where('id', '=', caseworkerId).executeTakeFirstOrThrow()).toEqual({ disabled_at: null });
    await caseworker.agent.get('/console').set('Accept', 'text/html').expect(200);
  });

  it('revokes a token only together with its audit line', async () => {
    const { agent, csrf } = await signedIn('admin@example.org');
    const token = tokenIn((await agent.post('/console/admin/tokens').type('form').send({ email: 'admin@example.org', name: 'audited revoke', _csrf: csrf }).expect(200)).text);
    const id = (await handle.db.selectFrom('api_tokens').select('id').where('name', '=', 'audited revoke').executeTakeFirstOrThrow()).id;
    await withAuditRefused(handle.db, 'api_token.revoked', () => agent.post(`/console/admin/tokens/${id}/revoke`).type('form').send({ _csrf: csrf }).expect(500));
    await request(hotline.app).get('/api/v1/me').set('Authorization', `Bearer ${token}`).expect(200);
  });

  it('creates an organisation from the console, audited, and lists it with a link to edit it', async () => {
    const { agent, csrf } = await signedIn('admin@example.org');
    const form = await agent.get('/console/admin/organisations/new').expect(200);
    for (const name of ['slug', 'name', 'kind', 'country', 'city', 'provinces', 'nationalities', 'is_active', 'discreet_by_default']) expect(form.text).toContain(`name="${name}"`);
    await agent.post('/console/admin/organisations/new').type('form')
      .send({ slug: 'mm-embassy-bkk', name: 'Embassy of Myanmar, Bangkok', kind: 'embassy', country: 'TH', city: 'Bangkok', provinces: ['TH-10', 'TH-11'], nationalities: 'MM', is_active: 'yes', _csrf: csrf })
      .expect(303).expect('Location', '/console/admin/organisations');
    const saved = await handle.db.selectFrom('organisations').selectAll().where('slug', '=', 'mm-embassy-bkk').executeTakeFirstOrThrow();
    expect(saved).toMatchObject({ kind: 'embassy', country: 'TH', city: 'Bangkok', provinces: ['TH-10', 'TH-11'], nationalities: ['MM'], is_active: true, discreet_by_default: false });
    const audited = await handle.db.selectFrom('audit_log').select(['actor_kind', 'subject_id']).where('action', '=', 'organisation.created').execute();
    expect(audited).toEqual([{ actor_kind: 'user', subject_id: saved.id }]);
    const list = await agent.get('/console/admin/organisations').expect(200);
    expect(list.text).toContain(`href="/console/admin/organisations/${saved.id}"`);
    expect(list.text).toContain('Embassy of Myanmar, Bangkok');
  });

  it('refuses an organisation form beside the fields at fault, keeps what was typed, and writes nothing', async () => {
    const { agent, csrf } = await signedIn('admin@example.org');
    const before = await handle.db.selectFrom('organisations').select('id').execute();
    const refused = await agent.post('/console/admin/organisations/new').type('form')
      .send({ slug: 'network', name: 'A second network', kind: 'ngo', country: 'KH', _csrf: csrf })
      .expect(400);
    expect(refused.text).toMatch(/<p class="field-error" id="slug-error">Another organisation already uses this short name\.<\/p>/);
    expect(refused.text).toContain('aria-invalid="true"');
    expect(refused.text).toContain('value="A second network"');
    const checks = await agent.post('/console/admin/organisations/new').type('form')
      .send({ slug: 'second', name: 'Second', kind: 'ngo', country: 'KH', provinces: 'TH-63', nationalities: 'MM', _csrf: csrf })
      .expect(400);
    expect(checks.text).toContain('id="provinces-error">This province is not in the organisation&#39;s country.');
    expect(checks.text).toContain('id="nationalities-error">Only an embassy serves workers by nationality.');
    expect(await handle.db.selectFrom('organisations').select('id').execute()).toHaveLength(before.length);
  });

  it('edits an organisation: name, kind, places and settings; the slug stays; audited', async () => {
    const { agent, csrf } = await signedIn('admin@example.org');
    const org = await handle.db.selectFrom('organisations').select('id').where('slug', '=', 'network').executeTakeFirstOrThrow();
    const page = await agent.get(`/console/admin/organisations/${org.id}`).expect(200);
    expect(page.text).toContain('value="Network"');
    expect(page.text).not.toContain('name="slug"');
    await agent.post(`/console/admin/organisations/${org.id}`).type('form')
      .send({ slug: 'renamed', name: 'Mekong Hotline Network', kind: 'network', country: 'TH', city: 'Chiang Mai', provinces: 'TH-50', is_active: 'yes', discreet_by_default: 'yes', _csrf: csrf })
      .expect(303);
    const after = await handle.db.selectFrom('organisations').select(['slug', 'name', 'city', 'provinces', 'is_active', 'discreet_by_default']).where('id', '=', org.id).executeTakeFirstOrThrow();
    expect(after).toEqual({ slug: 'network', name: 'Mekong Hotline Network', city: 'Chiang Mai', provinces: ['TH-50'], is_active: true, discreet_by_default: true });
    const audited = await handle.db.selectFrom('audit_log').select('details').where('action', '=', 'organisation.updated').where('subject_id', '=', org.id).execute();
    expect(audited).toHaveLength(1);
    await agent.get('/console/admin/organisations/00000000-0000-4000-8000-000000000000').expect(404);
  });

  it('shows the organisation form in the admin\'s language', async () => {
    const { agent } = await signedIn('admin.th@example.org');
    const page = await agent.get('/console/admin/organisations/new').expect(200);
    expect(page.text).toContain('เพิ่มองค์กร');
    expect(page.text).toContain('สถานทูต');
  });

  it('lets an admin browse the audit log, filtered by action', async () => {
    const { agent } = await signedIn('admin@example.org');
    const page = await agent.get('/console/admin/audit?action=user.disabled').expect(200);
    expect(page.text).toContain('user.disabled');
    expect(page.text).not.toContain('user.signed_in');
  });
});
