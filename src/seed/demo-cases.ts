import { generateCaseReference } from '../cases/case-reference';
import type {
  AgeBand, CaseStatus, Category, Channel, ForcedLabourIndicator, Gender, Language, Outcome, Sector, Urgency,
} from '../cases/case.vocabulary';
import { findProvince, type CountryCode } from '../places/places';
import {
  DEMO_ORGANISATIONS, DEMO_ROUTING_RULES, DEMO_USERS, type DemoOrganisation, type DemoRoutingRule,
} from './demo-network';
import { checkRule, type RoutableCase } from '../routing/routing';
import type { RoutingConditions } from '../routing/routing-rule.schema';

// Synthetic historic cases for the demo. Everything is drawn from one seeded generator and dated
// relative to `now`, so the same seed and clock give the same cases (only the database's ids and
// the ciphertexts differ). Nothing here touches the database or a key: demo-seed.ts seals and stores.

export const DEMO_CASE_SEED = 20261101;
export const DEMO_CASE_COUNT = 300;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const HISTORY_DAYS = 730;

export type Weighted<T> = readonly (readonly [T, number])[];

/** A seeded source of randomness with the draws the generator needs. */
export interface DemoRandom {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, max). */
  int(max: number): number;
  /** An integer in [min, max]. */
  between(min: number, max: number): number;
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
  weighted<T>(entries: Weighted<T>): T;
}

/** mulberry32: tiny, fast and good enough for synthetic data (never for secrets). */
export function createDemoRandom(seed: number): DemoRandom {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (max: number): number => Math.floor(next() * max);
  const pick = <T>(items: readonly T[]): T => {
    const item = items[int(items.length)];
    if (item === undefined) throw new Error('cannot pick from an empty list');
    return item;
  };
  const weighted = <T>(entries: Weighted<T>): T => {
    const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
    let remaining = next() * total;
    for (const [value, weight] of entries) {
      remaining -= weight;
      if (remaining < 0) return value;
    }
    return pick(entries)[0];
  };
  return {
    next,
    int,
    between: (min, max) => min + int(max - min + 1),
    chance: (probability) => next() < probability,
    pick,
    weighted,
  };
}

export interface DemoStatusChange {
  from: CaseStatus;
  to: CaseStatus;
  at: Date;
}

export interface DemoReferral {
  toSlug: string;
  status: 'accepted' | 'completed' | 'declined';
  reason: string;
  declineReason: string | null;
  createdAt: Date;
  dueAt: Date;
  respondedAt: Date;
  completedAt: Date | null;
}

export interface DemoEscalation {
  embassySlug: string;
  liaisonEmail: string | null;
  ruleName: string;
  status: 'open' | 'acknowledged' | 'closed';
  reason: string;
  outcome: string | null;
  createdAt: Date;
  acknowledgedAt: Date | null;
  closedAt: Date | null;
}

export interface DemoNote {
  body: string;
  at: Date;
  visibility: 'organisation' | 'partners';
}

/** One synthetic case with everything stored beside it, in plain text (sealed when stored). */
export interface DemoCase {
  reference: string;
  channel: Channel;
  language: Language;
  status: CaseStatus;
  urgency: Urgency;
  intakeComplete: boolean;
  categories: Category[];
  indicators: ForcedLabourIndicator[];
  sector: Sector;
  originCountry: CountryCode;
  originProvince: string;
  destinationCountry: CountryCode;
  destinationProvince: string;
  /** The place as the worker typed it. */
  locationRaw: string | null;
  gender: Gender | null;
  ageBand: AgeBand | null;
  workersAffected: number;
  summary: string;
  /** The worker's phone number, for SMS and WhatsApp cases. */
  address: string | null;
  consent: { given: boolean; at: Date; wording: string } | null;
  ownerSlug: string;
  /** The owner's caseworker, once someone picked the case up. */
  caseworkerEmail: string | null;
  createdAt: Date;
  firstResponseAt: Date | null;
  resolvedAt: Date | null;
  updatedAt: Date;
  outcome: Outcome | null;
  recovered: { amount: string; currency: 'THB' | 'MYR' } | null;
  statusChanges: DemoStatusChange[];
  reply: { body: string; at: Date } | null;
  note: DemoNote | null;
  referral: DemoReferral | null;
  escalation: DemoEscalation | null;
}

// ---------------------------------------------------------------------------------------------
// Where workers come from and work

type Origin = 'MM' | 'KH' | 'LA' | 'VN';

interface Corridor {
  origin: Origin;
  destination: CountryCode;
  /** `home` for returnees: they report from their own province. */
  destinationProvinces: Weighted<string> | 'home';
}

const ORIGIN_PROVINCES: Record<Origin, Weighted<string>> = {
  MM: [['MM-15', 30], ['MM-13', 25], ['MM-17', 14], ['MM-06', 10], ['MM-02', 12], ['MM-05', 9]],
  KH: [['KH-1', 22], ['KH-2', 20], ['KH-17', 14], ['KH-6', 14], ['KH-14', 18], ['KH-12', 12]],
  LA: [['LA-SV', 45], ['LA-CH', 35], ['LA-VT', 20]],
  VN: [['VN-22', 45], ['VN-23', 30], ['VN-21', 25]],
};

const CORRIDORS: Weighted<Corridor> = [
  [{
    origin: 'MM', destination: 'TH', destinationProvinces: [
      ['TH-63', 26], ['TH-74', 26], ['TH-10', 14], ['TH-50', 9], ['TH-85', 8], ['TH-11', 5], ['TH-13', 4],
      ['TH-90', 4], ['TH-84', 2], ['TH-83', 2],
    ],
  }, 50],
  [{
    origin: 'KH', destination: 'TH', destinationProvinces: [
      ['TH-10', 24], ['TH-20', 24], ['TH-21', 14], ['TH-11', 14], ['TH-13', 10], ['TH-74', 8], ['TH-83', 6],
    ],
  }, 14],
  [{
    origin: 'LA', destination: 'TH', destinationProvinces: [
      ['TH-10', 40], ['TH-13', 20], ['TH-11', 15], ['TH-20', 15], ['TH-50', 10],
    ],
  }, 8],
  [{ origin: 'MM', destination: 'MY', destinationProvinces: [['MY-14', 35], ['MY-10', 35], ['MY-01', 15], ['MY-07', 15]] }, 10],
  [{
    origin: 'VN', destination: 'MY', destinationProvinces: [
      ['MY-14', 30], ['MY-10', 30], ['MY-01', 20], ['MY-12', 10], ['MY-13', 10],
    ],
  }, 6],
  [{ origin: 'MM', destination: 'MM', destinationProvinces: 'home' }, 5],
  [{ origin: 'KH', destination: 'KH', destinationProvinces: 'home' }, 5],
  [{ origin: 'LA', destination: 'LA', destinationProvinces: 'home' }, 2],
];

const THAI_COAST = ['TH-74', 'TH-85', 'TH-90', 'TH-84', 'TH-83'];

