import request from 'supertest';
import type { Transaction } from 'kysely';
import type { DatabaseHandle } from '../../src/db/database';
import type { Database } from '../../src/db/schema';
import { openCase, type OpenCaseInput } from '../../src/cases/case.service';
import { routeCase } from '../../src/routing/routing.service';
import { issueApiToken } from '../../src/users/user.service';
import { upsertUser } from '../../src/users/user.repository';
import type { Clock } from '../../src/clock';
import { buildTestHotline, type TestHotline } from './app';
import { createFakeClock, type FakeClock } from './clock';
import { openTestDatabase, truncate } from './database';

// A small network for routing, referral and escalation tests: a hotline, two Thai partners, a
// Yangon returnee centre, two embassies in Thailand, one person per desk, and four rules.

export const PEOPLE = {
  coordinator: { role: 'coordinator', org: 'network' },
  maesot: { role: 'caseworker', org: 'mae-sot' },
  bangkok: { role: 'caseworker', org: 'bangkok-legal' },
  yangon: { role: 'caseworker', org: 'yangon-returnees' },
  liaisonMM: { role: 'liaison', org: 'embassy-mm-th' },
  liaisonKH: { role: 'liaison', org: 'embassy-kh-th' },
  researcher: { role: 'researcher', org: 'network' },
} as const;
export type Person = keyof typeof PEOPLE;

const ORGANISATIONS = [
  { slug: 'network', kind: 'network', country: 'TH', nationalities: [] },
  { slug: 'mae-sot', kind: 'ngo', country: 'TH', nationalities: [] },
  { slug: 'bangkok-legal', kind: 'legal_aid', country: 'TH', nationalities: [] },
  { slug: 'yangon-returnees', kind: 'ngo', country: 'MM', nationalities: [] },
  { slug: 'embassy-mm-th', kind: 'embassy', country: 'TH', nationalities: ['MM'] },
  { slug: 'embassy-kh-th', kind: 'embassy', country: 'TH', nationalities: ['KH'] },
] as const;

export interface TestNetwork {
  org: Record<string, string>;
  user: Record<Person, string>;
  rule: Record<string, string>;
  /** A supertest request as one person, with their API token. */
  as(person: Person, method: 'get' | 'post' | 'patch' | 'delete', path: string, body?: object): request.Test;
  /** Opens a case the way an intake channel does, and routes it, in one transaction. */
  openRoutedCase(input: Partial<OpenCaseInput>): Promise<{ id: string; reference: string }>;
}

/** Seeds the network into an empty test database. */
export async function seedTestNetwork(handle: DatabaseHandle, hotline: TestHotline, clock: Clock): Promise<TestNetwork> {
  const { db } = handle;
  const org: Record<string, string> = {};
  for (const organisation of ORGANISATIONS) {
    org[organisation.slug] = (await db.insertInto('organisations').values({ ...organisation, name: `${organisation.slug} (test)`, nationalities: [...organisation.nationalities] }).returning('id').executeTakeFirstOrThrow()).id;
  }
  const user = {} as Record<Person, string>;
  const tokens = {} as Record<Person, string>;
  for (const [person, { role, org: slug }] of Object.entries(PEOPLE) as [Person, (typeof PEOPLE)[Person]][]) {
    const email = `${person.toLowerCase()}@network.test`;
    user[person] = await upsertUser(db, { organisationId: org[slug] ?? '', email, displayName: person, role, locale: 'en', passwordHash: null });
    tokens[person] = await issueApiToken({ db, clock }, { email }, { kind: 'cli' });
  }
  const rules = [
    { name: 'arrest to the embassy', priority: 10, conditions: { categories: ['arrest', 'trafficking'] }, action: 'escalate', target: null, hours: 24 },
    { name: 'Tak to Mae Sot', priority: 20, conditions: { destination_country: ['TH'], destination_province: ['TH-63'] }, action: 'refer', target: 'mae-sot', hours: 48 },
    { name: 'Thailand to Bangkok', priority: 30, conditions: { destination_country: ['TH'] }, action: 'refer', target: 'bangkok-legal', hours: 24 },
    { name: 'returnees to Yangon', priority: 40, conditions: { destination_country: ['MM'] }, action: 'refer', target: 'yangon-returnees', hours: 48 },
  ];
  const rule: Record<string, string> = {};
  for (const item of rules) {
    rule[item.name] = (await db.insertInto('routing_rules').values({
      name: item.name, priority: item.priority, conditions: JSON.stringify(item.conditions), action: item.action,
      target_organisation_id: item.target ? org[item.target] ?? null : null, response_hours: item.hours,
    }).returning('id').executeTakeFirstOrThrow()).id;
  }
  return {
    org,
    user,
    rule,
    as(person, method, path, body) {
      const call = request(hotline.app)[method](path).set('Authorization', `Bearer ${tokens[person]}`);
      return body ? call.send(body) : call;
    },
    async openRoutedCase(input) {
      return db.transaction().execute(async (trx: Transaction<Database>) => {
        const created = await openCase(trx, { cipher: hotline.cipher, clock }, {
          channel: 'web', language: 'en', contactId: null, story: 'They keep my passport. Call me on 081 234 5678.', receivedAt: clock.now(),
          intakeComplete: true, ...input,
        });
        await routeCase(trx, { cipher: hotline.cipher, clock, jobs: hotline.jobs, mailEnabled: false }, created.id, 'case_opened');
        return created;
      });
    },
  };
}

/** What a test file on the network works with, ready inside its tests. */
export interface NetworkTestbed {
  handle: DatabaseHandle;
  hotline: TestHotline;
  clock: FakeClock;
  network: TestNetwork;
}

/**
 * Opens a test database with the network for the calling test file (under a fake clock set to the
 * same instant before each test) and empties the case tables before each test.
 */
export function useTestNetwork(): NetworkTestbed {
  const testbed = {} as NetworkTestbed;
  beforeAll(async () => {
    testbed.handle = await openTestDatabase();
    testbed.clock = createFakeClock();
    testbed.hotline = buildTestHotline(testbed.handle, { clock: testbed.clock });
    testbed.network = await seedTestNetwork(testbed.handle, testbed.hotline, testbed.clock);
  });
  afterAll(async () => {
    await testbed.handle.close();
  });
  beforeEach(async () => {
    await truncate(testbed.handle, ['notifications', 'escalations', 'referrals', 'case_events', 'notes', 'messages', 'cases', 'jobs_outbox']);
    testbed.clock.set('2026-11-27T08:00:00Z');
  });
  return testbed;
}
