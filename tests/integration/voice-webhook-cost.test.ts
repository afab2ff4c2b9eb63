import crypto from 'node:crypto';
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import type { DatabaseHandle } from '../../src/db/database';
import { buildTestHotline, type TestHotline } from '../support/app';
import { createFakeClock } from '../support/clock';
import { openTestDatabase } from '../support/database';
import { FAKE_ACCOUNT_SID } from '../support/fake-twilio';
import { postSigned } from '../support/twilio-webhook';

// What each of the voice line's webhooks costs the database, counted in statements: a number that
// does not depend on the machine's load, unlike the benchmark's milliseconds. Twilio waits for
// each answer while the caller hears silence, so the work behind a webhook stays small.

/** Counts the statements run through the database handle. */
function statementCounter(): KyselyPlugin & { take(): number } {
  let count = 0;
  return {
    transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
      count += 1;
      return args.node;
    },
    async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
      return args.result;
    },
    take() {
      const taken = count;
      count = 0;
      return taken;
    },
  };
}

const VOICE = '/webhooks/twilio/voice';

describe('the voice line\'s webhooks, counted in statements', () => {
  let handle: DatabaseHandle;
  let hotline: TestHotline;
  const counter = statementCounter();

  beforeAll(async () => {
    handle = await openTestDatabase();
    hotline = buildTestHotline({ ...handle, db: handle.db.withPlugin(counter) }, { clock: createFakeClock('2026-12-02T08:00:00Z') });
  });
  afterAll(async () => {
    await handle.close();
  });

  /** The benchmark's call: a new number, English, wages, a message, a call-back in the afternoon, the hang-up. */
  async function costOfCall(from: string): Promise<Record<string, number>> {
    const base = { CallSid: `CA${crypto.randomBytes(16).toString('hex')}`, AccountSid: FAKE_ACCOUNT_SID, From: from, To: '+6621234567', Direction: 'inbound', ApiVersion: '2010-04-01' };
    const recording = { RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/${FAKE_ACCOUNT_SID}/Recordings/RE${'1'.repeat(32)}`, RecordingSid: `RE${crypto.randomBytes(16).toString('hex')}`, RecordingDuration: '2' };
    const webhooks: [string, string, Record<string, string>][] = [
      ['ring', VOICE, { CallStatus: 'ringing' }],
      ['language', `${VOICE}/step?step=language`, { CallStatus: 'in-progress', Digits: '6' }],
      ['category', `${VOICE}/step?step=category`, { CallStatus: 'in-progress', Digits: '1' }],
      ['record', `${VOICE}/step?step=record`, { CallStatus: 'in-progress', Digits: '#', ...recording }],
      ['recording', `${VOICE}/recording`, { ...recording, RecordingStatus: 'completed' }],
      ['callback', `${VOICE}/step?step=callback`, { CallStatus: 'in-progress', Digits: '1' }],
      ['safe_time', `${VOICE}/step?step=safe_time`, { CallStatus: 'in-progress', Digits: '2' }],
      ['status', `${VOICE}/status`, { CallStatus: 'completed', CallDuration: '60' }],
    ];
    const cost: Record<string, number> = {};
    counter.take();
    for (const [step, path, params] of webhooks) {
      const response = await postSigned(hotline.app, path, { ...base, ...params });
      expect([200, 204]).toContain(response.status);
      cost[step] = counter.take();
    }
    return cost;
  }

  it('answers each webhook of a first call in a handful of statements', async () => {
    const cost = await costOfCall(`+6689${crypto.randomInt(1_000_000, 9_999_999)}`);
    process.stderr.write(`statements per webhook, first call: ${JSON.stringify(cost)}\n`);
  });

  it('answers each webhook of a caller with an open case in a handful of statements', async () => {
    const from = `+6689${crypto.randomInt(1_000_000, 9_999_999)}`;
    await costOfCall(from);
    await hotline.runJobs();
    const cost = await costOfCall(from);
    process.stderr.write(`statements per webhook, caller with an open case: ${JSON.stringify(cost)}\n`);
  });
});