function sectorWeights(destination: CountryCode, province: string): Weighted<Sector> {
  if (THAI_COAST.includes(province)) {
    return [['seafood_processing', 45], ['fishing', 35], ['manufacturing', 10], ['construction', 5], ['other', 5]];
  }
  if (province === 'TH-63') {
    return [['garment', 35], ['agriculture', 30], ['construction', 15], ['domestic_work', 8], ['hospitality', 5], ['other', 7]];
  }
  if (province === 'TH-50') {
    return [['agriculture', 25], ['construction', 25], ['hospitality', 20], ['domestic_work', 15], ['entertainment', 5], ['other', 10]];
  }
  if (destination === 'MY') {
    return [['manufacturing', 30], ['agriculture', 25], ['construction', 20], ['domestic_work', 10], ['hospitality', 10], ['other', 5]];
  }
  return [
    ['construction', 25], ['manufacturing', 25], ['domestic_work', 12], ['hospitality', 12], ['garment', 8],
    ['agriculture', 8], ['entertainment', 4], ['other', 6],
  ];
}

interface Place {
  origin: Origin;
  originProvince: string;
  destination: CountryCode;
  destinationProvince: string;
  locationRaw: string | null;
}

function drawPlace(random: DemoRandom): Place {
  const corridor = random.weighted(CORRIDORS);
  const originProvince = random.weighted(ORIGIN_PROVINCES[corridor.origin]);
  const destinationProvince =
    corridor.destinationProvinces === 'home' ? originProvince : random.weighted(corridor.destinationProvinces);
  return {
    origin: corridor.origin,
    originProvince,
    destination: corridor.destination,
    destinationProvince,
    locationRaw: random.chance(0.7) ? placeAsTyped(random, destinationProvince) : null,
  };
}

function placeAsTyped(random: DemoRandom, code: string): string | null {
  const province = findProvince(code);
  return province ? random.pick([province.name, ...province.aliases]) : null;
}

// ---------------------------------------------------------------------------------------------
// What the complaint is about

const CATEGORY_WEIGHTS: Weighted<Category> = [
  ['wages', 30], ['documents', 18], ['recruitment', 8], ['contract', 8], ['info', 6], ['hours', 6], ['injury', 5],
  ['social_security', 5], ['arrest', 4], ['violence', 3], ['living', 3], ['movement', 2], ['trafficking', 2],
  ['other', 2], ['missing', 1.5],
];

function drawCategories(random: DemoRandom): Category[] {
  const first = random.weighted(CATEGORY_WEIGHTS);
  if (first === 'info' || first === 'other' || !random.chance(0.3)) return [first];
  const second = random.weighted(CATEGORY_WEIGHTS.filter(([category]) => category !== first && category !== 'info' && category !== 'other'));
  return [first, second];
}

const GRAVE: readonly Category[] = ['arrest', 'trafficking', 'missing', 'violence', 'movement'];

function drawUrgency(random: DemoRandom, categories: readonly Category[]): Urgency {
  if (categories.some((category) => GRAVE.includes(category))) return random.weighted([['emergency', 35], ['high', 55], ['normal', 10]]);
  if (categories.includes('injury')) return random.weighted([['emergency', 10], ['high', 40], ['normal', 50]]);
  if (categories.includes('info')) return random.weighted([['low', 70], ['normal', 30]]);
  return random.weighted([['normal', 78], ['low', 12], ['high', 10]]);
}

const NATIVE_LANGUAGE: Record<Origin, Language> = { MM: 'my', KH: 'km', LA: 'lo', VN: 'vi' };

function drawLanguage(random: DemoRandom, origin: Origin, destination: CountryCode): Language {
  const native = NATIVE_LANGUAGE[origin];
  if (destination === 'TH') return random.weighted([[native, origin === 'LA' ? 78 : 87], ['th', origin === 'LA' ? 16 : 7], ['en', 6]]);
  if (destination === 'MY') return random.weighted([[native, 86], ['en', 14]]);
  return random.weighted([[native, 95], ['en', 5]]);
}

const CHANNEL_WEIGHTS: Weighted<Channel> = [['sms', 48], ['whatsapp', 30], ['web', 14], ['console', 8]];

function drawWorkers(random: DemoRandom): number {
  return random.chance(0.88) ? 1 : random.between(5, 40);
}

function drawGender(random: DemoRandom, sector: Sector): Gender | null {
  if (random.chance(0.15)) return null;
  if (sector === 'domestic_work' || sector === 'garment') return random.weighted([['female', 88], ['male', 10], ['undisclosed', 2]]);
  if (sector === 'fishing' || sector === 'construction') return random.weighted([['male', 88], ['female', 10], ['undisclosed', 2]]);
  return random.weighted([['female', 46], ['male', 48], ['other', 1], ['undisclosed', 5]]);
}

function drawAgeBand(random: DemoRandom): AgeBand | null {
  if (random.chance(0.3)) return null;
  return random.weighted([['under_18', 3], ['18_24', 25], ['25_34', 40], ['35_44', 22], ['45_54', 8], ['55_plus', 2]]);
}

// ---------------------------------------------------------------------------------------------
// How far the case has come

function drawAgeMs(random: DemoRandom): number {
  // A current workload of the last two weeks, so the demo inboxes are not empty; before that the
  // hotline grows, with more recent cases than old ones.
  if (random.chance(0.1)) return 45 * MINUTE + random.next() * 14 * DAY;
  return Math.max(45 * MINUTE, HISTORY_DAYS * DAY * random.next() ** 1.25);
}

function drawStatus(random: DemoRandom, ageDays: number): CaseStatus {
  if (ageDays > 90) return random.weighted([['resolved', 55], ['closed', 35], ['referred', 4], ['waiting', 3], ['open', 3]]);
  if (ageDays > 30) return random.weighted([['resolved', 35], ['closed', 15], ['referred', 20], ['waiting', 15], ['open', 15]]);
  if (ageDays > 7) return random.weighted([['open', 30], ['referred', 25], ['waiting', 20], ['resolved', 20], ['new', 5]]);
  return random.weighted([['new', 40], ['open', 35], ['referred', 15], ['waiting', 10]]);
}

const isFinished = (status: CaseStatus) => status === 'resolved' || status === 'closed';

/** A time `delay` after `from`, but never later than most of the way to `now`. */
function after(from: Date, delayMs: number, now: Date, share = 0.8): Date {
  return new Date(from.getTime() + Math.min(delayMs, (now.getTime() - from.getTime()) * share));
}

function drawFirstResponse(random: DemoRandom, status: CaseStatus, createdAt: Date, now: Date): Date | null {
  if (status === 'new') return null;
  const speed = random.weighted([['fast', 70], ['day', 20], ['slow', 10]] as const);
  const hours = speed === 'fast' ? 0.5 + random.next() * 7.5 : speed === 'day' ? 8 + random.next() * 40 : 48 + random.next() * 72;
  return after(createdAt, hours * HOUR, now);
}

function drawResolution(random: DemoRandom, status: CaseStatus, firstResponseAt: Date | null, now: Date): Date | null {
  if (!isFinished(status) || !firstResponseAt) return null;
  const days = random.weighted([[1 + random.next() * 6, 40], [7 + random.next() * 23, 40], [30 + random.next() * 45, 20]]);
  return after(firstResponseAt, days * DAY, now, 0.9);
}

