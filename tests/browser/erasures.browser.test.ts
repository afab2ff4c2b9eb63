/// <reference lib="dom" />
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { DatabaseHandle } from '../../src/db/database';
import { insertCase } from '../../src/cases/case.repository';
import { fileWorkerErasureRequest } from '../../src/erasures/erasure-request.service';
import { hashPassword } from '../../src/users/password';
import { upsertUser } from '../../src/users/user.repository';
import { buildTestHotline, type TestHotline } from '../support/app';
import { createFakeClock } from '../support/clock';
import { launchChromium, phoneContext, screenshot, seriousViolations, serve } from '../support/browser';
import { openTestDatabase } from '../support/database';

// The erasure pages in a real browser on a phone-sized screen: the queue with an overdue request,
// a proposal by one coordinator and the confirmation by another, a legal hold on the case page,
// and the worker's "Delete my information" — each walked without JavaScript and checked with axe.

const PASSWORD = 'a long staff password';
const DAY = 86_400_000;

describe('erasure requests in the browser', () => {
  const clock = createFakeClock('2026-12-03T09:00:00Z');
  let handle: DatabaseHandle;
  let hotline: TestHotline;
  let server: { url: string; close: () => Promise<void> };
  let browser: Browser;
  let overdueId: string;
  let reference: string;

  async function requestFor(daysAgo: number): Promise<{ erasureId: string; reference: string }> {
    const created = await handle.db.transaction().execute((trx) =>
      insertCase(trx, { channel: 'sms', language: 'my', categories: ['wages'], summary_encrypted: hotline.cipher.seal('No pay for three months'), intake_complete: true }));
    const { person_id: personId } = await handle.db.selectFrom('cases').select('person_id').where('id', '=', created.id).executeTakeFirstOrThrow();
    const at = clock.now();
    clock.set(new Date(at.getTime() - daysAgo * DAY));
    const filed = await handle.db.transaction().execute((trx) =>
      fileWorkerErasureRequest(trx, { clock, events: hotline.events, mailEnabled: false }, { personId, caseId: created.id, source: 'worker_keyword', channel: 'sms', ip: null }));
    clock.set(at);
    return { erasureId: filed.erasureId ?? '', reference: created.reference };
  }

  beforeAll(async () => {
    handle = await openTestDatabase();
    hotline = buildTestHotline(handle, { clock });
    server = await serve(hotline.app);
    browser = await launchChromium();
    const network = await handle.db.insertInto('organisations').values({ slug: 'mekong-network', name: 'Mekong Network', kind: 'network', country: 'TH' }).returning('id').executeTakeFirstOrThrow();
    const hash = await hashPassword(PASSWORD);
    for (const [email, name] of [['alice@example.org', 'Alice'], ['bob@example.org', 'Bob']] as const) {
      await upsertUser(handle.db, { organisationId: network.id, email, displayName: name, role: 'coordinator', locale: 'en', passwordHash: hash });
    }
    const overdue = await requestFor(95);
    overdueId = overdue.erasureId;
    reference = overdue.reference;
    await requestFor(20);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await handle?.close();
  });

  async function signIn(context: BrowserContext, email: string): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`${server.url}/console/sign-in`);
    await page.fill('#email', email);
    await page.fill('#password', PASSWORD);
    await page.click('button[type=submit]');
    return page;
  }

  async function expectAccessible(page: Page, name: string): Promise<void> {
    await screenshot(page, name);
    expect({ page: name, violations: await seriousViolations(page) }).toEqual({ page: name, violations: [] });
  }

  it('takes a request from the queue through a proposal and a second coordinator\'s confirmation, on accessible pages', async () => {
    const aliceContext = await phoneContext(browser);
    const alice = await signIn(aliceContext, 'alice@example.org');
    await alice.click('a[href="/console/erasures"]');
    expect(await alice.textContent('.erasure-overdue')).toBe('Days overdue: 5');
    // The overdue clock is drawn in the danger colour.
    expect(await alice.$eval('.erasure-overdue', (element) => getComputedStyle(element).color)).toBe('rgb(164, 22, 26)');
    await expectAccessible(alice, 'console-erasures');

    await alice.click(`a[href="/console/erasures/${overdueId}"]`);
    await expectAccessible(alice, 'console-erasure-requested');
    await alice.selectOption('#propose-reason', 'worker_request');
    await alice.fill('#propose-note', 'Called back on the worker\'s number; they confirmed.');
    await alice.click('section[aria-labelledby="propose-heading"] button[type=submit]');
    expect(await alice.textContent('main')).toContain('You proposed this erasure. Another coordinator must confirm it.');
    await expectAccessible(alice, 'console-erasure-own-proposal');

    const bobContext = await phoneContext(browser);
    const bob = await signIn(bobContext, 'bob@example.org');
    await bob.goto(`${server.url}/console/erasures/${overdueId}`);
    await bob.click('section[aria-labelledby="confirm-heading"] button[type=submit]');
    expect(await bob.textContent('main')).toContain('Confirmed, being erased');
    await expectAccessible(bob, 'console-erasure-confirmed');
    await aliceContext.close();
    await bobContext.close();
  });

  // axe needs JavaScript in the page: each form is walked without it, then checked with it.
  it.each([false, true])('shows a legal hold and the data-rights forms on the case page (JavaScript: %s)', async (javaScriptEnabled) => {
    const context = await phoneContext(browser, { javaScriptEnabled });
    const page = await signIn(context, 'alice@example.org');
    await page.goto(`${server.url}/console/cases/${reference}`);
    await page.click('summary#hold-heading');
    await page.fill('#hold-reason', 'Labour court hearing');
    await page.fill('#hold-until', '2027-06-30');
    await page.click('form[action$="/legal-holds"] button[type=submit]');
    expect(await page.textContent('.case-badges')).toContain('Legal hold until');
    if (javaScriptEnabled) await expectAccessible(page, 'console-case-legal-hold');
    await context.close();
  });

  it.each([false, true])('asks the worker to confirm "Delete my information" in Burmese (JavaScript: %s)', async (javaScriptEnabled) => {
    const context = await phoneContext(browser, { javaScriptEnabled });
    const page = await context.newPage();
    const check = (name: string) => (javaScriptEnabled ? expectAccessible(page, name) : screenshot(page, `${name}-no-javascript`));
    await page.goto(`${server.url}/report?lang=my`);
    await page.fill('#story', 'အလုပ်ရှင်က လစာ မပေးဘူး');
    await page.check('input[name=consent][value=no]');
    await page.click('form[action^="/report"] button[type=submit]');
    const caseReference = (await page.textContent('.reference'))?.trim() ?? '';
    const pin = (await page.textContent('.pin'))?.trim() ?? '';
    await page.goto(`${server.url}/status?lang=my`);
    await page.fill('#reference', caseReference);
    await page.fill('#pin', pin);
    await page.click('form[action^="/status"] button[type=submit]');
    await page.click('form[aria-labelledby="erasure-heading"] button[type=submit]');
    expect(await page.textContent('h1')).toBe('သင်၏ အချက်အလက်များကို ဖျက်မလား။');
    await check('status-erasure-confirm-my');
    await page.click('input[name=erase][value=confirm] ~ p button[type=submit]');
    expect(await page.textContent('h1')).toBe('သင်၏ တောင်းဆိုချက်ကို ရရှိပါပြီ');
    await check('status-erasure-done-my');
    await context.close();
  });
});
