import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import request from 'supertest';
import twilioLib from 'twilio';
import { ingestAttachment } from '../../src/attachments/attachment-ingest';
import { openSealed } from '../../src/attachments/attachment-store';
import { insertAttachment } from '../../src/attachments/attachment.repository';
import { PROMPT_COVERAGE_TTL_MS } from '../../src/channels/voice/recorded-prompts';
import { PROMPT_KEYS } from '../../src/channels/voice/voice-call';
import { hashPassword } from '../../src/users/password';
import { upsertUser } from '../../src/users/user.repository';
import { signedInAgent } from '../support/console';
import type { DatabaseHandle } from '../../src/db/database';
import { buildTestHotline, TEST_AUTH_TOKEN, TEST_PUBLIC_URL, type TestHotline } from '../support/app';
import { toneWav } from '../support/attachment-samples';
import { createFakeClock, type FakeClock } from '../support/clock';
import { openTestDatabase } from '../support/database';
import { FAKE_ACCOUNT_SID, startFakeTwilio, type FakeTwilio } from '../support/fake-twilio';
import { createWorkerPhone } from '../support/sms-conversation';
import { heard, parseTwiml, type XmlElement } from '../support/twiml';
import { postSigned } from '../support/twilio-webhook';
import { openStored } from '../support/sealed';
import { openerFor } from '../../src/privacy/person-keys';
import { personKeyIdOf } from '../../src/privacy/person-keys';

// Whole calls to the voice line, as Twilio would make them: signed webhooks, every answer parsed as
// TwiML, the caller's message fetched from a fake Twilio serving real WAV audio, sealed on the
// case and deleted at Twilio. Thai runs on Twilio's Thai voice; Burmese only on recorded prompts.

const VOICE = '/webhooks/twilio/voice';
const STEP = (step: string) => `${TEST_PUBLIC_URL}${VOICE}/step?step=${step}`;

async function bytesOf(stream: Readable): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for await (const piece of stream as AsyncIterable<Buffer>) pieces.push(piece);
  return Buffer.concat(pieces);
}

function number(prefix: string): string {
  return `${prefix}${crypto.randomInt(10_000_000, 99_999_999)}`;
}