// ---------------------------------------------------------------------------------------------
// Outcomes

function outcomeWeights(category: Category): Weighted<Outcome> {
  switch (category) {
    case 'wages':
      return [['wages_recovered', 45], ['advice_given', 20], ['legal_case_filed', 10], ['referred_elsewhere', 10], ['lost_contact', 10], ['other', 5]];
    case 'documents':
      return [['documents_returned', 55], ['advice_given', 20], ['referred_elsewhere', 10], ['lost_contact', 10], ['other', 5]];
    case 'recruitment':
    case 'contract':
      return [['wages_recovered', 25], ['advice_given', 35], ['legal_case_filed', 12], ['referred_elsewhere', 13], ['lost_contact', 15]];
    case 'injury':
      return [['compensation_paid', 45], ['advice_given', 20], ['legal_case_filed', 10], ['repatriated', 10], ['lost_contact', 15]];
    case 'violence':
    case 'movement':
    case 'trafficking':
      return [['repatriated', 30], ['legal_case_filed', 25], ['referred_elsewhere', 25], ['lost_contact', 10], ['advice_given', 10]];
    case 'arrest':
      return [['repatriated', 40], ['legal_case_filed', 20], ['advice_given', 20], ['lost_contact', 20]];
    case 'missing':
      return [['other', 40], ['repatriated', 20], ['lost_contact', 40]];
    default:
      return [['advice_given', 60], ['referred_elsewhere', 15], ['lost_contact', 15], ['other', 10]];
  }
}

function drawOutcome(random: DemoRandom, status: CaseStatus, category: Category): Outcome | null {
  if (!isFinished(status)) return null;
  if (status === 'closed' && random.chance(0.35)) return 'lost_contact';
  return random.weighted(outcomeWeights(category));
}

function drawRecovered(random: DemoRandom, outcome: Outcome | null, destination: CountryCode, workers: number): DemoCase['recovered'] {
  if (outcome !== 'wages_recovered' && outcome !== 'compensation_paid') return null;
  const currency = destination === 'MY' ? 'MYR' : 'THB';
  const perWorker = currency === 'MYR'
    ? (outcome === 'wages_recovered' ? random.between(8, 90) : random.between(20, 300)) * 100
    : (outcome === 'wages_recovered' ? random.between(40, 600) : random.between(100, 1500)) * 100;
  const paidWorkers = workers === 1 ? 1 : random.between(Math.ceil(workers / 2), workers);
  return { amount: (perWorker * paidWorkers).toFixed(2), currency };
}

const INDICATORS_BY_CATEGORY: Partial<Record<Category, readonly ForcedLabourIndicator[]>> = {
  wages: ['withholding_of_wages'],
  documents: ['retention_of_documents'],
  recruitment: ['deception', 'debt_bondage'],
  hours: ['excessive_overtime'],
  living: ['abusive_conditions'],
  violence: ['physical_sexual_violence', 'intimidation_threats'],
  movement: ['restriction_of_movement', 'isolation'],
  trafficking: ['deception', 'debt_bondage', 'abuse_of_vulnerability', 'restriction_of_movement'],
  arrest: ['abuse_of_vulnerability'],
};

function drawIndicators(random: DemoRandom, status: CaseStatus, categories: readonly Category[]): ForcedLabourIndicator[] {
  if (!isFinished(status)) return [];
  const candidates = [...new Set(categories.flatMap((category) => INDICATORS_BY_CATEGORY[category] ?? []))];
  if (candidates.length === 0) return [];
  const certain = categories.includes('trafficking') || categories.includes('movement');
  if (!certain && !random.chance(0.3)) return [];
  return candidates.filter((_, index) => index === 0 || random.chance(0.5));
}

// ---------------------------------------------------------------------------------------------
// Who handles it: the demo routing rules, first match wins

type RoutingFacts = RoutableCase;

function firstRule(action: DemoRoutingRule['action'], facts: RoutingFacts): DemoRoutingRule | undefined {
  return DEMO_ROUTING_RULES.find((rule) => rule.action === action && checkRule(rule.conditions as RoutingConditions, facts).matches);
}

function organisation(slug: string): DemoOrganisation {
  const found = DEMO_ORGANISATIONS.find((candidate) => candidate.slug === slug);
  if (!found) throw new Error(`no demo organisation ${slug}`);
  return found;
}

function userOf(slug: string, role: 'caseworker' | 'liaison'): string | null {
  return DEMO_USERS.find((user) => user.organisationSlug === slug && user.role === role)?.email ?? null;
}

function embassyFor(origin: Origin, destination: CountryCode): DemoOrganisation | undefined {
  return DEMO_ORGANISATIONS.find(
    (candidate) => candidate.kind === 'embassy' && candidate.country === destination && candidate.nationalities.includes(origin),
  );
}

const isPartner = (candidate: DemoOrganisation) => candidate.kind === 'ngo' || candidate.kind === 'union' || candidate.kind === 'legal_aid';

/** Where a case is referred onward: home-country partners for migrants, or legal aid nearby. */
function onwardTargets(origin: Origin, destination: CountryCode, ownerSlug: string): DemoOrganisation[] {
  return DEMO_ORGANISATIONS.filter((candidate) => {
    if (!isPartner(candidate) || candidate.slug === ownerSlug) return false;
    if (destination !== origin && candidate.country === origin) return true;
    return candidate.country === destination && candidate.kind === 'legal_aid';
  });
}

// ---------------------------------------------------------------------------------------------
// Words: what workers wrote, what the hotline answered (short, discreet, in the worker's language)

