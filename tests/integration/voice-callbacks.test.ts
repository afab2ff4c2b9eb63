import crypto from 'node:crypto';
import request from 'supertest';
import { createTwilioCalls } from '../../src/channels/voice/twilio-calls';
import type { DatabaseHandle } from '../../src/db/database';
import { hashPassword } from '../../src/users/password';
import { upsertUser } from '../../src/users/user.repository';
import { buildTestHotline, TEST_PUBLIC_URL, type TestHotline } from '../support/app';
import { toneWav } from '../support/attachment-samples';
import { createFakeClock, type FakeClock } from '../support/clock';
import { signedInAgent } from '../support/console';
import { openTestDatabase } from '../support/database';
import { FAKE_ACCOUNT_SID, startFakeTwilio, type FakeTwilio } from '../support/fake-twilio';
import { createCapturingLogger } from '../support/logger';
import { parseTwiml } from '../support/twiml';
import { postSigned } from '../support/twilio-webhook';

// Calling workers back, against a fake Twilio that records the calls it is asked to make: the
// queue, "call back now" (the caseworker's phone first, the worker's number only in the TwiML
// Twilio fetches), machine detection, every outcome, the limit of tries, the missed safe window
// and who may see and do what. The worker's number must never reach the caseworker's browser.

const VOICE = '/webhooks/twilio/voice';
const PASSWORD = 'a long staff password';
const HOTLINE_NUMBER = '+6621234567';
const CASEWORKER_PHONE = '+66899990001';
// 03:00 UTC is 10:00 in Bangkok.
const START = '2026-12-02T03:00:00Z';

function number(prefix: string): string {
  return `${prefix}${crypto.randomInt(10_000_000, 99_999_999)}`;
}

/** The number in every way it could be written on a page: +66…, 66…, 0…, and digit groups. */
function numberForms(phone: string): string[] {
  const digits = phone.slice(1);
  return [phone, digits, `0${digits.slice(2)}`, digits.slice(-8)];
}

function expectNoNumber(text: string, phone: string): void {
  for (const form of numberForms(phone)) expect(text).not.toContain(form);
}

