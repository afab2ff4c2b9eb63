import { z } from 'zod';
import { ORGANISATION_KINDS } from '../cases/case.vocabulary';
import { findProvince } from '../places/places';
import { isTimeZone } from './time-zones';

// What an admin (console) or an operator (CLI) gives to create or change an organisation. The
// slug names the organisation in rules, the CLI and links, so it is set once and never changed.

const countryCode = z.string().trim().toUpperCase().regex(/^[A-Z]{2}$/);

const fields = {
  name: z.string().trim().min(1).max(200),
  kind: z.enum(ORGANISATION_KINDS),
  country: countryCode,
  city: z.string().trim().max(100).optional().transform((value) => (value ? value : null)),
  provinces: z.array(z.string().trim().toUpperCase()).max(100).default([]),
  nationalities: z.array(countryCode).max(20).default([]),
  isActive: z.boolean().default(true),
  discreetByDefault: z.boolean().default(false),
  /** IANA name; none: the country's zone. */
  timeZone: z
    .string()
    .trim()
    .max(64)
    .optional()
    .transform((value) => (value ? value : undefined))
    .refine((value) => value === undefined || isTimeZone(value), { message: 'unknown_time_zone' }),
};

type Fields = { kind: string; country: string; provinces: string[]; nationalities: string[] };

// A province must be one the hotline knows, in the organisation's own country; only an embassy
// serves nationals of other countries (routing sends their escalations to it).
function checkPlaces(value: Fields, context: z.RefinementCtx): void {
  value.provinces.forEach((code, index) => {
    if (findProvince(code)?.country !== value.country) context.addIssue({ code: 'custom', path: ['provinces', index], message: 'not_in_country' });
  });
  if (value.kind !== 'embassy' && value.nationalities.length > 0) {
    context.addIssue({ code: 'custom', path: ['nationalities'], message: 'embassy_only' });
  }
}

export const newOrganisationSchema = z
  .object({ slug: z.string().trim().toLowerCase().regex(/^[a-z0-9][a-z0-9-]{1,62}$/), ...fields })
  .superRefine(checkPlaces);

export const organisationChangesSchema = z.object(fields).superRefine(checkPlaces);

export type NewOrganisation = z.infer<typeof newOrganisationSchema>;
export type OrganisationChanges = z.infer<typeof organisationChangesSchema>;
