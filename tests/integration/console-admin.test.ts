import request from 'supertest';
import type { DatabaseHandle } from '../../src/db/database';
import { hashPassword } from '../../src/users/password';
import { upsertUser } from '../../src/users/user.repository';
import { buildTestHotline, type TestHotline } from '../support/app';
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
  });
  afterAll(async () => {
    await handle.close();
  });

  const signedIn = (email: string) => signedInAgent(hotline.app, email, PASSWORD);

  it('refuses the admin pages to other roles (403)', async () => {
    const { agent } = await signedIn('cw@example.org');
    for (const path of ['/console/admin/users', '/console/admin/organisations', '/console/admin/tokens', '/console/admin/audit']) await agent.get(path).expect(403);
  });

  it('issues an API token shown once, which then works, and revokes it', async () => {
    const { agent, csrf } = await signedIn('admin@example.org');
    const issued = await agent.post('/console/admin/tokens').type('form').send({ email: 'cw@example.org', name: 'partner sync', _csrf: csrf }).expect(200);
    const token = /<code class="token">(mh_[A-Za-z0-9_-]{43})<\/code>/.exec(issued.text)?.[1] ?? '';
    expect(issued.headers['cache-control']).toBe('no-store');
    await request(hotline.app).get('/api/v1/me').set('Authorization', `Bearer ${token}`).expect(200);
    const listed = await agent.get('/console/admin/tokens').expect(200);
    expect(listed.text).not.toContain(token);
    const id = (await handle.db.selectFrom('api_tokens').select('id').where('name', '=', 'partner sync').executeTakeFirstOrThrow()).id;
    await agent.post(`/console/admin/tokens/${id}/revoke`).type('form').send({ _csrf: csrf }).expect(303);
    await request(hotline.app).get('/api/v1/me').set('Authorization', `Bearer ${token}`).expect(401);
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

  it('sets an organisation to discreet replies by default', async () => {
    const { agent, csrf } = await signedIn('admin@example.org');
    const org = await handle.db.selectFrom('organisations').select('id').where('slug', '=', 'network').executeTakeFirstOrThrow();
    expect((await agent.get('/console/admin/organisations').expect(200)).text).toContain('network');
    await agent.post(`/console/admin/organisations/${org.id}`).type('form').send({ is_active: 'yes', discreet_by_default: 'yes', _csrf: csrf }).expect(303);
    const after = await handle.db.selectFrom('organisations').select(['is_active', 'discreet_by_default']).where('id', '=', org.id).executeTakeFirstOrThrow();
    expect(after).toEqual({ is_active: true, discreet_by_default: true });
  });

  it('lets an admin browse the audit log, filtered by action', async () => {
    const { agent } = await signedIn('admin@example.org');
    const page = await agent.get('/console/admin/audit?action=user.disabled').expect(200);
    expect(page.text).toContain('user.disabled');
    expect(page.text).not.toContain('user.signed_in');
  });
});
