import { sql } from 'kysely';
import request from 'supertest';
import type { DatabaseHandle } from '../../src/db/database';
import { URGENCIES } from '../../src/cases/case.vocabulary';
import { openApiDocument } from '../../src/http/openapi';
import { issueApiToken } from '../../src/users/user.service';
import { upsertUser } from '../../src/users/user.repository';
import { buildTestHotline, type TestHotline } from '../support/app';
import { openTestDatabase } from '../support/database';

const ROLES = ['admin', 'coordinator', 'caseworker', 'other-caseworker', 'liaison', 'researcher'] as const;
type Who = (typeof ROLES)[number] | 'nobody';

describe('the case API', () => {
  let handle: DatabaseHandle;
  let hotline: TestHotline;
  const tokens: Partial<Record<Who, string>> = {};
  const ids: Record<string, string> = {};
  const refs = { own: 'AAA-2AA', other: 'BBB-2BB', referred: 'CCC-2CC' };

  async function org(slug: string, kind = 'ngo') {
    return (await handle.db.insertInto('organisations').values({ slug, name: slug, kind, country: 'TH' }).returning('id').executeTakeFirstOrThrow()).id;
  }

  async function user(who: Who, role: string, organisationId: string) {
    const email = `${who}@example.org`;
    ids[who] = await upsertUser(handle.db, { organisationId, email, displayName: who, role, locale: 'en', passwordHash: null });
    tokens[who] = await issueApiToken({ db: handle.db, clock: { now: () => new Date() } }, { email }, { kind: 'cli' });
  }

  async function kase(reference: string, ownerId: string, contactId: string | null) {
    const row = await handle.db.insertInto('cases').values({
      reference, channel: 'sms', language: 'my', owner_organisation_id: ownerId, contact_id: contactId, categories: ['wages'],
      summary_encrypted: hotline.cipher.seal(`story of ${reference}`), destination_country: 'TH', destination_province: 'TH-63',
    }).returning('id').executeTakeFirstOrThrow();
    ids[reference] = row.id;
    return row.id;
  }

  beforeAll(async () => {
    handle = await openTestDatabase();
    hotline = buildTestHotline(handle);
    const network = await org('network', 'network');
    const maeSot = await org('mae-sot');
    const phnomPenh = await org('phnom-penh');
    const embassy = await org('embassy', 'embassy');
    await user('admin', 'admin', network);
    await user('coordinator', 'coordinator', network);
    await user('caseworker', 'caseworker', maeSot);
    await user('other-caseworker', 'caseworker', phnomPenh);
    await user('liaison', 'liaison', embassy);
    await user('researcher', 'researcher', network);
    const contact = await handle.db.insertInto('contacts').values({ channel: 'sms', address_hash: hotline.cipher.lookupHash('+66811111111'), address_encrypted: hotline.cipher.seal('+66811111111') }).returning('id').executeTakeFirstOrThrow();
    const own = await kase(refs.own, maeSot, contact.id);
    await kase(refs.other, phnomPenh, null);
    const referred = await kase(refs.referred, phnomPenh, null);
    await handle.db.insertInto('referrals').values({ case_id: referred, from_organisation_id: phnomPenh, to_organisation_id: maeSot, status: 'pending', due_at: new Date(Date.now() + 86_400_000) }).execute();
    await handle.db.insertInto('messages').values({ case_id: own, contact_id: contact.id, direction: 'in', channel: 'sms', status: 'received', body_encrypted: hotline.cipher.seal('my boss keeps my passport'), provider_id: `SM${'a'.repeat(32)}` }).execute();
  });
  afterAll(async () => {
    await handle.close();
  });

  function call(who: Who, method: 'get' | 'patch' | 'post', path: string, body?: object) {
    const agent = request(hotline.app)[method](path);
    if (who !== 'nobody') agent.set('Authorization', `Bearer ${tokens[who]}`);
    return body ? agent.send(body) : agent;
  }

  const ROUTES: { name: string; method: 'get' | 'patch' | 'post'; path: (reference: string) => string; body?: object }[] = [
    { name: 'read', method: 'get', path: (r) => `/api/v1/cases/${r}` },
    { name: 'update', method: 'patch', path: (r) => `/api/v1/cases/${r}`, body: { urgency: 'high' } },
    { name: 'note', method: 'post', path: (r) => `/api/v1/cases/${r}/notes`, body: { body: 'called the employer' } },
  ];

  const expected: Record<Who, Record<'own' | 'other' | 'referred', number>> = {
    coordinator: { own: 200, other: 200, referred: 200 },
    caseworker: { own: 200, other: 404, referred: 200 },
    'other-caseworker': { own: 404, other: 200, referred: 200 },
    admin: { own: 403, other: 403, referred: 403 },
    liaison: { own: 403, other: 403, referred: 403 },
    researcher: { own: 403, other: 403, referred: 403 },
    nobody: { own: 401, other: 401, referred: 401 },
  };

  describe('access matrix', () => {
    for (const who of [...ROLES, 'nobody'] as Who[]) {
      for (const route of ROUTES) {
        for (const which of ['own', 'other', 'referred'] as const) {
          const status = expected[who][which];
          it(`${who} → ${route.name} ${which} case → ${status}`, async () => {
            const response = await call(who, route.method, route.path(refs[which]), route.body);
            const wanted = status === 200 && route.name === 'note' ? 201 : status;
            expect(response.status).toBe(wanted);
            if (status === 404) expect(response.body).toEqual({ error: { code: 'not_found', message: 'We could not find this page.' } });
          });
        }
      }
      it(`${who} → list cases → ${who === 'nobody' ? 401 : expected[who].own === 403 ? 403 : 200}`, async () => {
        const response = await call(who, 'get', '/api/v1/cases');
        expect(response.status).toBe(who === 'nobody' ? 401 : expected[who].own === 403 ? 403 : 200);
      });
    }

    it('answers a case that does not exist exactly like one the caller may not see', async () => {
      const hidden = await call('other-caseworker', 'get', `/api/v1/cases/${refs.own}`);
      const missing = await call('other-caseworker', 'get', '/api/v1/cases/ZZZ-ZZZ');
      expect([hidden.status, hidden.body]).toEqual([missing.status, missing.body]);
    });

    it('lists only the cases in scope', async () => {
      const mine = await call('caseworker', 'get', '/api/v1/cases').expect(200);
      expect(mine.body.data.map((row: { reference: string }) => row.reference).sort()).toEqual([refs.own, refs.referred].sort());
      const all = await call('coordinator', 'get', '/api/v1/cases').expect(200);
      expect(all.body.data).toHaveLength(3);
    });

    it('records reads, writes and refused reads in the audit log', async () => {
      const rows = await handle.db.selectFrom('audit_log').select(['action', 'actor_user_id', 'case_id']).where('case_id', '=', ids[refs.own] ?? '').execute();
      const by = (action: string, who: Who) => rows.filter((row) => row.action === action && row.actor_user_id === ids[who]).length;
      expect(by('case.read', 'caseworker')).toBeGreaterThan(0);
      expect(by('case.updated', 'coordinator')).toBeGreaterThan(0);
      expect(by('note.created', 'caseworker')).toBeGreaterThan(0);
      expect(by('case.access_denied', 'other-caseworker')).toBeGreaterThan(0);
    });
  });

  describe('case work', () => {
    it('returns the case with its messages (direction, body, status) and notes', async () => {
      const response = await call('caseworker', 'get', `/api/v1/cases/${refs.own.toLowerCase()}`).expect(200);
      expect(response.body).toMatchObject({ reference: refs.own, summary: `story of ${refs.own}`, categories: ['wages'] });
      expect(response.body.messages[0]).toMatchObject({ direction: 'in', body: 'my boss keeps my passport', status: 'received' });
    });

    it('keeps a private note inside its organisation and shows a shared one to partners, without contact details until the worker consents', async () => {
      await call('caseworker', 'post', `/api/v1/cases/${refs.referred}/notes`, { body: 'private to Mae Sot', visibility: 'organisation' }).expect(201);
      await call('caseworker', 'post', `/api/v1/cases/${refs.referred}/notes`, { body: 'shared with partners: call 081 234 5678', visibility: 'partners' }).expect(201);
      const notesSeen = async () => (await call('other-caseworker', 'get', `/api/v1/cases/${refs.referred}`).expect(200)).body.notes.map((note: { body: string }) => note.body);
      const limited = await notesSeen();
      expect(limited).toContain('shared with partners: call […]');
      expect(limited).not.toContain('private to Mae Sot');
      await handle.db.updateTable('cases').set({ consent_given: true, consent_at: new Date(), consent_wording: 'May we share?' }).where('reference', '=', refs.referred).execute();
      const full = await notesSeen();
      expect(full).toContain('shared with partners: call 081 234 5678');
      expect(full).not.toContain('private to Mae Sot');
    });

    it('names each bad field of an update, and changes nothing', async () => {
      const response = await call('coordinator', 'patch', `/api/v1/cases/${refs.own}`, { status: 'lost', amount_recovered: 100, colour: 'red' }).expect(400);
      expect(response.body.error.fields.map((field: { field: string }) => field.field).sort()).toEqual(expect.arrayContaining(['status']));
      const after = await handle.db.selectFrom('cases').select('status').where('id', '=', ids[refs.own] ?? '').executeTakeFirstOrThrow();
      expect(after.status).toBe('new');
    });

    it('records each change on the timeline and sets resolved_at on resolution', async () => {
      await call('coordinator', 'patch', `/api/v1/cases/${refs.other}`, { status: 'resolved', outcome: 'wages_recovered', amount_recovered: 12500, recovered_currency: 'THB' }).expect(200);
      const found = await handle.db.selectFrom('cases').select(['status', 'resolved_at', 'amount_recovered']).where('id', '=', ids[refs.other] ?? '').executeTakeFirstOrThrow();
      expect(found.status).toBe('resolved');
      expect(found.resolved_at).not.toBeNull();
      expect(Number(found.amount_recovered)).toBe(12500);
      const events = await handle.db.selectFrom('case_events').select(['type', 'data']).where('case_id', '=', ids[refs.other] ?? '').execute();
      expect(events).toContainEqual({ type: 'case.status_changed', data: { field: 'status', from: 'new', to: 'resolved' } });
    });

    it('queues a reply on the case\'s channel with its encoding and segments, and marks the first response', async () => {
      const response = await call('caseworker', 'post', `/api/v1/cases/${refs.own}/replies`, { body: 'ကျွန်ုပ်တို့ ဆက်သွယ်ပါမည်' }).expect(201);
      expect(response.body).toMatchObject({ status: 'queued', encoding: 'UCS-2', segments: 1 });
      await hotline.runJobs();
      const found = await handle.db.selectFrom('cases').select(['first_response_at', 'status']).where('id', '=', ids[refs.own] ?? '').executeTakeFirstOrThrow();
      expect(found.first_response_at).not.toBeNull();
      expect(found.status).toBe('open');
      const detail = await call('caseworker', 'get', `/api/v1/cases/${refs.own}`).expect(200);
      expect(detail.body.messages.at(-1)).toMatchObject({ direction: 'out', body: 'ကျွန်ုပ်တို့ ဆက်သွယ်ပါမည်', status: 'recorded', from_staff: true });
    });

    it('refuses a reply to a worker who opted out, or to a case with no contact (409)', async () => {
      const noContact = await call('coordinator', 'post', `/api/v1/cases/${refs.other}/replies`, { body: 'hello' }).expect(409);
      expect(noContact.body.error.fields).toEqual([{ field: 'reference', reason: 'no_contact', message: expect.any(String) }]);
      await handle.db.updateTable('contacts').set({ is_opted_out: true }).execute();
      const optedOut = await call('caseworker', 'post', `/api/v1/cases/${refs.own}/replies`, { body: 'hello' }).expect(409);
      expect(optedOut.body.error.fields[0].reason).toBe('opted_out');
      await handle.db.updateTable('contacts').set({ is_opted_out: false }).execute();
    });

    it('lists cases left unanswered for 48 hours as overdue', async () => {
      await handle.db.updateTable('cases').set({ created_at: new Date(Date.now() - 72 * 3600_000) }).where('reference', '=', refs.referred).execute();
      const overdue = await call('coordinator', 'get', '/api/v1/cases?overdue=true').expect(200);
      expect(overdue.body.data.map((row: { reference: string }) => row.reference)).toEqual([refs.referred]);
    });

    it('pages through cases whose activity differs by microseconds without skipping any', async () => {
      // Three different microseconds inside one millisecond: a millisecond cursor would skip one.
      await handle.db.executeQuery(
        sql`update cases set updated_at = timestamptz '2026-11-01 00:00:00.123+00' + (ascii(reference) % 7) * interval '100 microseconds'`.compile(handle.db),
      );
      const seen: string[] = [];
      let cursor: string | null = '';
      while (cursor !== null) {
        const response: request.Response = await call('coordinator', 'get', `/api/v1/cases?limit=1${cursor ? `&cursor=${cursor}` : ''}`).expect(200);
        seen.push(...response.body.data.map((row: { reference: string }) => row.reference));
        cursor = response.body.next_cursor;
      }
      expect(seen.sort()).toEqual([refs.own, refs.other, refs.referred].sort());
    });

    it('pages through cases with a stable cursor and filters', async () => {
      const first = await call('coordinator', 'get', '/api/v1/cases?limit=2').expect(200);
      expect(first.body.data).toHaveLength(2);
      const second = await call('coordinator', 'get', `/api/v1/cases?limit=2&cursor=${first.body.next_cursor}`).expect(200);
      expect(second.body.data).toHaveLength(1);
      expect(second.body.next_cursor).toBeNull();
      const all = [...first.body.data, ...second.body.data].map((row: { reference: string }) => row.reference);
      expect(new Set(all).size).toBe(3);
      const filtered = await call('coordinator', 'get', '/api/v1/cases?status=resolved').expect(200);
      expect(filtered.body.data.map((row: { reference: string }) => row.reference)).toEqual([refs.other]);
      expect(filtered.body.counts.status.resolved).toBe(1);
      await call('coordinator', 'get', '/api/v1/cases?status=lost').expect(400);
      await call('coordinator', 'get', '/api/v1/cases?cursor=nonsense').expect(400);
    });
  });

  describe('changes against the version read (ETag and If-Match)', () => {
    const raced = { sequential: 'ABC-2AB', concurrent: 'CBA-2BA' };
    beforeAll(async () => {
      const maeSot = (await handle.db.selectFrom('organisations').select('id').where('slug', '=', 'mae-sot').executeTakeFirstOrThrow()).id;
      await kase(raced.sequential, maeSot, null);
      await kase(raced.concurrent, maeSot, null);
    });

    const patch = (reference: string, body: object, ifMatch?: string) => {
      const agent = call('coordinator', 'patch', `/api/v1/cases/${reference}`);
      if (ifMatch !== undefined) agent.set('If-Match', ifMatch);
      return agent.send(body);
    };
    const stored = (reference: string) => handle.db.selectFrom('cases').select(['urgency', 'sector', 'status']).where('id', '=', ids[reference] ?? '').executeTakeFirstOrThrow();
    const eventsOf = (reference: string, field: string) => handle.db.selectFrom('case_events').select('data')
      .where('case_id', '=', ids[reference] ?? '').where(sql<boolean>`data->>'field' = ${field}`).execute();

    it('sends the case\'s version as a weak ETag, and a new one after each write', async () => {
      const first = (await call('coordinator', 'get', `/api/v1/cases/${raced.sequential}`).expect(200)).headers['etag'];
      expect(first).toMatch(/^W\/"\d+"$/);
      expect((await call('coordinator', 'get', `/api/v1/cases/${raced.sequential}`).expect(200)).headers['etag']).toBe(first);
      const written = await patch(raced.sequential, { urgency: 'high' }, first).expect(200);
      expect(written.headers['etag']).toMatch(/^W\/"\d+"$/);
      expect(written.headers['etag']).not.toBe(first);
      // Two writes within one millisecond still give two versions.
      const again = await patch(raced.sequential, { urgency: 'normal' }, written.headers['etag']).expect(200);
      expect(again.headers['etag']).not.toBe(written.headers['etag']);
      expect((await call('coordinator', 'get', `/api/v1/cases/${raced.sequential}`).expect(200)).headers['etag']).toBe(again.headers['etag']);
    });

    it('refuses a change sent with a stale If-Match (409 case_changed) and writes nothing of it', async () => {
      const read = (await call('coordinator', 'get', `/api/v1/cases/${raced.sequential}`).expect(200)).headers['etag'];
      await patch(raced.sequential, { urgency: 'emergency' }, read).expect(200);
      const before = await stored(raced.sequential);
      const stale = await patch(raced.sequential, { urgency: 'low', sector: 'fishing' }, read).expect(409);
      expect(stale.body.error.code).toBe('case_changed');
      expect(stale.body.error.message).toMatch(/someone else changed this case/i);
      expect(await stored(raced.sequential)).toEqual(before);
      expect(before).toMatchObject({ urgency: 'emergency', sector: null });
      expect(await eventsOf(raced.sequential, 'sector')).toEqual([]);
      // The strong form of the same tag names the same version.
      const current = (await call('coordinator', 'get', `/api/v1/cases/${raced.sequential}`).expect(200)).headers['etag'];
      await patch(raced.sequential, { sector: 'fishing' }, String(current).replace(/^W\//, '')).expect(200);
    });

    it('changes the case without If-Match, or with If-Match: *, as before ETags; refuses a malformed one', async () => {
      await patch(raced.sequential, { status: 'open' }).expect(200);
      await patch(raced.sequential, { status: 'waiting' }, '*').expect(200);
      const malformed = await patch(raced.sequential, { status: 'new' }, 'yesterday').expect(400);
      expect(malformed.body.error.fields).toEqual([expect.objectContaining({ field: 'if-match', reason: 'invalid_format' })]);
      expect((await stored(raced.sequential)).status).toBe('waiting');
    });

    // On real PostgreSQL (CI's second pass) the two requests race on two pooled connections; on
    // PGlite they still run at once over HTTP, and the single connection takes them in turn.
    it('lets exactly one of two simultaneous changes with the same If-Match through', async () => {
      for (let round = 0; round < 5; round += 1) {
        const read = (await call('coordinator', 'get', `/api/v1/cases/${raced.concurrent}`).expect(200)).headers['etag'];
        // Both values differ from the stored one: a change to the value already stored writes
        // nothing and keeps the version, so it would rightly let the other change through too.
        const now = (await stored(raced.concurrent)).urgency;
        const candidates = URGENCIES.filter((urgency) => urgency !== now);
        const wanted = round % 2 === 0 ? [candidates[0], candidates[1]] : [candidates[1], candidates[0]];
        const answers = await Promise.all(wanted.map((urgency) => patch(raced.concurrent, { urgency }, read)));
        expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
        const winner = answers.findIndex((answer) => answer.status === 200);
        expect((await stored(raced.concurrent)).urgency).toBe(wanted[winner]);
        expect(answers[1 - winner]?.body.error.code).toBe('case_changed');
      }
      // One change each round, none from the loser: five urgency events, each from the previous value.
      const events = await eventsOf(raced.concurrent, 'urgency');
      expect(events).toHaveLength(5);
      const values = events.map((event) => event.data as { from: string; to: string });
      for (let index = 1; index < values.length; index += 1) expect(values[index]?.from).toBe(values[index - 1]?.to);
    });
  });

  describe('GET /openapi.json', () => {
    it('is a valid OpenAPI 3.1 document describing the case routes', async () => {
      const response = await request(hotline.app).get('/openapi.json').expect(200);
      // The validator is published as an ES module only.
      const { Validator } = await import('@seriousme/openapi-schema-validator');
      const result = await new Validator().validate(response.body);
      expect({ valid: result.valid, errors: result.errors }).toEqual({ valid: true, errors: undefined });
      expect(response.body.openapi).toBe('3.1.0');
      for (const path of ['/api/v1/cases', '/api/v1/cases/{reference}', '/api/v1/cases/{reference}/notes', '/api/v1/cases/{reference}/replies', '/api/v1/stats/cases']) {
        expect(Object.keys(response.body.paths)).toContain(path);
      }
      const casePath = response.body.paths['/api/v1/cases/{reference}'];
      expect(casePath.get.responses['200'].headers).toHaveProperty('ETag');
      expect(casePath.patch.parameters).toContainEqual(expect.objectContaining({ name: 'If-Match', in: 'header', required: false }));
      expect(casePath.patch.responses['409'].description).toContain('case_changed');
      expect(openApiDocument('https://x').servers).toEqual([{ url: 'https://x' }]);
    });
  });
});