const SUMMARIES: Record<Language, Record<Category, readonly string[]>> = {
  en: {
    wages: [
      'My employer has not paid my wages for two months.',
      'Money is deducted from my pay every month and nobody explains why.',
      'I am paid below the minimum wage and overtime is never paid.',
    ],
    documents: [
      'The employer keeps my passport and work permit and will not return them.',
      'The broker took my documents and wants money to give them back.',
      'My work permit has expired and the employer will not renew it.',
    ],
    recruitment: ['I paid a large fee to the agent and now I am in debt.', 'The job here is not the job the agent promised.'],
    contract: ['I was dismissed without notice and without my last pay.', 'The employer made me sign a new contract I could not read.'],
    hours: ['We work twelve hours a day with no day off.', 'We are forced to work overtime every night.'],
    injury: ['I was injured at work and the employer will not pay for treatment.', 'A machine cut my hand at the factory and I cannot work now.'],
    social_security: ['The employer takes social security from my pay but I have no card.', 'I cannot see a doctor because I have no health insurance.'],
    violence: ['The supervisor hits workers and threatens to call the police.'],
    movement: ['We are locked inside the compound and cannot go out.'],
    trafficking: ['We were brought here and told we must work until the debt is paid.'],
    arrest: [
      'A relative was arrested at a checkpoint and is held at the police station.',
      'Police stopped us and asked for money even though we have permits.',
    ],
    living: ['Twenty of us share one room and there is no clean water.', "The employer's housing floods and the roof leaks."],
    missing: [
      'We have had no news for a month from a family member who works on a fishing boat.',
      'My friend went to work in another province and does not answer the phone.',
    ],
    info: ['How can I change employer without losing my work permit?', 'Where can I renew my work permit and how much does it cost?'],
    other: ['I need help but cannot explain by message. Please call me in the evening.'],
  },
  th: {
    wages: [
      'นายจ้างไม่จ่ายค่าจ้างมาสองเดือนแล้ว',
      'ถูกหักเงินเดือนทุกเดือนโดยไม่บอกเหตุผล',
      'ได้ค่าแรงต่ำกว่าค่าแรงขั้นต่ำ และไม่ได้ค่าล่วงเวลา',
    ],
    documents: [
      'นายจ้างยึดพาสปอร์ตและใบอนุญาตทำงานไว้ ไม่ยอมคืน',
      'นายหน้าเอาเอกสารไป และเรียกเงินถ้าจะเอาคืน',
      'ใบอนุญาตทำงานหมดอายุแล้ว นายจ้างไม่ยอมต่อให้',
    ],
    recruitment: ['จ่ายค่านายหน้าไปเยอะ ตอนนี้เป็นหนี้', 'งานที่นี่ไม่ใช่งานที่นายหน้าสัญญาไว้'],
    contract: ['ถูกเลิกจ้างโดยไม่บอกล่วงหน้า และไม่ได้ค่าจ้างงวดสุดท้าย', 'นายจ้างให้เซ็นสัญญาใหม่ที่อ่านไม่เข้าใจ'],
    hours: ['ทำงานวันละสิบสองชั่วโมง ไม่มีวันหยุด', 'ถูกบังคับให้ทำโอทีทุกคืน'],
    injury: ['บาดเจ็บจากการทำงาน นายจ้างไม่จ่ายค่ารักษา', 'มือโดนเครื่องจักรที่โรงงาน ตอนนี้ทำงานไม่ได้'],
    social_security: ['นายจ้างหักเงินประกันสังคม แต่ไม่มีบัตร', 'ไปหาหมอไม่ได้เพราะไม่มีประกันสุขภาพ'],
    violence: ['หัวหน้าทำร้ายคนงาน และขู่ว่าจะเรียกตำรวจ'],
    movement: ['ถูกขังไว้ในที่พัก ออกไปข้างนอกไม่ได้'],
    trafficking: ['ถูกพามาที่นี่ และบอกว่าต้องทำงานจนกว่าจะใช้หนี้หมด'],
    arrest: ['ญาติถูกจับที่ด่านตรวจ ตอนนี้ถูกขังอยู่ที่สถานีตำรวจ', 'ตำรวจเรียกตรวจและเรียกเงิน ทั้งที่มีใบอนุญาต'],
    living: ['อยู่กันยี่สิบคนในห้องเดียว ไม่มีน้ำสะอาด', 'ที่พักของนายจ้างน้ำท่วม หลังคารั่ว'],
    missing: ['ติดต่อญาติที่ทำงานบนเรือประมงไม่ได้มาหนึ่งเดือนแล้ว', 'เพื่อนไปทำงานต่างจังหวัด แล้วโทรไม่ติด'],
    info: ['จะเปลี่ยนนายจ้างอย่างไรโดยไม่เสียใบอนุญาตทำงาน', 'ต่อใบอนุญาตทำงานได้ที่ไหน ค่าใช้จ่ายเท่าไร'],
    other: ['ต้องการความช่วยเหลือ แต่อธิบายทางข้อความไม่ได้ ช่วยโทรกลับตอนเย็น'],
  },
  my: {
    wages: [
      'အလုပ်ရှင်က လစာ နှစ်လ မပေးသေးပါ။',
      'လတိုင်း လစာထဲက ပိုက်ဆံ ဖြတ်ပြီး ဘာကြောင့်လဲ မပြောပါ။',
      'အနည်းဆုံးလုပ်ခထက် နည်းပြီး အချိန်ပိုလုပ်ခ မရပါ။',
    ],
    documents: [
      'အလုပ်ရှင်က ပတ်စပို့နဲ့ အလုပ်ပါမစ်ကို သိမ်းထားပြီး ပြန်မပေးပါ။',
      'ပွဲစားက စာရွက်စာတမ်းတွေ ယူသွားပြီး ပြန်ပေးဖို့ ပိုက်ဆံတောင်းနေပါတယ်။',
      'အလုပ်ပါမစ် သက်တမ်းကုန်သွားပြီး အလုပ်ရှင်က သက်တမ်းမတိုးပေးပါ။',
    ],
    recruitment: [
      'အေးဂျင့်ကို ပွဲခ အများကြီး ပေးခဲ့ရလို့ အခု အကြွေးတင်နေပါတယ်။',
      'ဒီက အလုပ်က အေးဂျင့် ကတိပေးခဲ့တဲ့ အလုပ် မဟုတ်ပါ။',
    ],
    contract: [
      'ကြိုတင်အသိမပေးဘဲ အလုပ်ထုတ်ခံရပြီး နောက်ဆုံးလစာ မရပါ။',
      'အလုပ်ရှင်က နားမလည်တဲ့ စာချုပ်အသစ်ကို လက်မှတ်ထိုးခိုင်းပါတယ်။',
    ],
    hours: ['တစ်နေ့ ဆယ့်နှစ်နာရီ အလုပ်လုပ်ရပြီး နားရက် မရှိပါ။', 'ညတိုင်း အချိန်ပို အတင်းလုပ်ခိုင်းပါတယ်။'],
    injury: [
      'အလုပ်မှာ ဒဏ်ရာရခဲ့ပြီး အလုပ်ရှင်က ဆေးကုသစရိတ် မပေးပါ။',
      'စက်ရုံမှာ စက်နဲ့ လက်ရှသွားလို့ အခု အလုပ်မလုပ်နိုင်ပါ။',
    ],
    social_security: [
      'အလုပ်ရှင်က လူမှုဖူလုံရေးငွေ ဖြတ်ပေမယ့် ကတ် မရပါ။',
      'ကျန်းမာရေးအာမခံ မရှိလို့ ဆရာဝန်နဲ့ မပြနိုင်ပါ။',
    ],
    violence: ['ကြီးကြပ်ရေးမှူးက အလုပ်သမားတွေကို ရိုက်ပြီး ရဲခေါ်မယ်လို့ ခြိမ်းခြောက်ပါတယ်။'],
    movement: ['ဝင်းထဲမှာ သော့ခတ်ထားလို့ အပြင် မထွက်နိုင်ပါ။'],
    trafficking: ['ဒီကို ခေါ်လာပြီး အကြွေးမကျေမချင်း အလုပ်လုပ်ရမယ်လို့ ပြောပါတယ်။'],
    arrest: [
      'ဆွေမျိုးတစ်ယောက် စစ်ဆေးရေးဂိတ်မှာ အဖမ်းခံရပြီး ရဲစခန်းမှာ ချုပ်ထားပါတယ်။',
      'ပါမစ် ရှိပေမယ့် ရဲက ရပ်ခိုင်းပြီး ပိုက်ဆံ တောင်းပါတယ်။',
    ],
    living: [
      'အခန်းတစ်ခန်းထဲမှာ လူနှစ်ဆယ် နေရပြီး သန့်ရှင်းတဲ့ ရေ မရှိပါ။',
      'အလုပ်ရှင်ပေးတဲ့ အိမ်က ရေလွှမ်းပြီး အမိုး ယိုပါတယ်။',
    ],
    missing: [
      'ငါးဖမ်းလှေပေါ်မှာ အလုပ်လုပ်တဲ့ မိသားစုဝင်နဲ့ တစ်လလောက် အဆက်အသွယ် ပြတ်နေပါတယ်။',
      'သူငယ်ချင်း တခြားမြို့မှာ အလုပ်သွားလုပ်ပြီး ဖုန်း မကိုင်တော့ပါ။',
    ],
    info: [
      'အလုပ်ပါမစ် မပျက်ဘဲ အလုပ်ရှင် ဘယ်လို ပြောင်းလို့ ရမလဲ။',
      'အလုပ်ပါမစ် ဘယ်မှာ သက်တမ်းတိုးရမလဲ၊ ဘယ်လောက် ကုန်မလဲ။',
    ],
    other: ['အကူအညီ လိုပါတယ်၊ စာနဲ့ ရှင်းပြလို့ မရပါ။ ညနေပိုင်း ဖုန်းဆက်ပေးပါ။'],
  },
  km: {
    wages: [
      'ថៅកែមិនបានបើកប្រាក់ខែឱ្យខ្ញុំពីរខែហើយ។',
      'គេកាត់ប្រាក់ខែខ្ញុំរៀងរាល់ខែ ដោយមិនប្រាប់មូលហេតុ។',
      'ខ្ញុំទទួលបានប្រាក់ឈ្នួលតិចជាងប្រាក់ឈ្នួលអប្បបរមា ហើយគ្មានប្រាក់ម៉ោងបន្ថែម។',
    ],
    documents: [
      'ថៅកែរក្សាលិខិតឆ្លងដែន និងប័ណ្ណការងាររបស់ខ្ញុំ ហើយមិនព្រមប្រគល់ឱ្យវិញ។',
      'មេខ្យល់យកឯកសាររបស់ខ្ញុំ ហើយទាមទារលុយទើបឱ្យវិញ។',
      'ប័ណ្ណការងាររបស់ខ្ញុំផុតកំណត់ ហើយថៅកែមិនព្រមបន្តឱ្យ។',
    ],
    recruitment: ['ខ្ញុំបានបង់ថ្លៃសេវាច្រើនទៅភ្នាក់ងារ ហើយឥឡូវជំពាក់បំណុល។', 'ការងារនៅទីនេះមិនដូចអ្វីដែលភ្នាក់ងារបានសន្យាទេ។'],
    contract: [
      'ខ្ញុំត្រូវបានបញ្ឈប់ពីការងារដោយគ្មានការជូនដំណឹង ហើយមិនបានប្រាក់ខែចុងក្រោយ។',
      'ថៅកែឱ្យខ្ញុំចុះហត្ថលេខាលើកិច្ចសន្យាថ្មីដែលខ្ញុំអានមិនយល់។',
    ],
    hours: ['យើងធ្វើការដប់ពីរម៉ោងក្នុងមួយថ្ងៃ ដោយគ្មានថ្ងៃឈប់សម្រាក។', 'យើងត្រូវគេបង្ខំឱ្យធ្វើការបន្ថែមម៉ោងរៀងរាល់យប់។'],
    injury: ['ខ្ញុំរងរបួសពេលធ្វើការ ហើយថៅកែមិនព្រមចេញថ្លៃព្យាបាល។', 'ម៉ាស៊ីននៅរោងចក្រកាត់ដៃខ្ញុំ ឥឡូវខ្ញុំធ្វើការមិនបាន។'],
    social_security: [
      'ថៅកែកាត់ប្រាក់សន្តិសុខសង្គមពីប្រាក់ខែ ប៉ុន្តែខ្ញុំគ្មានកាត។',
      'ខ្ញុំមិនអាចទៅជួបគ្រូពេទ្យបានទេ ព្រោះគ្មានធានារ៉ាប់រងសុខភាព។',
    ],
    violence: ['មេការវាយកម្មករ ហើយគំរាមថានឹងហៅប៉ូលិស។'],
    movement: ['យើងត្រូវគេចាក់សោទុកក្នុងបរិវេណ ហើយមិនអាចចេញក្រៅបាន។'],
    trafficking: ['គេនាំយើងមកទីនេះ ហើយប្រាប់ថាត្រូវធ្វើការរហូតសងបំណុលអស់។'],
    arrest: [
      'សាច់ញាតិរបស់ខ្ញុំត្រូវប៉ូលិសចាប់នៅប៉ុស្តិ៍ត្រួតពិនិត្យ ហើយកំពុងឃុំនៅប៉ុស្តិ៍ប៉ូលិស។',
      'ប៉ូលិសឃាត់ពួកយើង ហើយទារលុយ ទោះបីយើងមានប័ណ្ណការងារក៏ដោយ។',
    ],
    living: ['យើងម្ភៃនាក់រស់នៅក្នុងបន្ទប់តែមួយ ហើយគ្មានទឹកស្អាត។', 'កន្លែងស្នាក់នៅរបស់ថៅកែលិចទឹក ហើយដំបូលលេចទឹក។'],
    missing: [
      'ខ្ញុំដាច់ទំនាក់ទំនងជាមួយសាច់ញាតិដែលធ្វើការលើទូកនេសាទមួយខែហើយ។',
      'មិត្តភក្តិខ្ញុំទៅធ្វើការនៅខេត្តផ្សេង ហើយទូរស័ព្ទមិនលើក។',
    ],
    info: [
      'តើខ្ញុំអាចប្តូរថៅកែដោយមិនបាត់ប័ណ្ណការងារដោយរបៀបណា?',
      'តើខ្ញុំអាចបន្តប័ណ្ណការងារនៅឯណា ហើយអស់ប៉ុន្មាន?',
    ],
    other: ['ខ្ញុំត្រូវការជំនួយ ប៉ុន្តែពន្យល់តាមសារមិនបាន។ សូមទូរស័ព្ទមកខ្ញុំពេលល្ងាច។'],
  },
  lo: {
    wages: [
      'ນາຍຈ້າງບໍ່ໄດ້ຈ່າຍເງິນເດືອນມາສອງເດືອນແລ້ວ.',
      'ຖືກຫັກເງິນເດືອນທຸກເດືອນ ໂດຍບໍ່ບອກເຫດຜົນ.',
      'ໄດ້ຄ່າແຮງຕ່ຳກວ່າຄ່າແຮງຂັ້ນຕ່ຳ ແລະ ບໍ່ໄດ້ຄ່າລ່ວງເວລາ.',
    ],
    documents: [
      'ນາຍຈ້າງຍຶດໜັງສືຜ່ານແດນ ແລະ ບັດອະນຸຍາດເຮັດວຽກໄວ້ ບໍ່ຍອມສົ່ງຄືນ.',
      'ນາຍໜ້າເອົາເອກະສານໄປ ແລະ ຮຽກເງິນຈຶ່ງຈະສົ່ງຄືນ.',
      'ບັດອະນຸຍາດເຮັດວຽກໝົດອາຍຸແລ້ວ ນາຍຈ້າງບໍ່ຍອມຕໍ່ໃຫ້.',
    ],
    recruitment: ['ໄດ້ຈ່າຍຄ່ານາຍໜ້າຫຼາຍ ດຽວນີ້ເປັນໜີ້.', 'ວຽກຢູ່ນີ້ບໍ່ແມ່ນວຽກທີ່ນາຍໜ້າສັນຍາໄວ້.'],
    contract: ['ຖືກໄລ່ອອກໂດຍບໍ່ແຈ້ງລ່ວງໜ້າ ແລະ ບໍ່ໄດ້ເງິນເດືອນງວດສຸດທ້າຍ.', 'ນາຍຈ້າງໃຫ້ເຊັນສັນຍາໃໝ່ທີ່ອ່ານບໍ່ເຂົ້າໃຈ.'],
    hours: ['ເຮັດວຽກມື້ລະສິບສອງຊົ່ວໂມງ ບໍ່ມີມື້ພັກ.', 'ຖືກບັງຄັບໃຫ້ເຮັດວຽກລ່ວງເວລາທຸກຄືນ.'],
    injury: ['ບາດເຈັບຈາກການເຮັດວຽກ ນາຍຈ້າງບໍ່ຈ່າຍຄ່າປິ່ນປົວ.', 'ມືຖືກເຄື່ອງຈັກຢູ່ໂຮງງານ ດຽວນີ້ເຮັດວຽກບໍ່ໄດ້.'],
    social_security: ['ນາຍຈ້າງຫັກເງິນປະກັນສັງຄົມ ແຕ່ບໍ່ມີບັດ.', 'ໄປຫາໝໍບໍ່ໄດ້ ເພາະບໍ່ມີປະກັນສຸຂະພາບ.'],
    violence: ['ຫົວໜ້າທຳຮ້າຍຄົນງານ ແລະ ຂູ່ວ່າຈະເອີ້ນຕຳຫຼວດ.'],
    movement: ['ຖືກຂັງໄວ້ໃນບ່ອນພັກ ອອກໄປຂ້າງນອກບໍ່ໄດ້.'],
    trafficking: ['ຖືກພາມາບ່ອນນີ້ ແລະ ບອກວ່າຕ້ອງເຮັດວຽກຈົນກວ່າຈະໃຊ້ໜີ້ໝົດ.'],
    arrest: ['ຍາດພີ່ນ້ອງຖືກຈັບຢູ່ດ່ານກວດ ດຽວນີ້ຖືກຂັງຢູ່ສະຖານີຕຳຫຼວດ.', 'ຕຳຫຼວດກວດ ແລະ ຮຽກເງິນ ທັງທີ່ມີບັດອະນຸຍາດ.'],
    living: ['ຢູ່ກັນຊາວຄົນໃນຫ້ອງດຽວ ບໍ່ມີນ້ຳສະອາດ.', 'ບ່ອນພັກຂອງນາຍຈ້າງນ້ຳຖ້ວມ ຫຼັງຄາຮົ່ວ.'],
    missing: ['ຕິດຕໍ່ຍາດພີ່ນ້ອງທີ່ເຮັດວຽກຢູ່ເຮືອຫາປາບໍ່ໄດ້ມາໜຶ່ງເດືອນແລ້ວ.', 'ໝູ່ໄປເຮັດວຽກຢູ່ແຂວງອື່ນ ແລ້ວໂທບໍ່ຕິດ.'],
    info: ['ຈະປ່ຽນນາຍຈ້າງແນວໃດ ໂດຍບໍ່ເສຍບັດອະນຸຍາດເຮັດວຽກ?', 'ຕໍ່ບັດອະນຸຍາດເຮັດວຽກໄດ້ຢູ່ໃສ ແລະ ເສຍເງິນເທົ່າໃດ?'],
    other: ['ຕ້ອງການຄວາມຊ່ວຍເຫຼືອ ແຕ່ອະທິບາຍທາງຂໍ້ຄວາມບໍ່ໄດ້. ກະລຸນາໂທກັບຕອນແລງ.'],
  },
  vi: {
    wages: [
      'Chủ không trả lương cho tôi đã hai tháng rồi.',
      'Tháng nào cũng bị trừ lương mà không giải thích lý do.',
      'Lương thấp hơn mức tối thiểu và không được trả tiền làm thêm giờ.',
    ],
    documents: [
      'Chủ giữ hộ chiếu và giấy phép lao động của tôi, không chịu trả lại.',
      'Môi giới lấy giấy tờ của tôi và đòi tiền mới trả lại.',
      'Giấy phép lao động đã hết hạn mà chủ không chịu gia hạn.',
    ],
    recruitment: ['Tôi đã trả phí môi giới rất cao và giờ đang mắc nợ.', 'Công việc ở đây không giống như công ty môi giới đã hứa.'],
    contract: ['Tôi bị đuổi việc không báo trước và không được trả lương tháng cuối.', 'Chủ bắt tôi ký hợp đồng mới mà tôi không đọc hiểu được.'],
    hours: ['Chúng tôi làm mười hai tiếng mỗi ngày, không có ngày nghỉ.', 'Đêm nào cũng bị ép làm thêm giờ.'],
    injury: ['Tôi bị tai nạn lao động mà chủ không trả tiền chữa trị.', 'Máy ở xưởng cắt vào tay tôi, giờ tôi không làm việc được.'],
    social_security: ['Chủ trừ tiền bảo hiểm xã hội vào lương nhưng tôi không có thẻ.', 'Tôi không đi khám bệnh được vì không có bảo hiểm y tế.'],
    violence: ['Quản lý đánh công nhân và dọa gọi công an.'],
    movement: ['Chúng tôi bị nhốt trong khu nhà, không được ra ngoài.'],
    trafficking: ['Chúng tôi bị đưa đến đây và bị bắt làm việc cho đến khi trả hết nợ.'],
    arrest: ['Người nhà tôi bị bắt ở trạm kiểm soát và đang bị giữ ở đồn công an.', 'Cảnh sát chặn chúng tôi và đòi tiền dù chúng tôi có giấy phép.'],
    living: ['Hai mươi người ở chung một phòng và không có nước sạch.', 'Chỗ ở chủ cho bị ngập nước và mái nhà bị dột.'],
    missing: ['Đã một tháng tôi không liên lạc được với người nhà làm trên tàu cá.', 'Bạn tôi đi làm ở tỉnh khác và không nghe điện thoại.'],
    info: ['Làm sao để đổi chủ mà không mất giấy phép lao động?', 'Gia hạn giấy phép lao động ở đâu và hết bao nhiêu tiền?'],
    other: ['Tôi cần giúp đỡ nhưng không thể giải thích qua tin nhắn. Xin gọi lại cho tôi vào buổi tối.'],
  },
};

