import { type Kysely, sql } from 'kysely';

// An erasure deletes Twilio's logs of the worker's calls too: a Call resource keeps the caller's
// number (From) for as long as the account lasts. `erasure_provider_copies.kind` gains `call`.
//
// Frozen once landed: the value lists are written out here, not imported.

const COPY_KINDS = ['message', 'media', 'recording', 'call'];
const PREVIOUS_COPY_KINDS = ['message', 'media', 'recording'];

const list = (values: readonly string[]) => sql.join(values.map((value) => sql.lit(value)));

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table erasure_provider_copies drop constraint erasure_provider_copies_kind_check`.execute(db);
  await sql`alter table erasure_provider_copies add constraint erasure_provider_copies_kind_check check (kind in (${list(COPY_KINDS)}))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`delete from erasure_provider_copies where kind = 'call'`.execute(db);
  await sql`alter table erasure_provider_copies drop constraint erasure_provider_copies_kind_check`.execute(db);
  await sql`alter table erasure_provider_copies add constraint erasure_provider_copies_kind_check check (kind in (${list(PREVIOUS_COPY_KINDS)}))`.execute(db);
}
