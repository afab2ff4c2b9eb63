import type { DatabaseHandle } from '../../src/db/database';
import { buildTestHotline, TEST_PUBLIC_URL, type TestHotline } from '../support/app';
import { openTestDatabase } from '../support/database';
import { startFakeTwilio, type FakeTwilio } from '../support/fake-twilio';
import { inboundSms, postSigned } from '../support/twilio-webhook';
import { openerFor } from '../../src/privacy/person-keys';

// Facebook Messenger through Twilio end to end: signed Twilio webhooks from `messenger:<id>`, the
// same pipeline as SMS, replies out through a local fake of Twilio's Messages API from the page.

const PAGE = 'messenger:104729384756';
const WEBHOOK = '/webhooks/twilio/messaging';

interface Script {
  language: string;
  user: string;
  story: string;
  category: string;
  categories: string[];
  place: string;
  province: string;
  nationality?: string;
  origin: string;
  consent: string;
}

const SCRIPTS: Script[] = [
  {
    language: 'en', user: '2400000000000001', story: 'My boss has not paid me for two months', category: '1', categories: ['wages'],
    place: 'I am in Mahachai', province: 'TH-74', nationality: '1', origin: 'MM', consent: 'yes',
  },
  {
    language: 'lo', user: '2400000000000002', story: 'ນາຍຈ້າງບໍ່ຈ່າຍເງິນເດືອນໃຫ້ຂ້ອຍ', category: '໑', categories: ['wages'],
    place: 'ບາງກອກ', province: 'TH-10', origin: 'LA', consent: 'ໄດ້ເຈົ້າ',
  },
];

