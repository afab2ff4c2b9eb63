import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { DatabaseHandle } from '../../src/db/database';
import type { Database } from '../../src/db/schema';
import { createLogger } from '../../src/observability/logger';
import { createPersonalDataCipher } from '../../src/privacy/personal-data';
import { DEMO_CASE_SEED, generateDemoCases } from '../../src/seed/demo-cases';
import { seedDemo, type DemoSeedResult } from '../../src/seed/demo-seed';
import { ROLES } from '../../src/cases/case.vocabulary';
import { findProvince } from '../../src/places/places';
import { verifyPassword } from '../../src/users/password';
import { buildTestHotline } from '../support/app';
import { DEMO_ARRIVALS } from '../../src/seed/demo-arrivals';
import { openTestDatabase } from '../support/database';
import { personKeyIdOf } from '../../src/privacy/person-keys';
import { openStored } from '../support/sealed';

const NOW = new Date('2026-11-01T00:00:00Z');
const TABLES: (keyof Database)[] = [
  'organisations', 'users', 'routing_rules', 'contacts', 'cases', 'case_events', 'messages', 'notes', 'referrals',
  'escalations', 'audit_log', 'settings', 'notifications', 'jobs_outbox',
];

async function countRows(handle: DatabaseHandle): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of TABLES) {
    const { rows } = await sql<{ count: string }>`select count(*)::text as count from ${sql.table(table)}`.execute(handle.db);
    counts[table] = Number(rows[0]?.count ?? 0);
  }
  return counts;
}

