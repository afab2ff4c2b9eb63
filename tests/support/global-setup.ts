import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../src/db/database';
import { migrateToLatest } from '../../src/db/migrator';
import { onServer, PGLITE_DUMP_ENV, TEMPLATE_DATABASE } from './database';
import { startTestRun } from './test-run';

/** Migrates one database per run, which every test file then copies. */
export default async function globalSetup(): Promise<void> {
  startTestRun();
  const url = process.env['DATABASE_URL'];
  if (url) {
    await onServer(async (client) => {
      await client.query(`drop database if exists ${TEMPLATE_DATABASE} with (force)`);
      await client.query(`create database ${TEMPLATE_DATABASE}`);
    });
    const parsed = new URL(url);
    parsed.pathname = `/${TEMPLATE_DATABASE}`;
    const handle = await openDatabase({ databaseUrl: parsed.toString(), poolSize: 1 });
    await migrateToLatest(handle.db);
    await handle.close();
    return;
  }
  const handle = await openDatabase({});
  await migrateToLatest(handle.db);
  const dump = await handle.dump?.();
  await handle.close();
  if (!dump) return;
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hotline-test-')), 'migrated.tar');
  fs.writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  process.env[PGLITE_DUMP_ENV] = file;
}
