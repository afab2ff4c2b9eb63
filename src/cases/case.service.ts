import type { Transaction } from 'kysely';
import { recordAudit } from '../audit/audit.repository';
import type { Clock } from '../clock';
import type { Database, NewCase } from '../db/schema';
import type { PersonalDataCipher } from '../privacy/personal-data';
import { sealerFor, sealerForContact, type PersonSealer } from '../privacy/person-keys';
import { insertPerson } from '../people/person.repository';
import { insertCaseEvent } from './case-event.repository';
import { insertCase } from './case.repository';
import type { Channel, Language } from './case.vocabulary';
import { consentColumns, consentSourceOfChannel } from './consent.service';

/** What the worker told us when a case is opened; every channel (SMS, WhatsApp, web) uses this. */
export interface OpenCaseInput {
  channel: Channel;
  language: Language;
  contactId: string | null;
  /** The worker's own words. */
  story: string;
  receivedAt: Date;
  /** The inbound message that opened it, if any. */
  messageId?: string;
  categories?: string[];
  sector?: string | null;
  originCountry?: string | null;
  destinationCountry?: string | null;
  destinationProvince?: string | null;
  /** The place as the worker wrote it. */
  locationRaw?: string | null;
  gender?: string | null;
  ageBand?: string | null;
  workersAffected?: number;
  employer?: string | null;
  consent?: { given: boolean; wording: string } | null;
  pinHash?: string | null;
  intakeComplete?: boolean;
}

/** The canonical form of an employer's name for counting complaints per employer. */
export function employerKeyText(name: string): string {
  return name.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

/**
 * The sealer of the worker a new case belongs to: the one given (the caller's transaction has it
 * already), the contact's person, or a new person for a case without a contact.
 */
async function sealerOfNewCase(trx: Transaction<Database>, deps: { cipher: PersonalDataCipher; sealer?: PersonSealer | undefined }, contactId: string | null): Promise<PersonSealer> {
  if (deps.sealer) return deps.sealer;
  if (contactId) return sealerForContact(trx, deps.cipher, contactId);
  return sealerFor(trx, deps.cipher, await insertPerson(trx));
}

/**
 * Opens a case in the caller's transaction: personal fields sealed under the worker's own key, a
 * `case.opened` event on its timeline and a `case.created` line in the audit log. `deps.sealer`,
 * when given, is the sealer of the contact's person.
 */
export async function openCase(
  trx: Transaction<Database>,
  deps: { cipher: PersonalDataCipher; clock: Clock; sealer?: PersonSealer | undefined },
  input: OpenCaseInput,
): Promise<{ id: string; reference: string }> {
  const created = await insertCaseRow(trx, deps, input);
  await recordCaseOpened(trx, deps, created, input);
  return created;
}

/** The case row alone, under a fresh reference. */
async function insertCaseRow(
  trx: Transaction<Database>,
  deps: { cipher: PersonalDataCipher; clock: Clock },
  input: OpenCaseInput,
): Promise<{ id: string; reference: string }> {
  const now = deps.clock.now();
  const { cipher } = deps;
  const sealer = await sealerOfNewCase(trx, deps, input.contactId);
  const employer = input.employer?.trim() ? input.employer.trim() : null;
  const values: Omit<NewCase, 'reference'> = {
    contact_id: input.contactId,
    person_id: sealer.personId,
    channel: input.channel,
    language: input.language,
    status: 'new',
    intake_complete: input.intakeComplete ?? false,
    summary_encrypted: sealer.seal(input.story),
    categories: input.categories ?? [],
    sector: input.sector ?? null,
    origin_country: input.originCountry ?? null,
    destination_country: input.destinationCountry ?? null,
    destination_province: input.destinationProvince ?? null,
    location_raw_encrypted: sealer.sealOptional(input.locationRaw),
    gender: input.gender ?? null,
    age_band: input.ageBand ?? null,
    workers_affected: input.workersAffected ?? 1,
    employer_encrypted: sealer.sealOptional(employer),
    employer_key: employer ? cipher.lookupHash(`employer:${employerKeyText(employer)}`) : null,
    ...(input.consent ? consentColumns(sealer, { ...input.consent, source: consentSourceOfChannel(input.channel) }, null, now) : {}),
    pin_hash: input.pinHash ?? null,
    last_worker_message_at: input.receivedAt,
    created_at: input.receivedAt,
    updated_at: now,
  };
  return insertCase(trx, values);
}

/**
 * The opening of a case whose row is inserted: its `case.opened` event and its `case.created`
 * audit line (the voice line inserts a case's row in the call and records its opening in a job).
 */
export async function recordCaseOpened(
  trx: Transaction<Database>,
  deps: { clock: Clock },
  created: { id: string; reference: string },
  input: Pick<OpenCaseInput, 'channel' | 'language' | 'messageId' | 'consent'>,
): Promise<void> {
  const now = deps.clock.now();
  await insertCaseEvent(trx, {
    caseId: created.id,
    type: 'case.opened',
    actorKind: 'worker',
    data: { channel: input.channel, language: input.language, ...(input.messageId ? { messageId: input.messageId } : {}) },
    at: now,
  });
  await recordAudit(trx, {
    actorKind: 'worker',
    action: 'case.created',
    subjectType: 'case',
    subjectId: created.reference,
    caseId: created.id,
    details: { channel: input.channel, ...(input.consent ? { consent_given: input.consent.given, consent_source: consentSourceOfChannel(input.channel) } : {}) },
    at: now,
  });
  if (input.consent) {
    await insertCaseEvent(trx, {
      caseId: created.id, type: 'case.consent_recorded', actorKind: 'worker', data: { given: input.consent.given, source: consentSourceOfChannel(input.channel) }, at: now,
    });
  }
}
