import crypto from 'node:crypto';
import request from 'supertest';
import type { DatabaseHandle } from '../../src/db/database';
import { issueApiToken } from '../../src/users/user.service';
import { upsertUser } from '../../src/users/user.repository';
import { buildTestApp } from '../support/app';
import { openTestDatabase } from '../support/database';
import { createCapturingLogger } from '../support/logger';

describe('the HTTP app', () => {
  let handle: DatabaseHandle;

  beforeAll(async () => {
    handle = await openTestDatabase();
  });
  afterAll(async () => {
    await handle.close();
  });

  describe('health', () => {
    it('answers /healthz while the process runs', async () => {
      const response = await request(buildTestApp(handle)).get('/healthz').expect(200);
      expect(response.body).toEqual({ status: 'ok' });
    });

    it('answers /readyz 200 when the database answers', async () => {
      const response = await request(buildTestApp(handle)).get('/readyz').expect(200);
      expect(response.body).toEqual({ status: 'ok', checks: { database: 'ok' } });
    });

    it('answers /readyz 503 naming the dependency that does not answer', async () => {
      const app = buildTestApp(handle, {
        readiness: { database: handle.ping, redis: () => Promise.reject(new Error('ECONNREFUSED 10.0.0.5:6379')) },
      });
      const response = await request(app).get('/readyz').expect(503);
      expect(response.body).toEqual({ status: 'unavailable', checks: { database: 'ok', redis: 'unavailable' } });
      expect(JSON.stringify(response.body)).not.toContain('10.0.0.5');
    });
  });

  describe('security headers', () => {
    it('sets a strict Content-Security-Policy with no inline scripts or styles', async () => {
      const response = await request(buildTestApp(handle)).get('/healthz');
      const csp = response.headers['content-security-policy'] ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(response.headers['x-powered-by']).toBeUndefined();
      expect(response.headers['referrer-policy']).toBe('no-referrer');
    });
  });

  describe('errors', () => {
    it('answers an unknown API path with a JSON 404 from the catalogue', async () => {
      const response = await request(buildTestApp(handle)).get('/api/v1/nowhere').expect(404);
      expect(response.body).toEqual({ error: { code: 'not_found', message: 'We could not find this page.' } });
    });

    it('answers a browser with a translated HTML page, without a stack trace', async () => {
      const response = await request(buildTestApp(handle)).get('/nowhere').set('Accept', 'text/html').set('Accept-Language', 'my').expect(404);
      expect(response.headers['content-type']).toMatch(/text\/html/);
      expect(response.text).toContain('<html lang="my">');
      expect(response.text).toContain('ဤစာမျက်နှာကို ရှာမတွေ့ပါ။');
      expect(response.text).not.toMatch(/at .*\.ts:\d+/);
    });

    it('refuses malformed JSON with a 400, not a 500', async () => {
      const response = await request(buildTestApp(handle))
        .post('/api/v1/me')
        .set('Content-Type', 'application/json')
        .send('{"broken": ')
        .expect(400);
      expect(response.body.error.code).toBe('malformed_body');
    });

    it('refuses a body over the size limit with a 413', async () => {
      const response = await request(buildTestApp(handle))
        .post('/api/v1/me')
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ text: 'x'.repeat(100_000) }))
        .expect(413);
      expect(response.body.error.code).toBe('payload_too_large');
    });
  });

  describe('access', () => {
    let token: string;

    beforeAll(async () => {
      const org = await handle.db
        .insertInto('organisations')
        .values({ slug: 'test-ngo', name: 'Test NGO', kind: 'ngo', country: 'TH' })
        .returning('id')
        .executeTakeFirstOrThrow();
      await upsertUser(handle.db, {
        organisationId: org.id, email: 'worker.advocate@example.org', displayName: 'Advocate', role: 'caseworker', locale: 'km', passwordHash: null,
      });
      token = await issueApiToken({ db: handle.db, clock: { now: () => new Date() } }, { email: 'worker.advocate@example.org' }, { kind: 'cli' });
    });

    it('refuses a protected route without a token (401)', async () => {
      const response = await request(buildTestApp(handle)).get('/api/v1/me').expect(401);
      expect(response.body.error.code).toBe('unauthenticated');
    });

    it('refuses a token that is not one of ours (401)', async () => {
      await request(buildTestApp(handle)).get('/api/v1/me').set('Authorization', `Bearer mh_${crypto.randomBytes(32).toString('base64url')}`).expect(401);
    });

    it('accepts a live token and answers in the holder\'s terms', async () => {
      const response = await request(buildTestApp(handle)).get('/api/v1/me').set('Authorization', `Bearer ${token}`).expect(200);
      expect(response.body).toMatchObject({ role: 'caseworker', locale: 'km' });
      const stored = await handle.db.selectFrom('api_tokens').select(['token_hash', 'last_used_at']).executeTakeFirstOrThrow();
      expect(stored.token_hash).not.toContain(token);
      expect(stored.last_used_at).not.toBeNull();
    });

    it('refuses a revoked token', async () => {
      await handle.db.updateTable('api_tokens').set({ revoked_at: new Date() }).execute();
      await request(buildTestApp(handle)).get('/api/v1/me').set('Authorization', `Bearer ${token}`).expect(401);
    });
  });

  describe('logs', () => {
    it('record no query strings, tokens, cookies or bodies', async () => {
      const { logger, lines } = createCapturingLogger('debug');
      const app = buildTestApp(handle, { logger });
      await request(app)
        .post('/api/v1/nowhere?phone=%2B66812345678')
        .set('Authorization', 'Bearer mh_secret-token-value')
        .set('Cookie', 'session=secret-cookie')
        .send({ Body: 'my boss took my passport', From: '+66812345678' });
      const logged = lines().join('\n');
      expect(logged).toContain('/api/v1/nowhere');
      expect(logged).not.toContain('66812345678');
      expect(logged).not.toContain('secret-token-value');
      expect(logged).not.toContain('secret-cookie');
      expect(logged).not.toContain('passport');
    });
  });
});