describe('the voice line', () => {
  let handle: DatabaseHandle;
  let twilio: FakeTwilio;
  let hotline: TestHotline;
  let clock: FakeClock;

  beforeAll(async () => {
    handle = await openTestDatabase();
    twilio = await startFakeTwilio();
    clock = createFakeClock('2026-12-02T08:00:00Z');
    hotline = buildTestHotline(handle, {
      clock,
      sender: twilio.sender({ from: '+66900000000' }),
      media: twilio.twilioOnlyMedia(),
    });
  });
  afterAll(async () => {
    await twilio.close();
    await handle.close();
  });

  /** One phone call from a number: each request signed as Twilio signs it, each answer parsed. */
  function phoneCall(from: string) {
    const callSid = `CA${crypto.randomBytes(16).toString('hex')}`;
    const base = { CallSid: callSid, AccountSid: FAKE_ACCOUNT_SID, From: from, To: '+6621234567', Direction: 'inbound', ApiVersion: '2010-04-01' };
    const twiml = async (path: string, params: Record<string, string>) => {
      const response = await postSigned(hotline.app, path, { ...base, ...params }).expect(200);
      expect(response.headers['content-type']).toMatch(/^text\/xml/);
      return parseTwiml(response.text);
    };
    return {
      callSid,
      ring: () => twiml(VOICE, { CallStatus: 'ringing' }),
      press: (step: string, digits: string) => twiml(`${VOICE}/step?step=${step}`, { CallStatus: 'in-progress', Digits: digits }),
      /** Leaves a message: Twilio's <Record> answer, then its recording status callback. */
      async leaveMessage(audio: Buffer = toneWav(2)) {
        const recording = twilio.addRecording(audio);
        const fields = { RecordingUrl: recording.url, RecordingSid: recording.sid, RecordingDuration: '2' };
        const answer = await twiml(`${VOICE}/step?step=record`, { CallStatus: 'in-progress', Digits: '#', ...fields });
        await postSigned(hotline.app, `${VOICE}/recording`, { ...base, ...fields, RecordingStatus: 'completed', RecordingChannels: '1', RecordingSource: 'RecordVerb' }).expect(204);
        return { answer, recording };
      },
      hangUp: (status = 'completed') => postSigned(hotline.app, `${VOICE}/status`, { ...base, CallStatus: status, CallDuration: '40' }).expect(204),
    };
  }

  const callRow = (callSid: string) => handle.db.selectFrom('calls').selectAll().where('call_sid', '=', callSid).executeTakeFirstOrThrow();
  const caseById = (id: string | null) => handle.db.selectFrom('cases').selectAll().where('id', '=', id ?? '').executeTakeFirstOrThrow();
  const eventsOf = async (caseId: string) =>
    (await handle.db.selectFrom('case_events').select(['type', 'data']).where('case_id', '=', caseId).orderBy('created_at').orderBy('id').execute());
  const gatherOf = (verbs: XmlElement[]) => verbs.find((verb) => verb.name === 'Gather');
  const spelled = (reference: string) => [...reference].filter((c) => /[0-9A-Z]/.test(c)).join(', ');

  async function storedAudio(bytes: Buffer): Promise<string> {
    const id = await insertAttachment(handle.db, { source: 'console', at: clock.now() });
    const result = await ingestAttachment({ db: handle.db, cipher: hotline.cipher, clock }, id, Readable.from([bytes]));
    expect(result).toMatchObject({ status: 'stored', kind: 'audio' });
    return id;
  }

  it('takes a whole call in Thai on Twilio\'s Thai voice: language, problem, message, call-back at a safe time, the case number', async () => {
    const from = number('+6681');
    const call = phoneCall(from);

    const menu = await call.ring();
    const languageMenu = gatherOf(menu);
    expect(languageMenu?.attributes).toMatchObject({ input: 'dtmf', numDigits: '1', action: STEP('language'), method: 'POST', actionOnEmptyResult: 'true' });
    // Burmese, Khmer and Lao have no voice and no recordings here: left out. Each option in its own language and voice.
    expect(heard(menu)).toEqual([
      { say: 'ภาษาไทย กด 4', voice: 'Google.th-TH-Standard-A', language: 'th-TH' },
      { say: 'Tiếng Việt, bấm phím 5.', voice: 'Google.vi-VN-Standard-A', language: 'vi-VN' },
      { say: 'For English, press 6.', voice: 'Google.en-US-Standard-C', language: 'en-US' },
    ]);

    const afterLanguage = await call.press('language', '4');
    expect(heard(afterLanguage)[0]).toEqual({ say: expect.stringContaining('วางสาย'), voice: 'Google.th-TH-Standard-A', language: 'th-TH' });
    expect(gatherOf(afterLanguage)?.attributes['action']).toBe(STEP('category'));

    const recordPrompt = await call.press('category', '1');
    const record = recordPrompt.find((verb) => verb.name === 'Record');
    expect(record?.attributes).toEqual({
      action: STEP('record'), method: 'POST', maxLength: '180', finishOnKey: '#', playBeep: 'true', timeout: '10',
      recordingStatusCallback: `${TEST_PUBLIC_URL}${VOICE}/recording`, recordingStatusCallbackMethod: 'POST', recordingStatusCallbackEvent: 'completed absent',
    });
    expect(heard(recordPrompt)).toEqual([{ say: expect.stringContaining('หลังเสียงสัญญาณ'), voice: 'Google.th-TH-Standard-A', language: 'th-TH' }]);

    const audio = toneWav(2);
    const { answer: callbackQuestion, recording } = await call.leaveMessage(audio);
    expect(gatherOf(callbackQuestion)?.attributes['action']).toBe(STEP('callback'));
    const safeTimeQuestion = await call.press('callback', '1');
    expect(gatherOf(safeTimeQuestion)?.attributes['action']).toBe(STEP('safe_time'));
    const goodbye = await call.press('safe_time', '3');

    // The case's row is there at once, under the reference the caller hears; the job completes it.
    const row = await callRow(call.callSid);
    const opened = await caseById(row.case_id);
    expect(opened).toMatchObject({ channel: 'voice', language: 'th', categories: ['wages'], status: 'new' });
    expect(heard(goodbye)).toEqual([
      { say: 'เลขเรื่องของคุณคือ', voice: 'Google.th-TH-Standard-A', language: 'th-TH' },
      { say: spelled(opened.reference), voice: 'Google.th-TH-Standard-A', language: 'th-TH' },
      { say: 'อีกครั้ง', voice: 'Google.th-TH-Standard-A', language: 'th-TH' },
      { say: spelled(opened.reference), voice: 'Google.th-TH-Standard-A', language: 'th-TH' },
      { say: 'ขอบคุณ สวัสดี', voice: 'Google.th-TH-Standard-A', language: 'th-TH' },
    ]);
    expect(goodbye.at(-1)?.name).toBe('Hangup');
    await call.hangUp();

    // The recording: fetched with the account's credentials, sealed as audio on the case, deleted at Twilio.
    await hotline.runJobs();
    expect(await caseById(row.case_id)).toMatchObject({ reference: opened.reference, intake_complete: true, status: 'new' });
    const attachment = await handle.db.selectFrom('attachments').selectAll().where('id', '=', row.recording_attachment_id ?? '').executeTakeFirstOrThrow();
    expect(attachment).toMatchObject({ source: 'voice', status: 'stored', kind: 'audio', content_type: 'audio/wav', case_id: opened.id, provider_ref: recording.sid });
    expect(await bytesOf(await openSealed({ db: handle.db, cipher: hotline.cipher }, { attachmentId: attachment.id, variant: 'original' }))).toEqual(audio);
    expect(twilio.deletedRecordings).toContain(recording.sid);
    expect(attachment.provider_url_encrypted).toBeNull();

    const after = await callRow(call.callSid);
    expect(after).toMatchObject({ language: 'th', category: 'wages', wants_callback: true, safe_time: 'evening', status: 'completed', caller_encrypted: null });
    expect(after.ended_at).not.toBeNull();
    // The caller is now a voice contact (sealed number) of the case's person.
    const contact = await handle.db.selectFrom('contacts').selectAll().where('id', '=', after.contact_id ?? '').executeTakeFirstOrThrow();
    expect(contact).toMatchObject({ channel: 'voice', person_id: opened.person_id, language: 'th' });
    expect(await openStored(handle.db, hotline.cipher, contact.address_encrypted)).toBe(from);
    const personKey = await handle.db.selectFrom('person_keys').select('id').where('person_id', '=', opened.person_id).executeTakeFirstOrThrow();
    expect(personKeyIdOf(contact.address_encrypted)).toBe(personKey.id.replace(/-/g, ''));
    expect(personKeyIdOf(attachment.key_encrypted)).toBe(personKey.id.replace(/-/g, ''));
    const types = (await eventsOf(opened.id)).map((event) => event.type);
    expect(types).toEqual(expect.arrayContaining(['case.opened', 'case.intake_completed', 'call.message_left', 'call.callback_requested', 'call.safe_time_given', 'attachment.stored']));
  });

  it('takes a whole call in Burmese from recorded prompts, served to Twilio only under their own ids', async () => {
    const promptAudio = toneWav(1, 660);
    const promptAttachment = await storedAudio(promptAudio);
    const promptIds = new Map<string, string>();
    for (const key of PROMPT_KEYS) {
      const row = await handle.db.insertInto('voice_prompts').values({ prompt_key: key, language: 'my', attachment_id: promptAttachment }).returning('id').executeTakeFirstOrThrow();
      promptIds.set(key, row.id);
    }
    // Recorded outside the console (as the CLI does): the line hears of it within the copy's lifetime.
    clock.advance(PROMPT_COVERAGE_TTL_MS);
    const played = (key: string) => ({ play: `${TEST_PUBLIC_URL}/voice/prompts/${promptIds.get(key) ?? ''}` });
    try {
      const call = phoneCall(number('+9592'));
      const menu = await call.ring();
      // Burmese, recorded, comes first (key 1); Khmer and Lao, with neither recordings nor a voice, are left out.
      expect(heard(menu)).toEqual([
        played('menu.language'),
        { say: 'ภาษาไทย กด 4', voice: 'Google.th-TH-Standard-A', language: 'th-TH' },
        { say: 'Tiếng Việt, bấm phím 5.', voice: 'Google.vi-VN-Standard-A', language: 'vi-VN' },
        { say: 'For English, press 6.', voice: 'Google.en-US-Standard-C', language: 'en-US' },
      ]);
      // Khmer's key does nothing: the menu is asked again.
      expect(gatherOf(await call.press('language', '2'))?.attributes['action']).toBe(STEP('language'));

      // Twilio fetches the prompt's audio without credentials.
      const audio = await request(hotline.app).get(`/voice/prompts/${promptIds.get('menu.language') ?? ''}`).buffer(true).parse((res, done) => {
        const parts: Buffer[] = [];
        res.on('data', (part: Buffer) => parts.push(part));
        res.on('end', () => done(null, Buffer.concat(parts)));
      }).expect(200);
      expect(audio.headers['content-type']).toBe('audio/wav');
      expect(audio.body).toEqual(promptAudio);

      expect(heard(await call.press('language', '1'))).toEqual([played('safety'), played('menu.category')]);
      expect(heard(await call.press('category', '2'))).toEqual([played('record')]);
      const { answer } = await call.leaveMessage();
      expect(heard(answer)).toEqual([played('menu.callback')]);
      const goodbye = await call.press('callback', '2');
      const row = await callRow(call.callSid);
      const opened = await caseById(row.case_id);
      expect(opened).toMatchObject({ channel: 'voice', language: 'my', categories: ['documents'] });
      // No Burmese voice: the case number's letters and digits are read in English, as written.
      expect(heard(goodbye)).toEqual([
        played('reference'),
        { say: spelled(opened.reference), voice: 'Google.en-US-Standard-C', language: 'en-US' },
        played('reference_again'),
        { say: spelled(opened.reference), voice: 'Google.en-US-Standard-C', language: 'en-US' },
        played('goodbye'),
      ]);
      expect(row.wants_callback).toBe(false);

      // Only prompt audio is served there: a case's attachment, or anything else, is not found.
      await hotline.runJobs();
      const recording = await callRow(call.callSid);
      await request(hotline.app).get(`/voice/prompts/${recording.recording_attachment_id ?? ''}`).expect(404);
      await request(hotline.app).get(`/voice/prompts/${promptAttachment}`).expect(404);
      await request(hotline.app).get('/voice/prompts/not-a-uuid').expect(404);
    } finally {
      await handle.db.deleteFrom('voice_prompts').execute();
      clock.advance(PROMPT_COVERAGE_TTL_MS);
    }
  });

  it('asks an unanswered menu once more, then takes a default: the number\'s language, "other", no call-back', async () => {
    const call = phoneCall(number('+8490'));
    const menu = await call.ring();
    const again = await call.press('language', '');
    expect(heard(again)).toEqual(heard(menu));
    const defaulted = await call.press('language', '');
    expect(heard(defaulted)[0]).toEqual({ say: expect.stringContaining('gác máy'), voice: 'Google.vi-VN-Standard-A', language: 'vi-VN' });
    expect(gatherOf(defaulted)?.attributes['action']).toBe(STEP('category'));

    const retry = await call.press('category', '9');
    expect(heard(retry)[0]).toEqual({ say: expect.stringContaining('Xin lỗi'), voice: 'Google.vi-VN-Standard-A', language: 'vi-VN' });
    expect(gatherOf(retry)?.attributes['action']).toBe(STEP('category'));
    expect((await call.press('category', '')).some((verb) => verb.name === 'Record')).toBe(true);
    await call.leaveMessage();
    await call.press('callback', '');
    const goodbye = await call.press('callback', '');
    expect(goodbye.at(-1)?.name).toBe('Hangup');
    const row = await callRow(call.callSid);
    expect(row).toMatchObject({ language: 'vi', category: 'other', wants_callback: false, safe_time: null });
    expect(await caseById(row.case_id)).toMatchObject({ channel: 'voice', language: 'vi', categories: ['other'] });
  });

  it('takes a message from a withheld number without offering a call-back, and one call per CallSid', async () => {
    const call = phoneCall('+266696687');
    const menu = await call.ring();
    // Twilio retried the webhook: the same menu, still one call.
    expect(heard(await call.ring())).toEqual(heard(menu));
    expect(await handle.db.selectFrom('calls').select('id').where('call_sid', '=', call.callSid).execute()).toHaveLength(1);
    await call.press('language', '6');
    await call.press('category', '8');
    const { answer } = await call.leaveMessage();
    expect(answer.some((verb) => verb.name === 'Gather')).toBe(false);
    expect(answer.at(-1)?.name).toBe('Hangup');
    const row = await callRow(call.callSid);
    expect(row).toMatchObject({ contact_id: null, caller_encrypted: null, wants_callback: null });
    expect(await caseById(row.case_id)).toMatchObject({ channel: 'voice', contact_id: null, categories: ['other'] });
  });

  it('runs the routing rules on a case opened by phone, as on any channel', async () => {
    const org = await handle.db.insertInto('organisations').values({ slug: `voice-ngo-${crypto.randomInt(1e6)}`, name: 'Voice NGO', kind: 'ngo', country: 'TH' }).returning('id').executeTakeFirstOrThrow();
    const rule = await handle.db.insertInto('routing_rules').values({
      name: 'Phone calls to the voice NGO', priority: 1, conditions: JSON.stringify({ channel: ['voice'] }), action: 'refer', target_organisation_id: org.id, response_hours: 48,
    }).returning('id').executeTakeFirstOrThrow();
    try {
      const call = phoneCall(number('+6686'));
      await call.ring();
      await call.press('language', '6');
      await call.press('category', '7');
      await call.leaveMessage();
      await hotline.runJobs();
      const row = await callRow(call.callSid);
      const referrals = await handle.db.selectFrom('referrals').select(['to_organisation_id', 'routing_rule_id']).where('case_id', '=', row.case_id ?? '').execute();
      expect(referrals).toEqual([{ to_organisation_id: org.id, routing_rule_id: rule.id }]);
    } finally {
      await handle.db.updateTable('routing_rules').set({ is_active: false }).where('id', '=', rule.id).execute();
    }
  });

  it('shows the case\'s caseworker the message, the call-back wish with its safe time, and a later missed call', async () => {
    const org = await handle.db.insertInto('organisations').values({ slug: `voice-cw-${crypto.randomInt(1e6)}`, name: 'Phone NGO', kind: 'ngo', country: 'TH' }).returning('id').executeTakeFirstOrThrow();
    const email = `cw-${crypto.randomInt(1e6)}@example.org`;
    await upsertUser(handle.db, { organisationId: org.id, email, displayName: 'Caseworker', role: 'caseworker', locale: 'en', passwordHash: await hashPassword('a long staff password') });
    const from = number('+6687');
    const call = phoneCall(from);
    await call.ring();
    await call.press('language', '6');
    await call.press('category', '3');
    await call.leaveMessage();
    await call.press('callback', '1');
    await call.press('safe_time', '1');
    await call.hangUp();
    const later = phoneCall(from);
    await later.ring();
    await later.hangUp();
    await hotline.runJobs();
    const { case_id: caseId } = await callRow(call.callSid);
    const opened = await caseById(caseId);
    await handle.db.updateTable('cases').set({ owner_organisation_id: org.id }).where('id', '=', opened.id).execute();

    const { agent } = await signedInAgent(hotline.app, email, 'a long staff password');
    const page = await agent.get(`/console/cases/${opened.reference}`).set('Accept', 'text/html').expect(200);
    expect(page.text).toContain('The worker left a message by phone');
    expect(page.text).toContain('The worker asks to be called back on this number');
    expect(page.text).toContain('Safe time to call back: morning');
    expect(page.text).toContain('The worker called but left no message');
    expect(page.text).not.toContain(from);
  });

  it('refuses unsigned and wrongly signed webhooks and writes nothing', async () => {
    const count = async () => Number((await handle.db.selectFrom('calls').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const before = await count();
    const params = { CallSid: `CA${'a'.repeat(32)}`, From: '+66811111111', To: '+6621234567', CallStatus: 'ringing' };
    await request(hotline.app).post(VOICE).type('form').send(params).expect(400);
    const wrong = twilioLib.getExpectedTwilioSignature(TEST_AUTH_TOKEN, `https://elsewhere.example.org${VOICE}`, params);
    await request(hotline.app).post(VOICE).type('form').set('X-Twilio-Signature', wrong).send(params).expect(403);
    await postSigned(hotline.app, `${VOICE}/step?step=language`, { ...params, Digits: '1' }, { authToken: 'another-token-another-token-1234' }).expect(403);
    await postSigned(hotline.app, `${VOICE}/status`, { ...params, CallStatus: 'completed' }, { signedUrl: `${TEST_PUBLIC_URL}${VOICE}/status?x=1` }).expect(403);
    expect(await count()).toBe(before);
  });

  it('adds the message of a caller with an open SMS case to that case, without the problem menu', async () => {
    const from = number('+6689');
    const phone = createWorkerPhone(handle, hotline, from);
    await phone.text('My boss has not paid me for two months');
    const smsContacts = await handle.db.selectFrom('contacts').select(['id', 'person_id', 'address_encrypted']).where('channel', '=', 'sms').execute();
    const opener = await openerFor(handle.db, hotline.cipher, smsContacts.map((contact) => contact.address_encrypted));
    const smsContact = smsContacts.find((contact) => opener.openOptional(contact.address_encrypted) === from);
    const smsCase = await handle.db.selectFrom('cases').selectAll().where('person_id', '=', smsContact?.person_id ?? '').executeTakeFirstOrThrow();

    const call = phoneCall(from);
    await call.ring();
    const told = await call.press('language', '6');
    expect(heard(told).map((said) => ('say' in said ? said.say : ''))).toEqual([
      expect.stringContaining('If you cannot talk safely now'),
      'We already have your case. Your message will be added to it.',
      expect.stringContaining('After the tone'),
    ]);
    expect(told.some((verb) => verb.name === 'Record')).toBe(true);
    await call.leaveMessage();
    const goodbye = await call.press('callback', '2');
    expect(heard(goodbye)[1]).toEqual({ say: spelled(smsCase.reference), voice: 'Google.en-US-Standard-C', language: 'en-US' });
    await call.hangUp();
    await hotline.runJobs();

    const row = await callRow(call.callSid);
    expect(row.case_id).toBe(smsCase.id);
    const cases = await handle.db.selectFrom('cases').select('id').where('person_id', '=', smsCase.person_id).execute();
    expect(cases).toHaveLength(1);
    const attachment = await handle.db.selectFrom('attachments').selectAll().where('id', '=', row.recording_attachment_id ?? '').executeTakeFirstOrThrow();
    expect(attachment).toMatchObject({ case_id: smsCase.id, status: 'stored', kind: 'audio' });
    const voiceContact = await handle.db.selectFrom('contacts').selectAll().where('id', '=', row.contact_id ?? '').executeTakeFirstOrThrow();
    expect(voiceContact).toMatchObject({ channel: 'voice', person_id: smsCase.person_id });
    expect((await eventsOf(smsCase.id)).map((event) => event.type)).toContain('call.message_left');
  });

  it('opens the case even when the recording cannot be fetched yet, and fetches it on a later try', async () => {
    const call = phoneCall(number('+6682'));
    await call.ring();
    await call.press('language', '6');
    await call.press('category', '5');
    const recording = twilio.addRecording(toneWav(1));
    twilio.failRecording(recording.sid, 503, 503);
    const fields = { RecordingUrl: recording.url, RecordingSid: recording.sid, RecordingDuration: '1' };
    await postSigned(hotline.app, `${VOICE}/step?step=record`, { CallSid: call.callSid, From: '+6682', Digits: '#', ...fields }).expect(200);
    await postSigned(hotline.app, `${VOICE}/recording`, { CallSid: call.callSid, ...fields, RecordingStatus: 'completed' }).expect(204);
    await hotline.runJobs();
    const row = await callRow(call.callSid);
    expect(await caseById(row.case_id)).toMatchObject({ channel: 'voice', categories: ['violence'] });
    const pending = await handle.db.selectFrom('attachments').selectAll().where('id', '=', row.recording_attachment_id ?? '').executeTakeFirstOrThrow();
    expect(pending).toMatchObject({ status: 'pending', attempts: 1 });
    for (let i = 0; i < 3; i += 1) {
      clock.advance(60_000);
      await hotline.runJobs();
    }
    const stored = await handle.db.selectFrom('attachments').selectAll().where('id', '=', pending.id).executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ status: 'stored', kind: 'audio' });
  });

  it('records a missed call on an open case, and only counts one from an unknown number', async () => {
    const known = number('+6683');
    await createWorkerPhone(handle, hotline, known).text('They took my passport');
    const smsContacts = await handle.db.selectFrom('contacts').select(['person_id', 'address_encrypted']).where('channel', '=', 'sms').execute();
    const opener = await openerFor(handle.db, hotline.cipher, smsContacts.map((contact) => contact.address_encrypted));
    const knownPerson = smsContacts.find((contact) => opener.openOptional(contact.address_encrypted) === known)?.person_id;
    const openCase = await handle.db.selectFrom('cases').select('id').where('person_id', '=', knownPerson ?? '').executeTakeFirstOrThrow();
    const metric = async () => {
      const text = await hotline.metrics.metrics();
      return Number(/hotline_voice_missed_calls_total\{caller="unknown"\} (\d+)/.exec(text)?.[1] ?? 'NaN');
    };
    const unknownBefore = await metric();

    // Hung up at the language menu (not safe to talk): the case hears of it.
    const first = phoneCall(known);
    await first.ring();
    await first.hangUp();
    await first.hangUp();
    const missed = (await eventsOf(openCase.id)).filter((event) => event.type === 'call.missed');
    expect(missed).toEqual([{ type: 'call.missed', data: { callId: (await callRow(first.callSid)).id } }]);

    // An unknown number that gave up at the problem menu: counted, nothing personal kept.
    const stranger = number('+6684');
    const second = phoneCall(stranger);
    await second.ring();
    await second.press('language', '6');
    await second.hangUp('completed');
    expect(await metric()).toBe(unknownBefore + 1);
    const row = await callRow(second.callSid);
    expect(row).toMatchObject({ contact_id: null, case_id: null, caller_encrypted: null, status: 'completed' });
    const hashes = hotline.cipher.lookupHashes(stranger);
    expect(await handle.db.selectFrom('contacts').select('id').where('address_hash', 'in', hashes).execute()).toEqual([]);

    // A caller who hangs up during the message prompt: settled only when Twilio says no message was made.
    const third = phoneCall(number('+6685'));
    await third.ring();
    await third.press('language', '6');
    await third.press('category', '1');
    await third.hangUp();
    expect((await callRow(third.callSid)).caller_encrypted).not.toBeNull();
    await postSigned(hotline.app, `${VOICE}/recording`, { CallSid: third.callSid, RecordingSid: `RE${'0'.repeat(32)}`, RecordingStatus: 'absent' }).expect(204);
    expect(await callRow(third.callSid)).toMatchObject({ caller_encrypted: null, case_id: null, contact_id: null });
    expect(await metric()).toBe(unknownBefore + 2);
  });
});
