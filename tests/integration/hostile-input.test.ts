import zlib from 'node:zlib';
import express from 'express';
import { sql } from 'kysely';
import request from 'supertest';
import { createI18n } from '../../src/language/i18n';
import { createErrorHandler } from '../../src/http/error-handler';
import { requestLogging } from '../../src/http/request-logging';
import type { DatabaseHandle } from '../../src/db/database';
import { issueApiToken } from '../../src/users/user.service';
import { upsertUser } from '../../src/users/user.repository';
import { buildTestHotline, type TestHotline } from '../support/app';
import { openTestDatabase } from '../support/database';
import { createCapturingLogger } from '../support/logger';
import { csrfOf } from '../support/console';
import { messageSid, postSigned } from '../support/twilio-webhook';

// Issue #11, part 5: hostile input gets a clear 4xx naming the problem, never a 500. Each case
// here was answered 500 before the fix.

const REFERENCE = 'HST-2AA';

describe('hostile input', () => {
  let handle: DatabaseHandle;
  let hotline: TestHotline;
  const capture = createCapturingLogger('info');
  let failing = false;
  const clock = {
    now: () => {
      if (failing) throw new Error('clock broke while reading +66812345678');
      return new Date();
    },
  };
  const tokens: Record<string, string> = {};
  let csrf = { cookie: '', token: '' };

  beforeAll(async () => {
    handle = await openTestDatabase();
    hotline = buildTestHotline(handle, { logger: capture.logger, clock });
    const org = await handle.db.insertInto('organisations').values({ slug: 'network', name: 'Network', kind: 'network', country: 'TH' }).returning('id').executeTakeFirstOrThrow();
    for (const role of ['admin', 'coordinator', 'caseworker', 'researcher']) {
      await upsertUser(handle.db, { organisationId: org.id, email: `${role}@example.org`, displayName: role, role, locale: 'en', passwordHash: null });
      tokens[role] = await issueApiToken({ db: handle.db, clock: { now: () => new Date() } }, { email: `${role}@example.org` }, { kind: 'cli' });
    }
    await handle.db.insertInto('cases').values({ reference: REFERENCE, channel: 'web', language: 'en', owner_organisation_id: org.id, categories: ['wages'] }).execute();
    await handle.db.insertInto('cases').values({ reference: 'HST-3BB', channel: 'web', language: 'en', owner_organisation_id: org.id, categories: ['wages'] }).execute();
    const form = await request(hotline.app).get('/report');
    csrf = { cookie: /csrf=[^;]+/.exec(String(form.headers['set-cookie']))?.[0] ?? '', token: csrfOf(form.text) };
  });
  afterAll(async () => {
    await handle.close();
  });

  const bearer = (role: string) => `Bearer ${tokens[role] ?? ''}`;

  describe('a body whose Content-Encoding lies', () => {
    const garbage = Buffer.from('this is not compressed at all');
    const formRoutes = ['/webhooks/twilio/messaging', '/webhooks/twilio/status', '/report', '/status', '/console/sign-in'];

    it.each(['gzip', 'deflate', 'br'].flatMap((encoding) => formRoutes.map((path) => [encoding, path])))(
      'answers 400 encoding_invalid to a bogus %s form on %s, and logs it',
      async (encoding, path) => {
        const before = capture.lines().length;
        const response = await request(hotline.app)
          .post(path)
          .set('Content-Type', 'application/x-www-form-urlencoded')
          .set('Content-Encoding', encoding)
          .set('Cookie', csrf.cookie)
          .set('Accept', 'application/json')
          .send(garbage);
        expect(response.status).toBe(400);
        expect(response.body.error.code).toBe('encoding_invalid');
        const logged = capture.lines().slice(before).map((line) => JSON.parse(line) as { res?: { statusCode: number }; reqId?: string });
        expect(logged.some((line) => line.res?.statusCode === 400 && typeof line.reqId === 'string')).toBe(true);
      },
    );

    it.each(['gzip', 'deflate', 'br'])('answers 400 encoding_invalid to a bogus %s JSON body on the API', async (encoding) => {
      const response = await request(hotline.app)
        .post(`/api/v1/cases/${REFERENCE}/notes`)
        .set('Authorization', bearer('caseworker'))
        .set('Content-Type', 'application/json')
        .set('Content-Encoding', encoding)
        .send(garbage);
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('encoding_invalid');
    });

    it('answers 400 to a gzip body cut short', async () => {
      const whole = zlib.gzipSync(Buffer.from(JSON.stringify({ body: 'a note' })));
      const response = await request(hotline.app)
        .post(`/api/v1/cases/${REFERENCE}/notes`)
        .set('Authorization', bearer('caseworker'))
        .set('Content-Type', 'application/json')
        .set('Content-Encoding', 'gzip')
        .send(whole.subarray(0, whole.length - 6));
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('encoding_invalid');
    });

    it('answers 415 to an encoding it does not know, on the webhook too', async () => {
      for (const [path, type] of [['/webhooks/twilio/messaging', 'application/x-www-form-urlencoded'], [`/api/v1/cases/${REFERENCE}/notes`, 'application/json']] as const) {
        const response = await request(hotline.app)
          .post(path)
          .set('Authorization', bearer('caseworker'))
          .set('Content-Type', type)
          .set('Content-Encoding', 'x-unknown')
          .send('{}');
        expect(response.status).toBe(415);
        expect(response.body.error.code).toBe('unsupported_media_type');
      }
    });

    it('tells a worker on /report in their own language', async () => {
      const response = await request(hotline.app)
        .post('/report')
        .set('Content-Type', 'application/x-www-form-urlencoded')
        .set('Content-Encoding', 'gzip')
        .set('Cookie', `${csrf.cookie}; lang=km`)
        .set('Accept', 'text/html')
        .send(garbage);
      expect(response.status).toBe(400);
      expect(response.text).toContain('<html lang="km">');
      expect(response.text).not.toContain('We could not unpack');
      expect(response.headers['content-security-policy']).toBeDefined();
    });

    it('writes nothing for a bogus webhook body', async () => {
      const count = async () => Number((await handle.db.selectFrom('messages').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
      const before = await count();
      await request(hotline.app).post('/webhooks/twilio/messaging').set('Content-Type', 'application/x-www-form-urlencoded').set('Content-Encoding', 'gzip').send(garbage).expect(400);
      expect(await count()).toBe(before);
    });

    it('still answers 413 to a body over the limit', async () => {
      const response = await request(hotline.app)
        .post(`/api/v1/cases/${REFERENCE}/notes`)
        .set('Authorization', bearer('caseworker'))
        .send({ body: 'x'.repeat(70_000) });
      expect(response.status).toBe(413);
      expect(response.body.error.code).toBe('payload_too_large');
    });
  });

  describe('a NUL character in a text field', () => {
    const fieldOf = (response: request.Response) => (response.body as { error?: { fields?: { field: string; reason: string }[] } }).error?.fields;

    it('is refused on the consent wording the API stores as plaintext', async () => {
      const response = await request(hotline.app)
        .patch(`/api/v1/cases/${REFERENCE}`)
        .set('Authorization', bearer('caseworker'))
        .send({ consent: { given: true, wording: 'Yes\u0000 share it' } });
      expect(response.status).toBe(400);
      expect(fieldOf(response)).toEqual([expect.objectContaining({ field: 'consent.wording', reason: 'nul_character' })]);
    });

    it('is refused in a routing rule name', async () => {
      const response = await request(hotline.app)
        .post('/api/v1/routing-rules')
        .set('Authorization', bearer('coordinator'))
        .send({ name: 'rule\u0000', priority: 1, conditions: {}, action: 'escalate' });
      expect(response.status).toBe(400);
      expect(fieldOf(response)).toEqual([expect.objectContaining({ field: 'name', reason: 'nul_character' })]);
    });

    it('is refused in the sign-in email', async () => {
      const response = await request(hotline.app)
        .post('/console/sign-in')
        .set('Cookie', csrf.cookie)
        .set('Accept', 'application/json')
        .type('form')
        .send({ email: 'admin@example.org\u0000', password: 'x', _csrf: csrf.token });
      expect(response.status).toBe(400);
      expect(fieldOf(response)).toEqual([expect.objectContaining({ field: 'email', reason: 'nul_character' })]);
    });

    it('is refused in a console query filter', async () => {
      const response = await request(hotline.app).get('/console/admin/audit?action=%00').set('Authorization', bearer('admin')).set('Accept', 'application/json');
      expect(response.status).toBe(400);
      expect(fieldOf(response)).toEqual([expect.objectContaining({ field: 'action', reason: 'nul_character' })]);
    });

    it('is refused on the canned reply title', async () => {
      const response = await request(hotline.app)
        .post('/console/canned-replies')
        .set('Authorization', bearer('coordinator'))
        .set('Accept', 'application/json')
        .type('form')
        .send({ language: 'en', title: 'Hello\u0000', body: 'Hello' });
      expect(response.status).toBe(400);
      expect(fieldOf(response)).toEqual([expect.objectContaining({ field: 'title', reason: 'nul_character' })]);
    });

    it('is refused on the worker-facing report form, in the worker\u2019s language', async () => {
      const response = await request(hotline.app)
        .post('/report?lang=th')
        .set('Cookie', csrf.cookie)
        .type('form')
        .send({ _csrf: csrf.token, story: 'my boss\u0000', employer: 'Acme\u0000', consent: 'yes' });
      expect(response.status).toBe(400);
      expect(response.type).toBe('text/html');
      expect(response.text).toContain('lang="th"');
      expect(response.text).not.toContain('Some answers need fixing');
    });
  });

  describe('the sign-in form', () => {
    it('answers 400 naming email when the email field comes twice', async () => {
      const response = await request(hotline.app)
        .post('/console/sign-in')
        .set('Cookie', csrf.cookie)
        .set('Accept', 'application/json')
        .type('form')
        .send(`email=a%40example.org&email=b%40example.org&password=x&_csrf=${encodeURIComponent(csrf.token)}`);
      expect(response.status).toBe(400);
      expect(response.body.error.fields).toEqual([expect.objectContaining({ field: 'email' })]);
    });
  });

  describe('a crafted case-list cursor', () => {
    const encode = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
    const cursors: [string, string][] = [
      ['bad base64', '!!!not base64!!!'],
      ['bad JSON', encode('{"updatedAt":')],
      ['a JSON array', encode([1, 2])],
      ['an id that is no uuid', encode({ updatedAt: '2026-01-01 00:00:00+00', id: 'nope' })],
      ['a date that is no date', encode({ updatedAt: '2026-02-31 00:00:00+00', id: '00000000-0000-4000-8000-000000000000' })],
      ['a date out of range', encode({ updatedAt: '300000-01-01T00:00:00Z', id: '00000000-0000-4000-8000-000000000000' })],
      ['a date before year 1', encode({ updatedAt: '0000-01-01T00:00:00Z', id: '00000000-0000-4000-8000-000000000000' })],
    ];

    it.each(cursors)('answers 400 naming cursor for %s on the API and the console', async (_what, cursor) => {
      for (const path of ['/api/v1/cases', '/console/cases']) {
        const response = await request(hotline.app).get(`${path}?cursor=${encodeURIComponent(cursor)}`).set('Authorization', bearer('caseworker')).set('Accept', 'application/json');
        expect(response.status).toBe(400);
        expect(response.body.error.fields).toEqual([expect.objectContaining({ field: 'cursor' })]);
      }
    });

    it('still pages with the cursors it gives', async () => {
      const first = await request(hotline.app).get('/api/v1/cases?limit=1').set('Authorization', bearer('coordinator')).expect(200);
      expect(typeof first.body.next_cursor).toBe('string');
      const second = await request(hotline.app).get(`/api/v1/cases?limit=1&cursor=${String(first.body.next_cursor)}`).set('Authorization', bearer('coordinator')).expect(200);
      expect(second.body.data).toHaveLength(1);
      expect(second.body.data[0].reference).not.toBe(first.body.data[0].reference);
      await request(hotline.app).get(`/console/cases?cursor=${String(first.body.next_cursor)}`).set('Authorization', bearer('coordinator')).expect(200);
    });
  });

  describe('malformed percent-encoding in a path', () => {
    it.each(['/api/v1/cases/%FF', '/console/cases/%FF', '/api/v1/referrals/%E0%A4%A', '/assets/%FF', '/no-such-page/%FF', '/console/admin/organisations/%C0'])('answers 400 to %s', async (path) => {
      const response = await request(hotline.app).get(path).set('Authorization', bearer('admin')).set('Accept', 'application/json');
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('malformed_url');
      expect(JSON.stringify(response.body)).not.toContain('%FF');
    });
  });

  describe('statistics months out of the calendar', () => {
    it.each([['from', '0000-01'], ['from', '9999-13'], ['from', '0001-00'], ['to', '0000-12']])('answers 400 naming %s for %s', async (field, value) => {
      const response = await request(hotline.app).get(`/api/v1/stats/cases?${field}=${value}`).set('Authorization', bearer('researcher'));
      expect(response.status).toBe(400);
      expect(response.body.error.fields).toEqual([expect.objectContaining({ field })]);
    });
  });

  describe('the audit log page', () => {
    it.each(['12345678901234567890123', '9223372036854775808', '-1', '1e5'])('answers 400 naming before for before=%s', async (before) => {
      const response = await request(hotline.app).get(`/console/admin/audit?before=${before}`).set('Authorization', bearer('admin')).set('Accept', 'application/json');
      expect(response.status).toBe(400);
      expect(response.body.error.fields).toEqual([expect.objectContaining({ field: 'before' })]);
    });

    it('pages with the largest id PostgreSQL holds', async () => {
      await request(hotline.app).get('/console/admin/audit?before=9223372036854775807').set('Authorization', bearer('admin')).expect(200);
    });
  });

  describe('an unexpected failure', () => {
    afterEach(() => {
      failing = false;
    });

    it('answers 500 with only a code, a message and an error id, and logs that id with the request id', async () => {
      const before = capture.lines().length;
      failing = true;
      const response = await request(hotline.app).get('/api/v1/cases').set('Authorization', bearer('caseworker')).set('X-Request-Id', 'test-request-0001');
      failing = false;
      expect(response.status).toBe(500);
      expect(Object.keys(response.body)).toEqual(['error']);
      expect(Object.keys(response.body.error).sort()).toEqual(['code', 'id', 'message']);
      expect(response.body.error.code).toBe('internal');
      expect(response.body.error.id).toBe('test-request-0001');
      expect(response.text).not.toMatch(/clock broke|66812345678|\bat |\.ts\b/);
      const logged = capture.lines().slice(before).join('\n');
      expect(logged).toContain('"reqId":"test-request-0001"');
      expect(logged).toContain('"errorId":"test-request-0001"');
      expect(logged).not.toContain('66812345678');
    });

    it('gives a webhook\u2019s 500 an error id too, which its failure log line carries', async () => {
      const before = capture.lines().length;
      failing = true;
      const response = await postSigned(hotline.app, '/webhooks/twilio/status', { MessageSid: messageSid(), MessageStatus: 'delivered' });
      failing = false;
      expect(response.status).toBe(500);
      expect(Object.keys(response.body.error).sort()).toEqual(['code', 'id', 'message']);
      const logged = capture.lines().slice(before).join('\n');
      expect(logged).toContain(`"errorId":"${String(response.body.error.id)}"`);
      expect(logged).toContain(`"reqId":"${String(response.body.error.id)}"`);
      expect(logged).not.toContain('66812345678');
    });

    it('shows the error id on an HTML error page, and nothing of the error', async () => {
      failing = true;
      const response = await request(hotline.app).get('/console/cases').set('Authorization', bearer('caseworker')).set('X-Request-Id', 'test-request-0002');
      failing = false;
      expect(response.status).toBe(500);
      expect(response.text).toContain('test-request-0002');
      expect(response.text).not.toMatch(/clock broke|66812345678|\.ts\b/);
    });
  });

  describe('a value PostgreSQL refuses as data, past every schema', () => {
    // The schemas catch these first; this is the backstop, on a route that hands a value straight
    // to the database.
    function appQuerying(query: (value: string) => Promise<unknown>) {
      const app = express();
      app.use(requestLogging(capture.logger));
      app.get('/probe', async (req, res, next) => {
        try {
          await query(String(req.query['value']));
          res.json({ ok: true });
        } catch (error) {
          next(error);
        }
      });
      app.use(createErrorHandler(createI18n()));
      return app;
    }

    it.each([
      ['a date before year 1 (22008)', '0000-01-01', (value: string) => sql`select ${value}::date`.execute(handle.db)],
      ['a number out of range (22003)', '1'.repeat(23), (value: string) => sql`select ${value}::bigint`.execute(handle.db)],
      ['text that is no uuid (22P02)', 'worker+66812345678', (value: string) => sql`select ${value}::uuid`.execute(handle.db)],
      ['a NUL in text (22021)', 'a\u0000+66812345678', (value: string) => sql`select ${value}::text`.execute(handle.db)],
    ])('answers 400 invalid_input to %s, and logs its code but not the value', async (_what, value, query) => {
      const before = capture.lines().length;
      const response = await request(appQuerying(query)).get(`/probe?value=${encodeURIComponent(value)}`).set('Accept', 'application/json');
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('invalid_input');
      const logged = capture.lines().slice(before).join('\n');
      expect(logged).toMatch(/"sqlState":"22[0-9A-Z]{3}"/);
      expect(logged).not.toContain(value.replace('\u0000', ''));
      expect(logged).not.toContain('66812345678');
    });
  });
});
