import { type Kysely, sql } from 'kysely';

// SMS intake: inbound messages are stored by the webhook and processed by a job, one contact at a
// time, in the order they arrived; outbound messages remember which reply template they carry.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('messages')
    .addColumn('sequence', 'bigint', (col) => col.notNull().generatedByDefaultAsIdentity())
    .addColumn('processed_at', 'timestamptz')
    .addColumn('template', 'text')
    .execute();
  await sql`create index messages_unprocessed_idx on messages (contact_id, sequence)
    where direction = 'in' and processed_at is null`.execute(db);
  await db.schema.createIndex('messages_case_sequence_idx').on('messages').columns(['case_id', 'sequence']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('messages_case_sequence_idx').execute();
  await db.schema.dropIndex('messages_unprocessed_idx').execute();
  await db.schema.alterTable('messages').dropColumn('template').dropColumn('processed_at').dropColumn('sequence').execute();
}
