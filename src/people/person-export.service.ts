import type { Kysely, Transaction } from 'kysely';
import { recordAudit } from '../audit/audit.repository';
import { actorOf, type Caller } from '../cases/case-access';
import type { Language } from '../cases/case.vocabulary';
import type { Clock } from '../clock';
import type { ConsentSource, Database } from '../db/schema';
import { errors } from '../http/errors';
import { isLanguage } from '../language/negotiation';
import { openerFor, type PersonOpener } from '../privacy/person-keys';
import type { PersonalDataCipher } from '../privacy/personal-data';
import {
  findExporter,
  findPersonForExport,
  findPersonOfReference,
  listAttachmentsForExport,
  listCallsForExport,
  listCasesForExport,
  listEscalationsForExport,
  listIdentitiesForExport,
  listMessagesForExport,
  listNotesForExport,
  listPeopleMergedInto,
  listReferralsForExport,
} from './person-export.repository';

// A copy of a person's data for the worker or their lawyer (Thai PDPA s.30, Malaysian PDPA s.12
// and its portability right): everything the hotline holds about them and the people merged into
// them, opened, in one document. It is THEIR copy, so addresses are whole, not masked.
//
// Staff notes: neither law exempts internal notes from a subject's access, so they are included by
// default, each marked "only the organisation" or "shared with partners". A coordinator may leave
// them out (third parties named in them, legal advice, someone's safety…), choosing a reason from a
// fixed list: the reason is recorded in the audit log and printed on the copy, so the worker knows
// something was withheld and why. Staff are named only by organisation, except the coordinator
// who made the copy. Coordinators only; every copy and every refusal is audited, without any
// personal data in the audit line.

/** What an export needs. */
export interface PersonExportDeps {
  db: Kysely<Database>;
  cipher: PersonalDataCipher;
  clock: Clock;
}

/** How a copy is handed over: a page to print, or JSON. */
export type ExportFormat = 'html' | 'json';

/** Why a coordinator left staff notes out of a copy (a code: the audit log holds no free text). */
export const NOTES_LEFT_OUT_REASONS = ['third_party', 'legal_privilege', 'safety', 'not_requested', 'other'] as const;
export type NotesLeftOutReason = (typeof NOTES_LEFT_OUT_REASONS)[number];

/** What the coordinator chose for this copy. */
export interface ExportChoice {
  format: ExportFormat;
  /** Null: staff notes are included; otherwise why they were left out. */
  notesLeftOut: NotesLeftOutReason | null;
  /** The document's language; unset, the worker's own. */
  language?: Language | undefined;
}

/** The names of the sealed fields of a record that could not be opened: the person was erased. */
type ErasedFields = string[];

/** One channel identity, with its whole address. */
export interface ExportedIdentity {
  id: string;
  channel: string;
  /** A phone number (E.164) or a chat account id; null once erased. */
  address: string | null;
  language: string | null;
  opted_out: boolean;
  opted_out_at: Date | null;
  discreet: boolean;
  first_seen_at: Date;
  last_message_at: Date | null;
  erased_at: Date | null;
  erased: ErasedFields;
}

/** One message, to or from the worker. */
export interface ExportedMessage {
  id: string;
  case_reference: string | null;
  direction: 'in' | 'out';
  channel: string;
  at: Date;
  body: string | null;
  /** The text exactly as it arrived, when the hotline stored another form (e.g. Zawgyi turned into Unicode). */
  body_as_received: string | null;
  /** A chat event instead of words (`follow`, `sticker`, `location`…). */
  event: string | null;
  language: string | null;
  status: string;
  erased: ErasedFields;
}

/** One staff note. */
export interface ExportedNote {
  id: string;
  at: Date;
  organisation: string;
  /** `organisation`: only the writing organisation sees it; `partners`: shared with the case's partners. */
  visibility: string;
  body: string | null;
  erased: ErasedFields;
}

/** One referral of a case to a partner organisation. */
export interface ExportedReferral {
  id: string;
  from: string | null;
  to: string;
  status: string;
  reason: string | null;
  decline_reason: string | null;
  created_at: Date;
  due_at: Date;
  responded_at: Date | null;
  completed_at: Date | null;
  erased: ErasedFields;
}

