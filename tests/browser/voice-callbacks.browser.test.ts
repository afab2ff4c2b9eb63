/// <reference lib="dom" />
import crypto from 'node:crypto';
import type { Browser } from 'playwright-core';
import { createTwilioCalls } from '../../src/channels/voice/twilio-calls';
import type { DatabaseHandle } from '../../src/db/database';
import { hashPassword } from '../../src/users/password';
import { upsertUser } from '../../src/users/user.repository';
import { buildTestHotline, type TestHotline } from '../support/app';
import { toneWav } from '../support/attachment-samples';
import { launchChromium, phoneContext, screenshot, seriousViolations, serve } from '../support/browser';
import { openTestDatabase } from '../support/database';
import { FAKE_ACCOUNT_SID, startFakeTwilio, type FakeTwilio } from '../support/fake-twilio';
import { postSigned } from '../support/twilio-webhook';

const VOICE = '/webhooks/twilio/voice';
const WORKER = '+66812223344';

describe('the call-back queue in a browser', () => {
  let handle: DatabaseHandle;
  let hotline: TestHotline;
  let twilio: FakeTwilio;
  let server: { url: string; close: () => Promise<void> };
  let browser: Browser;
  let reference: string;

  beforeAll(async () => {
    handle = await openTestDatabase();
    twilio = await startFakeTwilio();
    hotline = buildTestHotline(handle, {
      media: twilio.twilioOnlyMedia(),
      callbacks: { calls: createTwilioCalls(twilio.mediaConfig()), from: '+6621234567', maxAttempts: 3 },
    });
    server = await serve(hotline.app);
    browser = await launchChromium();
    const network = await handle.db.insertInto('organisations').values({ slug: 'network', name: 'Network', kind: 'network', country: 'TH' }).returning('id').executeTakeFirstOrThrow();
    await upsertUser(handle.db, { organisationId: network.id, email: 'coord@example.org', displayName: 'Coordinator', role: 'coordinator', locale: 'en', passwordHash: await hashPassword('a long staff password') });
    // A worker calls, leaves a message and asks to be called back in the evening.
    const base = { CallSid: `CA${crypto.randomBytes(16).toString('hex')}`, AccountSid: FAKE_ACCOUNT_SID, From: WORKER, To: '+6621234567' };
    const post = (path: string, params: Record<string, string>) => postSigned(hotline.app, path, { ...base, ...params });
    await post(VOICE, { CallStatus: 'ringing' }).expect(200);
    await post(`${VOICE}/step?step=language`, { Digits: '6' }).expect(200);
    await post(`${VOICE}/step?step=category`, { Digits: '1' }).expect(200);
    const recording = twilio.addRecording(toneWav(2));
    const fields = { RecordingUrl: recording.url, RecordingSid: recording.sid, RecordingDuration: '2' };
    await post(`${VOICE}/step?step=record`, { Digits: '#', ...fields }).expect(200);
    await post(`${VOICE}/recording`, { ...fields, RecordingStatus: 'completed' }).expect(204);
    await post(`${VOICE}/step?step=callback`, { Digits: '1' }).expect(200);
    await post(`${VOICE}/step?step=safe_time`, { Digits: '3' }).expect(200);
    await post(`${VOICE}/status`, { CallStatus: 'completed' }).expect(204);
    await hotline.runJobs();
    reference = (await handle.db.selectFrom('cases').select('reference').executeTakeFirstOrThrow()).reference;
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await twilio?.close();
    await handle?.close();
  });

  it('lists the call-back with its message, calls back, and records the outcome, without serious accessibility faults', async () => {
    const context = await phoneContext(browser);
    const page = await context.newPage();
    await page.goto(`${server.url}/console/sign-in`);
    await page.fill('#email', 'coord@example.org');
    await page.fill('#password', 'a long staff password');
    await page.click('button[type=submit]');
    await page.click('a[href="/console/callbacks"]');
    expect(await page.textContent('h1')).toBe('Call-backs');
    expect(await page.getAttribute('audio', 'src')).toMatch(new RegExp(`^/console/cases/${reference}/attachments/`));
    expect({ page: 'callbacks', violations: await seriousViolations(page) }).toEqual({ page: 'callbacks', violations: [] });

    await page.fill('#own-phone', '+66 89 999 0002');
    await page.click('#phone button[type=submit]');
    await page.click(`form[action$="/call"] button`);
    expect(await page.textContent('.notice')).toContain('Your phone is ringing.');
    expect(await page.textContent('.callback-script')).toContain('Sorry, wrong number.');
    expect(await page.content()).not.toContain(WORKER.slice(1));
    expect({ page: 'calling', violations: await seriousViolations(page) }).toEqual({ page: 'calling', violations: [] });
    await screenshot(page, 'console-callbacks');
    expect(twilio.calls.at(-1)?.form['To']).toBe('+66899990002');

    await page.check('input[name=outcome][value=reached]');
    await page.click('form[action$="/outcome"] button[type=submit]');
    expect(await page.textContent('.notice')).toContain('This call-back has left the queue.');
    await context.close();
  });
});