describe('the Messenger channel (through Twilio)', () => {
  let handle: DatabaseHandle;
  let twilio: FakeTwilio;
  let hotline: TestHotline;

  beforeAll(async () => {
    handle = await openTestDatabase();
    twilio = await startFakeTwilio();
    hotline = buildTestHotline(handle, { sender: twilio.sender({ from: '+66900000000', messengerFrom: PAGE }) });
  });
  afterAll(async () => {
    await twilio.close();
    await handle.close();
  });

  /** One Messenger user writing to the page; each text posts a signed webhook and runs its jobs. */
  function messengerUser(user: string, on: TestHotline = hotline) {
    return {
      async text(body: string): Promise<Record<string, string>> {
        const params = inboundSms(`messenger:${user}`, body, { To: PAGE });
        await postSigned(on.app, WEBHOOK, params).expect(200);
        await on.runJobs();
        return params;
      },
    };
  }

  /** What Twilio was asked to send since request number `from`. */
  const sentSince = (from: number) => twilio.requests.slice(from).map((request) => request.form);

  async function contactOf(user: string) {
    const contacts = await handle.db.selectFrom('contacts').select(['id', 'address_encrypted', 'is_opted_out']).where('channel', '=', 'messenger').execute();
    const opener = await openerFor(handle.db, hotline.cipher, contacts.map((row) => row.address_encrypted));
    const contact = contacts.find((row) => opener.openOptional(row.address_encrypted) === user);
    if (!contact) throw new Error(`no Messenger contact ${user}`);
    return contact;
  }

  async function repliesTo(user: string) {
    const contact = await contactOf(user);
    return handle.db.selectFrom('messages').select(['id', 'template', 'status', 'provider_id', 'channel'])
      .where('contact_id', '=', contact.id).where('direction', '=', 'out').orderBy('sequence').execute();
  }

  it.each(SCRIPTS)('takes a worker writing in $language through intake to a Messenger case', async (script) => {
    const worker = messengerUser(script.user);
    const before = twilio.requests.length;
    await worker.text(script.story);
    await worker.text(script.category);
    await worker.text(script.place);
    if (script.nationality) await worker.text(script.nationality);
    await worker.text(script.consent);

    const contact = await contactOf(script.user);
    const found = await handle.db.selectFrom('cases').selectAll().where('contact_id', '=', contact.id).executeTakeFirstOrThrow();
    expect(found).toMatchObject({
      channel: 'messenger', language: script.language, intake_complete: true, categories: script.categories,
      origin_country: script.origin, destination_province: script.province, consent_given: true, consent_source: 'messenger',
    });
    const replies = await repliesTo(script.user);
    expect(replies.map((reply) => reply.template)).toEqual([
      'intake.category_first', 'intake.location', ...(script.nationality ? ['intake.nationality'] : []), 'intake.consent', 'intake.done',
    ]);
    expect(replies.every((reply) => reply.channel === 'messenger' && reply.status === 'queued')).toBe(true);
    const sent = sentSince(before);
    expect(sent).toHaveLength(replies.length);
    for (const [index, form] of sent.entries()) {
      // Twilio's Messages API carries plain text to Messenger: no buttons, the numbered menu is the choice.
      expect(Object.keys(form).sort()).toEqual(['Body', 'From', 'StatusCallback', 'To']);
      expect(form).toMatchObject({ To: `messenger:${script.user}`, From: PAGE, StatusCallback: `${TEST_PUBLIC_URL}/webhooks/twilio/status?message=${replies[index]?.id}` });
    }
    expect(sent[0]?.['Body']).toMatch(/\n1 .*\n2 /);
    expect(sent.at(-1)?.['Body']).toContain(found.reference);
  });

  it('moves a reply forward on Twilio\'s status callbacks, never back', async () => {
    await messengerUser('2400000000000003').text('my passport is with the agent');
    const [reply] = await repliesTo('2400000000000003');
    const callback = (status: string) =>
      postSigned(hotline.app, `/webhooks/twilio/status?message=${reply?.id}`, { MessageSid: reply?.provider_id ?? '', MessageStatus: status }).expect(204);
    await callback('delivered');
    await callback('sent');
    expect((await repliesTo('2400000000000003'))[0]?.status).toBe('delivered');
    await callback('read');
    expect((await repliesTo('2400000000000003'))[0]?.status).toBe('read');
  });

  it('stores a webhook Twilio delivers twice once, and answers it once', async () => {
    const worker = messengerUser('2400000000000004');
    const before = twilio.requests.length;
    const params = await worker.text('I was injured at the factory');
    await postSigned(hotline.app, WEBHOOK, params).expect(200);
    await hotline.runJobs();
    const stored = await handle.db.selectFrom('messages').select('id').where('provider_id', '=', params['MessageSid'] ?? '').execute();
    expect(stored).toHaveLength(1);
    expect(sentSince(before)).toHaveLength(1);
  });

  it.each([
    ['STOP', '2400000000000005'],
    ['ຢຸດ', '2400000000000006'],
  ])('opts the worker out on "%s": nothing more is sent to Messenger', async (word, user) => {
    const worker = messengerUser(user);
    await worker.text('the police took my friend');
    const before = twilio.requests.length;
    await worker.text(word);
    expect((await contactOf(user)).is_opted_out).toBe(true);
    await worker.text('are you there?');
    expect(sentSince(before)).toEqual([]);
  });

  it('records a Messenger reply without sending it when TWILIO_MESSENGER_FROM is unset, while SMS still sends', async () => {
    const noPage = buildTestHotline(handle, { cipher: hotline.cipher, sender: twilio.sender({ from: '+66900000000' }) });
    const before = twilio.requests.length;
    await messengerUser('2400000000000007', noPage).text('my employer keeps my wages');
    expect(sentSince(before)).toEqual([]);
    expect(await repliesTo('2400000000000007')).toEqual([expect.objectContaining({ template: 'intake.category_first', status: 'recorded', provider_id: null })]);
    await postSigned(noPage.app, WEBHOOK, inboundSms('+66840000077', 'my employer keeps my wages')).expect(200);
    await noPage.runJobs();
    expect(sentSince(before)).toEqual([expect.objectContaining({ To: '+66840000077', From: '+66900000000' })]);
  });
});
