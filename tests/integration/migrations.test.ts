import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { type Kysely, type Migration, Migrator, sql } from 'kysely';
import { migrations } from '../../migrations';
import * as catchUpLandedSchemas from '../../migrations/20261202_0011_catch_up_landed_schemas';
import type { DatabaseHandle } from '../../src/db/database';
import { migrateDownAll, migrateToLatest } from '../../src/db/migrator';
import { schemaColumns } from '../../src/db/schema';
import { landedMigrationSets } from '../fixtures/migrations-as-landed';
import { readCatalog, type SchemaCatalog } from '../support/catalog';
import { openEmptyDatabase, openTestDatabase } from '../support/database';

const MIGRATIONS_DIR = path.resolve(__dirname, '../../migrations');
const MIGRATION_FILE = /^\d{8}_\d{4}_.+\.ts$/;

/** SHA-256 of a migration's text; line endings normalised so a Windows checkout hashes the same. */
function sha256Of(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file, 'utf8').replace(/\r\n/g, '\n')).digest('hex');
}

async function migrateWith<DB>(db: Kysely<DB>, set: Record<string, Migration>): Promise<void> {
  const { error } = await new Migrator({ db, provider: { getMigrations: async () => set } }).migrateToLatest();
  if (error) throw error;
}

async function tablesAndColumns(handle: DatabaseHandle): Promise<Map<string, Set<string>>> {
  const { rows } = await sql<{ table_name: string; column_name: string }>`
    select table_name, column_name from information_schema.columns
    where table_schema = 'public' and table_name not like 'kysely_%'`.execute(handle.db);
  const tables = new Map<string, Set<string>>();
  for (const row of rows) {
    const columns = tables.get(row.table_name) ?? new Set<string>();
    columns.add(row.column_name);
    tables.set(row.table_name, columns);
  }
  return tables;
}

describe('migrations', () => {
  let handle: DatabaseHandle;

  beforeAll(async () => {
    handle = await openEmptyDatabase();
  });
  afterAll(async () => {
    await handle.close();
  });

  it('lists every migration file of the folder, in name order', () => {
    const files = fs
      .readdirSync(MIGRATIONS_DIR)
      .filter((file) => MIGRATION_FILE.test(file))
      .map((file) => file.replace(/\.ts$/, ''))
      .sort();
    expect(Object.keys(migrations)).toEqual(files);
  });

  it('go up to a schema that matches the declared database types exactly', async () => {
    await migrateToLatest(handle.db);
    const actual = await tablesAndColumns(handle);
    const declared = new Map(Object.entries(schemaColumns).map(([table, columns]) => [table, new Set(Object.keys(columns))]));
    expect([...actual.keys()].sort()).toEqual([...declared.keys()].sort());
    for (const [table, columns] of declared) {
      expect({ table, columns: [...(actual.get(table) ?? [])].sort() }).toEqual({ table, columns: [...columns].sort() });
    }
  });

  it('go down to an empty schema and up again', async () => {
    await migrateToLatest(handle.db);
    const reverted = await migrateDownAll(handle.db);
    expect(reverted).toEqual(Object.keys(migrations).reverse());
    expect((await tablesAndColumns(handle)).size).toBe(0);
    const applied = await migrateToLatest(handle.db);
    expect(applied).toEqual(Object.keys(migrations));
    expect((await tablesAndColumns(handle)).size).toBe(Object.keys(schemaColumns).length);
  });

  it('never change once landed: every migration file is listed in migrations/landed.json with its SHA-256', () => {
    const landed = JSON.parse(fs.readFileSync(path.join(MIGRATIONS_DIR, 'landed.json'), 'utf8')) as Record<string, string>;
    const files = fs.readdirSync(MIGRATIONS_DIR).filter((file) => MIGRATION_FILE.test(file)).sort();
    // The actual hash is in the message, so a new migration is listed by copying it from here.
    const actual = Object.fromEntries(files.map((file) => [file, sha256Of(path.join(MIGRATIONS_DIR, file))]));
    expect(actual).toEqual(landed);
  });
});

describe('a database migrated by an earlier landed version', () => {
  let fresh: SchemaCatalog;

  beforeAll(async () => {
    // A new database as every test file gets one: migrated by today's folder (a copy made once per run).
    const handle = await openTestDatabase();
    try {
      fresh = await readCatalog(handle.db);
    } finally {
      await handle.close();
    }
  });

  it('reads a whole catalog: columns with types, defaults and nullability, indexes, constraints, triggers, functions', () => {
    expect(fresh.columns).toContain('users.email_notifications boolean not null default true');
    expect(fresh.indexes.some((index) => index.includes('case_events_overdue_idx'))).toBe(true);
    expect(fresh.constraints.find((line) => line.startsWith('notifications notifications_kind_check'))).toContain("'case.overdue'");
    expect(fresh.triggers.length).toBeGreaterThan(0);
    expect(fresh.functions.some((line) => line.includes('audit_log_refuse_change'))).toBe(true);
  });

  it('catch up is a no-op on a database today\'s migrations built, however often it runs', async () => {
    const handle = await openTestDatabase();
    try {
      const catchUp: Migration = catchUpLandedSchemas;
      await catchUp.up(handle.db);
      await catchUp.up(handle.db);
      expect(await readCatalog(handle.db)).toEqual(fresh);
    } finally {
      await handle.close();
    }
  });

  it.each(landedMigrationSets.map((set) => [set.commit, set] as const))('as at %s reaches the schema of a new one', async (_commit, set) => {
    for (const source of set.sources) expect({ file: source.file, sha256: sha256Of(source.path) }).toEqual({ file: source.file, sha256: source.sha256 });
    const handle = await openEmptyDatabase();
    try {
      await migrateWith(handle.db, set.migrations);
      const before = await readCatalog(handle.db);
      // The fixture really is the drift it names, or this test would prove nothing.
      expect(before).not.toEqual(fresh);
      await migrateToLatest(handle.db);
      expect(await readCatalog(handle.db)).toEqual(fresh);
    } finally {
      await handle.close();
    }
  });
});