const REPLIES: Record<Language, string> = {
  en: 'We received your message. A caseworker will contact you soon.',
  th: 'ได้รับข้อความแล้ว เจ้าหน้าที่จะติดต่อกลับเร็วๆ นี้',
  my: 'စာ ရရှိပါပြီ။ ဝန်ထမ်းတစ်ဦးက မကြာမီ ပြန်ဆက်သွယ်ပါမယ်။',
  km: 'យើងបានទទួលសាររបស់អ្នកហើយ។ បុគ្គលិកនឹងទាក់ទងអ្នកឆាប់ៗនេះ។',
  lo: 'ໄດ້ຮັບຂໍ້ຄວາມແລ້ວ. ພະນັກງານຈະຕິດຕໍ່ກັບໄວໆນີ້.',
  vi: 'Chúng tôi đã nhận được tin nhắn. Cán bộ sẽ liên lạc lại sớm.',
};

const CONSENT_WORDING: Record<Language, string> = {
  en: 'May we share your case with an organisation that can help you?',
  th: 'เราขอส่งเรื่องของคุณให้องค์กรที่ช่วยเหลือได้หรือไม่',
  my: 'သင့်ကိစ္စကို ကူညီပေးနိုင်တဲ့ အဖွဲ့အစည်းနဲ့ မျှဝေခွင့် ပြုမလား။',
  km: 'តើយើងអាចចែករំលែករឿងរបស់អ្នកជាមួយអង្គការដែលអាចជួយអ្នកបានទេ?',
  lo: 'ພວກເຮົາຂໍສົ່ງເລື່ອງຂອງທ່ານໃຫ້ອົງການທີ່ຊ່ວຍເຫຼືອໄດ້ບໍ່?',
  vi: 'Chúng tôi có thể chia sẻ trường hợp của bạn với một tổ chức có thể giúp bạn không?',
};

