import crypto from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Insertable, Kysely, Transaction } from 'kysely';
import { recordAudit } from '../audit/audit.repository';
import { consentSourceOfChannel } from '../cases/consent.service';
import type { Clock } from '../clock';
import type {
  CaseEventsTable, ContactsTable, Database, EscalationsTable, MessagesTable, NewCase, NewOrganisation, NotesTable,
  ReferralsTable,
} from '../db/schema';
import type { Logger } from '../observability/logger';
import { timeZoneOfCountry } from '../orgs/time-zones';
import type { PersonalDataCipher } from '../privacy/personal-data';
import { newPersonKey, type PersonSealer } from '../privacy/person-keys';
import { hashPassword } from '../users/password';
import { upsertUser } from '../users/user.repository';
import type { HotlineJobQueue } from '../jobs/hotline-jobs';
import { openDemoArrivals } from './demo-arrivals';
import {
  claimDemoSeed, insertDemoCaseHistory, insertDemoCases, insertDemoContacts, insertDemoOrganisations, insertDemoPeople, insertDemoRoutingRules,
  isDemoSeeded,
} from './demo-seed.repository';
import { DEMO_CASE_SEED, generateDemoCases, type DemoCase } from './demo-cases';
import {
  DEMO_ORGANISATIONS, DEMO_ROUTING_RULES, DEMO_SIGN_IN_EMAIL, DEMO_USERS, NETWORK_SLUG, type DemoOrganisation,
} from './demo-network';

// The demo seed writes its history directly: it is a one-off loader of fixed data, run once in one
// transaction, and the write paths of the services (routing, notifications, outbox) must not fire
// for synthetic history. Only the few complaints arriving "now" (demo-arrivals.ts) go through
// intake and routing like real ones.

export { DEMO_SEEDED_SETTING } from './demo-seed.repository';

const CASE_BATCH = 100;
const DAY = 24 * 60 * 60 * 1000;
/** The network "existed" a little before the oldest demo case. */
const NETWORK_AGE_DAYS = 760;

export interface DemoSeedDeps {
  db: Kysely<Database>;
  cipher: PersonalDataCipher;
  clock: Clock;
  logger: Logger;
  /** For the referrals' response clocks of the arriving complaints. */
  jobs: Pick<HotlineJobQueue, 'enqueue' | 'wake'>;
}

export interface DemoSeedResult {
  seeded: boolean;
  /** Only when this call seeded: the shared password of every demo user, shown once. */
  signIn?: { email: string; password: string };
}

type Ids = ReadonlyMap<string, string>;

interface SeedIds {
  organisations: Ids;
  users: Ids;
  rules: Ids;
}

/** Loads the fictional demo network and its historic cases, once: a second call changes nothing. */
export async function seedDemo(deps: DemoSeedDeps): Promise<DemoSeedResult> {
  const { db, cipher, clock, logger } = deps;
  if (await isDemoSeeded(db)) return { seeded: false };
  const started = performance.now();
  const now = clock.now();
  const password = crypto.randomBytes(18).toString('base64url');
  const passwordHash = await hashPassword(password);
  const cases = generateDemoCases({ now });
  const seeded = await db.transaction().execute(async (trx) => {
    if (!(await claimDemoSeed(trx, now))) return false;
    const organisations = await insertOrganisations(trx, now);
    const users = await insertUsers(trx, organisations, passwordHash);
    const rules = await insertRoutingRules(trx, organisations, now);
    const ids: SeedIds = { organisations, users, rules };
    for (let start = 0; start < cases.length; start += CASE_BATCH) {
      await insertCases(trx, cipher, ids, cases.slice(start, start + CASE_BATCH));
    }
    await recordAudit(trx, {
      actorKind: 'system', action: 'demo.seeded', subjectType: 'database', at: now,
      details: { organisations: organisations.size, users: users.size, cases: cases.length, seed: DEMO_CASE_SEED },
    });
    await openDemoArrivals(trx, { cipher, clock, jobs: deps.jobs });
    return true;
  });
  deps.jobs.wake();
  if (!seeded) return { seeded: false };
  logger.info({ cases: cases.length, ms: Math.round(performance.now() - started) }, 'demo data seeded');
  return { seeded: true, signIn: { email: DEMO_SIGN_IN_EMAIL, password } };
}

