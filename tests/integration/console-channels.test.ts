import type { DatabaseHandle } from '../../src/db/database';
import { createLineSender } from '../../src/channels/line/line-sender';
import { createI18n } from '../../src/language/i18n';
import { hashPassword } from '../../src/users/password';
import { upsertUser } from '../../src/users/user.repository';
import { buildTestHotline, type TestHotline } from '../support/app';
import { createLineWorker } from '../support/chat-worker';
import { createFakeClock } from '../support/clock';
import { signedInAgent } from '../support/console';
import { openTestDatabase } from '../support/database';
import { startFakeLine, type FakeLine } from '../support/fake-line';
import { createWorkerPhone } from '../support/sms-conversation';
import { openerFor } from '../../src/privacy/person-keys';

// The case page's Channels panel: each identity of the worker, masked for those who may see
// personal data and hidden for the others; the reply windows; where the next reply goes, and the
// caseworker's pick of it.

const PASSWORD = 'a long staff password';
const t = createI18n().getFixedT('en', 'console');
const TEMPLATE_SID = `HX${'b'.repeat(32)}`;

describe('the channels panel of a case', () => {
  let handle: DatabaseHandle;
  let hotline: TestHotline;
  let line: FakeLine;
  let maeSot: string;

  beforeAll(async () => {
    handle = await openTestDatabase();
    line = await startFakeLine();
    hotline = buildTestHotline(handle, { lineSender: createLineSender(line.config()) });
    const network = await handle.db.insertInto('organisations').values({ slug: 'network', name: 'Network', kind: 'network', country: 'TH' }).returning('id').executeTakeFirstOrThrow();
    maeSot = (await handle.db.insertInto('organisations').values({ slug: 'mae-sot', name: 'Mae Sot', kind: 'ngo', country: 'TH' }).returning('id').executeTakeFirstOrThrow()).id;
    const yangon = await handle.db.insertInto('organisations').values({ slug: 'yangon', name: 'Yangon', kind: 'ngo', country: 'MM' }).returning('id').executeTakeFirstOrThrow();
    const hash = await hashPassword(PASSWORD);
    await upsertUser(handle.db, { organisationId: network.id, email: 'coordinator@example.org', displayName: 'Coordinator', role: 'coordinator', locale: 'en', passwordHash: hash });
    await upsertUser(handle.db, { organisationId: maeSot, email: 'owner@example.org', displayName: 'Owner', role: 'caseworker', locale: 'en', passwordHash: hash });
    await upsertUser(handle.db, { organisationId: yangon.id, email: 'partner@example.org', displayName: 'Partner', role: 'caseworker', locale: 'en', passwordHash: hash });
  });
  afterAll(async () => {
    await line.close();
    await handle.close();
  });

  /** A worker on SMS and LINE, already one person, with one case owned by Mae Sot (LINE used last). */
  async function workerOnSmsAndLine(phone: string) {
    await createWorkerPhone(handle, hotline, phone).text('my boss keeps my passport');
    const lineWorker = createLineWorker(hotline);
    await lineWorker.text('အလုပ်ရှင်က ပတ်စပို့ ယူထားတယ်');
    const contacts = await handle.db.selectFrom('contacts').select(['id', 'channel', 'address_encrypted', 'person_id']).execute();
    const opener = await openerFor(handle.db, hotline.cipher, contacts.map((row) => row.address_encrypted));
    const sms = contacts.find((row) => row.channel === 'sms' && opener.openOptional(row.address_encrypted) === phone);
    const onLine = contacts.find((row) => row.channel === 'line' && opener.openOptional(row.address_encrypted) === lineWorker.userId);
    if (!sms || !onLine) throw new Error('the worker has no contacts');
    await handle.db.updateTable('contacts').set({ person_id: sms.person_id }).where('id', '=', onLine.id).execute();
    const found = await handle.db.updateTable('cases').set({ owner_organisation_id: maeSot }).where('person_id', '=', sms.person_id).returning(['id', 'reference']).executeTakeFirstOrThrow();
    return { sms, line: onLine, lineWorker, found };
  }

  const agentOf = (email: string) => signedInAgent(hotline.app, email, PASSWORD);
  const lastReply = async (caseId: string) =>
    handle.db.selectFrom('messages').select(['contact_id', 'channel']).where('case_id', '=', caseId).where('sent_by_user_id', 'is not', null).orderBy('sequence', 'desc').executeTakeFirstOrThrow();

  it('shows masked addresses to those who may see personal data, and hides them from a partner without consent', async () => {
    const worker = await workerOnSmsAndLine('+66812341234');
    await handle.db.insertInto('referrals').values({ case_id: worker.found.id, from_organisation_id: maeSot, to_organisation_id: (await handle.db.selectFrom('organisations').select('id').where('slug', '=', 'yangon').executeTakeFirstOrThrow()).id, status: 'pending', due_at: new Date(Date.now() + 86_400_000) }).execute();
    const lineTail = worker.lineWorker.userId.slice(-4);

    const partner = await (await agentOf('partner@example.org')).agent.get(`/console/cases/${worker.found.reference}`).expect(200);
    expect(partner.text).toContain(t('channels.title'));
    expect(partner.text).toContain(t('channels.address_hidden'));
    expect(partner.text).not.toContain('12 34');
    expect(partner.text).not.toContain(lineTail);

    const coordinator = await (await agentOf('coordinator@example.org')).agent.get(`/console/cases/${worker.found.reference}`).expect(200);
    expect(coordinator.text).toContain('+66 •••• ••12 34');
    expect(coordinator.text).toContain(t('channels.account', { channel: 'LINE', tail: `••${lineTail}` }));
    expect(coordinator.text).not.toContain('812341234');

    const ownerAgent = await agentOf('owner@example.org');
    const limited = await ownerAgent.agent.get(`/console/cases/${worker.found.reference}`).expect(200);
    expect(limited.text).not.toContain('12 34');
    // Once the worker agrees to share, the owner sees what the coordinator sees.
    await ownerAgent.agent.post(`/console/cases/${worker.found.reference}/consent`).type('form').send({ given: 'yes', wording: 'yes you can share', _csrf: ownerAgent.csrf }).expect(303);
    const owner = await ownerAgent.agent.get(`/console/cases/${worker.found.reference}`).expect(200);
    expect(owner.text).toContain('+66 •••• ••12 34');
    // LINE has no reply window; the worker wrote there last, so the next reply goes there.
    expect(owner.text).toMatch(/<tr class="reply-target">\s*<td>LINE<\/td>/);
  });

  it('sends the next reply to the identity the caseworker picked, and back to the last used when cleared', async () => {
    const worker = await workerOnSmsAndLine('+66812345678');
    const { agent, csrf } = await agentOf('owner@example.org');
    await agent.post(`/console/cases/${worker.found.reference}/reply-channel`).type('form').send({ reply_contact_id: worker.sms.id, _csrf: csrf }).expect(303);
    const page = await agent.get(`/console/cases/${worker.found.reference}`).expect(200);
    expect(page.text).toContain(t('event.case.reply_channel_set', { channel: 'SMS' }));
    expect(page.text).toMatch(new RegExp(`<option value="${worker.sms.id}" selected>`));
    await agent.post(`/console/cases/${worker.found.reference}/reply`).type('form').send({ body: 'Answering you by SMS.', action: 'send', _csrf: csrf }).expect(303);
    expect(await lastReply(worker.found.id)).toEqual({ contact_id: worker.sms.id, channel: 'sms' });
    const audit = await handle.db.selectFrom('audit_log').select(['details']).where('action', '=', 'case.reply_channel_set').where('case_id', '=', worker.found.id).execute();
    expect(audit).toEqual([{ details: { contactId: worker.sms.id, channel: 'sms' } }]);

    await agent.post(`/console/cases/${worker.found.reference}/reply-channel`).type('form').send({ reply_contact_id: '', _csrf: csrf }).expect(303);
    expect((await agent.get(`/console/cases/${worker.found.reference}`).expect(200)).text).toContain(t('event.case.reply_channel_last_used'));
    await agent.post(`/console/cases/${worker.found.reference}/reply`).type('form').send({ body: 'Answering you on LINE.', action: 'send', _csrf: csrf }).expect(303);
    expect(await lastReply(worker.found.id)).toEqual({ contact_id: worker.line.id, channel: 'line' });
  });

  it('refuses an identity of another worker, or no identity at all, naming the field (400)', async () => {
    const worker = await workerOnSmsAndLine('+66812349999');
    const other = await workerOnSmsAndLine('+66812348888');
    const { agent, csrf } = await agentOf('owner@example.org');
    const refused = await agent.post(`/console/cases/${worker.found.reference}/reply-channel`).type('form').send({ reply_contact_id: other.sms.id, _csrf: csrf }).expect(400);
    expect(refused.text).toContain(t('problem.not_this_worker'));
    expect(refused.text).toContain('id="reply_contact_id-error"');
    const malformed = await agent.post(`/console/cases/${worker.found.reference}/reply-channel`).type('form').send({ reply_contact_id: 'sms', _csrf: csrf }).expect(400);
    expect(malformed.text).toContain('reply_contact_id');
    const stored = await handle.db.selectFrom('cases').select('reply_contact_id').where('id', '=', worker.found.id).executeTakeFirstOrThrow();
    expect(stored.reply_contact_id).toBeNull();
  });

  it('shows a WhatsApp window closing, then closed, and a held reply as waiting for the worker', async () => {
    const clock = createFakeClock(new Date());
    const windowed = buildTestHotline(handle, { clock, cipher: hotline.cipher, whatsappTemplateSid: TEMPLATE_SID });
    await createWorkerPhone(handle, windowed, 'whatsapp:+66819990001').text('they took my passport');
    const contacts = await handle.db.selectFrom('contacts').select(['id', 'address_encrypted', 'person_id']).where('channel', '=', 'whatsapp').execute();
    const opener = await openerFor(handle.db, hotline.cipher, contacts.map((row) => row.address_encrypted));
    const contact = contacts.find((row) => opener.openOptional(row.address_encrypted) === '+66819990001');
    const found = await handle.db.updateTable('cases').set({ owner_organisation_id: maeSot }).where('person_id', '=', contact?.person_id ?? '').returning('reference').executeTakeFirstOrThrow();
    const { agent } = await signedInAgent(windowed.app, 'coordinator@example.org', PASSWORD);
    const open = await agent.get(`/console/cases/${found.reference}`).expect(200);
    expect(open.text).toContain('Reply window open until');

    clock.advance(25 * 3_600_000);
    const later = await signedInAgent(windowed.app, 'coordinator@example.org', PASSWORD);
    const closed = await later.agent.get(`/console/cases/${found.reference}`).expect(200);
    expect(closed.text).toContain(t('channels.window_closed_held'));
    await later.agent.post(`/console/cases/${found.reference}/reply`).type('form').send({ body: 'We have news for you.', action: 'send', _csrf: later.csrf }).expect(303);
    const held = await later.agent.get(`/console/cases/${found.reference}`).expect(200);
    expect(held.text).toContain(t('delivery.held'));
  });
});
