import type { DatabaseHandle } from '../../src/db/database';
import { insertCase } from '../../src/cases/case.repository';
import { fileWorkerErasureRequest } from '../../src/erasures/erasure-request.service';
import { createI18n } from '../../src/language/i18n';
import { hashPassword } from '../../src/users/password';
import { upsertUser } from '../../src/users/user.repository';
import { buildTestHotline, type TestHotline } from '../support/app';
import { createFakeClock } from '../support/clock';
import { signedInAgent } from '../support/console';
import { openTestDatabase } from '../support/database';
import { startFakeTwilio, type FakeTwilio } from '../support/fake-twilio';
import { createWorkerPhone } from '../support/sms-conversation';

// A worker whose own request to erase their data is refused is told so, and why, in their language,
// on the channel they write on; a discreet worker without the why; a worker no channel can reach is
// not told, and the case's timeline says so for their caseworker. An erasure staff started and
// refused sends the worker nothing.

const PASSWORD = 'a long staff password';
const i18n = createI18n();
const sms = (language: string, key: string, params: Record<string, string> = {}) => i18n.getFixedT(language, 'sms')(key, params);

describe('telling a worker their erasure request was refused', () => {
  const clock = createFakeClock('2026-12-03T09:00:00Z');
  let handle: DatabaseHandle;
  let hotline: TestHotline;
  let twilio: FakeTwilio;
  let ngoId: string;

  beforeAll(async () => {
    handle = await openTestDatabase();
    twilio = await startFakeTwilio();
    hotline = buildTestHotline(handle, { clock, sender: twilio.sender() });
    const network = await handle.db.insertInto('organisations').values({ slug: 'network', name: 'Network', kind: 'network', country: 'TH' }).returning('id').executeTakeFirstOrThrow();
    ngoId = (await handle.db.insertInto('organisations').values({ slug: 'mahachai-help', name: 'Mahachai Help', kind: 'ngo', country: 'TH' }).returning('id').executeTakeFirstOrThrow()).id;
    const passwordHash = await hashPassword(PASSWORD);
    await upsertUser(handle.db, { organisationId: network.id, email: 'coordinator@example.org', displayName: 'Coordinator', role: 'coordinator', locale: 'en', passwordHash });
  });
  afterAll(async () => {
    await twilio.close();
    await handle.close();
  });

  const erasureOfCaseOf = async (personId: string) => handle.db.selectFrom('erasures').selectAll().where('person_id', '=', personId).executeTakeFirstOrThrow();
  const personOfNumber = async (reference: string) => handle.db.selectFrom('cases').select(['id', 'person_id', 'reference']).where('reference', '=', reference).executeTakeFirstOrThrow();
  const latestCase = () => handle.db.selectFrom('cases').select(['id', 'person_id', 'reference']).orderBy('created_at', 'desc').limit(1).executeTakeFirstOrThrow();
  const eventsOf = (caseId: string) => handle.db.selectFrom('case_events').select(['type', 'data']).where('case_id', '=', caseId).where('type', 'like', 'erasure.worker_%').execute();
  const textsTo = (number: string) => twilio.requests.filter((request) => request.path.endsWith('/Messages.json') && request.form['To'] === number).map((request) => request.form['Body']);

  async function refuse(erasureId: string, reason: string, note = '') {
    const coordinator = await signedInAgent(hotline.app, 'coordinator@example.org', PASSWORD);
    const answer = await coordinator.agent.post(`/console/erasures/${erasureId}`).type('form').send({ status: 'refused', refusal_reason: reason, note, _csrf: coordinator.csrf });
    expect(answer.status).toBe(303);
    await hotline.runJobs();
    return coordinator;
  }

  it('tells a Burmese worker on SMS, in Burmese, with the reason, once; the timeline says so', async () => {
    const phone = createWorkerPhone(handle, hotline, '+959700000101');
    await phone.text('အလုပ်ရှင်က ပတ်စ်ပို့ ယူထားတယ်');
    const theCase = await latestCase();
    await phone.text('ဖျက်');
    const erasure = await erasureOfCaseOf(theCase.person_id);
    const before = textsTo('+959700000101').length;

    const coordinator = await refuse(erasure.id, 'legal_obligation');
    const told = sms('my', 'erasure.refused', { reason: sms('my', 'erasure.refused_reason.legal_obligation') });
    expect(told).toContain('ဥပဒေအရ');
    expect(textsTo('+959700000101').slice(before)).toEqual([told]);
    expect(await eventsOf(theCase.id)).toEqual([{ type: 'erasure.worker_told', data: { erasureId: erasure.id, channel: 'sms', held: false } }]);
    const page = await coordinator.agent.get(`/console/cases/${theCase.reference}`).expect(200);
    expect(page.text).toContain('The worker was told on SMS that their erasure request was refused, and why');

    // The job run again (a retry after its commit) sends nothing more.
    await handle.db.transaction().execute((trx) => hotline.jobs.enqueue(trx, 'erasure.tell_worker', { erasureId: erasure.id }));
    await hotline.runJobs();
    expect(textsTo('+959700000101').slice(before)).toHaveLength(1);
    expect(await eventsOf(theCase.id)).toHaveLength(1);
  });

  it('answers in the language the worker writes on that channel, even when the case says another', async () => {
    const phone = createWorkerPhone(handle, hotline, '+959700000104');
    await phone.text('ပွဲစားက အကြွေး တောင်းနေတယ်');
    const theCase = await latestCase();
    await phone.text('ဖျက်');
    // Staff set the case's language to Thai (say, for a Thai lawyer); the worker still reads Burmese.
    await handle.db.updateTable('cases').set({ language: 'th' }).where('id', '=', theCase.id).execute();
    const erasure = await erasureOfCaseOf(theCase.person_id);
    const before = textsTo('+959700000104').length;
    await refuse(erasure.id, 'other', 'Talk to the worker first');
    expect(textsTo('+959700000104').slice(before)).toEqual([sms('my', 'erasure.refused', { reason: sms('my', 'erasure.refused_reason.other') })]);
  });

  it('tells a discreet worker only that it cannot be done yet', async () => {
    const phone = createWorkerPhone(handle, hotline, '+66820000102');
    await phone.text('SAFE');
    await phone.text('the agent keeps our passports');
    const theCase = await latestCase();
    await phone.text('DELETE');
    const erasure = await erasureOfCaseOf(theCase.person_id);
    const before = textsTo('+66820000102').length;
    await refuse(erasure.id, 'legal_hold');
    const [told, ...more] = textsTo('+66820000102').slice(before);
    expect(more).toEqual([]);
    expect(told).toBe(sms('en', 'discreet.erasure_refused'));
    expect(told).not.toMatch(/court|case/i);
  });

  it('marks the case of a worker no channel can reach, for their caseworker to tell them', async () => {
    // A worker who wrote only on the web form: no chat identity to send on.
    const created = await handle.db.transaction().execute((trx) =>
      insertCase(trx, { channel: 'web', language: 'th', categories: ['wages'], summary_encrypted: hotline.cipher.seal('ไม่ได้รับค่าจ้าง'), owner_organisation_id: ngoId, intake_complete: true }));
    const theCase = await personOfNumber(created.reference);
    const filed = await handle.db.transaction().execute((trx) =>
      fileWorkerErasureRequest(trx, { clock, events: hotline.events, mailEnabled: false }, { personId: theCase.person_id, caseId: theCase.id, source: 'status_page', channel: 'web', ip: null }));
    const sentBefore = twilio.requests.length;
    const coordinator = await refuse(filed.erasureId ?? '', 'identity_not_confirmed');
    expect(twilio.requests.length).toBe(sentBefore);
    expect(await eventsOf(theCase.id)).toEqual([{ type: 'erasure.worker_not_told', data: { erasureId: filed.erasureId, why: 'no_channel' } }]);
    const page = await coordinator.agent.get(`/console/cases/${theCase.reference}`).expect(200);
    expect(page.text).toContain('The worker could not be told that their erasure request was refused: they have no chat channel.');
  });

  it('sends nothing when the erasure refused was started by staff, not asked for by the worker', async () => {
    const phone = createWorkerPhone(handle, hotline, '+66820000103');
    await phone.text('my employer hit me');
    const theCase = await latestCase();
    const coordinator = await signedInAgent(hotline.app, 'coordinator@example.org', PASSWORD);
    await coordinator.agent.post(`/console/cases/${theCase.reference}/erasures`).type('form').send({ reason: 'created_in_error', note: '', _csrf: coordinator.csrf }).expect(303);
    const erasure = await erasureOfCaseOf(theCase.person_id);
    expect(erasure.source).toBe('console');
    const before = textsTo('+66820000103').length;
    await refuse(erasure.id, 'other', 'Opened by mistake, then kept after a talk with the worker');
    expect(textsTo('+66820000103').slice(before)).toEqual([]);
    expect(await eventsOf(theCase.id)).toEqual([]);
  });
});
