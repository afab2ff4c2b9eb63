import { type Kysely, sql } from 'kysely';

// Each organisation reads times in its own time zone (issue #12 §6): Thailand and Malaysia keep
// different hours. An IANA name; an organisation's existing row gets its country's zone.

const ZONES: Record<string, string> = {
  TH: 'Asia/Bangkok',
  MY: 'Asia/Kuala_Lumpur',
  MM: 'Asia/Yangon',
  KH: 'Asia/Phnom_Penh',
  LA: 'Asia/Vientiane',
  VN: 'Asia/Ho_Chi_Minh',
};

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('organisations').addColumn('time_zone', 'text', (column) => column.notNull().defaultTo('Asia/Bangkok')).execute();
  for (const [country, zone] of Object.entries(ZONES)) {
    await sql`update organisations set time_zone = ${zone} where country = ${country}`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('organisations').dropColumn('time_zone').execute();
}