function idOf(ids: Ids, key: string): string {
  const id = ids.get(key);
  if (id === undefined) throw new Error(`demo seed: nothing stored for ${key}`);
  return id;
}

const optionalIdOf = (ids: Ids, key: string | null): string | null => (key === null ? null : idOf(ids, key));

function organisationRow(organisation: DemoOrganisation, since: Date): NewOrganisation {
  return {
    slug: organisation.slug,
    name: organisation.name,
    kind: organisation.kind,
    country: organisation.country,
    city: organisation.city,
    provinces: [...organisation.provinces],
    languages: [...organisation.languages],
    categories: [...organisation.categories],
    nationalities: [...organisation.nationalities],
    time_zone: timeZoneOfCountry(organisation.country),
    created_at: since,
    updated_at: since,
  };
}

async function insertOrganisations(trx: Transaction<Database>, now: Date): Promise<Ids> {
  const since = new Date(now.getTime() - NETWORK_AGE_DAYS * DAY);
  return insertDemoOrganisations(trx, DEMO_ORGANISATIONS.map((organisation) => organisationRow(organisation, since)));
}

async function insertUsers(trx: Transaction<Database>, organisations: Ids, passwordHash: string): Promise<Ids> {
  const ids = new Map<string, string>();
  for (const user of DEMO_USERS) {
    const id = await upsertUser(trx, {
      organisationId: idOf(organisations, user.organisationSlug),
      email: user.email,
      displayName: user.displayName,
      role: user.role,
      locale: user.locale,
      passwordHash,
    });
    ids.set(user.email, id);
  }
  return ids;
}

async function insertRoutingRules(trx: Transaction<Database>, organisations: Ids, now: Date): Promise<Ids> {
  const since = new Date(now.getTime() - NETWORK_AGE_DAYS * DAY);
  return insertDemoRoutingRules(
    trx,
    DEMO_ROUTING_RULES.map((rule) => ({
      name: rule.name,
      priority: rule.priority,
      conditions: JSON.stringify(rule.conditions),
      action: rule.action,
      target_organisation_id: optionalIdOf(organisations, rule.targetSlug),
      response_hours: rule.responseHours,
      created_at: since,
      updated_at: since,
    })),
  );
}

// ---------------------------------------------------------------------------------------------
// Cases and what hangs off them

/**
 * A case with its person (each demo case has its own worker) and its personal fields sealed under
 * that person's key; the summary is sealed once, so the same ciphertext serves case and message.
 */
interface SealedCase {
  demo: DemoCase;
  sealer: PersonSealer;
  summary: string;
  addressHash: string | null;
}

async function insertCases(trx: Transaction<Database>, cipher: PersonalDataCipher, ids: SeedIds, batch: readonly DemoCase[]) {
  const people = batch.map(() => newPersonKey(cipher, crypto.randomUUID()));
  await insertDemoPeople(trx, people.map((person) => person.stored));
  const sealed: SealedCase[] = batch.map((demo, index) => {
    const sealer = (people[index] as (typeof people)[number]).sealer;
    return { demo, sealer, summary: sealer.seal(demo.summary), addressHash: demo.address === null ? null : cipher.lookupHash(demo.address) };
  });
  const contacts = await insertContacts(trx, sealed);
  const caseIds: Ids = await insertDemoCases(trx, sealed.map((item) => caseRow(item, ids, contacts)));
  const linked = sealed.map((item) => ({
    ...item,
    caseId: idOf(caseIds, item.demo.reference),
    contactId: item.addressHash === null ? null : idOf(contacts, item.addressHash),
  }));
  await insertDemoCaseHistory(trx, {
    messages: linked.flatMap((item) => messageRows(item, ids)),
    events: linked.flatMap((item) => eventRows(item, ids)),
    notes: linked.flatMap((item) => noteRows(item, ids)),
    referrals: linked.flatMap((item) => referralRows(item, ids)),
    escalations: linked.flatMap((item) => escalationRows(item, ids)),
  });
}

