import type { DatabaseHandle } from '../../src/db/database';
import { buildTestHotline, type TestHotline } from '../support/app';
import { openTestDatabase } from '../support/database';
import { startFakeTwilio, type FakeTwilio } from '../support/fake-twilio';
import { createWorkerPhone } from '../support/sms-conversation';
import { openerFor } from '../../src/privacy/person-keys';

describe('SMS keywords', () => {
  let handle: DatabaseHandle;
  let hotline: TestHotline;
  let twilio: FakeTwilio;

  beforeAll(async () => {
    handle = await openTestDatabase();
    twilio = await startFakeTwilio();
    hotline = buildTestHotline(handle, { sender: twilio.sender() });
  });
  afterAll(async () => {
    await twilio.close();
    await handle.close();
  });

  async function contactOf(from: string) {
    const contacts = await handle.db.selectFrom('contacts').selectAll().execute();
    const opener = await openerFor(handle.db, hotline.cipher, contacts.map((row) => row.address_encrypted));
    const contact = contacts.find((row) => opener.openOptional(row.address_encrypted) === from);
    if (!contact) throw new Error(`no contact for ${from}`);
    return contact;
  }

  it('HELP says what the hotline is, in the contact\'s language', async () => {
    const phone = createWorkerPhone(handle, hotline, '+66820000001');
    await phone.text('ငွေမရဘူး');
    const [help] = await phone.text('HELP');
    expect(help).toMatchObject({ template: 'help', language: 'my' });
  });

  it('STATUS answers the current case in plain words, and STATUS with a reference only for the contact\'s own case', async () => {
    const phone = createWorkerPhone(handle, hotline, '+66820000002');
    await phone.text('no pay for 3 months');
    const contact = await contactOf('+66820000002');
    const mine = await handle.db.selectFrom('cases').select('reference').where('contact_id', '=', contact.id).executeTakeFirstOrThrow();
    const [status] = await phone.text('status');
    expect(status?.template).toBe('status.reply');
    expect(status?.body).toContain(mine.reference);
    expect(status?.body).toContain('received, waiting for a caseworker');

    const other = createWorkerPhone(handle, hotline, '+66820000003');
    await other.text('my passport was taken');
    const [stranger] = await other.text(`STATUS ${mine.reference.toLowerCase()}`);
    expect(stranger?.template).toBe('status.none');
    expect(stranger?.body).not.toContain(mine.reference);
  });

  it('NEW opens another case with the next story', async () => {
    const phone = createWorkerPhone(handle, hotline, '+66820000004');
    await phone.text('first problem');
    expect((await phone.text('NEW'))[0]?.template).toBe('new.prompt');
    expect((await phone.text('second problem: injury at work'))[0]?.template).toBe('intake.category_first');
    expect((await phone.text('NEW my friend is missing'))[0]?.template).toBe('intake.category_first');
    const contact = await contactOf('+66820000004');
    const cases = await handle.db.selectFrom('cases').select('summary_encrypted').where('contact_id', '=', contact.id).orderBy('created_at').execute();
    const summaries = await openerFor(handle.db, hotline.cipher, cases.map((row) => row.summary_encrypted));
    expect(cases.map((row) => summaries.openOptional(row.summary_encrypted))).toEqual(
      expect.arrayContaining(['first problem', 'second problem: injury at work', 'my friend is missing']),
    );
  });

  it('LANG shows the menu, a number switches language, and the question is asked again in it', async () => {
    const phone = createWorkerPhone(handle, hotline, '+66820000005');
    expect((await phone.text('my salary is late'))[0]).toMatchObject({ template: 'intake.category_first', language: 'en' });
    expect((await phone.text('LANG'))[0]?.template).toBe('language.menu');
    expect((await phone.text('២'))[0]).toMatchObject({ template: 'intake.category', language: 'km' });
    expect((await phone.text('ລາວ'))[0]).toMatchObject({ template: 'intake.category', language: 'lo' });
    expect((await contactOf('+66820000005')).language).toBe('lo');
  });

  it('SAFE turns on discreet replies that do not reveal a complaint', async () => {
    const phone = createWorkerPhone(handle, hotline, '+66820000006');
    expect((await phone.text('SAFE'))[0]?.template).toBe('discreet.on');
    const [first] = await phone.text('employer hits us');
    expect(first?.template).toBe('discreet.consent_first');
    const [done] = await phone.text('YES');
    expect(done?.template).toBe('discreet.done');
    expect((await phone.text('HELP'))[0]?.template).toBe('discreet.help');
  });

  it('STOP opts out at once: nothing is sent afterwards, yet every message is kept; START opts back in', async () => {
    const phone = createWorkerPhone(handle, hotline, '+66820000007');
    await phone.text('unpaid overtime');
    expect(await phone.text('STOP')).toEqual([]);
    expect((await contactOf('+66820000007')).is_opted_out).toBe(true);
    expect(await phone.text('are you there?')).toEqual([]);
    const contact = await contactOf('+66820000007');
    const kept = await handle.db.selectFrom('messages').select('id').where('contact_id', '=', contact.id).where('direction', '=', 'in').execute();
    expect(kept).toHaveLength(3);
    expect((await phone.text('START'))[0]?.template).toBe('optin');
    expect((await contactOf('+66820000007')).is_opted_out).toBe(false);
  });

  it.each(['ရပ်', 'ឈប់', 'ຢຸດ', 'หยุด', 'DỪNG', 'unsubscribe'])('treats "%s" as STOP', async (word) => {
    const from = `+668300${String(word.codePointAt(0)).padStart(5, '0')}`;
    const phone = createWorkerPhone(handle, hotline, from);
    await phone.text('hello');
    expect(await phone.text(word)).toEqual([]);
    expect((await contactOf(from)).is_opted_out).toBe(true);
  });

  it('never sends a queued message to a contact who opted out before it left', async () => {
    const phone = createWorkerPhone(handle, hotline, '+66820000008');
    twilio.answerNext({ status: 503 });
    const before = twilio.requests.length;
    await phone.text('hello');
    expect(twilio.requests.length).toBe(before + 1); // the first try failed and waits for its retry
    const contact = await contactOf('+66820000008');
    await handle.db.updateTable('contacts').set({ is_opted_out: true }).where('id', '=', contact.id).execute();
    await handle.db.updateTable('jobs_outbox').set({ run_after: new Date() }).where('status', '=', 'pending').execute();
    await hotline.runJobs();
    expect(twilio.requests.length).toBe(before + 1);
    const reply = await handle.db
      .selectFrom('messages')
      .select(['status', 'error_code'])
      .where('contact_id', '=', contact.id)
      .where('direction', '=', 'out')
      .executeTakeFirstOrThrow();
    expect(reply).toEqual({ status: 'failed', error_code: 'opted_out' });
  });
});
