import type { DatabaseHandle } from '../../src/db/database';
import type { NewCase } from '../../src/db/schema';
import { insertCase } from '../../src/cases/case.repository';
import { insertEscalation } from '../../src/escalations/escalation.repository';
import { hashPassword } from '../../src/users/password';
import { upsertUser } from '../../src/users/user.repository';
import { buildTestHotline, type TestHotline } from '../support/app';
import { createFakeClock } from '../support/clock';
import { signedInAgent } from '../support/console';
import { openTestDatabase } from '../support/database';

const PASSWORD = 'a long staff password';
const DAY = 86_400_000;
const PHONE = '081 234 5678';
const EMPLOYER = 'Golden Sea Trading';

describe('console escalation pages', () => {
  const clock = createFakeClock('2026-11-27T08:00:00Z');
  let handle: DatabaseHandle;
  let hotline: TestHotline;
  const escalations = {} as Record<'older' | 'newer' | 'consented' | 'otherEmbassy', { id: string; reference: string }>;

  /** A case as the intake leaves it: the worker's words (with a phone number), an employer, and one text. */
  async function buildCase(overrides: Partial<NewCase> = {}): Promise<{ id: string; reference: string }> {
    const created = await handle.db.transaction().execute((trx) =>
      insertCase(trx, {
        channel: 'sms', language: 'my', urgency: 'high', categories: ['arrest'], sector: 'fishing', origin_country: 'MM', destination_country: 'TH',
        destination_province: 'TH-74', summary_encrypted: hotline.cipher.seal(`Police took my brother. Call me on ${PHONE}`), employer_encrypted: hotline.cipher.seal(EMPLOYER),
        created_at: new Date(clock.now().getTime() - 5 * DAY), ...overrides,
      }),
    );
    await handle.db.insertInto('messages').values({ case_id: created.id, direction: 'in', channel: 'sms', status: 'received', body_encrypted: hotline.cipher.seal(`My brother is in the police station. My number is ${PHONE}`) }).execute();
    return created;
  }

  async function escalate(caseRow: { id: string; reference: string }, embassyId: string, daysAgo: number) {
    const id = await insertEscalation(handle.db, { caseId: caseRow.id, embassyId, ruleId: null, reasonSealed: hotline.cipher.seal('Worker detained in Samut Sakhon'), createdByUserId: null, at: new Date(clock.now().getTime() - daysAgo * DAY) });
    return { id, reference: caseRow.reference };
  }

  beforeAll(async () => {
    handle = await openTestDatabase();
    hotline = buildTestHotline(handle, { clock });
    const organisation = (slug: string, name: string, kind: string, nationalities: string[] = []) =>
      handle.db.insertInto('organisations').values({ slug, name, kind, country: 'TH', nationalities }).returning('id').executeTakeFirstOrThrow();
    const network = await organisation('mekong-network', 'Mekong Network', 'network');
    const ngo = await organisation('mahachai-help', 'Mahachai Help', 'ngo');
    const myanmar = await organisation('mm-embassy-bangkok', 'Myanmar Embassy Bangkok', 'embassy', ['MM']);
    const cambodia = await organisation('kh-embassy-bangkok', 'Cambodian Embassy Bangkok', 'embassy', ['KH']);
    const hash = await hashPassword(PASSWORD);
    const user = (email: string, role: string, organisationId: string) => upsertUser(handle.db, { organisationId, email, displayName: email.split('@')[0] ?? email, role, locale: 'en', passwordHash: hash });
    await user('liaison.mm@example.org', 'liaison', myanmar.id);
    await user('liaison.kh@example.org', 'liaison', cambodia.id);
    await user('cw@example.org', 'caseworker', ngo.id);
    await user('coordinator@example.org', 'coordinator', network.id);

    // Escalated newest first, so that the list's order is the pages' doing, not the insertion's.
    escalations.newer = await escalate(await buildCase({ consent_given: false, consent_at: clock.now(), consent_wording: 'no' }), myanmar.id, 1);
    escalations.older = await escalate(await buildCase({ consent_given: null }), myanmar.id, 3);
    escalations.consented = await escalate(await buildCase({ consent_given: true, consent_at: clock.now(), consent_wording: 'yes' }), myanmar.id, 2);
    escalations.otherEmbassy = await escalate(await buildCase({ origin_country: 'KH' }), cambodia.id, 4);
  });
  afterAll(async () => {
    await handle.close();
  });

  const liaison = () => signedInAgent(hotline.app, 'liaison.mm@example.org', PASSWORD);

  it('shows a liaison only their embassy\'s escalations, oldest first, with their age', async () => {
    const { agent } = await liaison();
    const list = await agent.get('/console/escalations').expect(200);
    const positions = [escalations.older, escalations.consented, escalations.newer].map((item) => list.text.indexOf(`/console/escalations/${item.id}`));
    expect(positions.every((position) => position > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(list.text).not.toContain(escalations.otherEmbassy.reference);
    expect(list.text).toContain('3 days ago');
    expect(list.text).toContain('Arrest and detention');
    expect(list.headers['cache-control']).toBe('no-store');
  });

  it('shows the case without the worker\'s details when they have not agreed to share them', async () => {
    const { agent } = await liaison();
    const page = await agent.get(`/console/escalations/${escalations.older.id}`).expect(200);
    expect(page.text).toContain('Limited view: the worker has not agreed to share their details.');
    expect(page.text).toContain('Police took my brother. Call me on […]');
    expect(page.text).toContain('My brother is in the police station. My number is […]');
    expect(page.text).not.toContain(PHONE);
    expect(page.text).not.toContain(EMPLOYER);
    expect(page.text).toContain('Samut Sakhon, Thailand');
    expect(page.text).toContain('Worker detained in Samut Sakhon');
  });

  it('shows the whole case once the worker has agreed to share it', async () => {
    const { agent } = await liaison();
    const page = await agent.get(`/console/escalations/${escalations.consented.id}`).expect(200);
    expect(page.text).not.toContain('Limited view');
    expect(page.text).toContain(`Call me on ${PHONE}`);
    expect(page.text).toContain(EMPLOYER);
  });

  it('acknowledges, adds a note and closes with an outcome, each shown on the page', async () => {
    const { agent, csrf } = await liaison();
    const path = `/console/escalations/${escalations.older.id}`;
    await agent.post(path).type('form').send({ status: 'acknowledged', _csrf: csrf }).expect(303).expect('Location', path);
    let page = await agent.get(path).expect(200);
    expect(page.text).toMatch(/<dt>Status<\/dt><dd>Acknowledged<\/dd>/);
    expect(page.text).not.toContain('name="status" value="acknowledged"');

    await agent.post(`${path}/notes`).type('form').send({ body: 'We called the police station in Mahachai.', _csrf: csrf }).expect(303).expect('Location', path);
    page = await agent.get(path).expect(200);
    expect(page.text).toContain('We called the police station in Mahachai.');

    await agent.post(path).type('form').send({ status: 'closed', outcome: 'Released on bail; the embassy issued papers.', _csrf: csrf }).expect(303);
    page = await agent.get(path).expect(200);
    expect(page.text).toMatch(/<dt>Status<\/dt><dd>Closed<\/dd>/);
    expect(page.text).toContain('Released on bail; the embassy issued papers.');
    expect(page.text).toContain('This escalation is closed.');
    expect(page.text).not.toContain(`action="${path}/notes"`);
  });

  it('refuses to close without an outcome, beside the field, and to acknowledge twice', async () => {
    const { agent, csrf } = await liaison();
    const path = `/console/escalations/${escalations.newer.id}`;
    const refused = await agent.post(path).type('form').send({ status: 'closed', outcome: '  ', _csrf: csrf }).expect(400);
    expect(refused.text).toContain('<p class="field-error" id="outcome-error">Please fill this in.</p>');
    expect((await handle.db.selectFrom('escalations').select('status').where('id', '=', escalations.newer.id).executeTakeFirstOrThrow()).status).toBe('open');

    await agent.post(path).type('form').send({ status: 'acknowledged', _csrf: csrf }).expect(303);
    const twice = await agent.post(path).type('form').send({ status: 'acknowledged', _csrf: csrf }).expect(409);
    expect(twice.text).toContain('This can no longer be done: the escalation is already “Acknowledged”.');
  });

  it('answers 404 to the liaison of another embassy', async () => {
    const { agent, csrf } = await signedInAgent(hotline.app, 'liaison.kh@example.org', PASSWORD);
    await agent.get(`/console/escalations/${escalations.consented.id}`).set('Accept', 'text/html').expect(404);
    await agent.post(`/console/escalations/${escalations.consented.id}/notes`).type('form').send({ body: 'Not ours', _csrf: csrf }).expect(404);
    const list = await agent.get('/console/escalations').expect(200);
    expect(list.text).toContain(escalations.otherEmbassy.reference);
    expect(list.text).not.toContain(escalations.consented.reference);
  });

  it('lets coordinators oversee every embassy\'s escalations', async () => {
    const { agent } = await signedInAgent(hotline.app, 'coordinator@example.org', PASSWORD);
    const list = await agent.get('/console/escalations?status=open&status=acknowledged&status=closed').expect(200);
    for (const item of Object.values(escalations)) expect(list.text).toContain(item.reference);
  });

  it('refuses caseworkers', async () => {
    const { agent, csrf } = await signedInAgent(hotline.app, 'cw@example.org', PASSWORD);
    await agent.get('/console/escalations').set('Accept', 'text/html').expect(403);
    await agent.get(`/console/escalations/${escalations.consented.id}`).set('Accept', 'text/html').expect(403);
    await agent.post(`/console/escalations/${escalations.consented.id}`).type('form').send({ status: 'acknowledged', _csrf: csrf }).expect(403);
  });
});
