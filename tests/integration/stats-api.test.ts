import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Express } from 'express';
import request from 'supertest';
import { LANGUAGES, ROLES, type Language, type Role } from '../../src/cases/case.vocabulary';
import type { DatabaseHandle } from '../../src/db/database';
import { upsertUser } from '../../src/users/user.repository';
import { issueApiToken } from '../../src/users/user.service';
import { buildTestHotline, type TestHotline } from '../support/app';
import { createFakeClock } from '../support/clock';
import { openTestDatabase } from '../support/database';
import { cellKeyOf, CELL_KEY_RANGE, perturbedCount } from '../../src/stats/stats.disclosure';
import { PUBLICATION_NOTE } from '../../src/stats/stats.csv';
import { caseRow, type SyntheticCase } from '../support/stats';

// The statistics API and dashboard over HTTP: who may read what, the JSON and CSV answers, and
// the page in every language.

const K = 10;
const CLOCK_NOW = '2026-11-27T08:00:00Z';

function synthetic(overrides: Partial<SyntheticCase>): SyntheticCase {
  return {
    createdAt: new Date('2026-03-10T05:00:00Z'),
    categories: ['wages'],
    indicators: [],
    sector: 'fishing',
    origin: 'MM',
    destination: 'TH',
    province: 'TH-74',
    channel: 'sms',
    status: 'resolved',
    outcome: 'wages_recovered',
    workers: 2,
    recovered: { amount: '1500.00', currency: 'THB' },
    responseHours: 3,
    resolutionDays: 12,
    recordKey: 0,
    ...overrides,
  };
}

/** 60 cases: large and small groups by sector, month, province and category; record keys spread evenly. */
function dataSet(): SyntheticCase[] {
  const repeat = (count: number, overrides: Partial<SyntheticCase>) => Array.from({ length: count }, () => synthetic(overrides));
  const cases = [
    ...repeat(25, {}),
    ...repeat(15, { sector: 'construction', province: 'TH-10', categories: ['documents'], outcome: 'documents_returned', recovered: null }),
    ...repeat(12, { sector: 'domestic_work', createdAt: new Date('2026-04-02T00:00:00Z'), province: 'TH-63', categories: ['wages', 'documents'] }),
    ...repeat(4, { sector: 'garment', province: 'TH-50', status: 'open', outcome: null, recovered: null, resolutionDays: null }),
    ...repeat(3, { sector: 'agriculture', origin: 'KH', destination: 'MY', province: 'MY-10', categories: ['injury'], recovered: { amount: '900.50', currency: 'MYR' } }),
    ...repeat(1, { sector: 'hospitality', province: 'Near the river by the big mill', categories: ['violence'] }),
  ];
  return cases.map((item, index) => ({ ...item, recordKey: (index * 618_034 + 12_345) % CELL_KEY_RANGE }));
}

/** What the API must publish for the cases that `which` picks: their count perturbed by their cell key. */
function publishedCount(which: (item: SyntheticCase, index: number) => boolean): number {
  const picked = dataSet().filter(which);
  return perturbedCount(picked.length, cellKeyOf(picked.reduce((sum, item) => sum + item.recordKey, 0)), K);
}

