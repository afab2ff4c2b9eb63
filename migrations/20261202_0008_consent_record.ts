import { type Kysely, sql } from 'kysely';

// The worker's consent is a record of its own (issue #11): who recorded it and how, and its
// wording sealed like other free text. The wording stored before this migration stays readable in
// the old plain column until the application, which holds the key, seals it at its next start
// (`sealPlaintextConsentWordings`) and clears the plain copy: a migration has no key, and a
// consent record must never be lost.

const SOURCES = ['sms', 'whatsapp', 'web', 'status_page', 'staff'];

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table cases add column consent_wording_encrypted text`.execute(db);
  await sql`alter table cases add column consent_source text check (consent_source in (${sql.join(SOURCES.map((source) => sql.lit(source)))}))`.execute(db);
  await sql`alter table cases add column consent_recorded_by_user_id uuid references users (id) on delete set null`.execute(db);
  // A consent answer always carries its wording: sealed from now on, plain only from before.
  await sql`alter table cases drop constraint cases_consent_recorded`.execute(db);
  await sql`alter table cases add constraint cases_consent_recorded check (consent_given is null or (consent_at is not null and (consent_wording is not null or consent_wording_encrypted is not null)))`.execute(db);
  // Finds the wordings still to seal without reading every case at each start.
  await sql`create index cases_consent_plain_idx on cases (id) where consent_wording is not null`.execute(db);
  // Earlier answers: staff when the latest consent event was written by staff, else the worker on
  // the case's own channel.
  await sql`
    update cases set
      consent_source = case when latest.actor_kind = 'staff' then 'staff'
                            when cases.channel in ('sms', 'whatsapp', 'web') then cases.channel
                            else null end,
      consent_recorded_by_user_id = case when latest.actor_kind = 'staff' then latest.actor_user_id else null end
    from cases as c
    left join lateral (
      select e.actor_kind, e.actor_user_id from case_events e
      where e.case_id = c.id and e.type = 'case.consent_recorded'
      order by e.created_at desc, e.id desc limit 1
    ) latest on true
    where cases.id = c.id and cases.consent_given is not null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  // Sealed wordings cannot be turned back into plain text here (no key): refuse rather than lose them.
  const sealed = await sql<{ n: number }>`select count(*)::int as n from cases where consent_wording_encrypted is not null and consent_wording is null`.execute(db);
  if ((sealed.rows[0]?.n ?? 0) > 0) throw new Error('cannot go below 0008: consent wordings are sealed; undoing would lose them');
  await sql`drop index cases_consent_plain_idx`.execute(db);
  await sql`alter table cases drop constraint cases_consent_recorded`.execute(db);
  await sql`alter table cases add constraint cases_consent_recorded check (consent_given is null or (consent_at is not null and consent_wording is not null))`.execute(db);
  await sql`alter table cases drop column consent_recorded_by_user_id`.execute(db);
  await sql`alter table cases drop column consent_source`.execute(db);
  await sql`alter table cases drop column consent_wording_encrypted`.execute(db);
}
