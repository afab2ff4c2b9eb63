import {
  CATEGORIES, ESCALATING_CATEGORIES, type Category, type Language, type OrganisationKind, type Role,
} from '../cases/case.vocabulary';
import { provincesOf, type CountryCode } from '../places/places';
import type { RoutingConditionKey } from '../routing/routing-rule.schema';

// The fictional network the demo runs on: every name ends in "(demo)" and every address is under
// demo.hotline.test, so nobody mistakes a demo row for a real organisation or person.

export const DEMO_EMAIL_DOMAIN = 'demo.hotline.test';
/** The account a person exploring the demo signs in with. */
export const DEMO_SIGN_IN_EMAIL = `coordinator@${DEMO_EMAIL_DOMAIN}`;
export const NETWORK_SLUG = 'mekong-hotline-network';

export interface DemoOrganisation {
  slug: string;
  name: string;
  kind: OrganisationKind;
  country: CountryCode;
  city: string;
  provinces: readonly string[];
  languages: readonly Language[];
  categories: readonly Category[];
  /** Embassies only: the origin countries whose nationals they serve. */
  nationalities: readonly CountryCode[];
}

export interface DemoUser {
  email: string;
  displayName: string;
  role: Role;
  locale: Language;
  organisationSlug: string;
}

export interface DemoRoutingRule {
  name: string;
  priority: number;
  conditions: Partial<Record<RoutingConditionKey, readonly string[]>>;
  action: 'refer' | 'escalate';
  /** For `refer`; `escalate` goes to the liaison of the worker's nationality in the destination country. */
  targetSlug: string | null;
  responseHours: number;
}

const ALL_CATEGORIES: readonly Category[] = CATEGORIES;
const WORKPLACE_CATEGORIES: readonly Category[] = [
  'wages', 'documents', 'contract', 'hours', 'injury', 'social_security', 'living', 'info', 'other',
];
const THAI_COAST = ['TH-74', 'TH-85', 'TH-90', 'TH-84', 'TH-83'];
const THAI_CENTRE = ['TH-10', 'TH-11', 'TH-13', 'TH-20', 'TH-21'];
const codesOf = (country: CountryCode) => provincesOf(country).map((province) => province.code);

const PARTNERS: readonly DemoOrganisation[] = [
  {
    slug: 'mae-sot-workers-rights-centre', name: "Mae Sot Workers' Rights Centre (demo)", kind: 'ngo', country: 'TH',
    city: 'Mae Sot', provinces: ['TH-63'], languages: ['my', 'th', 'en'], categories: ALL_CATEGORIES, nationalities: [],
  },
  {
    slug: 'mahachai-seafood-workers-union', name: "Mahachai Fishers' and Seafood Workers' Union (demo)", kind: 'union',
    country: 'TH', city: 'Samut Sakhon', provinces: THAI_COAST, languages: ['my', 'km', 'th', 'en'],
    categories: [...WORKPLACE_CATEGORIES, 'violence', 'movement', 'trafficking'], nationalities: [],
  },
  {
    slug: 'chao-phraya-migrant-legal-aid', name: 'Chao Phraya Migrant Legal Aid (demo)', kind: 'legal_aid', country: 'TH',
    city: 'Bangkok', provinces: THAI_CENTRE, languages: ['th', 'my', 'km', 'lo', 'en'], categories: ALL_CATEGORIES,
    nationalities: [],
  },
  {
    slug: 'chiang-mai-migrant-support-house', name: 'Chiang Mai Migrant Support House (demo)', kind: 'ngo', country: 'TH',
    city: 'Chiang Mai', provinces: ['TH-50'], languages: ['my', 'th', 'en'], categories: ALL_CATEGORIES, nationalities: [],
  },
  {
    slug: 'klang-valley-migrant-workers-union', name: "Klang Valley Migrant Workers' Union (demo)", kind: 'union',
    country: 'MY', city: 'Kuala Lumpur', provinces: ['MY-14', 'MY-10', 'MY-01', 'MY-07'], languages: ['en', 'my', 'vi'],
    categories: WORKPLACE_CATEGORIES, nationalities: [],
  },
  {
    slug: 'kl-migrant-legal-aid-desk', name: 'KL Migrant Legal Aid Desk (demo)', kind: 'legal_aid', country: 'MY',
    city: 'Kuala Lumpur', provinces: codesOf('MY'), languages: ['en', 'my', 'vi'], categories: ALL_CATEGORIES,
    nationalities: [],
  },
  {
    slug: 'phnom-penh-returnee-centre', name: 'Phnom Penh Returnee Support Centre (demo)', kind: 'ngo', country: 'KH',
    city: 'Phnom Penh', provinces: codesOf('KH'), languages: ['km', 'en'], categories: ALL_CATEGORIES, nationalities: [],
  },
  {
    slug: 'yangon-returnee-legal-aid', name: 'Yangon Returnee Legal Aid (demo)', kind: 'legal_aid', country: 'MM',
    city: 'Yangon', provinces: codesOf('MM'), languages: ['my', 'en'], categories: ALL_CATEGORIES, nationalities: [],
  },
  {
    slug: 'vientiane-safe-migration-centre', name: 'Vientiane Safe Migration Centre (demo)', kind: 'ngo', country: 'LA',
    city: 'Vientiane', provinces: codesOf('LA'), languages: ['lo', 'th', 'en'], categories: ALL_CATEGORIES,
    nationalities: [],
  },
];