/** One escalation of a case to an embassy's labour liaison. */
export interface ExportedEscalation {
  id: string;
  embassy: string;
  status: string;
  reason: string | null;
  outcome: string | null;
  created_at: Date;
  acknowledged_at: Date | null;
  closed_at: Date | null;
  erased: ErasedFields;
}

/** One evidence file: what it is, and where a coordinator downloads it (the file is not inside the copy). */
export interface ExportedAttachment {
  id: string;
  case_reference: string | null;
  message_id: string | null;
  source: string;
  status: string;
  kind: string | null;
  content_type: string | null;
  size_bytes: number | null;
  created_at: Date;
  /** The download routes of a stored file of a case (null otherwise): the API's, and the console's. */
  download: { api: string; console: string } | null;
}

/** One call to the voice line. */
export interface ExportedCall {
  id: string;
  case_reference: string | null;
  started_at: Date;
  ended_at: Date | null;
  language: string | null;
  category: string | null;
  wants_callback: boolean | null;
  /** When a call-back is safe: morning, afternoon, evening or any. */
  safe_time: string | null;
  recording_attachment_id: string | null;
}

/** The worker's answer on sharing their details with a partner, as recorded. */
export interface ExportedConsent {
  given: boolean;
  at: Date | null;
  source: ConsentSource | null;
  /** The question as it was put to the worker. */
  wording: string | null;
}

/** One case with everything that hangs off it. */
export interface ExportedCase {
  reference: string;
  created_at: Date;
  updated_at: Date;
  resolved_at: Date | null;
  status: string;
  urgency: string;
  channel: string;
  language: string;
  categories: string[];
  forced_labour_indicators: string[];
  sector: string | null;
  origin_country: string | null;
  origin_province: string | null;
  destination_country: string | null;
  destination_province: string | null;
  gender: string | null;
  age_band: string | null;
  workers_affected: number;
  /** The worker's account of what happened. */
  summary: string | null;
  employer: string | null;
  location_as_written: string | null;
  consent: ExportedConsent | null;
  outcome: string | null;
  amount_recovered: string | null;
  recovered_currency: string | null;
  /** The organisation holding the case. */
  organisation: string | null;
  personal_data_erased_at: Date | null;
  erased: ErasedFields;
  messages: ExportedMessage[];
  /** Null when the coordinator left staff notes out of this copy. */
  notes: ExportedNote[] | null;
  referrals: ExportedReferral[];
  escalations: ExportedEscalation[];
  attachments: ExportedAttachment[];
  calls: ExportedCall[];
}

/** The whole copy. */
export interface PersonExport {
  export: {
    format_version: 1;
    generated_at: Date;
    generated_by: { name: string; organisation: string };
    /** The language of the printable page. */
    language: Language;
    /** The worker's own language (of their latest case). */
    worker_language: Language;
    includes_notes: boolean;
    notes_left_out_reason: NotesLeftOutReason | null;
  };
  person: {
    id: string;
    created_at: Date;
    erased_at: Date | null;
    /** People a coordinator found to be this same worker and merged into this one. */
    merged_people: { id: string; merged_at: Date }[];
    languages: string[];
  };
  identities: ExportedIdentity[];
  cases: ExportedCase[];
  /** What is linked to the person but to none of their cases (a message before any case, say). */
  outside_cases: { messages: ExportedMessage[]; attachments: ExportedAttachment[]; calls: ExportedCall[] };
}

/** The refused caller is audited: a copy of a person's data is the most sensitive read there is. */
async function coordinatorsOnly(deps: PersonExportDeps, caller: Caller, personId: string | null, attempted: string): Promise<void> {
  if (caller.principal.role === 'coordinator') return;
  await recordAudit(deps.db, { ...actorOf(caller), action: 'person.export_denied', subjectType: 'person', subjectId: personId, details: { attempted, role: caller.principal.role } });
  throw errors.forbidden();
}

/**
 * The person whose data a copy is made of, from one of their cases (the case page's form);
 * coordinators only (403, audited), 404 for no such case.
 */
