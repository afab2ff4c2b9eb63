import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema';

// What the retention schedule finds and purges. A case is due when it was resolved or closed more
// than its retention period ago: RETENTION_MONTHS, or its owning organisation's shorter period.

/** A case due for erasure; `wholePerson` when every other case of its worker is due too, or erased already. */
export interface DueCase {
  caseId: string;
  personId: string;
  wholePerson: boolean;
}

/**
 * Cases resolved or closed longer ago than their retention period, not erased, not under an active
 * legal hold; at most `limit`, by person. The shortest period of any organisation bounds the scan,
 * so the retention index is used.
 */
export async function listCasesPastRetention(db: Kysely<Database>, now: Date, months: number, limit: number): Promise<DueCase[]> {
  const result = await sql<{ case_id: string; person_id: string; whole_person: boolean }>`
    with due as (
      select c.id, c.person_id
      from cases c
      left join organisations o on o.id = c.owner_organisation_id
      where c.status in ('resolved', 'closed')
        and c.personal_data_erased_at is null
        and coalesce(c.resolved_at, c.updated_at) < ${now}::timestamptz
          - make_interval(months => (select least(${months}::int, coalesce(min(retention_months), ${months}::int)) from organisations))
        and coalesce(c.resolved_at, c.updated_at) < ${now}::timestamptz
          - make_interval(months => least(coalesce(o.retention_months, ${months}::int), ${months}::int))
        and not exists (
          select 1 from legal_holds h where h.case_id = c.id and h.released_at is null and h.held_until > ${now}::timestamptz
        )
    )
    select d.id as case_id, d.person_id,
      not exists (
        select 1 from cases other
        where other.person_id = d.person_id and other.personal_data_erased_at is null
          and not exists (select 1 from due d2 where d2.id = other.id)
      ) as whole_person
    from due d
    order by d.person_id, d.id
    limit ${limit}`.execute(db);
  return result.rows.map((row) => ({ caseId: row.case_id, personId: row.person_id, wholePerson: row.whole_person }));
}

/**
 * Workers with no case whose data is kept (they never opened one, or each was erased alone), not
 * heard from for `months` months: an intake left before its case opened, a number that only sent
 * STOP. Their identities and messages would otherwise stay for ever. People joined by a merge not
 * undone are left out: erasing one erases the group, cases and all.
 */
export async function listIdlePeoplePastRetention(db: Kysely<Database>, now: Date, months: number, limit: number): Promise<string[]> {
  const result = await sql<{ id: string }>`
    select p.id
    from people p
    where p.erased_at is null
      and p.created_at < ${now}::timestamptz - make_interval(months => ${months}::int)
      and not exists (select 1 from cases c where c.person_id = p.id and c.personal_data_erased_at is null)
      and not exists (
        select 1 from person_merges m where m.undone_at is null and (m.kept_person_id = p.id or m.merged_person_id = p.id)
      )
      and not exists (
        select 1 from contacts ct
        where ct.person_id = p.id
          and greatest(ct.created_at, ct.updated_at, ct.last_message_at) >= ${now}::timestamptz - make_interval(months => ${months}::int)
      )
    order by p.id
    limit ${limit}`.execute(db);
  return result.rows.map((row) => row.id);
}

/** Staff sessions that ended or expired before `before`: counted, or deleted. */
export async function purgeSessionsEndedBefore(db: Kysely<Database>, before: Date, dryRun: boolean): Promise<number> {
  if (dryRun) {
    const row = await db
      .selectFrom('sessions')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where((eb) => eb.or([eb('expires_at', '<', before), eb('ended_at', '<', before)]))
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }
  const result = await db.deleteFrom('sessions').where((eb) => eb.or([eb('expires_at', '<', before), eb('ended_at', '<', before)])).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Rate-limit rows whose window has ended and which lock nothing any more: counted, or deleted. */
export async function purgeSpentRateLimits(db: Kysely<Database>, now: Date, dryRun: boolean): Promise<number> {
  if (dryRun) {
    const row = await db
      .selectFrom('rate_limits')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('window_ends_at', '<=', now)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }
  const result = await db
    .deleteFrom('rate_limits')
    .where('window_ends_at', '<=', now)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Notifications read and older than six months, and every one older than `months`: counted, or deleted. */
export async function purgeOldNotifications(db: Kysely<Database>, now: Date, months: number, dryRun: boolean): Promise<number> {
  const old = sql<boolean>`(read_at is not null and created_at < ${now}::timestamptz - interval '6 months')
    or created_at < ${now}::timestamptz - make_interval(months => ${months}::int)`;
  if (dryRun) {
    const row = await db.selectFrom('notifications').select((eb) => eb.fn.countAll<string>().as('n')).where(old).executeTakeFirst();
    return Number(row?.n ?? 0);
  }
  const result = await db.deleteFrom('notifications').where(old).executeTakeFirst();
  return Number(result.numDeletedRows);
}