const NETWORK: DemoOrganisation = {
  slug: NETWORK_SLUG, name: 'Mekong Migrant Hotline Network (demo)', kind: 'network', country: 'TH', city: 'Bangkok',
  provinces: [], languages: ['en', 'my', 'km', 'lo', 'th', 'vi'], categories: ALL_CATEGORIES, nationalities: [],
};

const EMBASSY_COUNTRIES = [
  { code: 'MM', name: 'Myanmar', language: 'my', slug: 'myanmar' },
  { code: 'KH', name: 'Cambodia', language: 'km', slug: 'cambodia' },
  { code: 'LA', name: 'Lao PDR', language: 'lo', slug: 'laos' },
] as const;

const EMBASSY_POSTS = [
  { country: 'TH', city: 'Bangkok', slug: 'bangkok', short: 'bangkok', local: 'th' },
  { country: 'MY', city: 'Kuala Lumpur', slug: 'kuala-lumpur', short: 'kl', local: 'en' },
] as const;

const EMBASSIES: readonly DemoOrganisation[] = EMBASSY_POSTS.flatMap((post) =>
  EMBASSY_COUNTRIES.map((origin): DemoOrganisation => ({
    slug: `${origin.slug}-embassy-${post.slug}-labour`,
    name: `Embassy of ${origin.name}, ${post.city}: Labour Liaison Office (demo)`,
    kind: 'embassy',
    country: post.country,
    city: post.city,
    provinces: codesOf(post.country),
    languages: [...new Set<Language>([origin.language, post.local, 'en'])],
    categories: ESCALATING_CATEGORIES,
    nationalities: [origin.code],
  })),
);

/** Every demo organisation: the network, its partners and six embassy labour liaison offices. */
export const DEMO_ORGANISATIONS: readonly DemoOrganisation[] = [NETWORK, ...PARTNERS, ...EMBASSIES];

const user = (local: string, displayName: string, role: Role, locale: Language, organisationSlug: string): DemoUser => ({
  email: `${local}@${DEMO_EMAIL_DOMAIN}`, displayName, role, locale, organisationSlug,
});

const CASEWORKERS: readonly DemoUser[] = [
  user('caseworker.maesot', 'Naw Paw (demo)', 'caseworker', 'my', 'mae-sot-workers-rights-centre'),
  user('caseworker.mahachai', 'Ko Zaw (demo)', 'caseworker', 'my', 'mahachai-seafood-workers-union'),
  user('caseworker.bangkok', 'Khun Ploy (demo)', 'caseworker', 'th', 'chao-phraya-migrant-legal-aid'),
  user('caseworker.chiangmai', 'Nang Hseng (demo)', 'caseworker', 'th', 'chiang-mai-migrant-support-house'),
  user('caseworker.klang', 'Siti (demo)', 'caseworker', 'en', 'klang-valley-migrant-workers-union'),
  user('caseworker.kl', 'Ravi (demo)', 'caseworker', 'en', 'kl-migrant-legal-aid-desk'),
  user('caseworker.phnompenh', 'Sokha (demo)', 'caseworker', 'km', 'phnom-penh-returnee-centre'),
  user('caseworker.yangon', 'Ma Hnin (demo)', 'caseworker', 'my', 'yangon-returnee-legal-aid'),
  user('caseworker.vientiane', 'Noy (demo)', 'caseworker', 'lo', 'vientiane-safe-migration-centre'),
];

const LIAISONS: readonly DemoUser[] = EMBASSY_POSTS.flatMap((post) =>
  EMBASSY_COUNTRIES.map((origin) =>
    user(
      `liaison.${origin.code.toLowerCase()}.${post.short}`,
      `Labour attaché of ${origin.name}, ${post.city} (demo)`,
      'liaison',
      origin.language,
      `${origin.slug}-embassy-${post.slug}-labour`,
    ),
  ),
);