export async function personOfCaseForExport(deps: PersonExportDeps, caller: Caller, reference: string): Promise<string> {
  await coordinatorsOnly(deps, caller, null, 'case_form');
  const personId = await findPersonOfReference(deps.db, reference);
  if (!personId) throw errors.notFound();
  return personId;
}

/**
 * A copy of everything the hotline holds about a person (coordinators only: others get 403 and an
 * audit line `person.export_denied`). Read in one repeatable-read transaction, so the copy is one
 * moment's state, and audited (`person.exported`) in it: no copy leaves without its audit line.
 */
export async function exportPersonFor(deps: PersonExportDeps, caller: Caller, personId: string, choice: ExportChoice): Promise<PersonExport> {
  await coordinatorsOnly(deps, caller, personId, choice.format);
  return deps.db.transaction().setIsolationLevel('repeatable read').execute(async (trx) => {
    const person = await findPersonForExport(trx, personId);
    if (!person) throw errors.notFound();
    const copy = await gather(trx, deps, caller, person, choice);
    await recordAudit(trx, {
      ...actorOf(caller), action: 'person.exported', subjectType: 'person', subjectId: personId,
      details: {
        format: choice.format, include_notes: choice.notesLeftOut === null, notes_left_out_reason: choice.notesLeftOut,
        language: copy.export.language, cases: copy.cases.length, identities: copy.identities.length,
      },
    });
    return copy;
  });
}

/** The person and everyone merged into them, following merges of merges. */
async function mergedPeopleOf(trx: Transaction<Database>, personId: string): Promise<{ id: string; merged_at: Date }[]> {
  const found: { id: string; merged_at: Date }[] = [];
  const seen = new Set([personId]);
  let frontier = [personId];
  while (frontier.length > 0) {
    const merged = (await listPeopleMergedInto(trx, frontier)).filter((row) => !seen.has(row.merged_person_id));
    for (const row of merged) {
      seen.add(row.merged_person_id);
      found.push({ id: row.merged_person_id, merged_at: row.merged_at });
    }
    frontier = merged.map((row) => row.merged_person_id);
  }
  return found;
}

type Rows<F extends (...args: never[]) => Promise<unknown[]>> = Awaited<ReturnType<F>>[number];

