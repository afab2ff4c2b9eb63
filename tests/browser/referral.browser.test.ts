/// <reference lib="dom" />
import type { Browser, Page } from 'playwright-core';
import { insertCase } from '../../src/cases/case.repository';
import type { DatabaseHandle } from '../../src/db/database';
import { hashPassword } from '../../src/users/password';
import { upsertUser } from '../../src/users/user.repository';
import { buildTestHotline, type TestHotline } from '../support/app';
import { launchChromium, phoneContext, screenshot, seriousViolations, serve } from '../support/browser';
import { openTestDatabase } from '../support/database';

const PASSWORD = 'a long staff password';

describe('a referral offered by one organisation and accepted by another', () => {
  let handle: DatabaseHandle;
  let hotline: TestHotline;
  let server: { url: string; close: () => Promise<void> };
  let browser: Browser;
  let reference: string;

  beforeAll(async () => {
    handle = await openTestDatabase();
    hotline = buildTestHotline(handle);
    server = await serve(hotline.app);
    browser = await launchChromium();
    const organisation = async (slug: string, name: string, kind: string) =>
      (await handle.db.insertInto('organisations').values({ slug, name, kind, country: 'TH', city: slug === 'mae-sot' ? 'Mae Sot' : 'Samut Sakhon' }).returning('id').executeTakeFirstOrThrow()).id;
    const maeSot = await organisation('mae-sot', 'Mae Sot Workers Centre', 'ngo');
    const mahachai = await organisation('mahachai', 'Mahachai Union', 'union');
    const hash = await hashPassword(PASSWORD);
    await upsertUser(handle.db, { organisationId: maeSot, email: 'naw.paw@example.org', displayName: 'Naw Paw', role: 'caseworker', locale: 'en', passwordHash: hash });
    await upsertUser(handle.db, { organisationId: mahachai, email: 'somchai@example.org', displayName: 'Somchai', role: 'caseworker', locale: 'en', passwordHash: hash });
    const created = await handle.db.transaction().execute((trx) =>
      insertCase(trx, {
        channel: 'sms', language: 'my', status: 'open', categories: ['wages'], sector: 'fishing', origin_country: 'MM', destination_country: 'TH',
        destination_province: 'TH-74', owner_organisation_id: maeSot, summary_encrypted: hotline.cipher.seal('The boat owner has not paid us for three months.'),
      }),
    );
    reference = created.reference;
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await handle?.close();
  });

  async function signIn(page: Page, email: string): Promise<void> {
    await page.goto(`${server.url}/console/sign-in`);
    await page.fill('#email', email);
    await page.fill('#password', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(`${server.url}/console`);
  }

  it('is offered by Mae Sot, accepted by Mahachai from its notification, and shown accepted to Mae Sot', async () => {
    const referring = await phoneContext(browser);
    const maeSot = await referring.newPage();
    await signIn(maeSot, 'naw.paw@example.org');
    await maeSot.click('.console-nav a[href="/console/cases"]');
    await maeSot.click(`a[href="/console/cases/${reference}"]`);
    await maeSot.click('summary#refer-heading'); // the form is folded until used
    await maeSot.selectOption('#refer-to', 'mahachai');
    await maeSot.fill('#refer-reason', 'They have a lawyer who works with fishers in Samut Sakhon.');
    await maeSot.fill('#refer-hours', '24');
    await maeSot.click('form[action$="/referrals"] button[type=submit]');
    expect(await maeSot.textContent('.referral-list .referral-status')).toBe('Waiting for an answer');
    await screenshot(maeSot, 'referral-offered');

    const receiving = await phoneContext(browser);
    const mahachai = await receiving.newPage();
    await signIn(mahachai, 'somchai@example.org');
    expect(await mahachai.textContent('.console-nav .badge')).toBe('1');
    await mahachai.click('.console-nav a[href="/console/notifications"]');
    expect(await mahachai.textContent('table.notifications tr.unread')).toContain('New referral');
    expect({ page: 'notifications', violations: await seriousViolations(mahachai) }).toEqual({ page: 'notifications', violations: [] });
    await screenshot(mahachai, 'referral-notifications');

    await mahachai.click(`table.notifications a[href="/console/cases/${reference}"]`);
    expect(await mahachai.textContent('.limited-view h2')).toBe('You see a limited view of this case');
    expect({ page: 'case', violations: await seriousViolations(mahachai) }).toEqual({ page: 'case', violations: [] });
    await screenshot(mahachai, 'referral-received');
    expect(await mahachai.locator('form:has(input[name=status][value=withdrawn])').count()).toBe(0);
    await mahachai.click('form:has(input[name=status][value=accepted]) button[type=submit]');
    expect(await mahachai.textContent('.referral-list .referral-status')).toBe('Accepted');
    expect(await mahachai.locator('.console-nav .badge').count()).toBe(0);

    await maeSot.reload();
    expect(await maeSot.textContent('.referral-list .referral-status')).toBe('Accepted');
    expect(await maeSot.textContent('ol.timeline')).toContain('Referral to Mahachai Union accepted');
    expect({ page: 'case after', violations: await seriousViolations(maeSot) }).toEqual({ page: 'case after', violations: [] });
    await screenshot(maeSot, 'referral-accepted');
    await referring.close();
    await receiving.close();
  });
});
