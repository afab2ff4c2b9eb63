// The words a case is described in. Each list is also enforced by a CHECK constraint in the
// migrations; labels for people live in locales/ under the same codes.

export const LANGUAGES = ['en', 'my', 'km', 'lo', 'th', 'vi'] as const;
export type Language = (typeof LANGUAGES)[number];

export const CHANNELS = ['sms', 'whatsapp', 'messenger', 'line', 'viber', 'voice', 'web', 'console'] as const;
export type Channel = (typeof CHANNELS)[number];

export const CASE_STATUSES = ['new', 'open', 'waiting', 'referred', 'resolved', 'closed'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

export const URGENCIES = ['low', 'normal', 'high', 'emergency'] as const;
export type Urgency = (typeof URGENCIES)[number];

export const CATEGORIES = [
  'wages', 'documents', 'recruitment', 'contract', 'hours', 'injury', 'social_security', 'violence',
  'movement', 'arrest', 'trafficking', 'living', 'missing', 'info', 'other',
] as const;
export type Category = (typeof CATEGORIES)[number];

/** ILO's eleven indicators of forced labour. */
export const FORCED_LABOUR_INDICATORS = [
  'abuse_of_vulnerability', 'deception', 'restriction_of_movement', 'isolation', 'physical_sexual_violence',
  'intimidation_threats', 'retention_of_documents', 'withholding_of_wages', 'debt_bondage',
  'abusive_conditions', 'excessive_overtime',
] as const;
export type ForcedLabourIndicator = (typeof FORCED_LABOUR_INDICATORS)[number];

export const SECTORS = [
  'garment', 'fishing', 'seafood_processing', 'construction', 'agriculture', 'domestic_work', 'manufacturing',
  'hospitality', 'entertainment', 'other',
] as const;
export type Sector = (typeof SECTORS)[number];

export const OUTCOMES = [
  'wages_recovered', 'documents_returned', 'compensation_paid', 'repatriated', 'referred_elsewhere',
  'legal_case_filed', 'advice_given', 'lost_contact', 'other',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const GENDERS = ['female', 'male', 'other', 'undisclosed'] as const;
export type Gender = (typeof GENDERS)[number];

export const AGE_BANDS = ['under_18', '18_24', '25_34', '35_44', '45_54', '55_plus'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];

export const ROLES = ['admin', 'coordinator', 'caseworker', 'liaison', 'researcher'] as const;
export type Role = (typeof ROLES)[number];

export const ORGANISATION_KINDS = ['ngo', 'union', 'legal_aid', 'embassy', 'government', 'network'] as const;
export type OrganisationKind = (typeof ORGANISATION_KINDS)[number];

/** Categories that call for a government's push and escalate to an embassy by default. */
export const ESCALATING_CATEGORIES: readonly Category[] = ['arrest', 'trafficking', 'injury', 'missing'];
