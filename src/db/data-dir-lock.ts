import fs from 'node:fs';
import path from 'node:path';
import lockfile from 'proper-lockfile';

// PGlite is one process's database: a second process on the same files duplicates keys and loses
// writes. So the embedded data directory is held by a lock (a directory made atomically, its time
// refreshed while the holder lives). A holder that crashed without removing it stops counting once
// the lock has not been refreshed for STALE_MS; on a normal exit or a signal it is removed at once.

const STALE_MS = 30_000;
const LOCK_NAME = 'hotline.lock';

/** Another process holds the embedded data directory. */
export class DataDirInUseError extends Error {
  constructor(dataDir: string) {
    super(
      `the hotline is already running on the data directory ${path.resolve(dataDir)}; stop it first ` +
        `(a lock left by a process that crashed is released after ${STALE_MS / 1000} s)`,
    );
    this.name = 'DataDirInUseError';
  }
}

/**
 * Takes the embedded data directory for this process; resolves to its release, throws
 * `DataDirInUseError` when another process holds it. `onLost` runs if the lock is taken away.
 */
export async function lockDataDir(dataDir: string, onLost: (error: Error) => void): Promise<() => Promise<void>> {
  fs.mkdirSync(dataDir, { recursive: true });
  try {
    return await lockfile.lock(dataDir, {
      lockfilePath: path.join(dataDir, LOCK_NAME),
      stale: STALE_MS,
      retries: 0,
      realpath: false,
      onCompromised: onLost,
    });
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ELOCKED') throw new DataDirInUseError(dataDir);
    throw error;
  }
}
