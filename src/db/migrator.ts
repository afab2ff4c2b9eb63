import { type Kysely, Migrator, type MigrationResultSet } from 'kysely';
import { migrations } from '../../migrations';
import type { Database } from './schema';

function createMigrator(db: Kysely<Database>): Migrator {
  return new Migrator({ db, provider: { getMigrations: async () => migrations } });
}

/** Runs every pending migration; throws with the failing migration's name on error. */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  return applied(await createMigrator(db).migrateToLatest());
}

/** Reverts migrations one by one until none is applied (used by tests and `cli migrate --down`). */
export async function migrateDownAll(db: Kysely<Database>): Promise<string[]> {
  const reverted: string[] = [];
  const migrator = createMigrator(db);
  for (;;) {
    const names = applied(await migrator.migrateDown());
    if (names.length === 0) return reverted;
    reverted.push(...names);
  }
}

function applied({ error, results }: MigrationResultSet): string[] {
  if (error) {
    const failed = results?.find((result) => result.status === 'Error');
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${reason}`);
  }
  return (results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName);
}
