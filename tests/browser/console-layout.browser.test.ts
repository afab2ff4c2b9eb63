/// <reference lib="dom" />
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { LANGUAGES, type Role } from '../../src/cases/case.vocabulary';
import type { DatabaseHandle } from '../../src/db/database';
import { createLogger } from '../../src/observability/logger';
import { DEMO_USERS } from '../../src/seed/demo-network';
import { seedDemo } from '../../src/seed/demo-seed';
import { buildTestHotline, type TestHotline } from '../support/app';
import { launchChromium, SCREENSHOTS, seriousViolations, serve, withAxe } from '../support/browser';
import { createFakeClock } from '../support/clock';
import { openTestDatabase } from '../support/database';

// Every console page of every role, in the six languages, at a desk (1440×900) and on a phone
// (360×740), on the demo network's data: no serious or critical axe violation, and a screenshot of
// each (test-results/screenshots/layout, not kept in git). Then what the layout is for: 20 cases
// in the inbox's first screen, and the conversation and the reply box in a case's first screen.

const SIZES = [
  { name: 'desk', viewport: { width: 1440, height: 900 } },
  { name: 'phone', viewport: { width: 360, height: 740 } },
] as const;
const SHOTS = path.join(SCREENSHOTS, 'layout');

describe('the console for every role, in six languages, at a desk and on a phone', () => {
  const clock = createFakeClock('2026-12-01T09:00:00Z');
  let handle: DatabaseHandle;
  let hotline: TestHotline;
  let server: { url: string; close: () => Promise<void> };
  let browser: Browser;
  let password = '';
  /** The pages each role works with, found in the demo data. */
  const pages: Record<Role, string[]> = { caseworker: [], coordinator: [], liaison: [], researcher: [], admin: [] };
  const emails: Record<Role, string> = { caseworker: '', coordinator: '', liaison: '', researcher: '', admin: '' };
  let longCase = '';
  let readmeCase = '';

  beforeAll(async () => {
    handle = await openTestDatabase();
    hotline = buildTestHotline(handle, { clock });
    const seeded = await seedDemo({ db: handle.db, cipher: hotline.cipher, clock, logger: createLogger('silent'), jobs: hotline.jobs });
    password = seeded.signIn?.password ?? '';
    server = await serve(hotline.app);
    browser = await launchChromium();
    fs.mkdirSync(SHOTS, { recursive: true });

    const caseworker = DEMO_USERS.find((user) => user.role === 'caseworker' && user.organisationSlug === 'mae-sot-workers-rights-centre');
    const liaison = DEMO_USERS.find((user) => user.role === 'liaison' && user.organisationSlug === 'myanmar-embassy-bangkok-labour');
    emails.caseworker = caseworker?.email ?? '';
    emails.liaison = liaison?.email ?? '';
    for (const role of ['coordinator', 'researcher', 'admin'] as const) emails[role] = DEMO_USERS.find((user) => user.role === role)?.email ?? '';

    const owner = await handle.db.selectFrom('organisations').select('id').where('slug', '=', 'mae-sot-workers-rights-centre').executeTakeFirstOrThrow();
    // The case of the caseworker's organisation with the longest conversation, as a caseworker meets it.
    const busiestOf = (languages: string[]) => handle.db.selectFrom('cases').innerJoin('messages', 'messages.case_id', 'cases.id').select(['cases.reference', (eb) => eb.fn.countAll<string>().as('count')])
      .where('cases.owner_organisation_id', '=', owner.id).where('cases.language', 'in', languages).groupBy('cases.reference').orderBy('count', 'desc').orderBy('cases.reference').executeTakeFirst();
    const busiest = await busiestOf([...LANGUAGES]);
    if (!busiest) throw new Error('the demo seed gave Mae Sot no case with messages');
    // The README's picture: a case in English (the test machine's Chromium has no Burmese or Thai font).
    readmeCase = (await busiestOf(['en']))?.reference ?? busiest.reference;
    const escalation = await handle.db.selectFrom('escalations').innerJoin('organisations', 'organisations.id', 'escalations.embassy_organisation_id').select('escalations.id')
      .where('organisations.slug', '=', 'myanmar-embassy-bangkok-labour').orderBy('escalations.created_at', 'desc').executeTakeFirstOrThrow();
    longCase = await buildLongConversation(owner.id);
    const common = ['/console', '/console/notifications', '/console/tokens'];
    pages.caseworker = [...common, '/console/cases', `/console/cases/${busiest.reference}`, `/console/cases/${busiest.reference}/summary`, '/console/referrals'];
    pages.coordinator = [
      ...common, '/console/cases', '/console/cases?triage=true', `/console/cases/${busiest.reference}`, `/console/cases/${busiest.reference}/summary`, '/console/referrals',
      '/console/escalations', `/console/escalations/${escalation.id}`, '/console/rules', '/console/rules/new', '/console/stats', '/console/canned-replies',
    ];
    pages.liaison = [...common, '/console/escalations', `/console/escalations/${escalation.id}`];
    pages.researcher = [...common, '/console/stats'];
    pages.admin = [...common, '/console/admin/users', '/console/admin/organisations', '/console/admin/organisations/new', '/console/admin/tokens', '/console/admin/audit'];
  }, 600_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await handle?.close();
  });

  /** A case of Mae Sot's with 200 messages, the worker's first one saying where it all started. */
  async function buildLongConversation(ownerId: string): Promise<string> {
    const kase = await handle.db.selectFrom('cases').select(['id', 'reference', 'channel']).where('owner_organisation_id', '=', ownerId).orderBy('reference', 'desc').executeTakeFirstOrThrow();
    await handle.db.deleteFrom('messages').where('case_id', '=', kase.id).execute();
    const start = clock.now().getTime() - 200 * 60_000;
    await handle.db.insertInto('messages').values(Array.from({ length: 200 }, (_, index) => ({
      case_id: kase.id, direction: index % 2 === 0 ? 'in' : 'out', channel: kase.channel, status: index % 2 === 0 ? 'received' : 'delivered',
      body_encrypted: hotline.cipher.seal(index === 0 ? 'FIRST: the agent kept my passport' : index === 199 ? 'NEWEST: thank you' : `Message ${index + 1} about the unpaid wages.`),
      created_at: new Date(start + index * 60_000),
    }))).execute();
    return kase.reference;
  }

  async function signedIn(role: Role, viewport: { width: number; height: number }, javaScriptEnabled = true): Promise<{ context: BrowserContext; page: Page }> {
    // CSP is bypassed only so that axe can be injected; the pages' own scripts are 'self' anyway.
    const context = await browser.newContext({ viewport, bypassCSP: true, javaScriptEnabled });
    await withAxe(context);
    const page = await context.newPage();
    await page.goto(`${server.url}/console/sign-in`);
    await page.fill('#email', emails[role]);
    await page.fill('#password', password);
    await page.click('button[type=submit]');
    await page.waitForURL(`${server.url}/console`);
    return { context, page };
  }

  const setLanguage = (role: Role, language: string) => handle.db.updateTable('users').set({ locale: language }).where('email', '=', emails[role]).execute();
  const shotName = (...parts: string[]) => parts.join('-').replace(/[^a-z0-9-]+/gi, '_').replace(/_+$/, '');

  it.each(['caseworker', 'coordinator', 'liaison', 'researcher', 'admin'] as const)('shows the %s every page without a serious accessibility problem', async (role) => {
    const found: { size: string; language: string; path: string; violations: unknown[] }[] = [];
    const sessions = await Promise.all(SIZES.map(async (size) => ({ size, ...(await signedIn(role, size.viewport)) })));
    for (const language of LANGUAGES) {
      await setLanguage(role, language);
      // The desk and the phone at once, each in its own tab: the same pages in the same language.
      await Promise.all(sessions.map(async ({ size, page }) => {
        for (const where of pages[role]) {
          const response = await page.goto(`${server.url}${where}`);
          expect({ where, status: response?.status() }).toEqual({ where, status: 200 });
          expect(await page.getAttribute('html', 'lang')).toMatch(new RegExp(`^${language}`));
          const violations = await seriousViolations(page);
          if (violations.length > 0) found.push({ size: size.name, language, path: where, violations });
          // Every page in English; the case pages, where long words in other scripts break a layout first, in all six.
          if (language === 'en' || where.startsWith('/console/cases')) await page.screenshot({ path: path.join(SHOTS, `${shotName(role, size.name, language, where)}.png`) });
        }
      }));
    }
    await Promise.all(sessions.map(({ context }) => context.close()));
    await setLanguage(role, 'en');
    expect(found).toEqual([]);
  }, 1_200_000);

  it('shows at least 20 cases in the inbox\'s first screen at 1440×900', async () => {
    const { context, page } = await signedIn('coordinator', SIZES[0].viewport);
    await page.goto(`${server.url}/console/cases`);
    const inView = await page.$$eval('table.cases tbody tr', (rows) => rows.filter((row) => row.getBoundingClientRect().bottom <= window.innerHeight).length);
    expect(inView).toBeGreaterThanOrEqual(20);
    await context.close();
  });

  it('shows the conversation and the reply box in a case\'s first screen at 1440×900, with JavaScript and without', async () => {
    const inViewport = (page: Page, selector: string) => page.locator(selector).first().evaluate((element) => {
      const box = element.getBoundingClientRect();
      return box.top >= 0 && box.bottom <= window.innerHeight && box.height > 0;
    });
    const plain = await signedIn('caseworker', SIZES[0].viewport, false);
    await setLanguage('caseworker', 'en');
    await plain.page.goto(`${server.url}/console/cases/${longCase}`);
    const first = plain.page.locator('.timeline li.message', { hasText: 'FIRST: the agent kept my passport' });
    expect(await first.count()).toBe(1);
    expect(await first.evaluate((element) => element === document.querySelector('.timeline li.message'))).toBe(true);
    expect(await inViewport(plain.page, '.timeline li.message')).toBe(true);
    expect(await inViewport(plain.page, '#reply-body')).toBe(true);
    expect(await inViewport(plain.page, 'button[name=action][value=send]')).toBe(true);
    await plain.page.screenshot({ path: path.join(SHOTS, 'long-case-without-javascript.png') });
    await plain.context.close();

    // With JavaScript the conversation opens at its newest message, as in a chat.
    const enhanced = await signedIn('caseworker', SIZES[0].viewport);
    await enhanced.page.goto(`${server.url}/console/cases/${longCase}`);
    await enhanced.page.waitForFunction(() => {
      const pane = document.getElementById('timeline');
      return pane !== null && pane.scrollTop > 0;
    });
    const newest = enhanced.page.locator('.timeline li.message', { hasText: 'NEWEST: thank you' });
    const [paneBox, newestBox] = await Promise.all([enhanced.page.locator('#timeline').boundingBox(), newest.boundingBox()]);
    expect(paneBox && newestBox && newestBox.y >= paneBox.y && newestBox.y + newestBox.height <= paneBox.y + paneBox.height + 1).toBe(true);
    expect(await inViewport(enhanced.page, '#reply-body')).toBe(true);
    await enhanced.page.screenshot({ path: path.join(SHOTS, 'long-case-with-javascript.png') });
    await enhanced.context.close();
  });

  it('takes the README\'s pictures: the inbox and a case at a desk', async () => {
    await setLanguage('caseworker', 'en');
    const { context, page } = await signedIn('caseworker', SIZES[0].viewport);
    await page.goto(`${server.url}/console/cases`);
    await page.screenshot({ path: path.join(SHOTS, 'readme-console-inbox.png') });
    await page.goto(`${server.url}/console/cases/${readmeCase}`);
    await page.screenshot({ path: path.join(SHOTS, 'readme-console-case.png') });
    expect(fs.statSync(path.join(SHOTS, 'readme-console-case.png')).size).toBeGreaterThan(0);
    await context.close();
  });
});
