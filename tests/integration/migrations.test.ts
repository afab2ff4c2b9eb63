import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { migrations } from '../../migrations';
import type { DatabaseHandle } from '../../src/db/database';
import { migrateDownAll, migrateToLatest } from '../../src/db/migrator';
import { schemaColumns } from '../../src/db/schema';
import { openEmptyDatabase } from '../support/database';

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
      .readdirSync(path.resolve(__dirname, '../../migrations'))
      .filter((file) => /^\d{8}_\d{4}_.+\.ts$/.test(file))
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
});
