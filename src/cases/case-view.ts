import type { Principal } from '../http/access';
import type { PersonOpener } from '../privacy/person-keys';
import { redactContactDetails } from '../privacy/redaction';
import type { CaseRow } from '../db/schema';
import { canSeeNote, caseViewOf, type CaseView } from './case.policy';
import type { listMessagesOfCase, listNotesOfCase } from './case-query.repository';
import type { listReferralsOfCase } from '../referrals/referral.repository';
import type { listEscalationsOfCase } from '../escalations/escalation.repository';
import type { AttachmentReadRow } from '../attachments/attachment-read.repository';
import { presentAttachments } from '../attachments/attachment-view';

type Messages = Awaited<ReturnType<typeof listMessagesOfCase>>;
type Notes = Awaited<ReturnType<typeof listNotesOfCase>>;
type Referrals = Awaited<ReturnType<typeof listReferralsOfCase>>;
type Escalations = Awaited<ReturnType<typeof listEscalationsOfCase>>;
type Escalation = Escalations[number];

/** A case and what hangs off it, as read from the database. */
export interface CaseRecord {
  found: CaseRow & { owner: string | null };
  messages: Messages;
  notes: Notes;
  referrals: Referrals;
  escalations: Escalations;
  /** The case's attachments, oldest first. */
  attachments: readonly AttachmentReadRow[];
}

/** Who reads a case's free text: how much they see, and the organisation they work for. */
export interface Reader {
  view: CaseView;
  organisationId: string;
}

/** Every sealed value of a case record, for one opener (one query for the keys they need). */
export function sealedValuesOf(record: Omit<CaseRecord, 'attachments'>): (string | null)[] {
  const { found } = record;
  return [
    found.summary_encrypted, found.location_raw_encrypted, found.employer_encrypted, found.consent_wording_encrypted,
    ...record.messages.map((message) => message.body_encrypted),
    ...record.notes.map((note) => note.body_encrypted),
    ...record.referrals.flatMap((referral) => [referral.reason_encrypted, referral.decline_reason_encrypted]),
    ...record.escalations.flatMap((escalation) => [escalation.reason_encrypted, escalation.outcome_encrypted]),
  ];
}

/**
 * Free text as a reader sees it: whole in the full view, and whole when the reader's own
 * organisation wrote it; otherwise without contact details. Text whose author is not known is
 * treated as another's. Text of an erased person reads as nothing.
 */
export function textFor(opener: PersonOpener, reader: Reader, sealed: string | null, authorOrganisationId: string | null = null): string | null {
  const text = opener.openOrErased(sealed);
  if (text === null || reader.view === 'full' || authorOrganisationId === reader.organisationId) return text;
  return redactContactDetails(text);
}

/** The referrals of a case as one reader sees them: the referring side wrote the reason, the receiving side the decline. */
export function presentReferrals(opener: PersonOpener, referrals: Referrals, reader: Reader) {
  return referrals.map((referral) => ({
    id: referral.id,
    status: referral.status,
    from: referral.from_slug ? { id: referral.from_organisation_id, slug: referral.from_slug, name: referral.from_name } : null,
    to: { id: referral.to_organisation_id, slug: referral.to_slug, name: referral.to_name, country: referral.to_country },
    rule: referral.rule_name,
    reason: textFor(opener, reader, referral.reason_encrypted, referral.from_organisation_id),
    decline_reason: textFor(opener, reader, referral.decline_reason_encrypted, referral.to_organisation_id),
    due_at: referral.due_at,
    created_at: referral.created_at,
    responded_at: referral.responded_at,
    completed_at: referral.completed_at,
  }));
}

/**
 * The escalations of a case as one reader sees them. The reason is its author's organisation's;
 * who wrote an outcome (a liaison or a coordinator) is not kept, so the limited view never sees it whole.
 */
