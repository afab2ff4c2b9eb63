import { type Kysely, sql } from 'kysely';

// Web intake: fixed-window rate-limit counters shared by every web process (keys are keyed
// hashes, never addresses or references in clear).

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('rate_limits')
    .addColumn('key', 'text', (col) => col.primaryKey())
    .addColumn('hits', 'integer', (col) => col.notNull())
    .addColumn('window_ends_at', 'timestamptz', (col) => col.notNull())
    .addColumn('locked_until', 'timestamptz')
    .execute();
  await db.schema.createIndex('rate_limits_window_idx').on('rate_limits').column('window_ends_at').execute();
  await sql`comment on table rate_limits is 'fixed-window counters; keys are keyed hashes'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('rate_limits').execute();
}