const NOTES: readonly string[] = [
  'Called back in the evening as asked; agreed on next steps.',
  'Employer contacted through the labour office; waiting for an answer.',
  'Checked the work permit status with the employment office.',
  'Worker prefers replies in the discreet wording only.',
  'Calculated the wages owed with the worker; complaint form drafted.',
  'Explained the options and the documents needed.',
];

const HOME_REFERRAL_REASONS: readonly string[] = [
  'Support needed after return home.',
  'Family follow-up in the home country.',
  'Recruitment agency is in the home country.',
];
const LEGAL_REFERRAL_REASON = 'Legal representation needed.';

const DECLINE_REASONS: readonly string[] = ['Outside our area.', 'No capacity this month.', 'Already handled by another partner.'];

const ESCALATION_REASONS: Partial<Record<Category, string>> = {
  arrest: 'Detention reported; consular assistance requested.',
  trafficking: 'Trafficking indicators reported; government-to-government follow-up requested.',
  missing: 'Contact lost with a national; embassy asked to trace.',
  injury: 'Serious workplace injury; follow-up on treatment and compensation requested.',
};

const ESCALATION_OUTCOMES: readonly string[] = [
  'Consular visit made.',
  'Repatriation arranged.',
  'Raised with the labour ministry.',
  'Trace request answered.',
];