/** Contacts of the batch's SMS and WhatsApp cases, by lookup hash. */
async function insertContacts(trx: Transaction<Database>, batch: readonly SealedCase[]): Promise<Ids> {
  const rows: Insertable<ContactsTable>[] = batch.flatMap(({ demo, sealer, addressHash }) => {
    if (demo.address === null || addressHash === null) return [];
    return [{
      person_id: sealer.personId,
      channel: demo.channel,
      address_hash: addressHash,
      address_encrypted: sealer.seal(demo.address),
      language: demo.language,
      // Demo numbers are made up but may belong to someone: they are never texted (see outbound.ts).
      conversation: JSON.stringify({ step: 'idle', demo: true }),
      last_message_at: demo.reply?.at ?? demo.createdAt,
      created_at: demo.createdAt,
      updated_at: demo.updatedAt,
    }];
  });
  return insertDemoContacts(trx, rows);
}

function caseRow({ demo, sealer, summary, addressHash }: SealedCase, ids: SeedIds, contacts: Ids): NewCase {
  return {
    reference: demo.reference,
    person_id: sealer.personId,
    contact_id: addressHash === null ? null : idOf(contacts, addressHash),
    channel: demo.channel,
    language: demo.language,
    status: demo.status,
    urgency: demo.urgency,
    intake_complete: demo.intakeComplete,
    categories: demo.categories,
    forced_labour_indicators: demo.indicators,
    sector: demo.sector,
    origin_country: demo.originCountry,
    origin_province: demo.originProvince,
    destination_country: demo.destinationCountry,
    destination_province: demo.destinationProvince,
    location_raw_encrypted: sealer.sealOptional(demo.locationRaw),
    gender: demo.gender,
    age_band: demo.ageBand,
    workers_affected: demo.workersAffected,
    summary_encrypted: summary,
    consent_given: demo.consent?.given ?? null,
    consent_at: demo.consent?.at ?? null,
    consent_wording_encrypted: sealer.sealOptional(demo.consent?.wording),
    consent_source: demo.consent ? (demo.channel === 'console' ? 'staff' : consentSourceOfChannel(demo.channel)) : null,
    outcome: demo.outcome,
    amount_recovered: demo.recovered?.amount ?? null,
    recovered_currency: demo.recovered?.currency ?? null,
    owner_organisation_id: idOf(ids.organisations, demo.ownerSlug),
    assigned_user_id: optionalIdOf(ids.users, demo.caseworkerEmail),
    first_response_at: demo.firstResponseAt,
    resolved_at: demo.resolvedAt,
    last_worker_message_at: demo.createdAt,
    last_staff_message_at: demo.reply?.at ?? null,
    created_at: demo.createdAt,
    updated_at: demo.updatedAt,
  };
}

interface LinkedCase extends SealedCase {
  caseId: string;
  contactId: string | null;
}

/** How an SMS body travels: GSM-7 when plain Latin, otherwise UCS-2, and in how many segments. */
function smsShape(text: string): { encoding: 'GSM-7' | 'UCS-2'; segments: number } {
  const isGsm = /^[\x20-\x7e\n\r]*$/.test(text);
  const [single, each] = isGsm ? [160, 153] : [70, 67];
  return { encoding: isGsm ? 'GSM-7' : 'UCS-2', segments: text.length <= single ? 1 : Math.ceil(text.length / each) };
}

function messageShape(channel: DemoCase['channel'], text: string) {
  return channel === 'sms' ? smsShape(text) : { encoding: null, segments: null };
}

function messageRows({ demo, sealer, summary, caseId, contactId }: LinkedCase, ids: SeedIds): Insertable<MessagesTable>[] {
  const inbound: Insertable<MessagesTable> = {
    case_id: caseId, contact_id: contactId, direction: 'in', channel: demo.channel, body_encrypted: summary,
    language: demo.language, ...messageShape(demo.channel, demo.summary), status: 'received',
    created_at: demo.createdAt, status_updated_at: demo.createdAt,
  };
  if (!demo.reply) return [inbound];
  return [inbound, {
    case_id: caseId, contact_id: contactId, direction: 'out', channel: demo.channel,
    body_encrypted: sealer.seal(demo.reply.body), language: demo.language, ...messageShape(demo.channel, demo.reply.body),
    status: 'delivered', sent_by_user_id: optionalIdOf(ids.users, demo.caseworkerEmail),
    created_at: demo.reply.at, status_updated_at: demo.reply.at,
  }];
}

