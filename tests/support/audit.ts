import { sql, type Kysely } from 'kysely';
import type { Database } from '../../src/db/schema';

/** Runs `work` while the audit log refuses lines of `action` (as a full disk or a lost connection would). */
export async function withAuditRefused(db: Kysely<Database>, action: string, work: () => Promise<unknown>): Promise<void> {
  await sql`create function refuse_audit_line() returns trigger language plpgsql as $$
    begin if new.action = ${sql.lit(action)} then raise exception 'audit refused'; end if; return new; end $$`.execute(db);
  await sql`create trigger refuse_audit_line before insert on audit_log for each row execute function refuse_audit_line()`.execute(db);
  try {
    await work();
  } finally {
    await sql`drop trigger refuse_audit_line on audit_log`.execute(db);
    await sql`drop function refuse_audit_line()`.execute(db);
  }
}
