import request from 'supertest';
import type { DatabaseHandle } from '../../src/db/database';
import { createLineSender } from '../../src/channels/line/line-sender';
import { createI18n } from '../../src/language/i18n';
import { hashPassword } from '../../src/users/password';
import { upsertUser } from '../../src/users/user.repository';
import { issueApiToken } from '../../src/users/user.service';
import { buildTestHotline, type TestHotline } from '../support/app';
import { createLineWorker } from '../support/chat-worker';
import { signedInAgent } from '../support/console';
import { openTestDatabase } from '../support/database';
import { startFakeLine, type FakeLine } from '../support/fake-line';
import { createWorkerPhone } from '../support/sms-conversation';
import { openerFor, personKeyIdOf } from '../../src/privacy/person-keys';

// One worker, many channels: a coordinator who sees that two cases are one worker merges them, so
// a reply reaches the channel the worker used last across both; a merge made in error is undone
// exactly. Both are audited and shown on the timeline of every case they touch.

const PASSWORD = 'a long staff password';
const t = createI18n().getFixedT('en', 'console');

describe('merging and unmerging people', () => {
  let handle: DatabaseHandle;
  let hotline: TestHotline;
  let line: FakeLine;

  beforeAll(async () => {
    handle = await openTestDatabase();
    line = await startFakeLine();
    hotline = buildTestHotline(handle, { lineSender: createLineSender(line.config()) });
    const network = await handle.db.insertInto('organisations').values({ slug: 'network', name: 'Network', kind: 'network', country: 'TH' }).returning('id').executeTakeFirstOrThrow();
    const ngo = await handle.db.insertInto('organisations').values({ slug: 'mae-sot', name: 'Mae Sot', kind: 'ngo', country: 'TH' }).returning('id').executeTakeFirstOrThrow();
    const hash = await hashPassword(PASSWORD);
    await upsertUser(handle.db, { organisationId: network.id, email: 'coordinator@example.org', displayName: 'Coordinator', role: 'coordinator', locale: 'en', passwordHash: hash });
    await upsertUser(handle.db, { organisationId: ngo.id, email: 'cw@example.org', displayName: 'Caseworker', role: 'caseworker', locale: 'en', passwordHash: hash });
  });
  afterAll(async () => {
    await line.close();
    await handle.close();
  });

  /** A worker who reported once by SMS and once on LINE: two cases, two people. */
  async function workerOnTwoChannels(phone: string) {
    await createWorkerPhone(handle, hotline, phone).text('my boss keeps my passport');
    const lineWorker = createLineWorker(hotline);
    await lineWorker.text('အလုပ်ရှင်က ပတ်စပို့ ယူထားတယ်');
    const contacts = await handle.db.selectFrom('contacts').select(['id', 'channel', 'address_encrypted', 'person_id']).execute();
    const opener = await openerFor(handle.db, hotline.cipher, contacts.map((row) => row.address_encrypted));
    const sms = contacts.find((row) => row.channel === 'sms' && opener.openOptional(row.address_encrypted) === phone);
    const onLine = contacts.find((row) => row.channel === 'line' && opener.openOptional(row.address_encrypted) === lineWorker.userId);
    if (!sms || !onLine) throw new Error('the worker has no contacts');
    const caseOf = async (personId: string) => handle.db.selectFrom('cases').select(['id', 'reference', 'person_id']).where('person_id', '=', personId).executeTakeFirstOrThrow();
    return { sms, line: onLine, lineWorker, smsCase: await caseOf(sms.person_id), lineCase: await caseOf(onLine.person_id) };
  }

  const coordinator = () => signedInAgent(hotline.app, 'coordinator@example.org', PASSWORD);
  const personOf = async (caseId: string) => (await handle.db.selectFrom('cases').select('person_id').where('id', '=', caseId).executeTakeFirstOrThrow()).person_id;
  const contactPerson = async (contactId: string) => (await handle.db.selectFrom('contacts').select('person_id').where('id', '=', contactId).executeTakeFirstOrThrow()).person_id;
  const audits = (action: string) => handle.db.selectFrom('audit_log').select(['action', 'subject_type', 'details']).where('action', '=', action).execute();
  const eventsOf = (caseId: string, type: string) => handle.db.selectFrom('case_events').select(['type', 'data']).where('case_id', '=', caseId).where('type', '=', type).execute();
  /** The key ids every sealed value of a contact's and a case's rows is under (issue #16: one, their person's). */
  const keysOfRows = async (contactId: string, caseId: string) => {
    const contact = await handle.db.selectFrom('contacts').select('address_encrypted').where('id', '=', contactId).executeTakeFirstOrThrow();
    const kase = await handle.db.selectFrom('cases').select(['summary_encrypted', 'location_raw_encrypted', 'employer_encrypted', 'consent_wording_encrypted'])
      .where('id', '=', caseId).executeTakeFirstOrThrow();
    const messages = await handle.db.selectFrom('messages').select('body_encrypted').where((eb) => eb.or([eb('contact_id', '=', contactId), eb('case_id', '=', caseId)])).execute();
    const values = [contact.address_encrypted, ...Object.values(kase), ...messages.map((row) => row.body_encrypted)].filter((value) => value !== null);
    return new Set(values.map((value) => personKeyIdOf(value) ?? 'not a person key'));
  };
  const keyIdOf = async (personId: string) => (await handle.db.selectFrom('person_keys').select('id').where('person_id', '=', personId).executeTakeFirstOrThrow()).id.replace(/-/g, '');

  it('merges the other case\'s worker into this one: identities and cases move, and a reply goes to the channel used last', async () => {
    const worker = await workerOnTwoChannels('+66811110001');
    const { agent, csrf } = await coordinator();
    await agent.post(`/console/cases/${worker.smsCase.reference}/merges`).type('form').send({ other_reference: worker.lineCase.reference.toLowerCase(), _csrf: csrf }).expect(303);

    expect(await contactPerson(worker.line.id)).toBe(worker.sms.person_id);
    expect(await personOf(worker.lineCase.id)).toBe(worker.sms.person_id);
    const merge = await handle.db.selectFrom('person_merges').selectAll().where('merged_person_id', '=', worker.line.person_id).executeTakeFirstOrThrow();
    expect(merge).toMatchObject({ kept_person_id: worker.sms.person_id, contact_ids: [worker.line.id], case_ids: [worker.lineCase.id], undone_at: null });
    expect(await eventsOf(worker.smsCase.id, 'person.merged')).toHaveLength(1);
    expect(await eventsOf(worker.lineCase.id, 'person.merged')).toHaveLength(1);
    expect((await audits('person.merged')).at(-1)).toMatchObject({ subject_type: 'person', details: { mergeId: merge.id, contactIds: [worker.line.id], caseIds: [worker.lineCase.id] } });
    // What moved was sealed again under the kept worker's key: destroying it erases all of them.
    expect(await keysOfRows(worker.line.id, worker.lineCase.id)).toEqual(new Set([await keyIdOf(worker.sms.person_id)]));

    // The SMS case now shows both channels; the worker wrote on LINE last, so the reply goes there.
    const page = await agent.get(`/console/cases/${worker.smsCase.reference}`).expect(200);
    expect(page.text).toContain(t('channel.line'));
    expect(page.text).toContain(t('event.person.merged', { kept: worker.smsCase.reference, merged: worker.lineCase.reference }));
    const before = line.requests.length;
    await agent.post(`/console/cases/${worker.smsCase.reference}/reply`).type('form').send({ body: 'We saw both of your messages.', action: 'send', _csrf: csrf }).expect(303);
    await hotline.runJobs();
    const pushed = line.requests.slice(before).filter((request) => request.path === '/v2/bot/message/push');
    expect(pushed.map((request) => request.body)).toEqual([expect.objectContaining({ to: worker.lineWorker.userId, messages: [expect.objectContaining({ text: 'We saw both of your messages.' })] })]);
  });

  it('undoes a merge exactly, even after more was added, and refuses to undo it twice (409)', async () => {
    const worker = await workerOnTwoChannels('+66811110002');
    const third = await workerOnTwoChannels('+66811110003');
    const { agent, csrf } = await coordinator();
    await agent.post(`/console/cases/${worker.smsCase.reference}/merges`).type('form').send({ other_reference: worker.lineCase.reference, _csrf: csrf }).expect(303);
    const merge = await handle.db.selectFrom('person_merges').select('id').where('merged_person_id', '=', worker.line.person_id).executeTakeFirstOrThrow();
    // Another worker's SMS identity is merged in afterwards: the undo must leave it where it is.
    await agent.post(`/console/cases/${worker.smsCase.reference}/merges`).type('form').send({ other_reference: third.smsCase.reference, _csrf: csrf }).expect(303);

    const page = await agent.get(`/console/cases/${worker.smsCase.reference}`).expect(200);
    expect(page.text).toContain(`/merges/${merge.id}/undo`);
    await agent.post(`/console/cases/${worker.smsCase.reference}/merges/${merge.id}/undo`).type('form').send({ _csrf: csrf }).expect(303);

    expect(await contactPerson(worker.line.id)).toBe(worker.line.person_id);
    expect(await personOf(worker.lineCase.id)).toBe(worker.line.person_id);
    expect(await keysOfRows(worker.line.id, worker.lineCase.id)).toEqual(new Set([await keyIdOf(worker.line.person_id)]));
    expect(await keysOfRows(third.sms.id, third.smsCase.id)).toEqual(new Set([await keyIdOf(worker.sms.person_id)]));
    expect(await contactPerson(third.sms.id)).toBe(worker.sms.person_id);
    expect(await personOf(third.smsCase.id)).toBe(worker.sms.person_id);
    const undone = await handle.db.selectFrom('person_merges').select(['undone_at', 'undone_by_user_id']).where('id', '=', merge.id).executeTakeFirstOrThrow();
    expect(undone.undone_at).not.toBeNull();
    expect(undone.undone_by_user_id).not.toBeNull();
    expect(await eventsOf(worker.lineCase.id, 'person.merge_undone')).toHaveLength(1);
    expect(await eventsOf(worker.smsCase.id, 'person.merge_undone')).toHaveLength(1);
    expect((await audits('person.merge_undone')).at(-1)).toMatchObject({ details: { mergeId: merge.id, caseIds: [worker.lineCase.id] } });
    const after = await agent.get(`/console/cases/${worker.lineCase.reference}`).expect(200);
    expect(after.text).toContain(t('event.person.merge_undone', { cases: worker.lineCase.reference }));
    expect(after.text).not.toContain(`/merges/${merge.id}/undo`);

    const again = await agent.post(`/console/cases/${worker.smsCase.reference}/merges/${merge.id}/undo`).type('form').send({ _csrf: csrf }).expect(409);
    expect(again.text).toContain(t('problem.already_undone'));
  });

  it('merges a worker whose own rows were merged in before, and each undo restores its own rows', async () => {
    const first = await workerOnTwoChannels('+66811110004');
    const second = await workerOnTwoChannels('+66811110005');
    const { agent, csrf } = await coordinator();
    // first's LINE person goes into first's SMS person, which then goes into second's SMS person.
    await agent.post(`/console/cases/${first.smsCase.reference}/merges`).type('form').send({ other_reference: first.lineCase.reference, _csrf: csrf }).expect(303);
    await agent.post(`/console/cases/${second.smsCase.reference}/merges`).type('form').send({ other_reference: first.smsCase.reference, _csrf: csrf }).expect(303);
    for (const contact of [first.sms.id, first.line.id]) expect(await contactPerson(contact)).toBe(second.sms.person_id);
    const inner = await handle.db.selectFrom('person_merges').select('id').where('merged_person_id', '=', first.line.person_id).executeTakeFirstOrThrow();
    await agent.post(`/console/cases/${second.smsCase.reference}/merges/${inner.id}/undo`).type('form').send({ _csrf: csrf }).expect(303);
    expect(await contactPerson(first.line.id)).toBe(first.line.person_id);
    expect(await contactPerson(first.sms.id)).toBe(second.sms.person_id);
  });

  it('refuses an unknown reference and a case of the same worker, naming the field (400), moving nothing', async () => {
    const worker = await workerOnTwoChannels('+66811110006');
    const { agent, csrf } = await coordinator();
    const unknown = await agent.post(`/console/cases/${worker.smsCase.reference}/merges`).type('form').send({ other_reference: 'HT-ZZZZ-ZZZZ', _csrf: csrf }).expect(400);
    expect(unknown.text).toContain(t('problem.unknown_case'));
    expect(unknown.text).toContain('id="other_reference-error"');
    const same = await agent.post(`/console/cases/${worker.smsCase.reference}/merges`).type('form').send({ other_reference: worker.smsCase.reference, _csrf: csrf }).expect(400);
    expect(same.text).toContain(t('problem.same_worker'));
    expect(await handle.db.selectFrom('person_merges').select('id').where('kept_person_id', '=', worker.sms.person_id).execute()).toEqual([]);
  });

  it('lets only coordinators merge and undo: a caseworker gets 403 and sees no merge form', async () => {
    const worker = await workerOnTwoChannels('+66811110007');
    await handle.db.updateTable('cases').set({ owner_organisation_id: (await handle.db.selectFrom('organisations').select('id').where('slug', '=', 'mae-sot').executeTakeFirstOrThrow()).id }).where('id', 'in', [worker.smsCase.id, worker.lineCase.id]).execute();
    const { agent, csrf } = await signedInAgent(hotline.app, 'cw@example.org', PASSWORD);
    const page = await agent.get(`/console/cases/${worker.smsCase.reference}`).expect(200);
    expect(page.text).not.toContain(`/console/cases/${worker.smsCase.reference}/merges`);
    await agent.post(`/console/cases/${worker.smsCase.reference}/merges`).type('form').send({ other_reference: worker.lineCase.reference, _csrf: csrf }).expect(403);
    expect(await personOf(worker.lineCase.id)).toBe(worker.line.person_id);
    const coordinatorAgent = await coordinator();
    await coordinatorAgent.agent.post(`/console/cases/${worker.smsCase.reference}/merges`).type('form').send({ other_reference: worker.lineCase.reference, _csrf: coordinatorAgent.csrf }).expect(303);
    const merge = await handle.db.selectFrom('person_merges').select('id').where('merged_person_id', '=', worker.line.person_id).executeTakeFirstOrThrow();
    await agent.post(`/console/cases/${worker.smsCase.reference}/merges/${merge.id}/undo`).type('form').send({ _csrf: csrf }).expect(403);
    expect(await personOf(worker.lineCase.id)).toBe(worker.sms.person_id);
  });

  describe('the JSON API', () => {
    const tokenOf = (email: string) => issueApiToken({ db: handle.db, clock: { now: () => new Date() } }, { email }, { kind: 'cli' });
    const post = (token: string, path: string, body: object = {}) => request(hotline.app).post(path).set('Authorization', `Bearer ${token}`).send(body);

    it('merges and undoes a merge, refusing a second undo (409), a bad reference (400) and a caseworker (403)', async () => {
      const worker = await workerOnTwoChannels('+66811110008');
      const token = await tokenOf('coordinator@example.org');
      const unknown = await post(token, `/api/v1/cases/${worker.smsCase.reference}/merge`, { other_reference: 'not a reference' }).expect(400);
      expect(unknown.body.error.fields).toEqual([expect.objectContaining({ field: 'other_reference', reason: 'unknown_case' })]);
      const caseworker = await tokenOf('cw@example.org');
      await post(caseworker, `/api/v1/cases/${worker.smsCase.reference}/merge`, { other_reference: worker.lineCase.reference }).expect(403);

      const merged = await post(token, `/api/v1/cases/${worker.smsCase.reference}/merge`, { other_reference: worker.lineCase.reference }).expect(201);
      expect(await personOf(worker.lineCase.id)).toBe(worker.sms.person_id);
      await post(caseworker, `/api/v1/people/merges/${merged.body.merge_id}/undo`).expect(403);
      const undone = await post(token, `/api/v1/people/merges/${merged.body.merge_id}/undo`).expect(200);
      expect([...undone.body.case_references].sort()).toEqual([worker.smsCase.reference, worker.lineCase.reference].sort());
      expect(await personOf(worker.lineCase.id)).toBe(worker.line.person_id);
      const again = await post(token, `/api/v1/people/merges/${merged.body.merge_id}/undo`).expect(409);
      expect(again.body.error.fields).toEqual([expect.objectContaining({ field: 'merge', reason: 'already_undone' })]);
      await post(token, '/api/v1/people/merges/00000000-0000-4000-8000-000000000000/undo').expect(404);
    });
  });
});
