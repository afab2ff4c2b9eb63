import type { DatabaseHandle } from '../../src/db/database';
import { hashPassword } from '../../src/users/password';
import { upsertUser } from '../../src/users/user.repository';
import { buildTestHotline, type TestHotline } from '../support/app';
import { withAuditRefused } from '../support/audit';
import { signedInAgent } from '../support/console';
import { openTestDatabase } from '../support/database';

const PASSWORD = 'a long staff password';

describe('canned replies', () => {
  let handle: DatabaseHandle;
  let hotline: TestHotline;

  beforeAll(async () => {
    handle = await openTestDatabase();
    hotline = buildTestHotline(handle);
    const org = await handle.db.insertInto('organisations').values({ slug: 'network', name: 'Network', kind: 'network', country: 'TH' }).returning('id').executeTakeFirstOrThrow();
    const hash = await hashPassword(PASSWORD);
    await upsertUser(handle.db, { organisationId: org.id, email: 'coord@example.org', displayName: 'Coordinator', role: 'coordinator', locale: 'en', passwordHash: hash });
    await upsertUser(handle.db, { organisationId: org.id, email: 'cw@example.org', displayName: 'Caseworker', role: 'caseworker', locale: 'en', passwordHash: hash });
    await handle.db.insertInto('cases').values({ reference: 'KKK-2KK', channel: 'sms', language: 'km', owner_organisation_id: org.id, summary_encrypted: hotline.cipher.seal('story') }).execute();
  });
  afterAll(async () => {
    await handle.close();
  });

  const signedIn = (email: string) => signedInAgent(hotline.app, email, PASSWORD);

  it('are managed by coordinators, per language, within 3 SMS', async () => {
    const { agent, csrf } = await signedIn('coord@example.org');
    await agent.post('/console/canned-replies').type('form').send({ language: 'km', title: 'Call back', body: 'យើងនឹងទូរស័ព្ទទៅអ្នកវិញឆាប់ៗ។', _csrf: csrf }).expect(303);
    const tooLong = await agent.post('/console/canned-replies').set('Accept', 'application/json').type('form').send({ language: 'km', title: 'Long', body: 'ក'.repeat(300), _csrf: csrf }).expect(400);
    expect(tooLong.body.error.fields[0]).toMatchObject({ field: 'body', reason: 'too_big' });
    expect((await agent.get('/console/canned-replies').expect(200)).text).toContain('Call back');
  });

  it('are added only together with their audit line', async () => {
    const { agent, csrf } = await signedIn('coord@example.org');
    await withAuditRefused(handle.db, 'canned_reply.created', () =>
      agent.post('/console/canned-replies').type('form').send({ language: 'en', title: 'Unaudited', body: 'We will call you.', _csrf: csrf }).expect(500));
    expect(await handle.db.selectFrom('canned_replies').select('title').where('title', '=', 'Unaudited').execute()).toEqual([]);
  });

  it('are offered on a case in the case\'s language', async () => {
    const { agent } = await signedIn('coord@example.org');
    const page = await agent.get('/console/cases/KKK-2KK').expect(200);
    expect(page.text).toContain('យើងនឹងទូរស័ព្ទទៅអ្នកវិញឆាប់ៗ។');
  });

  it('cannot be changed by caseworkers (403)', async () => {
    const { agent, csrf } = await signedIn('cw@example.org');
    await agent.get('/console/canned-replies').expect(403);
    await agent.post('/console/canned-replies').type('form').send({ language: 'en', title: 'x', body: 'y', _csrf: csrf }).expect(403);
  });
});
