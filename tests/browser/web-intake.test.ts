/// <reference lib="dom" />
import type { Browser, Page } from 'playwright-core';
import type { DatabaseHandle } from '../../src/db/database';
import { buildTestHotline, type TestHotline } from '../support/app';
import { launchChromium, phoneContext, screenshot, seriousViolations, serve } from '../support/browser';
import { openTestDatabase } from '../support/database';

const STORIES: Record<string, string> = {
  en: 'The boss has not paid us for two months.',
  my: 'အလုပ်ရှင်က လစာ နှစ်လ မပေးသေးဘူး',
  km: 'ថៅកែមិនបានបើកប្រាក់ខែពីរខែហើយ',
  lo: 'ນາຍຈ້າງບໍ່ຈ່າຍເງິນເດືອນສອງເດືອນແລ້ວ',
  th: 'นายจ้างไม่จ่ายค่าแรงมาสองเดือนแล้ว',
  vi: 'Chủ không trả lương hai tháng rồi.',
};
const LANGUAGES = Object.keys(STORIES);

describe('the worker-facing web pages in a phone browser', () => {
  let handle: DatabaseHandle;
  let hotline: TestHotline;
  let server: { url: string; close: () => Promise<void> };
  let browser: Browser;

  beforeAll(async () => {
    handle = await openTestDatabase();
    hotline = buildTestHotline(handle);
    server = await serve(hotline.app);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await handle?.close();
  });

  async function expectAccessible(page: Page, name: string): Promise<void> {
    await screenshot(page, name);
    expect({ page: name, violations: await seriousViolations(page) }).toEqual({ page: name, violations: [] });
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect({ page: name, width }).toEqual({ page: name, width: 360 });
  }

  async function submitReport(page: Page, language: string): Promise<{ reference: string; pin: string }> {
    await page.goto(`${server.url}/?lang=${language}`);
    expect(await page.getAttribute('html', 'lang')).toBe(language);
    await expectAccessible(page, `${language}-home`);
    await page.click('a.button[href^="/report"]');

    await page.click('button[type=submit]');
    expect(await page.locator('.field-error').count()).toBeGreaterThanOrEqual(2);
    await expectAccessible(page, `${language}-report-errors`);

    await page.fill('#story', STORIES[language] ?? '');
    await page.check('input[name=categories][value=wages]');
    await page.selectOption('#country', 'TH');
    await page.fill('#province', 'Mae Sot');
    await page.check('input[name=consent][value=yes]');
    await expectAccessible(page, `${language}-report-filled`);
    await page.click('button[type=submit]');

    const reference = (await page.textContent('.reference'))?.trim() ?? '';
    const pin = (await page.textContent('.pin'))?.trim() ?? '';
    expect(reference).toMatch(/^[2-9A-HJKMNP-Z]{3}-[2-9A-HJKMNP-Z]{3}$/);
    expect(pin).toMatch(/^\d{6}$/);
    expect(page.url()).not.toContain(reference);
    await expectAccessible(page, `${language}-report-done`);
    return { reference, pin };
  }

  async function checkStatus(page: Page, language: string, reference: string, pin: string): Promise<void> {
    await page.goto(`${server.url}/status?lang=${language}`);
    await expectAccessible(page, `${language}-status-form`);
    await page.fill('#reference', reference);
    await page.fill('#pin', pin === '000000' ? '111111' : '000000');
    await page.click('button[type=submit]');
    expect(await page.locator('.error-summary').count()).toBe(1);
    await expectAccessible(page, `${language}-status-wrong-pin`);

    await page.fill('#reference', reference);
    await page.fill('#pin', pin);
    await page.click('button[type=submit]');
    expect(await page.textContent('h1')).toContain(reference);
    await expectAccessible(page, `${language}-status`);

    await page.fill('#addition', `${STORIES[language] ?? ''} (+)`);
    await page.click('button[type=submit]');
    expect(await page.locator('.notice[role=status]').count()).toBe(1);
    expect(page.url()).not.toContain(pin);
  }

  it.each(LANGUAGES)('lets a worker report and check a case in %s', async (language) => {
    const context = await phoneContext(browser);
    const page = await context.newPage();
    const { reference, pin } = await submitReport(page, language);
    await checkStatus(page, language, reference, pin);
    const stored = await handle.db.selectFrom('cases').select(['language', 'channel']).where('reference', '=', reference).executeTakeFirstOrThrow();
    expect(stored).toEqual({ language, channel: 'web' });
    await context.close();
  });

  it('works with JavaScript turned off', async () => {
    const context = await phoneContext(browser, { javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${server.url}/report?lang=my`);
    await page.fill('#story', STORIES['my'] ?? '');
    await page.check('input[name=consent][value=no]');
    await page.click('button[type=submit]');
    const reference = (await page.textContent('.reference'))?.trim() ?? '';
    expect(reference).toMatch(/^[2-9A-HJKMNP-Z]{3}-[2-9A-HJKMNP-Z]{3}$/);
    await screenshot(page, 'my-report-done-no-javascript');
    const stored = await handle.db.selectFrom('cases').select('consent_given').where('reference', '=', reference).executeTakeFirstOrThrow();
    expect(stored.consent_given).toBe(false);
    await context.close();
  });
});