/** Every demo user: all five roles; they share one generated password. */
export const DEMO_USERS: readonly DemoUser[] = [
  user('admin', 'Network admin (demo)', 'admin', 'en', NETWORK_SLUG),
  user('coordinator', 'Network coordinator (demo)', 'coordinator', 'en', NETWORK_SLUG),
  user('coordinator.th', 'Triage coordinator, Thai desk (demo)', 'coordinator', 'th', NETWORK_SLUG),
  user('researcher', 'Research and advocacy (demo)', 'researcher', 'en', NETWORK_SLUG),
  ...CASEWORKERS,
  ...LIAISONS,
];

const URGENT_HOURS = 24;
const DEFAULT_HOURS = 48;

const RULES_IN_ORDER: readonly Omit<DemoRoutingRule, 'priority'>[] = [
  {
    name: 'Arrest, trafficking and missing persons: escalate to the embassy',
    conditions: { categories: ['arrest', 'trafficking', 'missing'] }, action: 'escalate', targetSlug: null,
    responseHours: URGENT_HOURS,
  },
  {
    name: 'Serious injury: escalate to the embassy',
    conditions: { categories: ['injury'], urgency: ['high', 'emergency'] }, action: 'escalate', targetSlug: null,
    responseHours: URGENT_HOURS,
  },
  {
    name: 'Emergencies in Thailand: legal aid in Bangkok',
    conditions: { destination_country: ['TH'], urgency: ['emergency'] }, action: 'refer',
    targetSlug: 'chao-phraya-migrant-legal-aid', responseHours: URGENT_HOURS,
  },
  {
    name: 'Emergencies in Malaysia: legal aid in Kuala Lumpur',
    conditions: { destination_country: ['MY'], urgency: ['emergency'] }, action: 'refer',
    targetSlug: 'kl-migrant-legal-aid-desk', responseHours: URGENT_HOURS,
  },
  {
    name: 'Tak (Mae Sot)',
    conditions: { destination_country: ['TH'], destination_province: ['TH-63'] }, action: 'refer',
    targetSlug: 'mae-sot-workers-rights-centre', responseHours: DEFAULT_HOURS,
  },
  {
    name: 'Fishing and seafood processing in Thailand',
    conditions: { destination_country: ['TH'], sector: ['fishing', 'seafood_processing'] }, action: 'refer',
    targetSlug: 'mahachai-seafood-workers-union', responseHours: DEFAULT_HOURS,
  },
  {
    name: 'Samut Sakhon and the coast',
    conditions: { destination_country: ['TH'], destination_province: THAI_COAST }, action: 'refer',
    targetSlug: 'mahachai-seafood-workers-union', responseHours: DEFAULT_HOURS,
  },
  {
    name: 'Chiang Mai',
    conditions: { destination_country: ['TH'], destination_province: ['TH-50'] }, action: 'refer',
    targetSlug: 'chiang-mai-migrant-support-house', responseHours: DEFAULT_HOURS,
  },
  {
    name: 'Bangkok and the central provinces',
    conditions: { destination_country: ['TH'], destination_province: THAI_CENTRE }, action: 'refer',
    targetSlug: 'chao-phraya-migrant-legal-aid', responseHours: DEFAULT_HOURS,
  },
  {
    name: 'Malaysia: wages, hours, contracts and social security',
    conditions: { destination_country: ['MY'], categories: ['wages', 'hours', 'contract', 'social_security'] },
    action: 'refer', targetSlug: 'klang-valley-migrant-workers-union', responseHours: DEFAULT_HOURS,
  },
  {
    name: 'Malaysia: everything else',
    conditions: { destination_country: ['MY'] }, action: 'refer', targetSlug: 'kl-migrant-legal-aid-desk',
    responseHours: DEFAULT_HOURS,
  },
  {
    name: 'Returnees to Myanmar',
    conditions: { destination_country: ['MM'] }, action: 'refer', targetSlug: 'yangon-returnee-legal-aid',
    responseHours: DEFAULT_HOURS,
  },
  {
    name: 'Returnees to Cambodia',
    conditions: { destination_country: ['KH'] }, action: 'refer', targetSlug: 'phnom-penh-returnee-centre',
    responseHours: DEFAULT_HOURS,
  },
  {
    name: 'Returnees to Laos',
    conditions: { destination_country: ['LA'] }, action: 'refer', targetSlug: 'vientiane-safe-migration-centre',
    responseHours: DEFAULT_HOURS,
  },
  {
    name: 'Thailand: everything else',
    conditions: { destination_country: ['TH'] }, action: 'refer', targetSlug: 'chao-phraya-migrant-legal-aid',
    responseHours: DEFAULT_HOURS,
  },
];

/** The demo routing rules, first match wins, priorities 10, 20, … */
export const DEMO_ROUTING_RULES: readonly DemoRoutingRule[] = RULES_IN_ORDER.map((rule, index) => ({
  ...rule,
  priority: (index + 1) * 10,
}));
