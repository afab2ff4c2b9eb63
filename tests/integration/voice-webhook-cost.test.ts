import crypto from 'node:crypto';
import { PROMPT_COVERAGE_TTL_MS } from '../../src/channels/voice/recorded-prompts';
import type { DatabaseHandle } from '../../src/db/database';
import { buildTestHotline, type TestHotline } from '../support/app';
import { createFakeClock, type FakeClock } from '../support/clock';
import { openTestDatabase } from '../support/database';
import { FAKE_ACCOUNT_SID } from '../support/fake-twilio';
import { createStatementCounter } from '../support/statement-counter';
import { postSigned } from '../support/twilio-webhook';

// What each of the voice line's webhooks costs the database, counted in statements (BEGIN and
// COMMIT aside): a number that does not depend on the machine's load, unlike the benchmark's
// milliseconds. Twilio waits for each answer while the caller hears silence, so the work behind a
// webhook stays small: one statement reads and locks the call with all it needs, one writes it.

const VOICE = '/webhooks/twilio/voice';

type Webhook = [step: string, path: string, params: Record<string, string>];

/** The webhooks of the benchmark's call: English, wages, a message, a call-back in the afternoon, the hang-up. */
function scriptOf(options: { hasOpenCase: boolean }): Webhook[] {
  const recording = { RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/${FAKE_ACCOUNT_SID}/Recordings/RE${'1'.repeat(32)}`, RecordingSid: `RE${crypto.randomBytes(16).toString('hex')}`, RecordingDuration: '2' };
  return [
    ['ring', VOICE, { CallStatus: 'ringing' }],
    ['language', `${VOICE}/step?step=language`, { CallStatus: 'in-progress', Digits: '6' }],
    // A caller with an open case is not asked their problem: their message joins the case.
    ...(options.hasOpenCase ? [] : [['category', `${VOICE}/step?step=category`, { CallStatus: 'in-progress', Digits: '1' }] as Webhook]),
    ['record', `${VOICE}/step?step=record`, { CallStatus: 'in-progress', Digits: '#', ...recording }],
    ['recording', `${VOICE}/recording`, { ...recording, RecordingStatus: 'completed' }],
    ['callback', `${VOICE}/step?step=callback`, { CallStatus: 'in-progress', Digits: '1' }],
    ['safe_time', `${VOICE}/step?step=safe_time`, { CallStatus: 'in-progress', Digits: '2' }],
    ['status', `${VOICE}/status`, { CallStatus: 'completed', CallDuration: '60' }],
  ];
}

function newNumber(): string {
  return `+6689${crypto.randomInt(1_000_000, 9_999_999)}`;
}

describe('the voice line\'s webhooks, counted in statements', () => {
  let handle: DatabaseHandle;
  let hotline: TestHotline;
  let clock: FakeClock;
  const counter = createStatementCounter();

  beforeAll(async () => {
    handle = await openTestDatabase();
    clock = createFakeClock('2026-12-02T08:00:00Z');
    hotline = buildTestHotline({ ...handle, db: handle.db.withPlugin(counter) }, { clock });
  });
  afterAll(async () => {
    await handle.close();
  });

  /** Plays a call's webhooks in order; the statements each one ran. */
  async function costOfCall(from: string, options = { hasOpenCase: false }): Promise<Record<string, number>> {
    const base = { CallSid: `CA${crypto.randomBytes(16).toString('hex')}`, AccountSid: FAKE_ACCOUNT_SID, From: from, To: '+6621234567', Direction: 'inbound', ApiVersion: '2010-04-01' };
    const cost: Record<string, number> = {};
    counter.take();
    for (const [step, path, params] of scriptOf(options)) {
      const response = await postSigned(hotline.app, path, { ...base, ...params });
      expect([200, 204]).toContain(response.status);
      cost[step] = counter.take();
    }
    return cost;
  }

  it('answers each webhook of a call from a new number in a handful of statements, opening the case\'s row alone in the request', async () => {
    const cost = await costOfCall(newNumber());
    // Ring: the number's identities, the new call (and the recorded prompts, read at most every few seconds).
    // Record: the caller's voice contact, their new data key (read, made), their number sealed under it, the job queued,
    // the recording's attachment, the call; then the case's row on its own.
    expect(cost).toEqual({ ring: 3, language: 2, category: 2, record: 9, recording: 3, callback: 3, safe_time: 3, status: 2 });
  });

  it('reads the recorded prompts once for many calls, again only once their copy is old', async () => {
    expect((await costOfCall(newNumber())).ring).toBe(2);
    clock.advance(PROMPT_COVERAGE_TTL_MS);
    expect((await costOfCall(newNumber())).ring).toBe(3);
  });

  it('answers each webhook of a caller with an open case in a handful of statements, leaving the case\'s work to the job', async () => {
    const from = newNumber();
    await costOfCall(from);
    await hotline.runJobs();
    const cost = await costOfCall(from, { hasOpenCase: true });
    // Ring: their identities, their open case, the new call. Language: the call and their contact's language.
    // Record: their person held (share-locked: an erasure since the call began makes them a new caller), their data key (the
    // recording's address is sealed under it), the job queued, the recording's attachment, the call; nothing on the case.
    expect(cost).toEqual({ ring: 3, language: 3, record: 6, recording: 3, callback: 3, safe_time: 3, status: 2 });
  });
});
