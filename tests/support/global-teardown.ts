import fs from 'node:fs';
import path from 'node:path';
import { onServer, PGLITE_DUMP_ENV, TEMPLATE_DATABASE } from './database';

/** Removes the run's template database or dump. */
export default async function globalTeardown(): Promise<void> {
  if (process.env['DATABASE_URL']) {
    await onServer((client) => client.query(`drop database if exists ${TEMPLATE_DATABASE} with (force)`));
    return;
  }
  const file = process.env[PGLITE_DUMP_ENV];
  if (file) fs.rmSync(path.dirname(file), { recursive: true, force: true });
}
