import { type Kysely, sql } from 'kysely';

// Canned replies: short answers in each language that coordinators keep for caseworkers.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('canned_replies')
    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('language', 'text', (col) => col.notNull().check(sql`language in ('en', 'my', 'km', 'lo', 'th', 'vi')`))
    .addColumn('title', 'text', (col) => col.notNull().check(sql`length(title) between 1 and 100`))
    .addColumn('body', 'text', (col) => col.notNull().check(sql`length(body) between 1 and 1600`))
    .addColumn('created_by_user_id', 'uuid', (col) => col.references('users.id'))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('canned_replies_language_idx').on('canned_replies').columns(['language', 'title']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('canned_replies').execute();
}
