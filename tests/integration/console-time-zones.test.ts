import type { DatabaseHandle } from '../../src/db/database';
import { AppError } from '../../src/http/errors';
import { createOrganisation } from '../../src/orgs/organisation.service';
import { hashPassword } from '../../src/users/password';
import { upsertUser } from '../../src/users/user.repository';
import { buildTestHotline, type TestHotline } from '../support/app';
import { signedInAgent } from '../support/console';
import { openTestDatabase } from '../support/database';

const PASSWORD = 'a long staff password';
// 06:05 UTC: 13:05 in Bangkok, 14:05 in Kuala Lumpur.
const NOTICE_AT = new Date('2026-12-02T06:05:00Z');

describe('console times in the reader\'s time zone', () => {
  let handle: DatabaseHandle;
  let hotline: TestHotline;
  const clock = { now: () => new Date('2026-12-02T08:00:00Z') };

  beforeAll(async () => {
    handle = await openTestDatabase();
    hotline = buildTestHotline(handle, { clock });
    const hash = await hashPassword(PASSWORD);
    const places = [
      { slug: 'bangkok-ngo', country: 'TH', email: 'cw.th@example.org' },
      { slug: 'penang-ngo', country: 'MY', email: 'cw.my@example.org' },
    ];
    for (const place of places) {
      const org = await createOrganisation({ db: handle.db, clock }, { slug: place.slug, name: place.slug, kind: 'ngo', country: place.country }, { kind: 'cli' });
      const userId = await upsertUser(handle.db, { organisationId: org.id, email: place.email, displayName: place.slug, role: 'caseworker', locale: 'en', passwordHash: hash });
      await handle.db.insertInto('notifications').values({ user_id: userId, kind: 'referral.received', case_id: null, subject_id: null, created_at: NOTICE_AT }).execute();
    }
    const network = await handle.db.insertInto('organisations').values({ slug: 'network', name: 'Network', kind: 'network', country: 'TH' }).returning('id').executeTakeFirstOrThrow();
    await upsertUser(handle.db, { organisationId: network.id, email: 'admin@example.org', displayName: 'Admin', role: 'admin', locale: 'en', passwordHash: hash });
  });
  afterAll(async () => {
    await handle.close();
  });

  it('gives a new organisation its country\'s time zone', async () => {
    const zones = await handle.db.selectFrom('organisations').select(['slug', 'time_zone']).where('slug', 'in', ['bangkok-ngo', 'penang-ngo']).orderBy('slug').execute();
    expect(zones).toEqual([{ slug: 'bangkok-ngo', time_zone: 'Asia/Bangkok' }, { slug: 'penang-ngo', time_zone: 'Asia/Kuala_Lumpur' }]);
  });

  it('shows a Thai and a Malaysian caseworker the same notice at their own local times, naming the zone', async () => {
    const thai = await signedInAgent(hotline.app, 'cw.th@example.org', PASSWORD);
    const thaiPage = (await thai.agent.get('/console/notifications').expect(200)).text;
    const malaysian = await signedInAgent(hotline.app, 'cw.my@example.org', PASSWORD);
    const malaysianPage = (await malaysian.agent.get('/console/notifications').expect(200)).text;
    expect(thaiPage).toMatch(/Dec 2, 2026, 1:05\sPM \(Thailand Time\)/);
    expect(malaysianPage).toMatch(/Dec 2, 2026, 2:05\sPM \(Malaysia Time\)/);
  });

  it('lets an admin set an organisation\'s time zone, and refuses one that does not exist, naming the field', async () => {
    const { agent, csrf } = await signedInAgent(hotline.app, 'admin@example.org', PASSWORD);
    const form = await agent.get('/console/admin/organisations/new').expect(200);
    expect(form.text).toContain('name="time_zone"');
    const refused = await agent.post('/console/admin/organisations/new').type('form')
      .send({ slug: 'mars-ngo', name: 'Mars', kind: 'ngo', country: 'TH', time_zone: 'Mars/Olympus_Mons', _csrf: csrf })
      .expect(400);
    expect(refused.text).toContain('id="time_zone-error">This is not a time zone we know.');
    expect(refused.text).toContain('value="Mars/Olympus_Mons"');
    await agent.post('/console/admin/organisations/new').type('form')
      .send({ slug: 'kl-office', name: 'KL office', kind: 'ngo', country: 'TH', time_zone: 'Asia/Kuala_Lumpur', _csrf: csrf })
      .expect(303);
    const saved = await handle.db.selectFrom('organisations').select('time_zone').where('slug', '=', 'kl-office').executeTakeFirstOrThrow();
    expect(saved.time_zone).toBe('Asia/Kuala_Lumpur');
  });

  it('refuses an unknown time zone from the CLI\'s service as a 400 on timeZone', async () => {
    const attempt = createOrganisation({ db: handle.db, clock }, { slug: 'nowhere', name: 'Nowhere', kind: 'ngo', country: 'MY', timeZone: 'Asia/Nowhere' }, { kind: 'cli' });
    await expect(attempt).rejects.toBeInstanceOf(AppError);
    await expect(attempt).rejects.toMatchObject({ status: 400, issues: [{ field: 'timeZone', reason: 'unknown_time_zone' }] });
  });
});
