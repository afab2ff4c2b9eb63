import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { onServer, PGLITE_DUMP_ENV, TEMPLATE_DATABASE } from './database';
import { leftoverSpools } from './test-run';

/** Removes the run's template database or dump, then fails the run if a test left a spool directory. */
export default async function globalTeardown(): Promise<void> {
  if (process.env['DATABASE_URL']) {
    await onServer((client) => client.query(`drop database if exists ${TEMPLATE_DATABASE} with (force)`));
  } else {
    const file = process.env[PGLITE_DUMP_ENV];
    if (file) fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
  const leftovers = leftoverSpools();
  if (leftovers.length > 0) throw new Error(`the tests left ${leftovers.length} inbound spool directories in ${os.tmpdir()}: ${leftovers.slice(0, 5).join(', ')}`);
}
