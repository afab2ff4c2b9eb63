import request from 'supertest';
import type { DatabaseHandle } from '../../src/db/database';
import { createI18n } from '../../src/language/i18n';
import { upsertUser } from '../../src/users/user.repository';
import { buildTestHotline, type TestHotline } from '../support/app';
import { createFakeClock } from '../support/clock';
import { csrfOf } from '../support/console';
import { openTestDatabase } from '../support/database';

// "Delete my information" on the status page: only after the PIN, a confirmation step that says
// what it means in the worker's language, a form that needs its CSRF token, and one request filed.

const DAY = 86_400_000;
const i18n = createI18n();
const web = (language: string, key: string, params: Record<string, string> = {}) => i18n.getFixedT(language, 'web')(`erasure.${key}`, params);
const escaped = (text: string) => text.replace(/&/g, '&amp;').replace(/'/g, '&#39;').replace(/"/g, '&quot;');
const dayIn = (language: string, date: Date) => new Intl.DateTimeFormat(language, { dateStyle: 'long', timeZone: 'Asia/Bangkok' }).format(date);

const REPORT = {
  story: 'The boss keeps our passports.', categories: ['documents'], sector: '', country: 'TH', province: '', nationality: '',
  gender: '', age_band: '', workers: '', contact: 'none', phone: '', employer: '', consent: 'no',
};

describe('erasure requests from the status page', () => {
  const clock = createFakeClock('2026-12-03T09:00:00Z');
  let handle: DatabaseHandle;
  let hotline: TestHotline;
  let coordinatorId: string;

  beforeAll(async () => {
    handle = await openTestDatabase();
    hotline = buildTestHotline(handle, { clock });
    const org = await handle.db.insertInto('organisations').values({ slug: 'network', name: 'Network', kind: 'network', country: 'TH' }).returning('id').executeTakeFirstOrThrow();
    coordinatorId = await upsertUser(handle.db, { organisationId: org.id, email: 'coordinator@example.org', displayName: 'Coordinator', role: 'coordinator', locale: 'en', passwordHash: null });
  });
  afterAll(async () => {
    await handle.close();
  });

  /** A worker's browser on the hotline's pages, in one language, with the CSRF token of the last form it saw. */
  function browser(language: string, ip: string) {
    const agent = request.agent(hotline.app);
    let csrf = '';
    const get = async (path: string) => {
      const page = await agent.get(`${path}?lang=${language}`).set('X-Forwarded-For', ip).expect(200);
      csrf = csrfOf(page.text);
      return page;
    };
    const post = async (path: string, fields: Record<string, string | string[]>) => {
      const answer = await agent.post(`${path}?lang=${language}`).set('X-Forwarded-For', ip).type('form').send({ ...fields, _csrf: csrf });
      csrf = csrfOf(answer.text) || csrf;
      return answer;
    };
    return { agent, get, post };
  }

  async function reportCase(language: string, ip: string) {
    const worker = browser(language, ip);
    await worker.get('/report');
    const done = await worker.post('/report', REPORT);
    expect(done.status).toBe(200);
    const reference = /class="reference">([^<]+)</.exec(done.text)?.[1] ?? '';
    const pin = /class="pin">(\d{6})</.exec(done.text)?.[1] ?? '';
    const found = await handle.db.selectFrom('cases').select(['id', 'person_id']).where('reference', '=', reference).executeTakeFirstOrThrow();
    await worker.get('/status');
    return { worker, reference, pin, caseId: found.id, personId: found.person_id };
  }

  const erasuresOf = (personId: string) => handle.db.selectFrom('erasures').selectAll().where('person_id', '=', personId).execute();

  it.each(['th', 'km'])('asks, explains, then files one request, answering in the worker\'s language (%s)', async (language) => {
    const { worker, reference, pin, caseId, personId } = await reportCase(language, language === 'th' ? '203.0.113.21' : '203.0.113.22');

    const status = await worker.post('/status', { reference, pin });
    expect(status.status).toBe(200);
    expect(status.text).toContain(escaped(web(language, 'intro')));
    expect(status.text).toContain('name="erase" value="ask"');

    const confirm = await worker.post('/status', { reference, pin, erase: 'ask' });
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain(`<html lang="${language}">`);
    expect(confirm.text).toContain(escaped(web(language, 'confirm_text')));
    expect(confirm.text).toContain(escaped(web(language, 'confirm_yes')));
    expect(confirm.text).toContain(escaped(web(language, 'confirm_no')));
    expect(confirm.text).not.toMatch(/<script/);
    expect(await erasuresOf(personId)).toEqual([]);

    const answer = await worker.post('/status', { reference, pin, erase: 'confirm' });
    expect(answer.status).toBe(200);
    const dueAt = new Date(clock.now().getTime() + 90 * DAY);
    expect(answer.text).toContain(escaped(web(language, 'done_text', { date: dayIn(language, dueAt) })));
    // A Thai reader sees the Buddhist year (2570 is 2027).
    expect(answer.text).toContain(language === 'th' ? '2570' : '2027');
    expect(answer.headers['cache-control']).toBe('no-store');
    const [erasure, ...others] = await erasuresOf(personId);
    expect(others).toEqual([]);
    expect(erasure).toMatchObject({ scope: 'person', source: 'status_page', status: 'requested', reason: 'worker_request', case_id: caseId });
    expect(erasure?.due_at?.toISOString()).toBe(dueAt.toISOString());
    const notices = await handle.db.selectFrom('notifications').select(['user_id', 'kind']).where('subject_id', '=', erasure?.id ?? '').execute();
    expect(notices).toEqual([{ user_id: coordinatorId, kind: 'erasure.requested' }]);

    // The status page now says by when, instead of offering the button; asking again files nothing new.
    const after = await worker.post('/status', { reference, pin });
    expect(after.text).toContain(escaped(web(language, 'open', { asked: dayIn(language, clock.now()), date: dayIn(language, dueAt) })));
    expect(after.text).not.toContain('name="erase" value="ask"');
    const again = await worker.post('/status', { reference, pin, erase: 'confirm' });
    expect(again.text).toContain(escaped(web(language, 'already_text', { date: dayIn(language, dueAt) })));
    expect(await erasuresOf(personId)).toHaveLength(1);
  });

  it('says on the status page why a request was refused, in the worker\'s language, and lets them ask again', async () => {
    const { worker, reference, pin, personId } = await reportCase('vi', '203.0.113.23');
    await worker.post('/status', { reference, pin, erase: 'confirm' });
    const [asked] = await erasuresOf(personId);
    // Coordinators refuse it for a legal hold (the console's refusal is tested with the console).
    await handle.db.updateTable('erasures').set({ status: 'refused', refusal_reason: 'legal_hold', refused_by_user_id: coordinatorId, refused_at: clock.now() }).where('id', '=', asked?.id ?? '').execute();

    const status = await worker.post('/status', { reference, pin });
    const reason = i18n.getFixedT('vi', 'sms')('erasure.refused_reason.legal_hold');
    expect(status.text).toContain(escaped(web('vi', 'refused', { asked: dayIn('vi', asked?.requested_at ?? new Date()), reason })));
    expect(status.text).toContain('tòa án');
    expect(status.text).toContain('name="erase" value="ask"');
    await worker.post('/status', { reference, pin, erase: 'confirm' });
    expect((await erasuresOf(personId)).map((row) => row.status).sort()).toEqual(['refused', 'requested']);
    // While the new request is open, the page says by when, not the old refusal.
    const after = await worker.post('/status', { reference, pin });
    expect(after.text).not.toContain('tòa án');
  });

  it('files nothing without the right PIN', async () => {
    const { worker, reference, pin, personId } = await reportCase('vi', '203.0.113.23');
    const wrongPin = String((Number(pin) + 1) % 1_000_000).padStart(6, '0');
    const answer = await worker.post('/status', { reference, pin: wrongPin, erase: 'confirm' });
    expect(answer.status).toBe(200);
    expect(answer.text).not.toContain(escaped(web('vi', 'done_title')));
    expect(await erasuresOf(personId)).toEqual([]);
  });

  it('refuses a request without its CSRF token and files nothing', async () => {
    const { reference, pin, personId } = await reportCase('en', '203.0.113.24');
    const stranger = await request(hotline.app).post('/status?lang=en').set('X-Forwarded-For', '203.0.113.25').type('form').send({ reference, pin, erase: 'confirm' });
    expect(stranger.status).toBe(403);
    expect(await erasuresOf(personId)).toEqual([]);
  });
});
