import type { Transaction } from 'kysely';
import { openCase, type OpenCaseInput } from '../cases/case.service';
import type { Clock } from '../clock';
import type { Database } from '../db/schema';
import type { HotlineJobQueue } from '../jobs/hotline-jobs';
import type { PersonalDataCipher } from '../privacy/personal-data';
import { routeCase } from '../routing/routing.service';

// A few complaints that "arrive" as the demo is loaded, through the same intake and routing as
// real ones: the rules offer them to partners (pending referrals with their response clocks),
// escalate the arrest to the embassy, and leave the one with no known place in the coordinators'
// triage queue — so the console shows new referrals, notices and triage from the first sign-in.

const MINUTE = 60_000;

type Arrival = Omit<OpenCaseInput, 'receivedAt' | 'contactId' | 'intakeComplete'> & { minutesAgo: number };

const YES = { given: true, wording: 'May we share your case with a partner organisation that can help? YES (demo)' };
const NO = { given: false, wording: 'May we share your case with a partner organisation that can help? NO (demo)' };

/** The arriving complaints (fictional, written in English so every demo reader can follow them). */
export const DEMO_ARRIVALS: readonly Arrival[] = [
  {
    channel: 'web', language: 'my', minutesAgo: 95, categories: ['wages'], sector: 'garment', originCountry: 'MM',
    destinationCountry: 'TH', destinationProvince: 'TH-63', consent: YES,
    story: 'Factory has not paid us for six weeks. Twelve of us from the same line. (demo)', workersAffected: 12,
  },
  {
    channel: 'web', language: 'km', minutesAgo: 70, categories: ['arrest', 'documents'], sector: 'fishing', originCountry: 'KH',
    destinationCountry: 'TH', destinationProvince: 'TH-74', consent: YES,
    story: 'My brother was arrested at the pier. The boat owner keeps his passport. (demo)',
  },
  {
    channel: 'web', language: 'lo', minutesAgo: 45, categories: ['documents', 'movement'], sector: 'domestic_work', originCountry: 'LA',
    destinationCountry: 'TH', destinationProvince: 'TH-10', consent: NO,
    story: 'Employer took my passport and does not let me go out. Call me on 081 555 0199 at night only. (demo)',
  },
  {
    channel: 'web', language: 'vi', minutesAgo: 30, categories: ['recruitment'], sector: 'manufacturing', originCountry: 'VN',
    destinationCountry: 'MY', destinationProvince: 'MY-10', consent: YES,
    story: 'Agency charged 4,500 USD and the job is not what they promised. (demo)',
  },
  {
    channel: 'web', language: 'my', minutesAgo: 20, categories: ['recruitment', 'wages'], originCountry: 'MM', destinationCountry: 'MM',
    consent: YES, story: 'Back home in Yangon now. The agency still says I owe them money. (demo)',
  },
  {
    channel: 'web', language: 'my', minutesAgo: 10, categories: ['other'], originCountry: 'MM', consent: NO,
    story: 'I need help but I do not know where to start. (demo)',
  },
];

/** Opens and routes the arriving complaints in the seed's transaction; returns how many. */
export async function openDemoArrivals(
  trx: Transaction<Database>,
  deps: { cipher: PersonalDataCipher; clock: Clock; jobs: Pick<HotlineJobQueue, 'enqueue'> },
): Promise<number> {
  const now = deps.clock.now().getTime();
  for (const { minutesAgo, ...arrival } of DEMO_ARRIVALS) {
    const receivedAt = new Date(now - minutesAgo * MINUTE);
    const at = { now: () => receivedAt };
    const created = await openCase(trx, { cipher: deps.cipher, clock: at }, { ...arrival, contactId: null, receivedAt, intakeComplete: true });
    await routeCase(trx, { cipher: deps.cipher, clock: at, jobs: deps.jobs, mailEnabled: false }, created.id, 'case_opened');
  }
  return DEMO_ARRIVALS.length;
}
