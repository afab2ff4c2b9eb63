import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { DatabaseHandle } from '../../src/db/database';
import { buildTestHotline, type TestHotline } from '../support/app';
import { toneWav } from '../support/attachment-samples';
import { createFakeClock, type FakeClock } from '../support/clock';
import { openTestDatabase } from '../support/database';
import { FAKE_ACCOUNT_SID, startFakeTwilio, type FakeTwilio } from '../support/fake-twilio';
import { heard, parseTwiml } from '../support/twiml';
import { postSigned } from '../support/twilio-webhook';

// The caller's message is filed on its case by a job (`voice.file_message`), so that the webhook
// answering <Record> answers at once: its transaction keeps the recording and queues the job, and
// a new case's row follows in a statement of its own (its reference is what the caller hears at
// the end); the job records the opening, completes the intake and lets routing run, or adds the
// message to the caller's open case. Should the case's row fail, the job opens the case itself.

const VOICE = '/webhooks/twilio/voice';

function number(prefix: string): string {
  return `${prefix}${crypto.randomInt(10_000_000, 99_999_999)}`;
}

describe('the job that files a caller\'s message on its case', () => {
  let handle: DatabaseHandle;
  let twilio: FakeTwilio;
  let hotline: TestHotline;
  let clock: FakeClock;

  beforeAll(async () => {
    handle = await openTestDatabase();
    twilio = await startFakeTwilio();
    clock = createFakeClock('2026-12-02T08:00:00Z');
    hotline = buildTestHotline(handle, { clock, media: twilio.twilioOnlyMedia() });
  });
  afterAll(async () => {
    await twilio.close();
    await handle.close();
  });

  function phoneCall(from: string) {
    const callSid = `CA${crypto.randomBytes(16).toString('hex')}`;
    const base = { CallSid: callSid, AccountSid: FAKE_ACCOUNT_SID, From: from, To: '+6621234567', Direction: 'inbound' };
    const post = async (path: string, params: Record<string, string>) => (await postSigned(hotline.app, path, { ...base, ...params })).text;
    return {
      callSid,
      ring: () => post(VOICE, { CallStatus: 'ringing' }),
      press: (step: string, digits: string) => post(`${VOICE}/step?step=${step}`, { CallStatus: 'in-progress', Digits: digits }),
      /** The <Record> answer only: Twilio's recording status callback comes with `recordingReady`. */
      async leaveMessage() {
        const recording = twilio.addRecording(toneWav(1));
        const fields = { RecordingUrl: recording.url, RecordingSid: recording.sid, RecordingDuration: '1' };
        await post(`${VOICE}/step?step=record`, { CallStatus: 'in-progress', Digits: '#', ...fields });
        return { recordingReady: () => post(`${VOICE}/recording`, { ...fields, RecordingStatus: 'completed' }) };
      },
      hangUp: () => post(`${VOICE}/status`, { CallStatus: 'completed' }),
    };
  }

  const callRow = (callSid: string) => handle.db.selectFrom('calls').selectAll().where('call_sid', '=', callSid).executeTakeFirstOrThrow();
  const caseById = (id: string | null) => handle.db.selectFrom('cases').selectAll().where('id', '=', id ?? '').executeTakeFirstOrThrow();
  const eventTypes = async (caseId: string) =>
    (await handle.db.selectFrom('case_events').select('type').where('case_id', '=', caseId).orderBy('created_at').orderBy('id').execute()).map((event) => event.type);
  const count = (types: string[], type: string) => types.filter((each) => each === type).length;
  const filingJobs = () => handle.db.selectFrom('jobs_outbox').select(['payload', 'status', 'attempts', 'last_error']).where('name', '=', 'voice.file_message').orderBy('created_at').execute();
  /** The case number as the goodbye reads it out, letters and digits. */
  const referenceHeard = (twiml: string) => {
    const said = heard(parseTwiml(twiml)).map((item) => ('say' in item ? item.say : ''));
    return said[1]?.replace(/[^0-9A-Z]/g, '');
  };

  /** A call from a new number to the goodbye (no call-back); the call's row and the reference heard. */
  async function wholeCall(from: string, options: { beforeGoodbye?: (callSid: string) => Promise<void> } = {}) {
    const call = phoneCall(from);
    await call.ring();
    await call.press('language', '6');
    await call.press('category', '1');
    const message = await call.leaveMessage();
    await message.recordingReady();
    await options.beforeGoodbye?.(call.callSid);
    const goodbye = await call.press('callback', '2');
    await call.hangUp();
    return { call, row: await callRow(call.callSid), reference: referenceHeard(goodbye) };
  }

  it('opens the case by the job: its row and reference at once, the opening, intake and routing when the job runs', async () => {
    const from = number('+6681');
    const { row, reference } = await wholeCall(from, {
      beforeGoodbye: async (callSid) => {
        // Before the job: the case's row only, not yet complete and with nothing on its timeline.
        const waiting = await callRow(callSid);
        const opened = await caseById(waiting.case_id);
        expect(opened).toMatchObject({ channel: 'voice', language: 'en', categories: ['wages'], intake_complete: false, status: 'new' });
        expect(await eventTypes(opened.id)).toEqual([]);
      },
    });
    const opened = await caseById(row.case_id);
    // The caller heard the case's own reference, before any job ran.
    expect(reference).toBe(opened.reference.replace('-', ''));
    // The job carries the call's id and nothing else: no number, no recording URL.
    const [job] = await filingJobs();
    expect(job?.payload).toEqual({ callId: row.id });
    expect(JSON.stringify(job?.payload)).not.toContain(from.slice(1));

    await hotline.runJobs();
    const filed = await caseById(row.case_id);
    expect(filed).toMatchObject({ reference: opened.reference, intake_complete: true, person_id: opened.person_id });
    const types = await eventTypes(filed.id);
    // Routing ran on the completed intake: with no rule here, the case waits in triage.
    expect(types).toEqual(expect.arrayContaining(['case.opened', 'case.intake_completed', 'case.needs_triage', 'call.message_left', 'attachment.stored']));
    const left = await handle.db.selectFrom('case_events').select('data').where('case_id', '=', filed.id).where('type', '=', 'call.message_left').executeTakeFirstOrThrow();
    expect(left.data).toEqual({ callId: row.id, attachmentId: row.recording_attachment_id });
    const audit = await handle.db.selectFrom('audit_log').select(['subject_id', 'details']).where('action', '=', 'case.created').where('case_id', '=', filed.id).execute();
    expect(audit).toEqual([{ subject_id: opened.reference, details: { channel: 'voice' } }]);
    expect((await filingJobs()).map((each) => each.status)).toEqual(['done']);
  });

  it('retries a filing that failed until it is done, losing nothing the worker recorded', async () => {
    await sql`create function refuse_intake_for_test() returns trigger language plpgsql as $$
      begin
        if new.type = 'case.intake_completed' then raise exception 'filing refused by the test'; end if;
        return new;
      end $$`.execute(handle.db);
    await sql`create trigger refuse_intake_for_test before insert on case_events for each row execute function refuse_intake_for_test()`.execute(handle.db);
    let row;
    try {
      ({ row } = await wholeCall(number('+6682')));
      await hotline.runJobs();
      const [, failed] = await filingJobs();
      expect(failed).toMatchObject({ status: 'pending', attempts: 1, last_error: expect.stringContaining('filing refused by the test') });
      // The failed run left nothing half done; the case's row and the message are there meanwhile.
      const waiting = await caseById(row.case_id);
      expect(waiting.intake_complete).toBe(false);
      expect(await eventTypes(waiting.id)).not.toContain('case.opened');
      const attachment = await handle.db.selectFrom('attachments').select(['case_id', 'status']).where('id', '=', row.recording_attachment_id ?? '').executeTakeFirstOrThrow();
      expect(attachment).toEqual({ case_id: waiting.id, status: 'stored' });
    } finally {
      await sql`drop trigger refuse_intake_for_test on case_events`.execute(handle.db);
      await sql`drop function refuse_intake_for_test()`.execute(handle.db);
    }
    clock.advance(5_000);
    await hotline.runJobs();
    const [, retried] = await filingJobs();
    expect(retried).toMatchObject({ status: 'done', attempts: 2 });
    const filed = await caseById(row.case_id);
    expect(filed.intake_complete).toBe(true);
    const types = await eventTypes(filed.id);
    expect([count(types, 'case.opened'), count(types, 'case.intake_completed'), count(types, 'call.message_left')]).toEqual([1, 1, 1]);
  });

  it('opens the case by the job when the webhook that took the message could not, and the caller still hears its reference', async () => {
    await sql`create function refuse_voice_case_for_test() returns trigger language plpgsql as $$
      begin
        if new.channel = 'voice' then raise exception 'case refused by the test'; end if;
        return new;
      end $$`.execute(handle.db);
    await sql`create trigger refuse_voice_case_for_test before insert on cases for each row execute function refuse_voice_case_for_test()`.execute(handle.db);
    const call = phoneCall(number('+6686'));
    try {
      await call.ring();
      await call.press('language', '6');
      await call.press('category', '2');
      const recording = twilio.addRecording(toneWav(1));
      const fields = { RecordingUrl: recording.url, RecordingSid: recording.sid, RecordingDuration: '1' };
      // The message is kept and its job queued; only the case's row could not be inserted.
      await postSigned(hotline.app, `${VOICE}/step?step=record`, { CallSid: call.callSid, AccountSid: FAKE_ACCOUNT_SID, Digits: '#', ...fields }).expect(500);
      const kept = await callRow(call.callSid);
      expect(kept.case_id).toBeNull();
      expect(kept.recording_attachment_id).not.toBeNull();
    } finally {
      await sql`drop trigger refuse_voice_case_for_test on cases`.execute(handle.db);
      await sql`drop function refuse_voice_case_for_test()`.execute(handle.db);
    }
    await hotline.runJobs();
    const row = await callRow(call.callSid);
    const opened = await caseById(row.case_id);
    expect(opened).toMatchObject({ channel: 'voice', categories: ['documents'], intake_complete: true });
    const attachment = await handle.db.selectFrom('attachments').select('case_id').where('id', '=', row.recording_attachment_id ?? '').executeTakeFirstOrThrow();
    expect(attachment.case_id).toBe(opened.id);
    expect(await eventTypes(opened.id)).toEqual(expect.arrayContaining(['case.opened', 'case.intake_completed', 'call.message_left']));
    expect(referenceHeard(await call.press('callback', '2'))).toBe(opened.reference.replace('-', ''));
  });

  it('files a message once, however often its job runs', async () => {
    const { row } = await wholeCall(number('+6683'));
    await hotline.runJobs();
    const before = await eventTypes(row.case_id ?? '');
    await hotline.jobs.enqueue(handle.db, 'voice.file_message', { callId: row.id });
    await hotline.runJobs();
    expect(await eventTypes(row.case_id ?? '')).toEqual(before);
    expect(count(before, 'call.message_left')).toBe(1);
  });

  it('adds a later message to the case the first one opened, and reads out that case\'s reference', async () => {
    const from = number('+6684');
    const first = await wholeCall(from);
    await hotline.runJobs();
    const opened = await caseById(first.row.case_id);
    clock.advance(60_000);

    const call = phoneCall(from);
    await call.ring();
    expect(await call.press('language', '6')).toContain('We already have your case.');
    await (await call.leaveMessage()).recordingReady();
    const goodbye = await call.press('callback', '2');
    expect(referenceHeard(goodbye)).toBe(opened.reference.replace('-', ''));
    await hotline.runJobs();

    const second = await callRow(call.callSid);
    expect(second.case_id).toBe(opened.id);
    const joined = await caseById(opened.id);
    expect(joined.last_worker_message_at?.getTime()).toBeGreaterThan(opened.last_worker_message_at?.getTime() ?? Infinity);
    const types = await eventTypes(opened.id);
    expect([count(types, 'case.opened'), count(types, 'call.message_left')]).toEqual([1, 2]);
    expect(await handle.db.selectFrom('cases').select('id').where('person_id', '=', opened.person_id).execute()).toHaveLength(1);
  });

  it('joins the case a first call opened even when the second call comes before the first call\'s job ran', async () => {
    const from = number('+6685');
    const first = await wholeCall(from);
    const second = await wholeCall(from);
    const opened = await caseById(first.row.case_id);
    expect(second.row.case_id).toBe(opened.id);
    expect(second.reference).toBe(opened.reference.replace('-', ''));
    await hotline.runJobs();
    const types = await eventTypes(opened.id);
    expect([count(types, 'case.opened'), count(types, 'case.intake_completed'), count(types, 'call.message_left')]).toEqual([1, 1, 2]);
    expect((await caseById(opened.id)).intake_complete).toBe(true);
  });
});
