// `npm run cli` runs this first: it compiles (tsc -p tsconfig.build.json) only when dist/ is missing
// or older than a source, so an admin command does not wait for a full build on every call.
// Quiet when nothing changed; the compiler's errors go to stderr, so stdout stays the command's own.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const root = process.cwd();
// Written after each build this script runs; its time is when dist/ was last known current. tsc's
// own build-info file (written by `npm run build`) counts too.
const stamp = path.join(root, 'dist', '.build-stamp');
const buildInfo = path.join(root, 'dist', '.tsbuildinfo.build');
const inputs = ['src', 'migrations', 'tsconfig.json', 'tsconfig.build.json'];

/** The newest modification time among the build's inputs (tests excluded: they are not built). */
function newestInput(entry) {
  if (!fs.existsSync(entry)) return 0;
  const stats = fs.statSync(entry);
  if (!stats.isDirectory()) return entry.endsWith('.test.ts') ? 0 : stats.mtimeMs;
  let newest = 0;
  for (const child of fs.readdirSync(entry)) newest = Math.max(newest, newestInput(path.join(entry, child)));
  return newest;
}

/** When dist/ was last built, or -1 when it never was. */
function builtAt() {
  return Math.max(-1, ...[stamp, buildInfo].filter((file) => fs.existsSync(file)).map((file) => fs.statSync(file).mtimeMs));
}

const built = builtAt();
const newest = Math.max(...inputs.map((input) => newestInput(path.join(root, input))));
if (built < 0 || newest > built) {
  const startedAt = new Date();
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: ['ignore', 2, 2] });
  if (result.status !== 0) process.exit(result.status ?? 1);
  // The build's start, not its end: a source saved while tsc ran still counts as newer.
  fs.mkdirSync(path.dirname(stamp), { recursive: true });
  fs.writeFileSync(stamp, '');
  fs.utimesSync(stamp, startedAt, startedAt);
}
