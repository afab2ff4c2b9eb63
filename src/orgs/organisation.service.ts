import type { Kysely } from 'kysely';
import { recordAudit, type AuditActorKind, type AuditEntry } from '../audit/audit.repository';
import type { Clock } from '../clock';
import { isUniqueViolation } from '../db/errors';
import type { Database } from '../db/schema';
import { errors } from '../http/errors';
import { validate } from '../http/validate';
import { insertOrganisation, updateOrganisation, type OrganisationValues } from './organisation.repository';
import { newOrganisationSchema, organisationChangesSchema, type OrganisationChanges } from './organisation.schema';
import { timeZoneOfCountry } from './time-zones';

export interface OrganisationServiceDeps {
  db: Kysely<Database>;
  clock: Clock;
}

/** Who makes the change, for the audit log. */
export interface OrganisationActor {
  kind: AuditActorKind;
  userId?: string | null;
  ip?: string | null;
}

function valuesOf(input: OrganisationChanges): OrganisationValues {
  return {
    name: input.name,
    kind: input.kind,
    country: input.country,
    city: input.city,
    provinces: input.provinces,
    nationalities: input.nationalities,
    isActive: input.isActive,
    discreetByDefault: input.discreetByDefault,
    timeZone: input.timeZone ?? timeZoneOfCountry(input.country),
  };
}

// The audit keeps what was set, which is about the organisation, never about a worker.
function auditDetails(slug: string, values: OrganisationValues): AuditEntry['details'] {
  return { slug, name: values.name, kind: values.kind, country: values.country, is_active: values.isActive, discreet_by_default: values.discreetByDefault, time_zone: values.timeZone };
}

/** Creates an organisation (audited); a taken slug is refused as `slug: taken`. */
export async function createOrganisation(
  { db, clock }: OrganisationServiceDeps,
  /** Checked here with `newOrganisationSchema`: the CLI's options or a form's fields. */
  input: unknown,
  actor: OrganisationActor,
): Promise<{ id: string; slug: string }> {
  const organisation = validate(newOrganisationSchema, input);
  const values = valuesOf(organisation);
  try {
    const id = await db.transaction().execute(async (trx) => {
      const organisationId = await insertOrganisation(trx, organisation.slug, values);
      await recordAudit(trx, {
        actorKind: actor.kind, actorUserId: actor.userId ?? null, ip: actor.ip ?? null, at: clock.now(),
        action: 'organisation.created', subjectType: 'organisation', subjectId: organisationId, details: auditDetails(organisation.slug, values),
      });
      return organisationId;
    });
    return { id, slug: organisation.slug };
  } catch (error) {
    if (isUniqueViolation(error)) throw errors.validation([{ field: 'slug', reason: 'taken' }]);
    throw error;
  }
}

/** Changes an organisation's name, kind, places and settings (audited); 404 when there is none. */
export async function changeOrganisation(
  { db, clock }: OrganisationServiceDeps,
  id: string,
  /** Checked here with `organisationChangesSchema`. */
  input: unknown,
  actor: OrganisationActor,
): Promise<void> {
  const values = valuesOf(validate(organisationChangesSchema, input));
  await db.transaction().execute(async (trx) => {
    const now = clock.now();
    const slug = await updateOrganisation(trx, id, values, now);
    if (slug === undefined) throw errors.notFound();
    await recordAudit(trx, {
      actorKind: actor.kind, actorUserId: actor.userId ?? null, ip: actor.ip ?? null, at: now,
      action: 'organisation.updated', subjectType: 'organisation', subjectId: id, details: auditDetails(slug, values),
    });
  });
}

/** Reads of organisations the console pages make (referral targets, the admin's edit page). */
export { findOrganisationById, listReferableOrganisations } from './organisation.repository';
