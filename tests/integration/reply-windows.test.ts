import crypto from 'node:crypto';
import request from 'supertest';
import { createPersonalDataCipher } from '../../src/privacy/personal-data';
import type { DatabaseHandle } from '../../src/db/database';
import { issueApiToken } from '../../src/users/user.service';
import { upsertUser } from '../../src/users/user.repository';
import { buildTestHotline, type TestHotline } from '../support/app';
import { createFakeClock, type FakeClock } from '../support/clock';
import { openTestDatabase } from '../support/database';
import { startFakeTwilio } from '../support/fake-twilio';
import { inboundSms, postSigned } from '../support/twilio-webhook';
import { openerFor } from '../../src/privacy/person-keys';

// WhatsApp and Messenger allow free-form replies only within 24 hours of the worker's last message.
// Outside it a caseworker's reply is never sent blind: WhatsApp gets the approved "we have news"
// template and the reply waits until the worker answers; Messenger refuses the reply.

const TEMPLATE_SID = `HX${'a'.repeat(32)}`;
const HOUR = 3_600_000;
// One key for every hotline built here, so each can open what the others stored.
const cipher = createPersonalDataCipher({ current: crypto.randomBytes(32).toString('base64') });

describe('reply windows', () => {
  let handle: DatabaseHandle;
  let twilio: Awaited<ReturnType<typeof startFakeTwilio>>;
  let clock: FakeClock;
  let staffToken: string;

  beforeAll(async () => {
    handle = await openTestDatabase();
    twilio = await startFakeTwilio();
    const org = await handle.db.insertInto('organisations').values({ slug: 'network', name: 'Network', kind: 'network', country: 'TH' }).returning('id').executeTakeFirstOrThrow();
    await upsertUser(handle.db, { organisationId: org.id, email: 'coordinator@example.org', displayName: 'Coordinator', role: 'coordinator', locale: 'en', passwordHash: null });
    staffToken = await issueApiToken({ db: handle.db, clock: { now: () => new Date() } }, { email: 'coordinator@example.org' }, { kind: 'cli' });
  });
  afterAll(async () => {
    await twilio.close();
    await handle.close();
  });

  function hotlineWith(options: { template?: boolean } = {}): TestHotline {
    clock = createFakeClock(new Date());
    return buildTestHotline(handle, { clock, cipher, sender: twilio.sender(), ...(options.template === false ? {} : { whatsappTemplateSid: TEMPLATE_SID }) });
  }

  async function write(hotline: TestHotline, from: string, body: string) {
    await postSigned(hotline.app, '/webhooks/twilio/messaging', inboundSms(from, body)).expect(200);
    await hotline.runJobs();
  }

  async function referenceOf(hotline: TestHotline, address: string): Promise<string> {
    const contacts = await handle.db.selectFrom('contacts').select(['id', 'address_encrypted', 'person_id']).execute();
    const opener = await openerFor(handle.db, hotline.cipher, contacts.map((row) => row.address_encrypted));
    const contact = contacts.find((row) => opener.openOptional(row.address_encrypted) === address);
    const found = await handle.db.selectFrom('cases').select('reference').where('person_id', '=', contact?.person_id ?? '').executeTakeFirstOrThrow();
    return found.reference;
  }

  const reply = (hotline: TestHotline, reference: string, body: string) =>
    request(hotline.app).post(`/api/v1/cases/${reference}/replies`).set('Authorization', `Bearer ${staffToken}`).send({ body });

  it('sends a WhatsApp reply within the window as usual', async () => {
    const hotline = hotlineWith();
    await write(hotline, 'whatsapp:+66820000001', 'my boss took my passport');
    const reference = await referenceOf(hotline, '+66820000001');
    clock.advance(23 * HOUR);
    const before = twilio.requests.length;
    await reply(hotline, reference, 'We can help you get it back').expect(201);
    await hotline.runJobs();
    const sent = twilio.requests.slice(before);
    expect(sent.map((r) => r.form['Body'])).toEqual(['We can help you get it back']);
    expect(sent[0]?.form['ContentSid']).toBeUndefined();
  });

  it('outside the window sends the approved template once and holds replies until the worker answers', async () => {
    const hotline = hotlineWith();
    await write(hotline, 'whatsapp:+66820000002', 'they did not pay me');
    const reference = await referenceOf(hotline, '+66820000002');
    clock.advance(25 * HOUR);
    const before = twilio.requests.length;
    const first = await reply(hotline, reference, 'The labour office will call your employer').expect(201);
    expect(first.body.status).toBe('held');
    const second = await reply(hotline, reference, 'Please keep your pay slips').expect(201);
    expect(second.body.status).toBe('held');
    await hotline.runJobs();
    const notices = twilio.requests.slice(before);
    expect(notices).toHaveLength(1);
    expect(notices[0]?.form).toMatchObject({ To: 'whatsapp:+66820000002', ContentSid: TEMPLATE_SID });
    expect(notices[0]?.form['Body']).toBeUndefined();

    // The worker answers the template: the window reopens and the held replies go, in order.
    clock.advance(HOUR);
    await write(hotline, 'whatsapp:+66820000002', 'hello');
    // (The worker's "hello" also answers the intake question they were on, which gets its own reply.)
    const staffReplies = ['The labour office will call your employer', 'Please keep your pay slips'];
    const released = twilio.requests.slice(before + 1).map((r) => r.form['Body'] ?? '');
    expect(released.filter((body) => staffReplies.includes(body))).toEqual(staffReplies);
    const statuses = await handle.db.selectFrom('messages').select('status').where('id', 'in', [first.body.id, second.body.id]).execute();
    expect(statuses.map((row) => row.status)).toEqual(['queued', 'queued']);
  });

  it('refuses a WhatsApp reply outside the window when no template is set, writing nothing', async () => {
    const hotline = hotlineWith({ template: false });
    await write(hotline, 'whatsapp:+66820000003', 'I was injured');
    const reference = await referenceOf(hotline, '+66820000003');
    clock.advance(30 * HOUR);
    const count = async () => (await handle.db.selectFrom('messages').select('id').where('direction', '=', 'out').execute()).length;
    const before = await count();
    const refused = await reply(hotline, reference, 'hello').expect(409);
    expect(refused.body.error.fields).toEqual([expect.objectContaining({ field: 'body', reason: 'reply_window_no_template' })]);
    expect(await count()).toBe(before);
  });

  it('refuses a Messenger reply outside the window, writing nothing', async () => {
    const hotline = hotlineWith();
    await write(hotline, 'messenger:1234567890123', 'my agent keeps my documents');
    const reference = await referenceOf(hotline, '1234567890123');
    clock.advance(25 * HOUR);
    const count = async () => (await handle.db.selectFrom('messages').select('id').where('direction', '=', 'out').execute()).length;
    const before = await count();
    const refused = await reply(hotline, reference, 'hello').expect(409);
    expect(refused.body.error.fields).toEqual([expect.objectContaining({ field: 'body', reason: 'reply_window_closed' })]);
    expect(await count()).toBe(before);
  });

  it('has no window on SMS', async () => {
    const hotline = hotlineWith();
    await write(hotline, '+60120000004', 'my employer hit me');
    const reference = await referenceOf(hotline, '+60120000004');
    clock.advance(72 * HOUR);
    const sent = await reply(hotline, reference, 'We are calling you today').expect(201);
    expect(sent.body.status).toBe('queued');
  });
});
