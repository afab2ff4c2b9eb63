/// <reference lib="dom" />
import type { Browser } from 'playwright-core';
import type { DatabaseHandle } from '../../src/db/database';
import { hashPassword } from '../../src/users/password';
import { upsertUser } from '../../src/users/user.repository';
import { buildTestHotline, type TestHotline } from '../support/app';
import { launchChromium, phoneContext, screenshot, seriousViolations, serve } from '../support/browser';
import { openTestDatabase } from '../support/database';
import { startFakeTwilio, type FakeTwilio } from '../support/fake-twilio';
import { createWorkerPhone } from '../support/sms-conversation';
import { postSigned } from '../support/twilio-webhook';

describe('a caseworker in the console', () => {
  let handle: DatabaseHandle;
  let hotline: TestHotline;
  let twilio: FakeTwilio;
  let server: { url: string; close: () => Promise<void> };
  let browser: Browser;

  beforeAll(async () => {
    handle = await openTestDatabase();
    twilio = await startFakeTwilio();
    hotline = buildTestHotline(handle, { sender: twilio.sender() });
    server = await serve(hotline.app);
    browser = await launchChromium();
    const org = await handle.db.insertInto('organisations').values({ slug: 'mae-sot', name: 'Mae Sot', kind: 'ngo', country: 'TH' }).returning('id').executeTakeFirstOrThrow();
    await upsertUser(handle.db, { organisationId: org.id, email: 'naw.paw@example.org', displayName: 'Naw Paw', role: 'caseworker', locale: 'en', passwordHash: await hashPassword('a long staff password') });
    await createWorkerPhone(handle, hotline, '+66871234567').text('My boss took my passport');
    await handle.db.updateTable('cases').set({ owner_organisation_id: org.id }).execute();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await twilio?.close();
    await handle?.close();
  });

  it('signs in, finds the case from an SMS, replies, and sees the delivery status change after the callback', async () => {
    const context = await phoneContext(browser);
    const page = await context.newPage();
    await page.goto(`${server.url}/console`);
    expect(page.url()).toContain('/console/sign-in');
    await page.fill('#email', 'naw.paw@example.org');
    await page.fill('#password', 'a long staff password');
    await page.click('button[type=submit]');
    await page.click('a[href="/console/cases"]');
    expect({ page: 'inbox', violations: await seriousViolations(page) }).toEqual({ page: 'inbox', violations: [] });
    await screenshot(page, 'console-inbox');

    const reference = (await handle.db.selectFrom('cases').select('reference').executeTakeFirstOrThrow()).reference;
    await page.click(`a[href="/console/cases/${reference}"]`);
    expect(await page.textContent('.timeline')).toContain('My boss took my passport');

    await page.fill('#reply-body', 'ငွေ');
    expect(await page.textContent('#reply-counter')).toContain('UCS-2'); // counted while typing
    await page.fill('#reply-body', 'We will call your employer today.');
    expect(await page.textContent('#reply-counter')).toContain('GSM-7');
    await page.click('button[name=action][value=preview]');
    expect(await page.textContent('#reply-counter')).toContain('GSM-7');
    await page.click('button[name=action][value=send]');
    await hotline.runJobs();
    await page.reload();
    expect(await page.locator('.timeline li.out .delivery').last().textContent()).toBe('queued');

    const reply = await handle.db.selectFrom('messages').select(['id', 'provider_id']).where('sent_by_user_id', 'is not', null).executeTakeFirstOrThrow();
    await postSigned(hotline.app, `/webhooks/twilio/status?message=${reply.id}`, { MessageSid: reply.provider_id ?? '', MessageStatus: 'delivered' }).expect(204);
    await page.reload();
    expect(await page.locator('.timeline li.out .delivery').last().textContent()).toBe('delivered');
    expect({ page: 'case', violations: await seriousViolations(page) }).toEqual({ page: 'case', violations: [] });
    await screenshot(page, 'console-case');
    await context.close();
  });
});
