import type { DatabaseHandle } from '../../src/db/database';
import { createViberSender } from '../../src/channels/viber/viber-sender';
import { createI18n } from '../../src/language/i18n';
import { upsertUser } from '../../src/users/user.repository';
import { buildTestHotline, type TestHotline } from '../support/app';
import { createViberWorker } from '../support/chat-worker';
import { createFakeClock } from '../support/clock';
import { openTestDatabase } from '../support/database';
import { startFakeTwilio, type FakeTwilio } from '../support/fake-twilio';
import { startFakeViber, type FakeViber } from '../support/fake-viber';
import { createWorkerPhone } from '../support/sms-conversation';
import { openAllStored } from '../support/sealed';

// A worker's DELETE, in their own language, on SMS and on a chat app: one erasure request per
// person, filed for the coordinators, and the worker told what happens and when.

const DAY = 86_400_000;
const i18n = createI18n();
const sms = (language: string, key: string) => i18n.getFixedT(language, 'sms')(key);

describe('the erasure keyword', () => {
  const clock = createFakeClock('2026-12-03T09:00:00Z');
  let handle: DatabaseHandle;
  let hotline: TestHotline;
  let twilio: FakeTwilio;
  let viber: FakeViber;
  let coordinatorId: string;

  beforeAll(async () => {
    handle = await openTestDatabase();
    twilio = await startFakeTwilio();
    viber = await startFakeViber();
    hotline = buildTestHotline(handle, { clock, sender: twilio.sender(), viberSender: createViberSender(viber.config()) });
    const org = await handle.db.insertInto('organisations').values({ slug: 'network', name: 'Network', kind: 'network', country: 'TH' }).returning('id').executeTakeFirstOrThrow();
    coordinatorId = await upsertUser(handle.db, { organisationId: org.id, email: 'coordinator@example.org', displayName: 'Coordinator', role: 'coordinator', locale: 'en', passwordHash: null });
    await upsertUser(handle.db, { organisationId: org.id, email: 'caseworker@example.org', displayName: 'Caseworker', role: 'caseworker', locale: 'en', passwordHash: null });
  });
  afterAll(async () => {
    await viber.close();
    await twilio.close();
    await handle.close();
  });

  async function contactOf(channel: string, address: string) {
    const contacts = await handle.db.selectFrom('contacts').selectAll().where('channel', '=', channel).execute();
    const opened = await openAllStored(handle.db, hotline.cipher, contacts.map((row) => row.address_encrypted));
    const contact = contacts.find((_row, index) => opened[index] === address);
    if (!contact) throw new Error(`no ${channel} contact`);
    return contact;
  }

  const erasuresOf = (personId: string) => handle.db.selectFrom('erasures').selectAll().where('person_id', '=', personId).execute();
  const noticesAbout = (erasureId: string) => handle.db.selectFrom('notifications').select(['user_id', 'kind', 'case_id']).where('subject_id', '=', erasureId).execute();

  it('files one request for a Burmese worker on SMS, answers in Burmese, tells the coordinators, and files no second one on repeat', async () => {
    const phone = createWorkerPhone(handle, hotline, '+959700000001');
    await phone.text('အလုပ်ရှင်က လစာ မပေးဘူး');
    const [reply] = await phone.text('ဖျက်');
    expect(reply).toMatchObject({ template: 'erasure.requested', language: 'my', body: sms('my', 'erasure.requested') });

    const contact = await contactOf('sms', '+959700000001');
    const [erasure, ...others] = await erasuresOf(contact.person_id);
    expect(others).toEqual([]);
    const theCase = await handle.db.selectFrom('cases').select(['id']).where('person_id', '=', contact.person_id).executeTakeFirstOrThrow();
    expect(erasure).toMatchObject({
      scope: 'person', source: 'worker_keyword', status: 'requested', reason: 'worker_request', case_id: theCase.id,
      proposed_by_user_id: null, confirmed_by_user_id: null,
    });
    expect(erasure?.due_at?.toISOString()).toBe(new Date(clock.now().getTime() + 90 * DAY).toISOString());
    // Coordinators only, with the request's id and the case (never the worker's words).
    expect(await noticesAbout(erasure?.id ?? '')).toEqual([{ user_id: coordinatorId, kind: 'erasure.requested', case_id: theCase.id }]);
    const audit = await handle.db.selectFrom('audit_log').select(['actor_kind', 'details']).where('action', '=', 'erasure.requested').where('subject_id', '=', erasure?.id ?? '').execute();
    expect(audit).toEqual([{ actor_kind: 'worker', details: { source: 'worker_keyword', channel: 'sms' } }]);

    clock.advance(3 * DAY);
    const [again] = await phone.text('ဖျက်ပေးပါ');
    expect(again).toMatchObject({ template: 'erasure.already', language: 'my', body: sms('my', 'erasure.already') });
    expect(await erasuresOf(contact.person_id)).toHaveLength(1);
    expect(await noticesAbout(erasure?.id ?? '')).toHaveLength(1);
  });

  it('reads XOA typed without Vietnamese marks and answers in Vietnamese', async () => {
    const phone = createWorkerPhone(handle, hotline, '+84900000002');
    await phone.text('Công ty giữ hộ chiếu của tôi');
    const [reply] = await phone.text('XOA');
    expect(reply).toMatchObject({ template: 'erasure.requested', language: 'vi', body: sms('vi', 'erasure.requested') });
    expect(reply?.body).toContain('90 ngày');
    const contact = await contactOf('sms', '+84900000002');
    expect(await erasuresOf(contact.person_id)).toEqual([expect.objectContaining({ source: 'worker_keyword', status: 'requested' })]);
  });

  it('reads ဖျက် typed on a Zawgyi phone', async () => {
    const phone = createWorkerPhone(handle, hotline, '+959700000003');
    await phone.text('အလုပ်ရှင်က ပတ်စ်ပို့ ယူထားတယ်');
    const [reply] = await phone.text('\u1016\u103a\u1000\u1039');
    expect(reply).toMatchObject({ template: 'erasure.requested', language: 'my' });
  });

  it('answers a discreet worker without naming a case', async () => {
    const phone = createWorkerPhone(handle, hotline, '+66820000004');
    await phone.text('SAFE');
    await phone.text('they hit us at the farm');
    const [reply] = await phone.text('DELETE');
    expect(reply).toMatchObject({ template: 'discreet.erasure_requested', body: sms('en', 'discreet.erasure_requested') });
    expect(reply?.body).not.toMatch(/case/i);
  });

  it('files the request of a worker who sent STOP, and sends them nothing', async () => {
    const phone = createWorkerPhone(handle, hotline, '+66820000005');
    await phone.text('no pay for two months');
    await phone.text('STOP');
    expect(await phone.text('delete')).toEqual([]);
    const contact = await contactOf('sms', '+66820000005');
    expect(await erasuresOf(contact.person_id)).toEqual([expect.objectContaining({ source: 'worker_keyword', status: 'requested' })]);
  });

  it('files one request for a worker on Viber, answered in Vietnamese, whatever channel repeats it', async () => {
    const worker = createViberWorker(hotline);
    await worker.text('Chủ không trả lương ba tháng');
    const before = viber.requests.length;
    await worker.text('xóa');
    const sent = viber.requests.slice(before).filter((r) => r.path === '/pa/send_message').map((r) => (r.body as { text: string }).text);
    expect(sent).toEqual([sms('vi', 'erasure.requested')]);

    const contact = await contactOf('viber', worker.userId);
    const [erasure] = await erasuresOf(contact.person_id);
    expect(erasure).toMatchObject({ source: 'worker_keyword', status: 'requested', reason: 'worker_request' });
    expect(await noticesAbout(erasure?.id ?? '')).toEqual([expect.objectContaining({ user_id: coordinatorId, kind: 'erasure.requested' })]);

    await worker.text('XÓA DỮ LIỆU');
    const repeated = viber.requests.slice(before).filter((r) => r.path === '/pa/send_message').map((r) => (r.body as { text: string }).text);
    expect(repeated.at(-1)).toBe(sms('vi', 'erasure.already'));
    expect(await erasuresOf(contact.person_id)).toHaveLength(1);
  });
});