describe('the demo seed', () => {
  let handle: DatabaseHandle;
  let first: DemoSeedResult;
  let countsAfterFirst: Record<string, number>;
  const cipher = createPersonalDataCipher({ current: crypto.randomBytes(32).toString('base64') });
  const deps = () => ({ db: handle.db, cipher, clock: { now: () => NOW }, logger: createLogger('silent'), jobs: buildTestHotline(handle).jobs });

  beforeAll(async () => {
    handle = await openTestDatabase();
    first = await seedDemo(deps());
    countsAfterFirst = await countRows(handle);
  });
  afterAll(async () => {
    await handle.close();
  });

  it('seeds an empty database and hands back a sign-in for the coordinator', () => {
    expect(first.seeded).toBe(true);
    expect(first.signIn?.email).toBe('coordinator@demo.hotline.test');
    expect(first.signIn?.password.length).toBeGreaterThanOrEqual(16);
  });

  it('creates the network, its partners and six embassy liaison offices', async () => {
    const organisations = await handle.db.selectFrom('organisations').select(['kind', 'country', 'nationalities']).execute();
    expect(organisations.length).toBeGreaterThanOrEqual(14);
    const embassies = organisations.filter((organisation) => organisation.kind === 'embassy');
    expect(embassies).toHaveLength(6);
    expect(embassies.every((embassy) => embassy.nationalities.length === 1)).toBe(true);
    expect(new Set(embassies.map((embassy) => embassy.country))).toEqual(new Set(['TH', 'MY']));
    expect(organisations.filter((organisation) => organisation.kind === 'network')).toHaveLength(1);
  });

  it('creates users of every role', async () => {
    const users = await handle.db.selectFrom('users').select('role').distinct().execute();
    expect(new Set(users.map((user) => user.role))).toEqual(new Set(ROLES));
  });

  it('writes 300 cases of history spread over more than 18 months, all in the past', async () => {
    const cases = await handle.db
      .selectFrom('cases')
      .select(['created_at', 'updated_at', 'destination_country', 'destination_province', 'owner_organisation_id'])
      .where('owner_organisation_id', 'is not', null)
      .execute();
    expect(cases.length).toBe(300);
    const months = new Set(cases.map((row) => row.created_at.toISOString().slice(0, 7)));
    expect(months.size).toBeGreaterThan(18);
    expect(cases.every((row) => row.updated_at.getTime() <= NOW.getTime())).toBe(true);
    expect(cases.every((row) => row.created_at.getTime() <= row.updated_at.getTime())).toBe(true);
    expect(cases.every((row) => findProvince(row.destination_province ?? '')?.country === row.destination_country)).toBe(true);
    expect(cases.every((row) => row.owner_organisation_id !== null)).toBe(true);
  });

  it('stores history beside the cases: messages, events, referrals and escalations', () => {
    expect(countsAfterFirst['contacts']).toBeGreaterThan(150);
    expect(countsAfterFirst['messages']).toBeGreaterThan(300);
    expect(countsAfterFirst['case_events']).toBeGreaterThan(300);
    expect(countsAfterFirst['referrals']).toBeGreaterThan(0);
    expect(countsAfterFirst['escalations']).toBeGreaterThan(0);
    expect(countsAfterFirst['routing_rules']).toBeGreaterThan(0);
    expect(countsAfterFirst['audit_log']).toBeGreaterThan(1);
  });

  it('lets a few complaints arrive through intake and the routing rules', async () => {
    const arrived = await handle.db.selectFrom('cases').select(['id', 'reference']).where('owner_organisation_id', 'is', null).execute();
    expect(arrived).toHaveLength(DEMO_ARRIVALS.length);
    const referrals = await handle.db.selectFrom('referrals').innerJoin('organisations', 'organisations.id', 'referrals.to_organisation_id')
      .select(['organisations.slug', 'referrals.status']).where('referrals.case_id', 'in', arrived.map((row) => row.id)).execute();
    expect(referrals.map((row) => row.slug).sort()).toEqual([
      'chao-phraya-migrant-legal-aid', 'kl-migrant-legal-aid-desk', 'mae-sot-workers-rights-centre', 'mahachai-seafood-workers-union', 'yangon-returnee-legal-aid',
    ]);
    expect(referrals.every((row) => row.status === 'pending')).toBe(true);
    const escalations = await handle.db.selectFrom('escalations').innerJoin('organisations', 'organisations.id', 'escalations.embassy_organisation_id')
      .select('organisations.country').select('organisations.nationalities').where('escalations.case_id', 'in', arrived.map((row) => row.id)).execute();
    expect(escalations).toEqual([{ country: 'TH', nationalities: ['KH'] }]);
    const triage = await handle.db.selectFrom('case_events').select('case_id').where('type', '=', 'case.needs_triage').execute();
    expect(triage).toHaveLength(1);
    expect(countsAfterFirst['notifications']).toBeGreaterThan(0);
    const clocks = await handle.db.selectFrom('jobs_outbox').select('name').where('name', '=', 'referral.expire').execute();
    expect(clocks).toHaveLength(5);
  });

  it('stores summaries and phone numbers sealed, never in clear', async () => {
    const cases = await handle.db.selectFrom('cases').select('summary_encrypted').execute();
    const contacts = await handle.db.selectFrom('contacts').select('address_encrypted').execute();
    const sealed = [...cases.map((row) => row.summary_encrypted), ...contacts.map((row) => row.address_encrypted)];
    // Each under its worker's own key (issue #16), never under ENCRYPTION_KEY alone.
    expect(sealed.every((value) => value?.startsWith('p1.'))).toBe(true);
    const keyOfCase = await handle.db.selectFrom('cases').innerJoin('person_keys', 'person_keys.person_id', 'cases.person_id')
      .select(['cases.summary_encrypted', 'person_keys.id']).limit(50).execute();
    for (const row of keyOfCase) expect(personKeyIdOf(row.summary_encrypted)).toBe(row.id.replace(/-/g, ''));

    const plain = generateDemoCases({ now: NOW, seed: DEMO_CASE_SEED });
    const { rows } = await sql<{ row: string }>`select c::text as row from cases c`.execute(handle.db);
    const stored = rows.map((row) => row.row).join('\n');
    for (const demo of plain) {
      expect(stored).not.toContain(demo.summary);
      if (demo.address) expect(stored).not.toContain(demo.address);
    }
    const opened = await openStored(handle.db, cipher, cases[0]?.summary_encrypted);
    expect(plain.map((demo) => demo.summary)).toContain(opened);
  });

  it('gives every demo user the password it returned', async () => {
    const user = await handle.db
      .selectFrom('users')
      .select('password_hash')
      .where('email', '=', 'coordinator@demo.hotline.test')
      .executeTakeFirstOrThrow();
    expect(await verifyPassword(user.password_hash ?? '', first.signIn?.password ?? '')).toBe(true);
    const hashes = await handle.db.selectFrom('users').select('password_hash').distinct().execute();
    expect(hashes).toHaveLength(1);
  });

  it('changes nothing when run again', async () => {
    const second = await seedDemo(deps());
    expect(second).toEqual({ seeded: false });
    expect(await countRows(handle)).toEqual(countsAfterFirst);
  });

  it('draws the same cases from the same seed and clock', () => {
    const strip = (cases: ReturnType<typeof generateDemoCases>) => cases.map((demo) => JSON.stringify(demo));
    expect(strip(generateDemoCases({ now: NOW }))).toEqual(strip(generateDemoCases({ now: NOW })));
    expect(strip(generateDemoCases({ now: NOW, seed: 1 }))).not.toEqual(strip(generateDemoCases({ now: NOW })));
  });
});