export function presentEscalations(opener: PersonOpener, escalations: readonly Escalation[], reader: Reader) {
  return escalations.map((escalation) => ({
    id: escalation.id,
    status: escalation.status,
    embassy: { slug: escalation.embassy_slug, name: escalation.embassy_name },
    rule: escalation.rule_name,
    reason: textFor(opener, reader, escalation.reason_encrypted, escalation.created_by_organisation_id),
    outcome: textFor(opener, reader, escalation.outcome_encrypted),
    created_at: escalation.created_at,
    acknowledged_at: escalation.acknowledged_at,
    closed_at: escalation.closed_at,
  }));
}

/**
 * A case as one person may read it. In the `limited` view (a partner without the worker's
 * consent) identifying fields are left out, and all free text — the worker's words, and other
 * organisations' shared notes, referral and decline reasons, escalation reasons and outcomes —
 * loses its contact details. `opener` is made for the record's values (`sealedValuesOf`).
 */
export function presentCase(opener: PersonOpener, viewer: Pick<Principal, 'role' | 'organisationId'>, record: CaseRecord) {
  const { found } = record;
  const view: CaseView = caseViewOf(viewer, found.consent_given);
  const full = view === 'full';
  const reader: Reader = { view, organisationId: viewer.organisationId };
  // The worker's words are nobody's organisation's: the limited view never sees them whole.
  const words = (sealed: string | null) => textFor(opener, reader, sealed);
  const identifying = <T>(value: T): T | null => (full ? value : null);
  return {
    reference: found.reference,
    view,
    status: found.status,
    urgency: found.urgency,
    channel: found.channel,
    language: found.language,
    intake_complete: found.intake_complete,
    summary: words(found.summary_encrypted),
    location_as_written: identifying(opener.openOrErased(found.location_raw_encrypted)),
    employer: identifying(opener.openOrErased(found.employer_encrypted)),
    categories: found.categories,
    forced_labour_indicators: found.forced_labour_indicators,
    sector: found.sector,
    origin_country: found.origin_country,
    origin_province: found.origin_province,
    destination_country: found.destination_country,
    destination_province: found.destination_province,
    gender: identifying(found.gender),
    age_band: identifying(found.age_band),
    workers_affected: found.workers_affected,
    consent: found.consent_given === null ? null : {
      given: found.consent_given,
      at: found.consent_at,
      // Wording recorded before it was sealed (migration 0008) is read from the plain column until sealed.
      wording: found.consent_wording_encrypted ? words(found.consent_wording_encrypted) : found.consent_wording,
      source: found.consent_source,
    },
    outcome: found.outcome,
    amount_recovered: found.amount_recovered,
    recovered_currency: found.recovered_currency,
    owner: found.owner,
    owner_organisation_id: found.owner_organisation_id,
    assigned_user_id: found.assigned_user_id,
    created_at: found.created_at,
    updated_at: found.updated_at,
    messages: record.messages.map((message) => ({
      id: message.id,
      direction: message.direction,
      channel: message.channel,
      body: words(message.body_encrypted),
      status: message.status,
      error_code: message.error_code,
      encoding: message.encoding,
      segments: message.segments,
      from_staff: message.sent_by_user_id !== null,
      created_at: message.created_at,
      status_updated_at: message.status_updated_at,
    })),
    // Notes shared with partners reach the limited view too, without contact details.
    notes: record.notes
      .filter((note) => canSeeNote(viewer, { organisationId: note.organisation_id, visibility: note.visibility }))
      .map((note) => ({
        id: note.id, body: textFor(opener, reader, note.body_encrypted, note.organisation_id) ?? '', visibility: note.visibility, author: note.author,
        organisation: note.organisation, created_at: note.created_at,
      })),
    referrals: presentReferrals(opener, record.referrals, reader),
    escalations: presentEscalations(opener, record.escalations, reader),
    // Files are served by the API beside the case; the limited view gets counts only.
    ...presentAttachments(view, `/api/v1/cases/${found.reference}`, record.attachments),
  };
}

export type CaseDetail = ReturnType<typeof presentCase>;
