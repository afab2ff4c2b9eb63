/// <reference lib="dom" />
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { DatabaseHandle } from '../../src/db/database';
import { insertCase } from '../../src/cases/case.repository';
import { insertEscalation } from '../../src/escalations/escalation.repository';
import { hashPassword } from '../../src/users/password';
import { upsertUser } from '../../src/users/user.repository';
import { buildTestHotline, type TestHotline } from '../support/app';
import { launchChromium, phoneContext, screenshot, seriousViolations, serve } from '../support/browser';
import { openTestDatabase } from '../support/database';

const PASSWORD = 'a long staff password';

describe('routing rules and escalations in the console', () => {
  let handle: DatabaseHandle;
  let hotline: TestHotline;
  let server: { url: string; close: () => Promise<void> };
  let browser: Browser;
  let escalationId: string;

  beforeAll(async () => {
    handle = await openTestDatabase();
    hotline = buildTestHotline(handle);
    server = await serve(hotline.app);
    browser = await launchChromium();
    const organisation = (slug: string, name: string, kind: string, nationalities: string[] = []) =>
      handle.db.insertInto('organisations').values({ slug, name, kind, country: 'TH', nationalities }).returning('id').executeTakeFirstOrThrow();
    const network = await organisation('mekong-network', 'Mekong Network', 'network');
    await organisation('mahachai-help', 'Mahachai Help', 'ngo');
    const embassy = await organisation('mm-embassy-bangkok', 'Myanmar Embassy Bangkok', 'embassy', ['MM']);
    const hash = await hashPassword(PASSWORD);
    await upsertUser(handle.db, { organisationId: network.id, email: 'coordinator@example.org', displayName: 'Coordinator', role: 'coordinator', locale: 'en', passwordHash: hash });
    await upsertUser(handle.db, { organisationId: embassy.id, email: 'liaison@example.org', displayName: 'Liaison', role: 'liaison', locale: 'en', passwordHash: hash });
    const escalated = await handle.db.transaction().execute((trx) =>
      insertCase(trx, {
        channel: 'sms', language: 'my', urgency: 'emergency', categories: ['arrest', 'documents'], sector: 'fishing', origin_country: 'MM', destination_country: 'TH',
        destination_province: 'TH-74', summary_encrypted: hotline.cipher.seal('Police took my brother. Call me on 081 234 5678'),
      }),
    );
    await handle.db.insertInto('messages').values({ case_id: escalated.id, direction: 'in', channel: 'sms', status: 'received', body_encrypted: hotline.cipher.seal('He is at the Mahachai police station') }).execute();
    escalationId = await insertEscalation(handle.db, { caseId: escalated.id, embassyId: embassy.id, ruleId: null, reasonSealed: hotline.cipher.seal('Worker detained'), createdByUserId: null, at: new Date() });
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

  // Writes a rule, tries it, then tries to save a referral with no organisation; checks each page.
  async function writeRuleAndTry(page: Page, check: (name: string) => Promise<void>): Promise<void> {
    await page.goto(`${server.url}/console/rules/new`);
    await check('console-rule-new');
    await page.fill('#name', 'Arrests in Thailand');
    await page.click('summary:has-text("Problem")');
    await page.check('#condition-categories-arrest');
    await page.check('#rule-action-escalate');
    await page.selectOption('#sample-destination-country', 'TH');
    await page.selectOption('#sample-origin-country', 'MM');
    await page.check('#sample-category-arrest');
    await page.click('button[name=action][value=try]');
    expect(await page.textContent('#try-result')).toContain('The rule matches this case.');
    expect(await page.textContent('#try-result')).toContain('Myanmar Embassy Bangkok');
    await check('console-rule-tried');

    await page.fill('#name', 'Refer with nobody');
    await page.check('#rule-action-refer');
    await page.click('button[name=action][value=save]');
    expect(await page.textContent('#target-organisation-error')).toContain('A referral needs an organisation to refer to.');
    await check('console-rule-refused');
  }

  it('lets a coordinator write a rule and try it, on accessible pages', async () => {
    const context = await phoneContext(browser);
    const page = await signIn(context, 'coordinator@example.org');
    await writeRuleAndTry(page, (name) => expectAccessible(page, name));
    await page.selectOption('#target-organisation', 'mahachai-help');
    await page.click('button[name=action][value=save]');
    expect(page.url()).toBe(`${server.url}/console/rules`);
    expect(await page.textContent('table')).toContain('Refer to Mahachai Help');
    await expectAccessible(page, 'console-rules');
    await context.close();
  });

  it('lets a coordinator write a rule and try it without JavaScript', async () => {
    const context = await phoneContext(browser, { javaScriptEnabled: false });
    const page = await signIn(context, 'coordinator@example.org');
    const before = await handle.db.selectFrom('routing_rules').select('id').execute();
    await writeRuleAndTry(page, async () => undefined);
    expect(await handle.db.selectFrom('routing_rules').select('id').execute()).toEqual(before); // trying saves nothing, nor does a refused form
    await context.close();
  });

  it('shows a liaison the escalation in the limited view, on an accessible page', async () => {
    const context = await phoneContext(browser);
    const page = await signIn(context, 'liaison@example.org');
    await page.goto(`${server.url}/console/escalations`);
    await expectAccessible(page, 'console-escalations');
    await page.click(`a[href="/console/escalations/${escalationId}"]`);
    expect(await page.textContent('main')).toContain('Limited view');
    await expectAccessible(page, 'console-escalation');

    await page.fill('#note-body', 'We are calling the police station.');
    await page.click('form[action$="/notes"] button[type=submit]');
    expect(await page.textContent('.timeline li.note')).toContain('We are calling the police station.');
    await expectAccessible(page, 'console-escalation-noted');
    await context.close();
  });
});
