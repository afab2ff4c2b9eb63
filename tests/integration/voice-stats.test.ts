import crypto from 'node:crypto';
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { CHANNELS } from '../../src/cases/case.vocabulary';
import type { DatabaseHandle } from '../../src/db/database';
import { statsApiPaths } from '../../src/stats/stats.openapi';
import { upsertUser } from '../../src/users/user.repository';
import { issueApiToken } from '../../src/users/user.service';
import { buildTestHotline, type TestHotline } from '../support/app';
import { openTestDatabase } from '../support/database';
import { caseRow, type SyntheticCase } from '../support/stats';
import { postSigned } from '../support/twilio-webhook';

// The voice line is a channel like any other in the statistics: a case opened by a phone call
// counts under channel "voice" in the API's JSON and CSV, and the API's description names it.

const K = 10;
const ACCOUNT_SID = `AC${'0'.repeat(32)}`;

function synthetic(channel: string): SyntheticCase {
  return {
    createdAt: new Date(), categories: ['wages'], indicators: [], sector: null, origin: 'MM', destination: 'TH', province: null, channel,
    status: 'new', outcome: null, workers: 1, recovered: null, responseHours: null, resolutionDays: null, recordKey: crypto.randomInt(0, 1 << 20),
  };
}

describe('statistics by channel, with the voice line', () => {
  let handle: DatabaseHandle;
  let hotline: TestHotline;
  let token: string;

  beforeAll(async () => {
    handle = await openTestDatabase();
    hotline = buildTestHotline(handle, { statsMinCell: K });
    const org = await handle.db.insertInto('organisations').values({ slug: 'voice-stats', name: 'Network', kind: 'network', country: 'TH' }).returning('id').executeTakeFirstOrThrow();
    await upsertUser(handle.db, { organisationId: org.id, email: 'researcher@voice-stats.example.org', displayName: 'R', role: 'researcher', locale: 'en', passwordHash: null });
    token = await issueApiToken({ db: handle.db, clock: { now: () => new Date() } }, { email: 'researcher@voice-stats.example.org' }, { kind: 'cli' });
    // Eleven phone cases and fifteen SMS cases stored directly, and one case opened by a real call.
    await handle.db.insertInto('cases').values([
      ...Array.from({ length: 11 }, () => caseRow(synthetic('voice'))),
      ...Array.from({ length: 15 }, () => caseRow(synthetic('sms'))),
    ]).execute();
    const base = { CallSid: `CA${crypto.randomBytes(16).toString('hex')}`, AccountSid: ACCOUNT_SID, From: '+66812349876', To: '+6621234567' };
    await postSigned(hotline.app, '/webhooks/twilio/voice', { ...base, CallStatus: 'ringing' }).expect(200);
    await postSigned(hotline.app, '/webhooks/twilio/voice/step?step=language', { ...base, CallStatus: 'in-progress', Digits: '6' }).expect(200);
    await postSigned(hotline.app, '/webhooks/twilio/voice/step?step=category', { ...base, CallStatus: 'in-progress', Digits: '1' }).expect(200);
    await postSigned(hotline.app, '/webhooks/twilio/voice/step?step=record', {
      ...base, CallStatus: 'in-progress', Digits: '#', RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT_SID}/Recordings/RE${'1'.repeat(32)}`,
      RecordingSid: `RE${'1'.repeat(32)}`, RecordingDuration: '4',
    }).expect(200);
  });
  afterAll(async () => {
    await handle.close();
  });

  const stats = (query: string) => request(hotline.app).get(`/api/v1/stats/cases?${query}`).set('Authorization', `Bearer ${token}`);

  it('counts the cases of phone calls under channel "voice"', async () => {
    const opened = await handle.db.selectFrom('cases').select('channel').where('channel', '=', 'voice').execute();
    expect(opened).toHaveLength(12);
    const response = await stats('group_by=channel').expect(200);
    const byChannel = Object.fromEntries(response.body.cells.map((cell: { channel: string }) => [cell.channel, cell]));
    expect(Object.keys(byChannel).sort()).toEqual(['sms', 'voice']);
    expect(byChannel['voice']).toMatchObject({ suppressed: false });
    // Published counts are perturbed by at most 2.
    expect(Math.abs(byChannel['voice'].cases - 12)).toBeLessThanOrEqual(2);

    const csv = await stats('group_by=channel&format=csv').expect(200);
    const rows = parse(csv.text, { columns: true }) as Record<string, string>[];
    expect(rows.find((row) => row['channel'] === 'voice')).toMatchObject({ suppressed: 'false' });
  });

  it('names voice among the channel values of a statistics row in the API description', () => {
    const row = statsApiPaths['/api/v1/stats/cases'].get.responses[200].content['application/json'].schema.properties.cells.items;
    expect(row.properties.channel.enum).toEqual([...CHANNELS, '*']);
    expect(row.properties.channel.enum).toContain('voice');
  });
});
