import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';

// Each test run has an id (set by the global setup, inherited by the workers) so that its global
// teardown can find what the run itself left in the temporary directory, even while other runs
// share the machine.

/** The environment variable holding the test run's id. */
export const TEST_RUN_ENV = 'HOTLINE_TEST_RUN';

/** Gives this test run its id; called once, by the global setup. */
export function startTestRun(): void {
  process.env[TEST_RUN_ENV] = crypto.randomBytes(4).toString('hex');
}

/** `hotline-spool-<run>`: how each inbound spool directory of this test run is named. */
export function spoolPrefix(run = process.env[TEST_RUN_ENV] ?? 'norun'): string {
  return `hotline-spool-${run}`;
}

/** The run's spool directories still in the temporary directory. */
export function leftoverSpools(): string[] {
  const prefix = `${spoolPrefix()}-`;
  return fs.readdirSync(os.tmpdir()).filter((name) => name.startsWith(prefix));
}
