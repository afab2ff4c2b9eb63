/// <reference lib="dom" />
import type { Browser } from 'playwright-core';
import { createLineSender } from '../../src/channels/line/line-sender';
import type { DatabaseHandle } from '../../src/db/database';
import { hashPassword } from '../../src/users/password';
import { upsertUser } from '../../src/users/user.repository';
import { buildTestHotline, type TestHotline } from '../support/app';
import { launchChromium, phoneContext, screenshot, seriousViolations, serve } from '../support/browser';
import { createLineWorker } from '../support/chat-worker';
import { openTestDatabase } from '../support/database';
import { startFakeLine, type FakeLine } from '../support/fake-line';

// A worker writes on LINE; a caseworker answers from the console's reply box; LINE receives the
// answer as a push to that worker (the webhook's reply token was spent on the hotline's own answer).

describe('a caseworker answering a LINE worker', () => {
  let handle: DatabaseHandle;
  let hotline: TestHotline;
  let line: FakeLine;
  let server: { url: string; close: () => Promise<void> };
  let browser: Browser;

  beforeAll(async () => {
    handle = await openTestDatabase();
    line = await startFakeLine();
    hotline = buildTestHotline(handle, { lineSender: createLineSender(line.config()) });
    server = await serve(hotline.app);
    browser = await launchChromium();
    const org = await handle.db.insertInto('organisations').values({ slug: 'mae-sot', name: 'Mae Sot', kind: 'ngo', country: 'TH' }).returning('id').executeTakeFirstOrThrow();
    await upsertUser(handle.db, { organisationId: org.id, email: 'naw.paw@example.org', displayName: 'Naw Paw', role: 'caseworker', locale: 'en', passwordHash: await hashPassword('a long staff password') });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await line?.close();
    await handle?.close();
  });

  it('types a reply in the case page and LINE receives it as a push to the worker', async () => {
    const worker = createLineWorker(hotline);
    await worker.text('My boss took my passport');
    const org = await handle.db.selectFrom('organisations').select('id').where('slug', '=', 'mae-sot').executeTakeFirstOrThrow();
    const found = await handle.db.updateTable('cases').set({ owner_organisation_id: org.id }).where('channel', '=', 'line').returning('reference').executeTakeFirstOrThrow();

    const context = await phoneContext(browser);
    const page = await context.newPage();
    await page.goto(`${server.url}/console/sign-in`);
    await page.fill('#email', 'naw.paw@example.org');
    await page.fill('#password', 'a long staff password');
    await page.click('button[type=submit]');
    await page.goto(`${server.url}/console/cases/${found.reference}`);
    expect(await page.textContent('.timeline')).toContain('My boss took my passport');
    expect(await page.textContent('.channels tr.reply-target')).toContain('LINE');

    const before = line.requests.length;
    await page.fill('#reply-body', 'We will call your employer today.');
    await page.click('button[name=action][value=send]');
    await page.waitForURL(`${server.url}/console/cases/${found.reference}`);
    await hotline.runJobs();
    const pushes = line.requests.slice(before).filter((request) => request.path === '/v2/bot/message/push');
    expect(pushes.map((request) => request.body)).toEqual([
      expect.objectContaining({ to: worker.userId, messages: [expect.objectContaining({ type: 'text', text: 'We will call your employer today.' })] }),
    ]);

    await page.reload();
    expect(await page.locator('.timeline li.out').last().textContent()).toContain('We will call your employer today.');
    expect({ page: 'case', violations: await seriousViolations(page) }).toEqual({ page: 'case', violations: [] });
    await screenshot(page, 'console-case-line');
    await context.close();
  });
});