async function gather(
  trx: Transaction<Database>,
  deps: PersonExportDeps,
  caller: Caller,
  person: NonNullable<Awaited<ReturnType<typeof findPersonForExport>>>,
  choice: ExportChoice,
): Promise<PersonExport> {
  const mergedPeople = await mergedPeopleOf(trx, person.id);
  const personIds = [person.id, ...mergedPeople.map((merged) => merged.id)];
  const [identities, cases] = await Promise.all([listIdentitiesForExport(trx, personIds), listCasesForExport(trx, personIds)]);
  const caseIds = cases.map((row) => row.id);
  const contactIds = identities.map((row) => row.id);
  const includeNotes = choice.notesLeftOut === null;
  const [messages, notes, referrals, escalations, attachments, calls, exporter] = await Promise.all([
    listMessagesForExport(trx, caseIds, contactIds),
    includeNotes ? listNotesForExport(trx, caseIds) : Promise.resolve([]),
    listReferralsForExport(trx, caseIds),
    listEscalationsForExport(trx, caseIds),
    listAttachmentsForExport(trx, caseIds, personIds),
    listCallsForExport(trx, caseIds, contactIds),
    findExporter(trx, caller.principal.userId),
  ]);
  // One opener for the whole copy: it loads every person key the values were sealed under at once.
  const opener = await openerFor(trx, deps.cipher, [
    ...identities.map((row) => row.address_encrypted),
    ...cases.flatMap((row) => [row.summary_encrypted, row.employer_encrypted, row.location_raw_encrypted, row.consent_wording_encrypted]),
    ...messages.flatMap((row) => [row.body_encrypted, row.raw_body_encrypted]),
    ...notes.map((row) => row.body_encrypted),
    ...referrals.flatMap((row) => [row.reason_encrypted, row.decline_reason_encrypted]),
    ...escalations.flatMap((row) => [row.reason_encrypted, row.outcome_encrypted]),
  ]);
  const referenceOf = new Map(cases.map((row) => [row.id, row.reference]));
  const workerLanguage = workerLanguageOf(cases, identities);
  const exportedMessages = messages.map((row) => presentMessage(opener, row, referenceOf));
  const exportedAttachments = attachments.map((row) => presentAttachment(row, referenceOf));
  const exportedCalls = calls.map((row) => presentCall(row, referenceOf));
  const ofCase = <T extends { case_id: string | null }>(rows: readonly T[], caseId: string) => rows.filter((row) => row.case_id === caseId);
  const inCase = (reference: string | null, caseReference: string) => reference === caseReference;
  return {
    export: {
      format_version: 1,
      generated_at: deps.clock.now(),
      generated_by: { name: exporter?.name ?? '', organisation: exporter?.organisation ?? '' },
      language: choice.language ?? workerLanguage,
      worker_language: workerLanguage,
      includes_notes: includeNotes,
      notes_left_out_reason: choice.notesLeftOut,
    },
    person: {
      id: person.id,
      created_at: person.created_at,
      erased_at: person.erased_at,
      merged_people: mergedPeople,
      languages: [...new Set([...cases.map((row) => row.language), ...identities.flatMap((row) => (row.language ? [row.language] : []))])],
    },
    identities: identities.map((row) => presentIdentity(opener, row)),
    cases: cases.map((row) => ({
      ...presentCase(opener, row),
      messages: exportedMessages.filter((message) => inCase(message.case_reference, row.reference)),
      notes: includeNotes ? ofCase(notes, row.id).map((note) => presentNote(opener, note)) : null,
      referrals: ofCase(referrals, row.id).map((referral) => presentReferral(opener, referral)),
      escalations: ofCase(escalations, row.id).map((escalation) => presentEscalation(opener, escalation)),
      attachments: exportedAttachments.filter((attachment) => inCase(attachment.case_reference, row.reference)),
      calls: exportedCalls.filter((call) => inCase(call.case_reference, row.reference)),
    })),
    outside_cases: {
      messages: exportedMessages.filter((message) => message.case_reference === null),
      attachments: exportedAttachments.filter((attachment) => attachment.case_reference === null),
      calls: exportedCalls.filter((call) => call.case_reference === null),
    },
  };
}

/** The worker's language: their latest case's, else their latest identity's, else English. */
function workerLanguageOf(cases: readonly { language: string }[], identities: readonly { language: string | null }[]): Language {
  const candidates = [...cases].reverse().map((row) => row.language).concat([...identities].reverse().flatMap((row) => (row.language ? [row.language] : [])));
  return candidates.find(isLanguage) ?? 'en';
}

/** Opens sealed fields, noting the ones whose person key is gone (an erased person) by name. */
function fieldsOf(opener: PersonOpener) {
  const erased: ErasedFields = [];
  const open = (field: string, sealed: string | null): string | null => {
    const value = opener.openOrErased(sealed);
    if (value === null && sealed !== null) erased.push(field);
    return value;
  };
  return { open, erased };
}

function presentIdentity(opener: PersonOpener, row: Rows<typeof listIdentitiesForExport>): ExportedIdentity {
  const { open, erased } = fieldsOf(opener);
  const address = open('address', row.address_encrypted);
  if (row.erased_at !== null && row.address_encrypted === null) erased.push('address');
  return {
    id: row.id, channel: row.channel, address, language: row.language, opted_out: row.is_opted_out, opted_out_at: row.opted_out_at,
    discreet: row.is_discreet, first_seen_at: row.created_at, last_message_at: row.last_message_at, erased_at: row.erased_at, erased,
  };
}

type CaseFields = Omit<ExportedCase, 'messages' | 'notes' | 'referrals' | 'escalations' | 'attachments' | 'calls'>;

