import { z } from 'zod';
import type { findOrganisationById } from '../orgs/organisation.service';

// The organisation form as the browser posts it: strings, a checkbox only when ticked, a list of
// checkboxes as one string or many. Its meaning is checked by the organisation service.

const oneOrMany = z.union([z.string(), z.array(z.string())]).optional().transform((value) => (value === undefined ? [] : [value].flat()));
const ticked = z.literal('yes').optional().transform((value) => value === 'yes');

export const organisationForm = z.object({
  slug: z.string().max(100).default(''),
  name: z.string().max(300).default(''),
  kind: z.string().max(50).default(''),
  country: z.string().max(10).default(''),
  city: z.string().max(200).default(''),
  time_zone: z.string().max(100).default(''),
  provinces: oneOrMany,
  nationalities: oneOrMany,
  is_active: ticked,
  discreet_by_default: ticked,
});

export type OrganisationForm = z.infer<typeof organisationForm>;

/** What the form shows: a new organisation starts active and not discreet. */
export function emptyOrganisationForm(): OrganisationForm {
  return { slug: '', name: '', kind: 'ngo', country: 'TH', city: '', time_zone: '', provinces: [], nationalities: [], is_active: true, discreet_by_default: false };
}

/** The form filled from a saved organisation. */
export function organisationFormOf(row: NonNullable<Awaited<ReturnType<typeof findOrganisationById>>>): OrganisationForm {
  return {
    slug: row.slug, name: row.name, kind: row.kind, country: row.country, city: row.city ?? '', time_zone: row.time_zone,
    provinces: row.provinces, nationalities: row.nationalities, is_active: row.is_active, discreet_by_default: row.discreet_by_default,
  };
}

/** The service's input from the form (its names; the service checks it). */
export function organisationInputOf(form: OrganisationForm): Record<string, unknown> {
  return {
    slug: form.slug, name: form.name, kind: form.kind, country: form.country, city: form.city, timeZone: form.time_zone,
    provinces: form.provinces, nationalities: form.nationalities, isActive: form.is_active, discreetByDefault: form.discreet_by_default,
  };
}

/** The form field a service issue is about (`isActive` → `is_active`, `provinces.0` → `provinces`). */
export function organisationFieldOf(field: string): string {
  const head = field.split('.')[0] ?? field;
  const named: Record<string, string> = { isActive: 'is_active', discreetByDefault: 'discreet_by_default', timeZone: 'time_zone' };
  return named[head] ?? head;
}