describe('voice call-backs', () => {
  let handle: DatabaseHandle;
  let twilio: FakeTwilio;
  let hotline: TestHotline;
  let clock: FakeClock;
  let ownerId: string;
  let coordinatorId: string;
  const logs = createCapturingLogger('debug');
  const workerNumbers: string[] = [];

  beforeAll(async () => {
    handle = await openTestDatabase();
    twilio = await startFakeTwilio();
    clock = createFakeClock(START);
    hotline = buildTestHotline(handle, {
      clock,
      logger: logs.logger,
      media: twilio.twilioOnlyMedia(),
      callbacks: { calls: createTwilioCalls(twilio.mediaConfig()), from: HOTLINE_NUMBER, maxAttempts: 3 },
    });
    const hash = await hashPassword(PASSWORD);
    const org = (slug: string) => handle.db.insertInto('organisations').values({ slug, name: slug, kind: 'ngo', country: 'TH' }).returning('id').executeTakeFirstOrThrow();
    const owner = await org('cb-owner');
    const other = await org('cb-other');
    const network = await handle.db.insertInto('organisations').values({ slug: 'cb-network', name: 'Network', kind: 'network', country: 'TH' }).returning('id').executeTakeFirstOrThrow();
    ownerId = owner.id;
    const user = (organisationId: string, email: string, role: string) =>
      upsertUser(handle.db, { organisationId, email, displayName: email, role, locale: 'en', passwordHash: hash });
    await user(owner.id, 'cw@owner.example.org', 'caseworker');
    await user(owner.id, 'nophone@owner.example.org', 'caseworker');
    await user(other.id, 'cw@other.example.org', 'caseworker');
    coordinatorId = await user(network.id, 'coord@example.org', 'coordinator');
    await user(network.id, 'research@example.org', 'researcher');
  });
  afterAll(async () => {
    await twilio.close();
    await handle.close();
  });

  /** A worker calls, leaves a message, asks to be called back at a safe time (1–4); the case is the owner's. */
  async function workerAsksForCallback(safeTimeKey: string) {
    const from = number('+6681');
    workerNumbers.push(from);
    const callSid = `CA${crypto.randomBytes(16).toString('hex')}`;
    const base = { CallSid: callSid, AccountSid: FAKE_ACCOUNT_SID, From: from, To: HOTLINE_NUMBER, Direction: 'inbound' };
    const post = (path: string, params: Record<string, string>) => postSigned(hotline.app, path, { ...base, ...params });
    await post(VOICE, { CallStatus: 'ringing' }).expect(200);
    await post(`${VOICE}/step?step=language`, { CallStatus: 'in-progress', Digits: '6' }).expect(200);
    await post(`${VOICE}/step?step=category`, { CallStatus: 'in-progress', Digits: '1' }).expect(200);
    const recording = twilio.addRecording(toneWav(2));
    const fields = { RecordingUrl: recording.url, RecordingSid: recording.sid, RecordingDuration: '2' };
    await post(`${VOICE}/step?step=record`, { CallStatus: 'in-progress', Digits: '#', ...fields }).expect(200);
    await post(`${VOICE}/recording`, { ...fields, RecordingStatus: 'completed' }).expect(204);
    await post(`${VOICE}/step?step=callback`, { CallStatus: 'in-progress', Digits: '1' }).expect(200);
    await post(`${VOICE}/step?step=safe_time`, { CallStatus: 'in-progress', Digits: safeTimeKey }).expect(200);
    await post(`${VOICE}/status`, { CallStatus: 'completed' }).expect(204);
    await hotline.runJobs();
    const call = await handle.db.selectFrom('calls').selectAll().where('call_sid', '=', callSid).executeTakeFirstOrThrow();
    const caseId = call.case_id ?? '';
    await handle.db.updateTable('cases').set({ owner_organisation_id: ownerId }).where('id', '=', caseId).execute();
    const { reference } = await handle.db.selectFrom('cases').select('reference').where('id', '=', caseId).executeTakeFirstOrThrow();
    return { from, callId: call.id, caseId, reference, attachmentId: call.recording_attachment_id ?? '' };
  }

  async function caseworker() {
    const signedIn = await signedInAgent(hotline.app, 'cw@owner.example.org', PASSWORD);
    await signedIn.agent.post('/console/phone').type('form').send({ phone: '+66 89 999 0001', _csrf: signedIn.csrf }).expect(303);
    return signedIn;
  }

  /** "Call back now" as the caseworker's browser does it; the new try's id and the CallSid of their leg. */
  async function callBackNow(agent: Awaited<ReturnType<typeof caseworker>>, callId: string, workerNumber: string) {
    const before = twilio.calls.length;
    const response = await agent.agent.post(`/console/callbacks/${callId}/call`).type('form').send({ _csrf: agent.csrf }).expect(303);
    expect(response.headers['location']).toBe('/console/callbacks?notice=calling');
    expectNoNumber(JSON.stringify(response.headers) + response.text, workerNumber);
    expect(twilio.calls).toHaveLength(before + 1);
    const made = twilio.calls.at(-1);
    const attemptId = /attempt=([0-9a-f-]{36})$/.exec(made?.form['Url'] ?? '')?.[1] ?? '';
    return { attemptId, legSid: made?.sid ?? '', made };
  }

  const bridge = (attemptId: string, legSid: string) =>
    postSigned(hotline.app, `${VOICE}/callback?attempt=${attemptId}`, { CallSid: legSid, AccountSid: FAKE_ACCOUNT_SID, From: HOTLINE_NUMBER, To: CASEWORKER_PHONE, CallStatus: 'in-progress', Direction: 'outbound-api' }).expect(200);
  const workerSide = (attemptId: string, answeredBy: string) =>
    postSigned(hotline.app, `${VOICE}/callback/answered?attempt=${attemptId}`, { CallSid: `CA${crypto.randomBytes(16).toString('hex')}`, AccountSid: FAKE_ACCOUNT_SID, AnsweredBy: answeredBy }).expect(200);
  const outcome = (agent: Awaited<ReturnType<typeof caseworker>>, attemptId: string, value: string) =>
    agent.agent.post(`/console/callbacks/attempts/${attemptId}/outcome`).type('form').send({ outcome: value, _csrf: agent.csrf });
  const attemptsOf = (callId: string) =>
    handle.db.selectFrom('callback_attempts').select(['id', 'outcome', 'status', 'answered_by']).where('call_id', '=', callId).orderBy('created_at').execute();
  const eventsOf = (caseId: string, type: string) =>
    handle.db.selectFrom('case_events').select(['data']).where('case_id', '=', caseId).where('type', '=', type).orderBy('created_at').orderBy('id').execute();

  it('queues a wanted call-back with its recording, its safe time in the worker\'s zone and its tries, never the worker\'s number', async () => {
    const wanted = await workerAsksForCallback('3');
    const agent = await caseworker();
    // Before the worker's consent to share, the owner's caseworker sees the case in the limited view: the recording stays closed.
    const limited = (await agent.agent.get('/console/callbacks').expect(200)).text;
    expect(limited).not.toContain(`/attachments/${wanted.attachmentId}`);
    expect(limited).toContain('You can listen once the worker&#39;s consent to share is recorded');
    await handle.db.updateTable('cases').set({ consent_given: true, consent_source: 'staff', consent_at: clock.now(), consent_wording: 'May we share your details with a partner organisation?' }).where('id', '=', wanted.caseId).execute();
    const page = (await agent.agent.get('/console/callbacks').expect(200)).text;
    expect(page).toContain(`<a href="/console/cases/${wanted.reference}">${wanted.reference}</a>`);
    expect(page).toContain(`<audio controls preload="none" src="/console/cases/${wanted.reference}/attachments/${wanted.attachmentId}"`);
    expect(page).toContain('Evening, 18:00–22:00 (Indochina Time)');
    expect(page).toMatch(/Call by Dec 2, 2026, 10:00\sPM \(Thailand Time\)/);
    expect(page).toContain('0 of 3');
    expect(page).toContain('Call back now');
    expectNoNumber(page, wanted.from);
    expectNoNumber(page, CASEWORKER_PHONE);
    // The audio the page points at is the worker's message, served to the case's staff.
    const audio = await agent.agent.get(`/console/cases/${wanted.reference}/attachments/${wanted.attachmentId}`).expect(200);
    expect(audio.headers['content-type']).toMatch(/^audio\//);
    // The menu leads there.
    expect((await agent.agent.get('/console').expect(200)).text).toContain('href="/console/callbacks"');
  });

  it('calls the caseworker first from the hotline\'s number, then dials the worker unrecorded with machine detection; no answer, voicemail, someone else: three tries and out', async () => {
    const wanted = await workerAsksForCallback('4');
    const agent = await caseworker();

    const first = await callBackNow(agent, wanted.callId, wanted.from);
    expect(first.made?.form).toEqual({
      To: CASEWORKER_PHONE,
      From: HOTLINE_NUMBER,
      Url: `${TEST_PUBLIC_URL}${VOICE}/callback?attempt=${first.attemptId}`,
      Method: 'POST',
      StatusCallback: `${TEST_PUBLIC_URL}${VOICE}/callback/status?attempt=${first.attemptId}`,
      StatusCallbackMethod: 'POST',
      Record: 'false',
    });
    expect(first.made?.path).toBe(`/2010-04-01/Accounts/${FAKE_ACCOUNT_SID}/Calls.json`);
    const audited = await handle.db.selectFrom('audit_log').select(['action', 'subject_id']).where('case_id', '=', wanted.caseId).where('action', '=', 'callback.started').execute();
    expect(audited).toEqual([{ action: 'callback.started', subject_id: wanted.callId }]);
    expectNoNumber(JSON.stringify(first.made), wanted.from);
    // While it rings, the caseworker's page shows the words to say and the outcome form, and no number.
    const calling = (await agent.agent.get('/console/callbacks?notice=calling').expect(200)).text;
    expect(calling).toContain('Your phone is ringing.');
    expect(calling).toContain('“Sorry, wrong number.”');
    expect(calling).toContain(`action="/console/callbacks/attempts/${first.attemptId}/outcome"`);
    expectNoNumber(calling, wanted.from);

    // The caseworker answers: Twilio fetches the TwiML that dials the worker.
    const verbs = parseTwiml((await bridge(first.attemptId, first.legSid)).text);
    expect(verbs.map((verb) => verb.name)).toEqual(['Dial']);
    const dial = verbs[0];
    expect(dial?.attributes).toMatchObject({ callerId: HOTLINE_NUMBER, answerOnBridge: 'true', record: 'do-not-record' });
    expect(dial?.children).toHaveLength(1);
    const numberNoun = dial?.children[0];
    expect(numberNoun?.name).toBe('Number');
    expect(numberNoun?.text).toBe(wanted.from);
    expect(numberNoun?.attributes).toMatchObject({
      machineDetection: 'Enable',
      amdStatusCallback: `${TEST_PUBLIC_URL}${VOICE}/callback/amd?attempt=${first.attemptId}`,
      url: `${TEST_PUBLIC_URL}${VOICE}/callback/answered?attempt=${first.attemptId}`,
    });
    // Twilio asking again for a try already bridged: nothing is dialled twice.
    expect(parseTwiml((await bridge(first.attemptId, first.legSid)).text).map((verb) => verb.name)).toEqual(['Hangup']);
    // A person picks up on the worker's side: connected, nothing said to them.
    expect(parseTwiml((await workerSide(first.attemptId, 'human')).text)).toEqual([]);
    await outcome(agent, first.attemptId, 'no_answer').expect(303);
    expect(await attemptsOf(wanted.callId)).toEqual([expect.objectContaining({ outcome: 'no_answer', answered_by: 'human' })]);
    expect((await agent.agent.get('/console/callbacks').expect(200)).text).toContain('1 of 3');

    // Second try: a voicemail answers on the worker's side. Hung up without a word, recorded, the caseworker's leg ended.
    const second = await callBackNow(agent, wanted.callId, wanted.from);
    await bridge(second.attemptId, second.legSid);
    expect(parseTwiml((await workerSide(second.attemptId, 'machine_start')).text).map((verb) => verb.name)).toEqual(['Hangup']);
    await postSigned(hotline.app, `${VOICE}/callback/amd?attempt=${second.attemptId}`, { CallSid: `CA${crypto.randomBytes(16).toString('hex')}`, AccountSid: FAKE_ACCOUNT_SID, AnsweredBy: 'machine_start' }).expect(204);
    expect(twilio.callUpdates).toContainEqual(expect.objectContaining({ sid: second.legSid, form: { Status: 'completed' } }));
    expect((await attemptsOf(wanted.callId))[1]).toMatchObject({ outcome: 'voicemail', answered_by: 'machine_start' });
    // The machine's verdict stands: the caseworker cannot record another outcome for that try.
    await outcome(agent, second.attemptId, 'reached').expect(409);

    // Third try: someone else answers. The limit is reached: the call-back leaves the queue.
    const third = await callBackNow(agent, wanted.callId, wanted.from);
    await bridge(third.attemptId, third.legSid);
    await workerSide(third.attemptId, 'human');
    expect((await outcome(agent, third.attemptId, 'someone_else').expect(303)).headers['location']).toBe('/console/callbacks?notice=closed_now');
    const queue = (await agent.agent.get('/console/callbacks').expect(200)).text;
    expect(queue).not.toContain(wanted.reference);
    expect(await handle.db.selectFrom('calls').select('callback_closed_as').where('id', '=', wanted.callId).executeTakeFirstOrThrow()).toEqual({ callback_closed_as: 'max_attempts' });
    // Each try is on the case's timeline.
    const tries = await eventsOf(wanted.caseId, 'call.callback_attempted');
    expect(tries.map((event) => [event.data['attempt'], event.data['outcome']])).toEqual([[1, 'no_answer'], [2, 'voicemail'], [3, 'someone_else']]);
    const casePage = (await agent.agent.get(`/console/cases/${wanted.reference}`).expect(200)).text;
    expect(casePage).toContain('Call-back, try 2 of 3: Voicemail — hung up');
    expect(casePage).toContain('Call-back, try 3 of 3: Someone else answered');
    expectNoNumber(casePage, wanted.from);
    // No more call-backs on a closed one.
    await agent.agent.post(`/console/callbacks/${wanted.callId}/call`).type('form').send({ _csrf: agent.csrf }).expect(409);
  });

  it('keeps a call-back queued after "not safe now" and takes it out once the worker is reached', async () => {
    const wanted = await workerAsksForCallback('2');
    const agent = await caseworker();
    const first = await callBackNow(agent, wanted.callId, wanted.from);
    // A second "call back now" while the first still rings is refused.
    const busy = await agent.agent.post(`/console/callbacks/${wanted.callId}/call`).type('form').send({ _csrf: agent.csrf }).expect(409);
    expect(busy.text).toContain('Someone is already calling this worker.');
    await bridge(first.attemptId, first.legSid);
    await outcome(agent, first.attemptId, 'not_safe').expect(303);
    expect((await agent.agent.get('/console/callbacks').expect(200)).text).toContain(wanted.reference);
    const second = await callBackNow(agent, wanted.callId, wanted.from);
    await bridge(second.attemptId, second.legSid);
    expect((await outcome(agent, second.attemptId, 'reached').expect(303)).headers['location']).toBe('/console/callbacks?notice=closed_now');
    expect((await agent.agent.get('/console/callbacks').expect(200)).text).not.toContain(wanted.reference);
    expect((await eventsOf(wanted.caseId, 'call.callback_attempted')).map((event) => event.data['outcome'])).toEqual(['not_safe', 'reached']);
  });

  it('counts a try whose caseworker never answered as no try', async () => {
    const wanted = await workerAsksForCallback('4');
    const agent = await caseworker();
    const first = await callBackNow(agent, wanted.callId, wanted.from);
    await postSigned(hotline.app, `${VOICE}/callback/status?attempt=${first.attemptId}`, { CallSid: first.legSid, AccountSid: FAKE_ACCOUNT_SID, CallStatus: 'no-answer' }).expect(204);
    expect(parseTwiml((await bridge(first.attemptId, first.legSid)).text).map((verb) => verb.name)).toEqual(['Hangup']);
    await outcome(agent, first.attemptId, 'no_answer').expect(409);
    expect((await agent.agent.get('/console/callbacks').expect(200)).text).toContain('0 of 3');
  });

  it('tells a caseworker with no phone on their profile to add one, and rings nobody', async () => {
    const wanted = await workerAsksForCallback('4');
    const { agent, csrf } = await signedInAgent(hotline.app, 'nophone@owner.example.org', PASSWORD);
    const home = (await agent.get('/console').expect(200)).text;
    expect(home).toContain('name="phone"');
    expect(home).toContain('No number is saved yet.');
    const before = twilio.calls.length;
    const refused = await agent.post(`/console/callbacks/${wanted.callId}/call`).type('form').send({ _csrf: csrf }).expect(409);
    expect(refused.text).toContain('Add your own phone number below first');
    expect(twilio.calls).toHaveLength(before);
    // A number that is not one is not kept.
    expect((await agent.post('/console/phone').type('form').send({ phone: 'call me', _csrf: csrf }).expect(303)).headers['location']).toBe('/console/callbacks?notice=phone_invalid');
    const row = await handle.db.selectFrom('users').select('phone_encrypted').where('email', '=', 'nophone@owner.example.org').executeTakeFirstOrThrow();
    expect(row.phone_encrypted).toBeNull();
  });

  it('keeps the caseworker\'s phone sealed at rest', async () => {
    await caseworker();
    const row = await handle.db.selectFrom('users').select('phone_encrypted').where('email', '=', 'cw@owner.example.org').executeTakeFirstOrThrow();
    expect(row.phone_encrypted).not.toContain('99990001');
    expect(hotline.cipher.open(row.phone_encrypted ?? '')).toBe(CASEWORKER_PHONE);
  });

  it('shows the queue to the owner\'s staff and coordinators only', async () => {
    const wanted = await workerAsksForCallback('4');
    const owner = await caseworker();
    const { attemptId } = await callBackNow(owner, wanted.callId, wanted.from);

    const other = await signedInAgent(hotline.app, 'cw@other.example.org', PASSWORD);
    expect((await other.agent.get('/console/callbacks').expect(200)).text).not.toContain(wanted.reference);
    await other.agent.post(`/console/callbacks/${wanted.callId}/call`).type('form').send({ _csrf: other.csrf }).expect(404);
    await other.agent.post(`/console/callbacks/attempts/${attemptId}/outcome`).type('form').send({ outcome: 'reached', _csrf: other.csrf }).expect(404);

    const researcher = await signedInAgent(hotline.app, 'research@example.org', PASSWORD);
    await researcher.agent.get('/console/callbacks').expect(403);
    await researcher.agent.post(`/console/callbacks/${wanted.callId}/call`).type('form').send({ _csrf: researcher.csrf }).expect(403);

    const coordinator = await signedInAgent(hotline.app, 'coord@example.org', PASSWORD);
    expect((await coordinator.agent.get('/console/callbacks').expect(200)).text).toContain(wanted.reference);
    // Not signed in at all: to the sign-in page, or refused.
    expect([302, 303, 401]).toContain((await request(hotline.app).get('/console/callbacks')).status);
    // A forged form without the session's token is refused.
    await owner.agent.post(`/console/callbacks/attempts/${attemptId}/outcome`).type('form').send({ outcome: 'reached' }).expect(403);
    await outcome(owner, attemptId, 'reached').expect(303);
  });

  it('writes no worker\'s number and no caseworker\'s phone to the logs', () => {
    const written = logs.lines().join('\n');
    expect(written.length).toBeGreaterThan(0);
    for (const phone of [...workerNumbers, CASEWORKER_PHONE]) expectNoNumber(written, phone);
  });

  it('refuses unsigned call-back webhooks', async () => {
    await request(hotline.app).post(`${VOICE}/callback?attempt=${crypto.randomUUID()}`).type('form').send({ CallSid: `CA${'0'.repeat(32)}` }).expect(400);
  });

  it('flags to coordinators, once, a call-back nobody made by the end of its safe window', async () => {
    clock.set(START);
    const morning = await workerAsksForCallback('1');
    const anyTime = await workerAsksForCallback('4');
    const flagRun = async () => {
      await handle.db.transaction().execute((trx) => hotline.jobs.enqueue(trx, 'callback.flag_missed', {}));
      await hotline.runJobs();
    };
    // 11:30 in Bangkok: the morning window (06–12) is still open.
    clock.set('2026-12-02T04:30:00Z');
    await flagRun();
    expect(await eventsOf(morning.caseId, 'call.callback_window_missed')).toEqual([]);
    // 12:30 in Bangkok: missed.
    clock.set('2026-12-02T05:30:00Z');
    await flagRun();
    await flagRun();
    expect(await eventsOf(morning.caseId, 'call.callback_window_missed')).toHaveLength(1);
    expect(await eventsOf(anyTime.caseId, 'call.callback_window_missed')).toEqual([]);
    const notices = await handle.db.selectFrom('notifications').select(['kind', 'case_id']).where('user_id', '=', coordinatorId).where('kind', '=', 'callback.window_missed').execute();
    expect(notices).toEqual([{ kind: 'callback.window_missed', case_id: morning.caseId }]);
    const coordinator = await signedInAgent(hotline.app, 'coord@example.org', PASSWORD);
    const page = (await coordinator.agent.get('/console/notifications').expect(200)).text;
    expect(page).toContain('Call-back not made in the worker&#39;s safe time');
    expect((await coordinator.agent.get('/console/callbacks').expect(200)).text).toContain('Safe time missed');
    // "Any time" gives a day.
    clock.set('2026-12-03T03:30:00Z');
    await flagRun();
    expect(await eventsOf(anyTime.caseId, 'call.callback_window_missed')).toHaveLength(1);
  });
});