function summaryFor(random: DemoRandom, language: Language, categories: readonly Category[]): string {
  return categories.map((category) => random.pick(SUMMARIES[language][category])).join(' ');
}

const PHONE_FORMATS: Record<CountryCode, { prefix: string; digits: number }> = {
  TH: { prefix: '+6681', digits: 7 },
  MY: { prefix: '+6012', digits: 7 },
  MM: { prefix: '+9597', digits: 8 },
  KH: { prefix: '+85512', digits: 6 },
  LA: { prefix: '+85620', digits: 8 },
  VN: { prefix: '+8491', digits: 7 },
};

function drawAddress(random: DemoRandom, country: CountryCode, used: Set<string>): string {
  const { prefix, digits } = PHONE_FORMATS[country];
  for (;;) {
    const address = prefix + Array.from({ length: digits }, () => String(random.int(10))).join('');
    if (!used.has(address)) {
      used.add(address);
      return address;
    }
  }
}

function drawReference(random: DemoRandom, used: Set<string>): string {
  for (;;) {
    const reference = generateCaseReference(random.int);
    if (!used.has(reference)) {
      used.add(reference);
      return reference;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The parts that depend on the case's history

function drawConsent(random: DemoRandom, status: CaseStatus, language: Language, createdAt: Date, now: Date): DemoCase['consent'] {
  const wording = CONSENT_WORDING[language];
  const at = after(createdAt, random.between(2, 15) * MINUTE, now, 0.5);
  if (status === 'referred') return { given: true, at, wording };
  const answer = status === 'new'
    ? random.weighted([['yes', 50], ['unasked', 50]] as const)
    : random.weighted([['yes', 75], ['no', 10], ['unasked', 15]] as const);
  return answer === 'unasked' ? null : { given: answer === 'yes', at, wording };
}

interface Timeline {
  createdAt: Date;
  firstResponseAt: Date | null;
  resolvedAt: Date | null;
  now: Date;
}

function between(from: Date, to: Date, share: number): Date {
  return new Date(from.getTime() + (to.getTime() - from.getTime()) * share);
}

function drawReferral(
  random: DemoRandom, status: CaseStatus, targets: readonly DemoOrganisation[], timeline: Timeline, consentGiven: boolean,
): DemoReferral | null {
  const { firstResponseAt, resolvedAt, now } = timeline;
  if (!firstResponseAt || !consentGiven || targets.length === 0) return null;
  const wanted = status === 'referred' || (isFinished(status) && random.chance(0.3));
  if (!wanted) return null;
  const createdAt = between(firstResponseAt, resolvedAt ?? now, 0.1 + random.next() * 0.3);
  const respondedAt = after(createdAt, random.between(2, 40) * HOUR, resolvedAt ?? now, 0.9);
  const target = random.pick(targets);
  const referralStatus = status === 'referred' ? 'accepted' : random.weighted([['completed', 75], ['declined', 25]] as const);
  return {
    toSlug: target.slug,
    status: referralStatus,
    reason: target.kind === 'legal_aid' ? LEGAL_REFERRAL_REASON : random.pick(HOME_REFERRAL_REASONS),
    declineReason: referralStatus === 'declined' ? random.pick(DECLINE_REASONS) : null,
    createdAt,
    dueAt: new Date(createdAt.getTime() + 48 * HOUR),
    respondedAt,
    completedAt: referralStatus === 'completed' ? resolvedAt : null,
  };
}

function drawStatusChanges(
  random: DemoRandom, status: CaseStatus, outcome: Outcome | null, referral: DemoReferral | null, timeline: Timeline,
): DemoStatusChange[] {
  const { firstResponseAt, resolvedAt, now } = timeline;
  if (!firstResponseAt) return [];
  const end = resolvedAt ?? now;
  const middle = between(firstResponseAt, end, 0.2 + random.next() * 0.4);
  const steps: { to: CaseStatus; at: Date }[] = [{ to: 'open', at: firstResponseAt }];
  if (referral && referral.status !== 'declined') steps.push({ to: 'referred', at: referral.createdAt });
  if (status === 'waiting' || (status === 'closed' && outcome === 'lost_contact')) steps.push({ to: 'waiting', at: middle });
  if (status === 'resolved' || (status === 'closed' && outcome !== 'lost_contact')) steps.push({ to: 'resolved', at: end });
  if (status === 'closed') steps.push({ to: 'closed', at: outcome === 'lost_contact' ? end : after(end, random.between(1, 7) * DAY, now, 0.5) });
  return steps.map((step, index) => ({ from: steps[index - 1]?.to ?? 'new', to: step.to, at: step.at }));
}

function drawEscalation(
  random: DemoRandom, rule: DemoRoutingRule | undefined, embassy: DemoOrganisation | undefined, categories: readonly Category[],
  status: CaseStatus, timeline: Timeline,
): DemoEscalation | null {
  if (!rule || !embassy) return null;
  const { createdAt, resolvedAt, now } = timeline;
  const escalatedAt = after(createdAt, random.between(5, 30) * MINUTE, now, 0.3);
  const ageDays = (now.getTime() - createdAt.getTime()) / DAY;
  // Recent ones wait for the liaison; a few older ones still do, for the SLA views to show.
  const state = isFinished(status) ? 'closed' : ageDays > 7 && random.chance(0.6) ? 'acknowledged' : 'open';
  const acknowledgedAt = state === 'open' ? null : after(escalatedAt, random.between(2, 20) * HOUR, resolvedAt ?? now, 0.5);
  const reasonCategory = categories.find((category) => ESCALATION_REASONS[category]);
  return {
    embassySlug: embassy.slug,
    liaisonEmail: userOf(embassy.slug, 'liaison'),
    ruleName: rule.name,
    status: state,
    reason: (reasonCategory && ESCALATION_REASONS[reasonCategory]) ?? 'Government follow-up requested.',
    outcome: state === 'closed' ? random.pick(ESCALATION_OUTCOMES) : null,
    createdAt: escalatedAt,
    acknowledgedAt,
    closedAt: state === 'closed' ? resolvedAt : null,
  };
}

function drawNote(random: DemoRandom, timeline: Timeline): DemoNote | null {
  const { firstResponseAt, resolvedAt, now } = timeline;
  if (!firstResponseAt || !random.chance(0.4)) return null;
  return {
    body: random.pick(NOTES),
    at: between(firstResponseAt, resolvedAt ?? now, random.next() * 0.5),
    visibility: random.chance(0.8) ? 'organisation' : 'partners',
  };
}

function latest(dates: readonly (Date | null | undefined)[]): Date {
  const times = dates.flatMap((date) => (date ? [date.getTime()] : []));
  return new Date(Math.max(...times));
}

// ---------------------------------------------------------------------------------------------
// One case, then many

interface Drawn {
  references: Set<string>;
  addresses: Set<string>;
}

function buildCase(random: DemoRandom, now: Date, drawn: Drawn): DemoCase {
  const place = drawPlace(random);
  const sector = random.weighted(sectorWeights(place.destination, place.destinationProvince));
  const categories = drawCategories(random);
  const primary = categories[0] ?? 'other';
  const urgency = drawUrgency(random, categories);
  const language = drawLanguage(random, place.origin, place.destination);
  const channel = random.weighted(CHANNEL_WEIGHTS);
  const createdAt = new Date(now.getTime() - drawAgeMs(random));
  const facts: RoutingFacts = {
    destination_country: place.destination, destination_province: place.destinationProvince, origin_country: place.origin,
    categories, sector, language, urgency, channel,
  };
  const ownerRule = firstRule('refer', facts);
  if (!ownerRule?.targetSlug) throw new Error(`no demo routing rule refers a case to ${place.destinationProvince}`);
  const owner = organisation(ownerRule.targetSlug);
  const targets = onwardTargets(place.origin, place.destination, owner.slug);
  const drawnStatus = drawStatus(random, (now.getTime() - createdAt.getTime()) / DAY);
  const status = drawnStatus === 'referred' && targets.length === 0 ? 'open' : drawnStatus;
  const workersAffected = drawWorkers(random);
  const consent = drawConsent(random, status, language, createdAt, now);
  const firstResponseAt = drawFirstResponse(random, status, createdAt, now);
  const timeline: Timeline = { createdAt, firstResponseAt, resolvedAt: drawResolution(random, status, firstResponseAt, now), now };
  const outcome = drawOutcome(random, status, primary);
  const referral = drawReferral(random, status, targets, timeline, consent?.given === true);
  const statusChanges = drawStatusChanges(random, status, outcome, referral, timeline);
  const escalation = drawEscalation(random, firstRule('escalate', facts), embassyFor(place.origin, place.destination), categories, status, timeline);
  const note = drawNote(random, timeline);
  const reply = firstResponseAt && channel !== 'console' ? { body: REPLIES[language], at: firstResponseAt } : null;
  return {
    reference: drawReference(random, drawn.references),
    channel,
    language,
    status,
    urgency,
    intakeComplete: status !== 'new' || random.chance(0.7),
    categories,
    indicators: drawIndicators(random, status, categories),
    sector,
    originCountry: place.origin,
    originProvince: place.originProvince,
    destinationCountry: place.destination,
    destinationProvince: place.destinationProvince,
    locationRaw: place.locationRaw,
    gender: drawGender(random, sector),
    ageBand: drawAgeBand(random),
    workersAffected,
    summary: summaryFor(random, language, categories),
    address: channel === 'sms' || channel === 'whatsapp' ? drawAddress(random, place.destination, drawn.addresses) : null,
    consent,
    ownerSlug: owner.slug,
    caseworkerEmail: status === 'new' ? null : userOf(owner.slug, 'caseworker'),
    createdAt,
    firstResponseAt,
    resolvedAt: timeline.resolvedAt,
    updatedAt: latest([
      createdAt, firstResponseAt, timeline.resolvedAt, consent?.at, note?.at, referral?.respondedAt, referral?.completedAt,
      escalation?.acknowledgedAt, escalation?.closedAt, ...statusChanges.map((change) => change.at),
    ]),
    outcome,
    recovered: drawRecovered(random, outcome, place.destination, workersAffected),
    statusChanges,
    reply,
    note,
    referral,
    escalation,
  };
}

/** The demo's synthetic historic cases, oldest first; the same seed and `now` give the same cases. */
export function generateDemoCases(options: { now: Date; seed?: number; count?: number }): DemoCase[] {
  const random = createDemoRandom(options.seed ?? DEMO_CASE_SEED);
  const drawn: Drawn = { references: new Set(), addresses: new Set() };
  const cases = Array.from({ length: options.count ?? DEMO_CASE_COUNT }, () => buildCase(random, options.now, drawn));
  return cases.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
}