function eventRows({ demo, caseId }: LinkedCase, ids: SeedIds): Insertable<CaseEventsTable>[] {
  const byStaff = demo.channel === 'console';
  const created: Insertable<CaseEventsTable> = {
    case_id: caseId,
    type: 'case.created',
    actor_kind: byStaff ? 'staff' : 'worker',
    actor_user_id: byStaff ? idOf(ids.users, DEMO_SIGN_IN_EMAIL) : null,
    organisation_id: byStaff ? idOf(ids.organisations, NETWORK_SLUG) : null,
    data: JSON.stringify({ channel: demo.channel, language: demo.language }),
    created_at: demo.createdAt,
  };
  const changes = demo.statusChanges.map((change): Insertable<CaseEventsTable> => {
    // A case that stayed silent is closed by the system, not by a person.
    const bySystem = change.to === 'closed' && change.from === 'waiting';
    return {
      case_id: caseId,
      type: 'case.status_changed',
      actor_kind: bySystem ? 'system' : 'staff',
      actor_user_id: bySystem ? null : optionalIdOf(ids.users, demo.caseworkerEmail),
      organisation_id: bySystem ? null : idOf(ids.organisations, demo.ownerSlug),
      data: JSON.stringify({ from: change.from, to: change.to }),
      created_at: change.at,
    };
  });
  return [created, ...changes];
}

function noteRows({ demo, sealer, caseId }: LinkedCase, ids: SeedIds): Insertable<NotesTable>[] {
  if (!demo.note || demo.caseworkerEmail === null) return [];
  return [{
    case_id: caseId,
    organisation_id: idOf(ids.organisations, demo.ownerSlug),
    author_user_id: idOf(ids.users, demo.caseworkerEmail),
    visibility: demo.note.visibility,
    body_encrypted: sealer.seal(demo.note.body),
    created_at: demo.note.at,
  }];
}

function referralRows({ demo, sealer, caseId }: LinkedCase, ids: SeedIds): Insertable<ReferralsTable>[] {
  const referral = demo.referral;
  if (!referral) return [];
  return [{
    case_id: caseId,
    from_organisation_id: idOf(ids.organisations, demo.ownerSlug),
    to_organisation_id: idOf(ids.organisations, referral.toSlug),
    status: referral.status,
    reason_encrypted: sealer.seal(referral.reason),
    decline_reason_encrypted: sealer.sealOptional(referral.declineReason),
    due_at: referral.dueAt,
    created_by_user_id: optionalIdOf(ids.users, demo.caseworkerEmail),
    responded_at: referral.respondedAt,
    completed_at: referral.completedAt,
    created_at: referral.createdAt,
    updated_at: referral.completedAt ?? referral.respondedAt,
  }];
}

function escalationRows({ demo, sealer, caseId }: LinkedCase, ids: SeedIds): Insertable<EscalationsTable>[] {
  const escalation = demo.escalation;
  if (!escalation) return [];
  return [{
    case_id: caseId,
    embassy_organisation_id: idOf(ids.organisations, escalation.embassySlug),
    routing_rule_id: idOf(ids.rules, escalation.ruleName),
    status: escalation.status,
    reason_encrypted: sealer.seal(escalation.reason),
    outcome_encrypted: sealer.sealOptional(escalation.outcome),
    acknowledged_by_user_id: escalation.acknowledgedAt ? optionalIdOf(ids.users, escalation.liaisonEmail) : null,
    acknowledged_at: escalation.acknowledgedAt,
    closed_at: escalation.closedAt,
    created_at: escalation.createdAt,
    updated_at: escalation.closedAt ?? escalation.acknowledgedAt ?? escalation.createdAt,
  }];
}
