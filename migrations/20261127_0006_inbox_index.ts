import type { Kysely } from 'kysely';

// The inbox lists cases newest activity first with a keyset cursor on (updated_at, id). With this
// index PostgreSQL walks backwards and stops after one page, whatever the filters (measured on a
// million cases in docs/benchmarks.md: first page p95 from ~200–370 ms to ~2–4 ms).

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('cases_updated_id_idx').on('cases').columns(['updated_at', 'id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('cases_updated_id_idx').execute();
}
