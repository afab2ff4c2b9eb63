import request from 'supertest';
import type { DatabaseHandle } from '../../src/db/database';
import { insertCase } from '../../src/cases/case.repository';
import { fileWorkerErasureRequest } from '../../src/erasures/erasure-request.service';
import { hashPassword } from '../../src/users/password';
import { issueApiToken } from '../../src/users/user.service';
import { upsertUser } from '../../src/users/user.repository';
import { buildTestHotline, type TestHotline } from '../support/app';
import { createFakeClock } from '../support/clock';
import { signedInAgent } from '../support/console';
import { openTestDatabase } from '../support/database';

// The coordinators' erasure queue and the case page's data-rights forms: the 90-day clock, a
// proposal by one coordinator, confirmation only by another (then `erasure.run` is queued in the
// same transaction), refusal for a legal reason, legal holds, the banner once data is erased, and
// nobody but coordinators anywhere near it.

const PASSWORD = 'a long staff password';
const DAY = 86_400_000;
const STORY = 'My employer took my passport. Call me on 081 234 5678';

describe('console erasures', () => {
  const clock = createFakeClock('2026-12-03T09:00:00Z');
  let handle: DatabaseHandle;
  let hotline: TestHotline;
  const users = {} as Record<'alice' | 'bob' | 'caseworker', string>;
  let ngoId: string;

  beforeAll(async () => {
    handle = await openTestDatabase();
    hotline = buildTestHotline(handle, { clock });
    const organisation = (slug: string, kind: string) =>
      handle.db.insertInto('organisations').values({ slug, name: slug, kind, country: 'TH' }).returning('id').executeTakeFirstOrThrow();
    const network = await organisation('mekong-network', 'network');
    ngoId = (await organisation('mahachai-help', 'ngo')).id;
    const hash = await hashPassword(PASSWORD);
    const user = (email: string, name: string, role: string, organisationId: string) =>
      upsertUser(handle.db, { organisationId, email, displayName: name, role, locale: 'en', passwordHash: hash });
    users.alice = await user('alice@example.org', 'Alice Coordinator', 'coordinator', network.id);
    users.bob = await user('bob@example.org', 'Bob Coordinator', 'coordinator', network.id);
    users.caseworker = await user('cw@example.org', 'Chai Caseworker', 'caseworker', ngoId);
  });
  afterAll(async () => {
    await handle.close();
  });

  const alice = () => signedInAgent(hotline.app, 'alice@example.org', PASSWORD);
  const bob = () => signedInAgent(hotline.app, 'bob@example.org', PASSWORD);
  const caseworker = () => signedInAgent(hotline.app, 'cw@example.org', PASSWORD);

  /** A case of its own worker, held by the caseworker's organisation. */
  async function buildCase(): Promise<{ id: string; reference: string; personId: string }> {
    const created = await handle.db.transaction().execute((trx) =>
      insertCase(trx, {
        channel: 'sms', language: 'my', categories: ['documents'], summary_encrypted: hotline.cipher.seal(STORY), owner_organisation_id: ngoId, intake_complete: true,
      }));
    const row = await handle.db.selectFrom('cases').select('person_id').where('id', '=', created.id).executeTakeFirstOrThrow();
    return { ...created, personId: row.person_id };
  }

  /** The worker's own request, as DELETE or the status page files it, `daysAgo` days back. */
  async function workerAsks(found: { id: string; personId: string }, daysAgo = 0): Promise<string> {
    const at = clock.now();
    clock.set(new Date(at.getTime() - daysAgo * DAY));
    try {
      const filed = await handle.db.transaction().execute((trx) =>
        fileWorkerErasureRequest(trx, { clock, events: hotline.events, mailEnabled: false }, { personId: found.personId, caseId: found.id, source: 'worker_keyword', channel: 'sms', ip: null }));
      if (!filed.erasureId) throw new Error('no request filed');
      return filed.erasureId;
    } finally {
      clock.set(at);
    }
  }

  const erasure = (id: string) => handle.db.selectFrom('erasures').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const runJobsFor = (id: string) => handle.db.selectFrom('jobs_outbox').select(['name', 'payload']).where('name', '=', 'erasure.run').execute()
    .then((rows) => rows.filter((row) => (row.payload as { erasureId?: string }).erasureId === id));

  async function post(agent: Awaited<ReturnType<typeof alice>>, path: string, fields: Record<string, string>) {
    return agent.agent.post(path).type('form').send({ ...fields, _csrf: agent.csrf });
  }

  it('lists open requests soonest due first, with the days left, the overdue ones in red, and a nav entry for coordinators only', async () => {
    const late = await buildCase();
    const soon = await buildCase();
    const lateId = await workerAsks(late, 100);
    const soonId = await workerAsks(soon, 80);
    const { agent } = await alice();
    const page = await agent.get('/console/erasures').expect(200);
    expect(page.headers['cache-control']).toBe('no-store');
    const lateAt = page.text.indexOf(`/console/erasures/${lateId}`);
    const soonAt = page.text.indexOf(`/console/erasures/${soonId}`);
    expect(lateAt).toBeGreaterThan(0);
    expect(soonAt).toBeGreaterThan(lateAt);
    expect(page.text).toContain('<span class="erasure-overdue">Days overdue: 10</span>');
    expect(page.text).toContain('<span class="erasure-clock">Days left: 10</span>');
    expect(page.text).toContain(late.reference);
    expect(page.text).toContain('The worker, by message');
    expect(page.text).toContain('href="/console/erasures">Erasures</a>');
    const audit = await handle.db.selectFrom('audit_log').select('details').where('action', '=', 'erasure.listed').where('actor_user_id', '=', users.alice).execute();
    expect(audit.length).toBeGreaterThan(0);

    const { agent: theirs } = await caseworker();
    expect((await theirs.get('/console').expect(200)).text).not.toContain('/console/erasures');
  });

  it('takes a proposal from one coordinator, refuses its confirmation by the same one, and queues erasure.run on a second one\'s', async () => {
    const found = await buildCase();
    const id = await workerAsks(found, 5);
    const a = await alice();
    const proposed = await post(a, `/console/erasures/${id}`, { status: 'proposed', reason: 'worker_request', note: 'Confirmed by phone with the worker' });
    expect(proposed.status).toBe(303);
    const row = await erasure(id);
    expect(row).toMatchObject({ status: 'proposed', reason: 'worker_request', proposed_by_user_id: users.alice });
    expect(row.reason_note_encrypted).not.toContain('Confirmed by phone');
    expect(hotline.cipher.openOptional(row.reason_note_encrypted)).toBe('Confirmed by phone with the worker');
    // Other coordinators are asked to confirm; the proposer is not.
    const notices = await handle.db.selectFrom('notifications').select(['user_id']).where('kind', '=', 'erasure.to_confirm').where('subject_id', '=', id).execute();
    expect(notices).toEqual([{ user_id: users.bob }]);
    const audit = await handle.db.selectFrom('audit_log').select('details').where('action', '=', 'erasure.proposed').where('subject_id', '=', id).executeTakeFirstOrThrow();
    expect(audit.details).toEqual({ reason: 'worker_request' });

    const page = await a.agent.get(`/console/erasures/${id}`).expect(200);
    expect(page.text).toContain('Alice Coordinator');
    expect(page.text).toContain('You proposed this erasure. Another coordinator must confirm it.');
    expect(page.text).not.toContain('value="confirmed"');

    const own = await post(a, `/console/erasures/${id}`, { status: 'confirmed' });
    expect(own.status).toBe(403);
    expect(own.text).toContain('You proposed this erasure: another coordinator must confirm it.');
    expect(await erasure(id)).toMatchObject({ status: 'proposed', confirmed_by_user_id: null });
    expect(await runJobsFor(id)).toEqual([]);

    const b = await bob();
    const bobsPage = await b.agent.get(`/console/erasures/${id}`).expect(200);
    expect(bobsPage.text).toContain('Alice Coordinator');
    expect(bobsPage.text).toContain('value="confirmed"');
    // Opening the erasure answers Bob's notice about it.
    const read = await handle.db.selectFrom('notifications').select('read_at').where('kind', '=', 'erasure.to_confirm').where('subject_id', '=', id).executeTakeFirstOrThrow();
    expect(read.read_at).not.toBeNull();
    const confirmed = await post(b, `/console/erasures/${id}`, { status: 'confirmed' });
    expect(confirmed.status).toBe(303);
    expect(await erasure(id)).toMatchObject({ status: 'confirmed', proposed_by_user_id: users.alice, confirmed_by_user_id: users.bob });
    expect(await runJobsFor(id)).toEqual([{ name: 'erasure.run', payload: { erasureId: id } }]);
    const events = await handle.db.selectFrom('case_events').select('type').where('case_id', '=', found.id).where('type', 'like', 'erasure.%').orderBy('created_at').execute();
    expect(events.map((event) => event.type)).toEqual(['erasure.requested', 'erasure.proposed', 'erasure.confirmed']);

    // The queued job erases: the worker's story goes, the case shell stays, the banner shows both coordinators.
    await hotline.runJobs();
    expect(await erasure(id)).toMatchObject({ status: 'done' });
    const shell = await handle.db.selectFrom('cases').select(['summary_encrypted', 'personal_data_erased_at', 'categories']).where('id', '=', found.id).executeTakeFirstOrThrow();
    expect(shell).toMatchObject({ summary_encrypted: null, categories: ['documents'] });
    expect(shell.personal_data_erased_at).not.toBeNull();
    expect(await handle.db.selectFrom('person_keys').select('id').where('person_id', '=', found.personId).execute()).toEqual([]);
    const erasedPage = await b.agent.get(`/console/cases/${found.reference}`).expect(200);
    expect(erasedPage.text).toContain('by Alice Coordinator, Bob Coordinator, reason: The worker asked.');
    expect(erasedPage.text).not.toContain('My employer took my passport');
  });

  it('lets the database refuse a confirmation by the proposer too', async () => {
    const found = await buildCase();
    const id = await workerAsks(found);
    await handle.db.updateTable('erasures').set({ status: 'proposed', reason: 'worker_request', proposed_by_user_id: users.alice, proposed_at: clock.now() }).where('id', '=', id).execute();
    await expect(handle.db.updateTable('erasures').set({ status: 'confirmed', confirmed_by_user_id: users.alice }).where('id', '=', id).execute()).rejects.toThrow(/check/i);
  });

  it('refuses a request for a legal reason, and asks for a note with "other"', async () => {
    const found = await buildCase();
    const id = await workerAsks(found);
    const b = await bob();
    const bare = await post(b, `/console/erasures/${id}`, { status: 'refused', refusal_reason: 'other', note: '' });
    expect(bare.status).toBe(400);
    expect(bare.text).toContain('field-error');
    expect((await erasure(id)).status).toBe('requested');
    const noReason = await post(b, `/console/erasures/${id}`, { status: 'refused', refusal_reason: '' });
    expect(noReason.status).toBe(400);

    const refused = await post(b, `/console/erasures/${id}`, { status: 'refused', refusal_reason: 'legal_obligation', note: 'Labour court claim K-2026-114 needs the records' });
    expect(refused.status).toBe(303);
    const row = await erasure(id);
    expect(row).toMatchObject({ status: 'refused', refusal_reason: 'legal_obligation', refused_by_user_id: users.bob });
    expect(hotline.cipher.openOptional(row.refusal_note_encrypted)).toBe('Labour court claim K-2026-114 needs the records');
    const audit = await handle.db.selectFrom('audit_log').select('details').where('action', '=', 'erasure.refused').where('subject_id', '=', id).executeTakeFirstOrThrow();
    expect(audit.details).toEqual({ refusal_reason: 'legal_obligation' });
    const page = await b.agent.get(`/console/erasures/${id}`).expect(200);
    expect(page.text).toContain('Legal duty to keep the data');
    // Refused, it leaves the queue and can no longer be proposed.
    expect((await b.agent.get('/console/erasures').expect(200)).text).not.toContain(`/console/erasures/${id}`);
    expect((await post(b, `/console/erasures/${id}`, { status: 'proposed', reason: 'worker_request' })).status).toBe(409);
  });

  it('places a legal hold shown on the case, keeps the erasure from being confirmed while it lasts, and releases it', async () => {
    const found = await buildCase();
    const id = await workerAsks(found);
    const a = await alice();
    const b = await bob();
    const placed = await post(a, `/console/cases/${found.reference}/legal-holds`, { reason: 'Police investigation of the broker', until: '2027-06-30' });
    expect(placed.status).toBe(303);
    const hold = await handle.db.selectFrom('legal_holds').selectAll().where('case_id', '=', found.id).executeTakeFirstOrThrow();
    expect(hold.reason_encrypted).not.toContain('Police');
    expect(hotline.cipher.openOptional(hold.reason_encrypted)).toBe('Police investigation of the broker');
    expect(hold.held_until.toISOString()).toBe('2027-06-30T16:59:59.999Z');

    const casePage = await a.agent.get(`/console/cases/${found.reference}`).expect(200);
    expect(casePage.text).toMatch(/<span class="badge-plain legal-hold">Legal hold until Jun 30, 2027/);
    expect(casePage.text).toContain('Police investigation of the broker');
    // A caseworker of the owning organisation sees the badge, not the coordinators' reason.
    const theirs = await (await caseworker()).agent.get(`/console/cases/${found.reference}`).expect(200);
    expect(theirs.text).toContain('Legal hold until');
    expect(theirs.text).not.toContain('Police investigation');
    expect((await a.agent.get('/console/erasures').expect(200)).text).toMatch(new RegExp(`${found.reference}</a> <span class="badge-plain legal-hold">Legal hold</span>`));

    await post(a, `/console/erasures/${id}`, { status: 'proposed', reason: 'worker_request' });
    const held = await post(b, `/console/erasures/${id}`, { status: 'confirmed' });
    expect(held.status).toBe(409);
    expect(held.text).toContain(`Case ${found.reference} is under a legal hold`);
    expect(await runJobsFor(id)).toEqual([]);

    const past = await post(a, `/console/cases/${found.reference}/legal-holds`, { reason: 'x', until: '2026-01-01' });
    expect(past.status).toBe(400);
    expect(past.text).toContain('Choose a day after today.');

    const released = await post(a, `/console/cases/${found.reference}/legal-holds/${hold.id}/release`, {});
    expect(released.status).toBe(303);
    expect((await a.agent.get(`/console/cases/${found.reference}`).expect(200)).text).not.toContain('Legal hold until');
    const actions = await handle.db.selectFrom('audit_log').select(['action', 'details']).where('case_id', '=', found.id).where('action', 'like', 'legal_hold.%').orderBy('at').execute();
    expect(actions).toEqual([
      { action: 'legal_hold.placed', details: { holdId: hold.id, until: '2027-06-30' } },
      { action: 'legal_hold.released', details: { holdId: hold.id } },
    ]);
    expect((await post(b, `/console/erasures/${id}`, { status: 'confirmed' })).status).toBe(303);
    expect(await runJobsFor(id)).toHaveLength(1);
  });

  it('starts an erasure from the case page as a proposal, and says on the case that the data is restricted', async () => {
    const found = await buildCase();
    const a = await alice();
    const form = await a.agent.get(`/console/cases/${found.reference}`).expect(200);
    expect(form.text).toContain('Erase this person&#39;s personal data');
    const started = await post(a, `/console/cases/${found.reference}/erasures`, { reason: 'created_in_error', note: 'Test case typed by a volunteer' });
    expect(started.status).toBe(303);
    const id = /\/console\/erasures\/([0-9a-f-]{36})$/.exec(String(started.headers['location']))?.[1] ?? '';
    expect(await erasure(id)).toMatchObject({ scope: 'person', source: 'console', status: 'proposed', reason: 'created_in_error', proposed_by_user_id: users.alice, case_id: found.id, due_at: null });
    expect((await post(a, `/console/cases/${found.reference}/erasures`, { reason: 'other', note: 'again' })).status).toBe(409);
    const theirs = await (await caseworker()).agent.get(`/console/cases/${found.reference}`).expect(200);
    expect(theirs.text).toContain('Erasing this worker&#39;s personal data was proposed');
    expect(theirs.text).not.toContain('Erase this person');
  });

  it('shows "personal data erased on …, by …, reason …" once the erasure ran', async () => {
    const found = await buildCase();
    const id = await workerAsks(found);
    await handle.db.updateTable('erasures').set({
      status: 'done', reason: 'worker_request', proposed_by_user_id: users.alice, proposed_at: clock.now(), confirmed_by_user_id: users.bob, confirmed_at: clock.now(), done_at: clock.now(),
    }).where('id', '=', id).execute();
    await handle.db.updateTable('cases').set({ personal_data_erased_at: new Date('2026-12-03T09:00:00Z'), erasure_id: id }).where('id', '=', found.id).execute();
    const page = await (await caseworker()).agent.get(`/console/cases/${found.reference}`).expect(200);
    expect(page.text).toContain('Personal data erased on Dec 3, 2026, 4:00 PM');
    expect(page.text).toContain('by Alice Coordinator, Bob Coordinator, reason: The worker asked.');
  });

  it('refuses a caseworker on every erasure and legal-hold route, in the console and the API', async () => {
    const found = await buildCase();
    const id = await workerAsks(found);
    const cw = await caseworker();
    expect((await cw.agent.get('/console/erasures')).status).toBe(403);
    expect((await cw.agent.get(`/console/erasures/${id}`)).status).toBe(403);
    expect((await post(cw, `/console/erasures/${id}`, { status: 'proposed', reason: 'worker_request' })).status).toBe(403);
    expect((await post(cw, `/console/cases/${found.reference}/erasures`, { reason: 'worker_request' })).status).toBe(403);
    expect((await post(cw, `/console/cases/${found.reference}/legal-holds`, { reason: 'x', until: '2027-01-01' })).status).toBe(403);
    expect((await post(cw, `/console/cases/${found.reference}/legal-holds/${id}/release`, {})).status).toBe(403);
    const token = await issueApiToken({ db: handle.db, clock }, { email: 'cw@example.org' }, { kind: 'cli' });
    const api = (method: 'get' | 'post' | 'patch', path: string) => request(hotline.app)[method](path).set('Authorization', `Bearer ${token}`);
    expect((await api('get', '/api/v1/erasures')).status).toBe(403);
    expect((await api('get', `/api/v1/erasures/${id}`)).status).toBe(403);
    expect((await api('patch', `/api/v1/erasures/${id}`).send({ status: 'confirmed' })).status).toBe(403);
    expect((await api('post', `/api/v1/cases/${found.reference}/erasures`).send({ reason: 'worker_request' })).status).toBe(403);
    expect((await api('post', `/api/v1/cases/${found.reference}/legal-holds`).send({ reason: 'x', until: '2027-01-01' })).status).toBe(403);
    expect((await api('patch', `/api/v1/cases/${found.reference}/legal-holds/${id}`).send({ released: true })).status).toBe(403);
    expect(await erasure(id)).toMatchObject({ status: 'requested' });
  });

  it('shares nothing more of a worker whose erasure is open: referrals and escalations are refused, in the console and the API, until it is refused', async () => {
    const found = await buildCase();
    const partner = await handle.db.insertInto('organisations').values({ slug: 'bangkok-legal-aid', name: 'Bangkok Legal Aid', kind: 'legal_aid', country: 'TH' }).returning('id').executeTakeFirstOrThrow();
    const embassy = await handle.db.insertInto('organisations').values({ slug: 'myanmar-embassy-labour', name: 'Myanmar Embassy', kind: 'embassy', country: 'TH' }).returning('id').executeTakeFirstOrThrow();
    const id = await workerAsks(found);
    const token = await issueApiToken({ db: handle.db, clock }, { email: 'alice@example.org' }, { kind: 'cli' });
    const api = (path: string, body: object) => request(hotline.app).post(path).set('Authorization', `Bearer ${token}`).send(body);
    const shared = () => Promise.all([
      handle.db.selectFrom('referrals').select('id').where('case_id', '=', found.id).execute(),
      handle.db.selectFrom('escalations').select('id').where('case_id', '=', found.id).execute(),
    ]);

    const referral = await api(`/api/v1/cases/${found.reference}/referrals`, { to_organisation: 'bangkok-legal-aid', reason: 'Needs a lawyer' });
    expect(referral.status).toBe(409);
    expect(referral.body).toMatchObject({ error: { code: 'conflict', fields: [{ field: 'reference', reason: 'erasure_open', message: 'the worker asked for their data to be erased: nothing of it is shared meanwhile' }] } });
    const escalation = await api(`/api/v1/cases/${found.reference}/escalations`, { reason: 'Passport kept', embassy: 'myanmar-embassy-labour' });
    expect(escalation.status).toBe(409);
    expect(escalation.body).toMatchObject({ error: { code: 'conflict', fields: [{ field: 'reference', reason: 'erasure_open', message: 'the worker asked for their data to be erased: nothing of it is shared meanwhile' }] } });

    // The caseworker holding the case meets the same refusal beside the form, in words, and the case page says why.
    const cw = await caseworker();
    const page = await cw.agent.get(`/console/cases/${found.reference}`).expect(200);
    expect(page.text).toContain('Until then it is restricted: new referrals and escalations are refused.');
    const refused = await post(cw, `/console/cases/${found.reference}/referrals`, { to_organisation: 'bangkok-legal-aid', reason: 'Needs a lawyer', response_hours: '48' });
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('The worker asked for their data to be erased. Nothing of it is shared until coordinators decide.');
    expect(await shared()).toEqual([[], []]);

    // Refused for a legal reason: the case may be shared again.
    await post(await bob(), `/console/erasures/${id}`, { status: 'refused', refusal_reason: 'legal_obligation', note: 'Labour court claim' }).then((response) => expect(response.status).toBe(303));
    await api(`/api/v1/cases/${found.reference}/referrals`, { to_organisation: 'bangkok-legal-aid', reason: 'Needs a lawyer' }).expect(201);
    await api(`/api/v1/cases/${found.reference}/escalations`, { reason: 'Passport kept', embassy: 'myanmar-embassy-labour' }).expect(201);
    const [referrals, escalations] = await shared();
    expect(referrals).toHaveLength(1);
    expect(escalations).toHaveLength(1);
    expect(partner.id).not.toBe(embassy.id);
  });

  it('runs the same steps through the API, described in the OpenAPI document', async () => {
    const found = await buildCase();
    const tokenOf = (email: string) => issueApiToken({ db: handle.db, clock }, { email }, { kind: 'cli' });
    const [aliceToken, bobToken] = [await tokenOf('alice@example.org'), await tokenOf('bob@example.org')];
    const api = (token: string) => ({
      get: (path: string) => request(hotline.app).get(path).set('Authorization', `Bearer ${token}`),
      post: (path: string, body: object) => request(hotline.app).post(path).set('Authorization', `Bearer ${token}`).send(body),
      patch: (path: string, body: object) => request(hotline.app).patch(path).set('Authorization', `Bearer ${token}`).send(body),
    });
    const started = await api(aliceToken).post(`/api/v1/cases/${found.reference}/erasures`, { reason: 'legal_order', note: 'Court order 12/2026' });
    expect(started.status).toBe(201);
    const id = (started.body as { id: string }).id;
    const listed = await api(bobToken).get('/api/v1/erasures').expect(200);
    expect((listed.body as { data: { id: string; case_references: string[] }[] }).data).toContainEqual(expect.objectContaining({ id, case_references: [found.reference] }));
    expect((await api(aliceToken).patch(`/api/v1/erasures/${id}`, { status: 'confirmed' })).status).toBe(403);
    const confirmed = await api(bobToken).patch(`/api/v1/erasures/${id}`, { status: 'confirmed' }).expect(200);
    expect(confirmed.body).toMatchObject({ id, status: 'confirmed', proposed_by: { id: users.alice }, confirmed_by: { id: users.bob }, reason_note: 'Court order 12/2026' });
    expect(await runJobsFor(id)).toHaveLength(1);
    const hold = await api(aliceToken).post(`/api/v1/cases/${found.reference}/legal-holds`, { reason: 'Appeal pending', until: '2027-12-31' });
    expect(hold.status).toBe(201);
    expect((await api(aliceToken).patch(`/api/v1/cases/${found.reference}/legal-holds/${(hold.body as { id: string }).id}`, { released: true })).status).toBe(204);
    const document = (await request(hotline.app).get('/openapi.json').expect(200)).body as { paths: Record<string, unknown> };
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining([
      '/api/v1/erasures', '/api/v1/erasures/{id}', '/api/v1/cases/{reference}/erasures', '/api/v1/cases/{reference}/legal-holds', '/api/v1/cases/{reference}/legal-holds/{id}',
    ]));
  });
});