describe('the statistics API', () => {
  let handle: DatabaseHandle;
  let hotline: TestHotline;
  let app: Express;
  const tokens = new Map<Role, string>();

  beforeAll(async () => {
    handle = await openTestDatabase();
    hotline = buildTestHotline(handle, { statsMinCell: K, clock: createFakeClock(CLOCK_NOW) });
    app = hotline.app;
    const org = await handle.db.insertInto('organisations').values({ slug: 'stats-network', name: 'Network', kind: 'network', country: 'TH' }).returning('id').executeTakeFirstOrThrow();
    for (const role of ROLES) {
      const email = `${role}@stats.example.org`;
      await upsertUser(handle.db, { organisationId: org.id, email, displayName: role, role, locale: role === 'researcher' ? 'th' : 'en', passwordHash: null });
      tokens.set(role, await issueApiToken({ db: handle.db, clock: { now: () => new Date() } }, { email }, { kind: 'cli' }));
    }
    const employer = (name: string) => ({ employer_encrypted: hotline.cipher.seal(name), employer_key: hotline.cipher.lookupHash(name.toLowerCase()) });
    const rows = dataSet().map((item, index) =>
      caseRow(item, {
        summary_encrypted: hotline.cipher.seal('My boss at Golden Sea kept my passport, call me on +66812345678'),
        ...(index < 12 ? employer('Golden Sea Seafood Co.') : index < 17 ? employer('Quiet Farm Ltd.') : {}),
      }),
    );
    await handle.db.insertInto('cases').values(rows).execute();
  });
  afterAll(async () => {
    await handle.close();
  });

  const get = (url: string, role?: Role) => {
    const pending = request(app).get(url);
    const token = role ? tokens.get(role) : undefined;
    return token ? pending.set('Authorization', `Bearer ${token}`) : pending;
  };

  describe('access', () => {
    it.each(['researcher', 'coordinator', 'admin'] as const)('lets a %s read the case statistics and the dashboard', async (role) => {
      await get('/api/v1/stats/cases?group_by=sector', role).expect(200);
      await get('/console/stats', role).expect(200);
    });

    it.each(['caseworker', 'liaison'] as const)('refuses a %s (403)', async (role) => {
      const response = await get('/api/v1/stats/cases', role).expect(403);
      expect(response.body.error.code).toBe('forbidden');
      await get('/console/stats', role).expect(403);
      await get('/api/v1/stats/employers', role).expect(403);
    });

    it('refuses a request without a token (401)', async () => {
      await get('/api/v1/stats/cases').expect(401);
      await get('/api/v1/stats/employers').expect(401);
    });

    it('gives a researcher statistics only: no employers, nothing else but who they are', async () => {
      await get('/api/v1/stats/employers', 'researcher').expect(403);
      await get('/api/v1/cases', 'researcher').expect(403);
      const me = await get('/api/v1/me', 'researcher').expect(200);
      expect(me.body.role).toBe('researcher');
    });
  });

  describe('GET /api/v1/stats/cases', () => {
    it('states k, marks small cells as suppressed with no numbers, and never says 0 for them', async () => {
      const response = await get('/api/v1/stats/cases?group_by=sector', 'researcher').expect(200);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.body).toMatchObject({ k: K, perturbed: true, note: PUBLICATION_NOTE, group_by: ['sector'] });
      const bySector = Object.fromEntries(response.body.cells.map((cell: { sector: string }) => [cell.sector, cell]));
      const fishing = publishedCount((item) => item.sector === 'fishing');
      expect(Math.abs(fishing - 25)).toBeLessThanOrEqual(2);
      expect(bySector['fishing']).toMatchObject({ suppressed: false, cases: fishing, amounts_recovered: { THB: '38000.00' } });
      expect(Math.abs(bySector['fishing'].workers_affected - 50)).toBeLessThanOrEqual(2);
      expect(bySector['fishing'].share_resolved).toBeGreaterThanOrEqual(0.9);
      expect(bySector['fishing'].share_resolved).toBeLessThanOrEqual(1);
      for (const small of ['garment', 'agriculture', 'hospitality']) {
        expect(bySector[small]).toEqual({
          sector: small, suppressed: true, rolled_up: false, cases: null, workers_affected: null, median_days_to_first_response: null,
          median_days_to_resolution: null, share_resolved: null, amounts_recovered: null,
        });
      }
      expect(response.body.totals).toEqual([expect.objectContaining({ sector: '*', suppressed: false, cases: publishedCount(() => true) })]);
      expect(Math.abs(response.body.totals[0].cases - 60)).toBeLessThanOrEqual(2);
    });

    it('perturbs the same cases the same way in any query: a sector total equals its cell in a finer breakdown filtered to it', async () => {
      const bySector = (await get('/api/v1/stats/cases?group_by=sector', 'researcher').expect(200)).body;
      const byMonth = (await get('/api/v1/stats/cases?group_by=month&sector=fishing&from=2026-01&to=2026-06', 'researcher').expect(200)).body;
      const fishing = bySector.cells.find((cell: { sector: string }) => cell.sector === 'fishing');
      expect(byMonth.totals).toEqual([expect.objectContaining({ month: '*', cases: fishing.cases, workers_affected: fishing.workers_affected })]);
    });

    it('rolls a province with fewer than k cases up to its country', async () => {
      const response = await get('/api/v1/stats/cases?group_by=destination_province', 'researcher').expect(200);
      const provinces = response.body.cells.map((cell: { destination_province: string | null; rolled_up: boolean; cases: number | null }) => [cell.destination_province, cell.rolled_up, cell.cases]);
      // TH-50 (4) and the free-text place (1) are rolled up; MY-10 (3) becomes MY and is hidden.
      const province = (code: string) => publishedCount((item) => item.province === code);
      expect(provinces).toEqual([['TH-10', false, province('TH-10')], ['TH-74', false, province('TH-74')], ['TH-63', false, province('TH-63')], ['TH', true, null], ['MY', true, null], [null, true, null]]);
      expect(provinces.slice(0, 3).map((row: [string, boolean, number]) => row[2])).toEqual([expect.any(Number), expect.any(Number), expect.any(Number)]);
      expect(JSON.stringify(response.body)).not.toContain('river');
    });

    it('lets no free text, reference, phone number or exact date out', async () => {
      const response = await get('/api/v1/stats/cases?group_by=month,category,origin_country', 'coordinator').expect(200);
      const text = JSON.stringify(response.body);
      expect(text).not.toMatch(/66812345678|passport|Golden Sea|\d{4}-\d{2}-\d{2}|[2-9A-HJKMNP-Z]{3}-[2-9A-HJKMNP-Z]{3}/);
    });

    it('answers identical queries identically', async () => {
      const url = '/api/v1/stats/cases?group_by=month,sector,category&destination_country=TH';
      const [first, second] = [await get(url, 'researcher').expect(200), await get(url, 'researcher').expect(200)];
      expect(second.body).toEqual(first.body);
      expect(second.text).toBe(first.text);
    });

    it('filters by period, countries, categories and sectors', async () => {
      const response = await get('/api/v1/stats/cases?from=2026-04&to=2026-04&destination_country=TH&category=wages,documents&sector=domestic_work,fishing', 'researcher').expect(200);
      expect(response.body.cells).toEqual([expect.objectContaining({ suppressed: false, cases: publishedCount((item) => item.sector === 'domestic_work') })]);
      expect(response.body.filters).toEqual({ from: '2026-04', to: '2026-04', origin_country: [], destination_country: ['TH'], category: ['wages', 'documents'], sector: ['domestic_work', 'fishing'] });
    });

    it('refuses an unknown breakdown or filter value with a 400 naming the field', async () => {
      const response = await get('/api/v1/stats/cases?group_by=month,employer', 'researcher').expect(400);
      expect(response.body.error.code).toBe('validation_failed');
      expect(response.body.error.fields).toEqual([expect.objectContaining({ field: 'group_by', reason: 'not_allowed' })]);
      const filter = await get('/api/v1/stats/cases?destination_country=XX', 'researcher').expect(400);
      expect(filter.body.error.fields).toEqual([expect.objectContaining({ field: 'destination_country' })]);
    });

    it('answers CSV for Accept: text/csv or format=csv, with the same rows as the JSON', async () => {
      const url = '/api/v1/stats/cases?group_by=sector,outcome';
      const json = (await get(url, 'researcher').expect(200)).body;
      const viaAccept = await get(url, 'researcher').set('Accept', 'text/csv').expect(200);
      const viaFormat = await get(`${url}&format=csv`, 'researcher').expect(200);
      expect(viaAccept.headers['content-type']).toMatch(/^text\/csv/);
      expect(viaAccept.headers['content-disposition']).toBe('attachment; filename="cases-by-sector-outcome.csv"');
      expect(viaFormat.text).toBe(viaAccept.text);
      const records = parse(viaAccept.text, { columns: true }) as Record<string, string>[];
      const expected = [...json.cells, ...json.totals].map((row: Record<string, unknown>) => {
        const amounts = (row['amounts_recovered'] ?? {}) as Record<string, string>;
        const text = (value: unknown) => (value === null || value === undefined ? '' : String(value));
        return {
          sector: text(row['sector']), outcome: text(row['outcome']), suppressed: text(row['suppressed']), rolled_up: text(row['rolled_up']),
          cases: text(row['cases']), workers_affected: text(row['workers_affected']),
          median_days_to_first_response: text(row['median_days_to_first_response']), median_days_to_resolution: text(row['median_days_to_resolution']),
          share_resolved: text(row['share_resolved']), amount_recovered_MYR: text(amounts['MYR']), amount_recovered_THB: text(amounts['THB']), k: String(K),
          perturbed: 'true', note: PUBLICATION_NOTE,
        };
      });
      expect(records).toEqual(expected);
      expect(records.some((record) => record['suppressed'] === 'true')).toBe(true);
    });
  });

  describe('GET /api/v1/stats/employers', () => {
    it('names only employers in at least k cases, for coordinators, and audits the reading', async () => {
      const response = await get('/api/v1/stats/employers', 'coordinator').expect(200);
      // Perturbed like every published count; Quiet Farm (5 cases) stays below k.
      const goldenSea = publishedCount((_, index) => index < 12);
      expect(Math.abs(goldenSea - 12)).toBeLessThanOrEqual(2);
      expect(response.body).toEqual({ k: K, filters: expect.any(Object), employers: [{ name: 'Golden Sea Seafood Co.', cases: goldenSea }] });
      const audit = await handle.db.selectFrom('audit_log').select(['action', 'details']).where('action', '=', 'stats.employers_read').execute();
      expect(audit).toHaveLength(1);
      expect(JSON.stringify(audit)).not.toContain('Golden');
    });
  });

  describe('GET /console/stats', () => {
    const stats = (language: Language) => JSON.parse(fs.readFileSync(path.resolve(__dirname, `../../locales/${language}/stats.json`), 'utf8')) as { title: string; perturbedNote: string; chart: Record<string, string> };

    it.each(LANGUAGES)('renders the dashboard in %s, with labelled SVG charts, tables and CSV links', async (language) => {
      const response = await get(`/console/stats?lang=${language}`, 'coordinator').expect(200);
      const page = response.text;
      const strings = stats(language);
      expect(page).toContain(`<html lang="${language}">`);
      expect(page).toContain(`<h1>${strings.title}</h1>`);
      // Titled as every console page: "<page> · <product>".
      const product = (JSON.parse(fs.readFileSync(path.resolve(__dirname, `../../locales/${language}/console.json`), 'utf8')) as { product: string }).product;
      expect(page).toContain(`<title>${strings.title} · ${product}</title>`);
      // Says that the figures are perturbed and that totals need not add up.
      expect(page).toContain(strings.perturbedNote);
      for (const chart of ['timeline', 'corridors', 'sectors', 'outcomes', 'response', 'resolution']) {
        expect(page).toContain(`<title id="${chart}-chart-title">`);
        expect(page).toContain(`aria-labelledby="${chart}-chart-title ${chart}-chart-desc"`);
      }
      expect(page.match(/<svg /g)).toHaveLength(6);
      expect(page.match(/<table /g)).toHaveLength(5);
      expect(page).toContain('/api/v1/stats/cases?group_by=month,category&amp;from=2024-12&amp;to=2026-11&amp;format=csv');
      expect(page).not.toMatch(/style=|<script/);
    });

    it("speaks the reader's language unless ?lang= says otherwise", async () => {
      const response = await get('/console/stats', 'researcher').expect(200);
      expect(response.text).toContain('<html lang="th">');
      expect(response.text).toContain(stats('th').title);
    });

    it('shows hidden numbers as hidden, never as 0', async () => {
      const page = (await get('/console/stats?lang=en', 'researcher').expect(200)).text;
      const garment = /<th scope="row">Garment<\/th>(.*?)<\/tr>/.exec(page)?.[1] ?? '';
      expect(garment).toContain('hidden');
      expect(garment).not.toMatch(/>0</);
    });

    it('stays within the content security policy: no inline style or script', async () => {
      const response = await get('/console/stats', 'admin').expect(200);
      expect(response.headers['content-security-policy']).toContain("style-src 'self'");
      expect(response.text).not.toMatch(/style=|<style|<script/);
    });
  });
});
