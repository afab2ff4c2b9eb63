import crypto from 'node:crypto';
import fs from 'node:fs';
import { Client } from 'pg';
import { sql } from 'kysely';
import { openDatabase, type DatabaseHandle } from '../../src/db/database';
import { migrateToLatest } from '../../src/db/migrator';

// Each test file gets a freshly migrated database of its own, cheaply: on real PostgreSQL a
// copy of a template database migrated once per run; on PGlite a load of a migrated dump.

export const TEMPLATE_DATABASE = 'hotline_test_template';
export const PGLITE_DUMP_ENV = 'HOTLINE_TEST_PGLITE_DUMP';

/** True when the suite runs against a real PostgreSQL server (DATABASE_URL set). */
export function usingRealPostgres(): boolean {
  return Boolean(process.env['DATABASE_URL']);
}

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/** Runs statements on the server's maintenance connection (CREATE/DROP DATABASE). */
export async function onServer<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: process.env['DATABASE_URL'] });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** On real PostgreSQL: a new database copied from the migrated template, its URL and a way to drop it. */
export async function createTestDatabaseUrl(): Promise<{ url: string; drop: () => Promise<void> }> {
  const url = process.env['DATABASE_URL'];
  if (!url) throw new Error('createTestDatabaseUrl needs DATABASE_URL');
  const name = `hotline_test_${crypto.randomBytes(6).toString('hex')}`;
  await onServer((client) => client.query(`create database ${name} template ${TEMPLATE_DATABASE}`));
  return {
    url: withDatabase(url, name),
    drop: async () => {
      await onServer((client) => client.query(`drop database if exists ${name} with (force)`));
    },
  };
}

/** A new, migrated, empty database for one test file; `close` removes it. */
export async function openTestDatabase(): Promise<DatabaseHandle> {
  if (usingRealPostgres()) {
    const { url, drop } = await createTestDatabaseUrl();
    const handle = await openDatabase({ databaseUrl: url, poolSize: 8 });
    return {
      ...handle,
      close: async () => {
        await handle.close();
        await drop();
      },
    };
  }
  const dumpFile = process.env[PGLITE_DUMP_ENV];
  if (dumpFile && fs.existsSync(dumpFile)) {
    return openDatabase({ pgliteLoadFrom: new Blob([fs.readFileSync(dumpFile)]) });
  }
  const handle = await openDatabase({});
  await migrateToLatest(handle.db);
  return handle;
}

/** A database with no migrations applied (for migration tests). */
export async function openEmptyDatabase(): Promise<DatabaseHandle> {
  const url = process.env['DATABASE_URL'];
  if (!url) return openDatabase({});
  const name = `hotline_test_${crypto.randomBytes(6).toString('hex')}`;
  await onServer((client) => client.query(`create database ${name}`));
  const handle = await openDatabase({ databaseUrl: withDatabase(url, name), poolSize: 4 });
  return {
    ...handle,
    close: async () => {
      await handle.close();
      await onServer((client) => client.query(`drop database if exists ${name} with (force)`));
    },
  };
}

/** Empties the given tables (never audit_log, which refuses it). */
export async function truncate(handle: DatabaseHandle, tables: string[]): Promise<void> {
  await sql.raw(`truncate ${tables.join(', ')} restart identity cascade`).execute(handle.db);
}