function presentCase(opener: PersonOpener, row: Rows<typeof listCasesForExport>): CaseFields {
  const { open, erased } = fieldsOf(opener);
  const summary = open('summary', row.summary_encrypted);
  const employer = open('employer', row.employer_encrypted);
  const location = open('location_as_written', row.location_raw_encrypted);
  // Wording recorded before it was sealed (migration 0008) is read from the plain column until sealed.
  const wording = row.consent_wording_encrypted ? open('consent.wording', row.consent_wording_encrypted) : row.consent_wording;
  return {
    reference: row.reference, created_at: row.created_at, updated_at: row.updated_at, resolved_at: row.resolved_at, status: row.status,
    urgency: row.urgency, channel: row.channel, language: row.language, categories: row.categories, forced_labour_indicators: row.forced_labour_indicators,
    sector: row.sector, origin_country: row.origin_country, origin_province: row.origin_province, destination_country: row.destination_country,
    destination_province: row.destination_province, gender: row.gender, age_band: row.age_band, workers_affected: row.workers_affected,
    summary, employer, location_as_written: location,
    consent: row.consent_given === null ? null : { given: row.consent_given, at: row.consent_at, source: row.consent_source, wording },
    outcome: row.outcome, amount_recovered: row.amount_recovered, recovered_currency: row.recovered_currency, organisation: row.organisation,
    personal_data_erased_at: row.personal_data_erased_at, erased,
  };
}

function presentMessage(opener: PersonOpener, row: Rows<typeof listMessagesForExport>, referenceOf: ReadonlyMap<string, string>): ExportedMessage {
  const { open, erased } = fieldsOf(opener);
  const body = open('body', row.body_encrypted);
  const raw = open('body_as_received', row.raw_body_encrypted);
  return {
    id: row.id, case_reference: row.case_id ? (referenceOf.get(row.case_id) ?? null) : null, direction: row.direction === 'in' ? 'in' : 'out',
    channel: row.channel, at: row.created_at, body, body_as_received: raw !== null && raw !== body ? raw : null, event: row.event,
    language: row.language, status: row.status, erased,
  };
}

function presentNote(opener: PersonOpener, row: Rows<typeof listNotesForExport>): ExportedNote {
  const { open, erased } = fieldsOf(opener);
  return { id: row.id, at: row.created_at, organisation: row.organisation, visibility: row.visibility, body: open('body', row.body_encrypted), erased };
}

function presentReferral(opener: PersonOpener, row: Rows<typeof listReferralsForExport>): ExportedReferral {
  const { open, erased } = fieldsOf(opener);
  return {
    id: row.id, from: row.from_name, to: row.to_name, status: row.status, reason: open('reason', row.reason_encrypted),
    decline_reason: open('decline_reason', row.decline_reason_encrypted), created_at: row.created_at, due_at: row.due_at,
    responded_at: row.responded_at, completed_at: row.completed_at, erased,
  };
}

function presentEscalation(opener: PersonOpener, row: Rows<typeof listEscalationsForExport>): ExportedEscalation {
  const { open, erased } = fieldsOf(opener);
  return {
    id: row.id, embassy: row.embassy_name, status: row.status, reason: open('reason', row.reason_encrypted), outcome: open('outcome', row.outcome_encrypted),
    created_at: row.created_at, acknowledged_at: row.acknowledged_at, closed_at: row.closed_at, erased,
  };
}

function presentAttachment(row: Rows<typeof listAttachmentsForExport>, referenceOf: ReadonlyMap<string, string>): ExportedAttachment {
  const reference = row.case_id ? (referenceOf.get(row.case_id) ?? null) : null;
  const path = `cases/${reference ?? ''}/attachments/${row.id}`;
  return {
    id: row.id, case_reference: reference, message_id: row.message_id, source: row.source, status: row.status, kind: row.kind,
    content_type: row.content_type, size_bytes: row.size_bytes === null ? null : Number(row.size_bytes), created_at: row.created_at,
    download: reference !== null && row.status === 'stored' ? { api: `/api/v1/${path}`, console: `/console/${path}` } : null,
  };
}

function presentCall(row: Rows<typeof listCallsForExport>, referenceOf: ReadonlyMap<string, string>): ExportedCall {
  return {
    id: row.id, case_reference: row.case_id ? (referenceOf.get(row.case_id) ?? null) : null, started_at: row.started_at, ended_at: row.ended_at,
    language: row.language, category: row.category, wants_callback: row.wants_callback, safe_time: row.safe_time,
    recording_attachment_id: row.recording_attachment_id,
  };
}
