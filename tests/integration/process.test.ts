import type { AddressInfo } from 'node:net';
import http from 'node:http';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { freePort, waitForOk } from '../../bench/process-probe';
import { runCli } from '../../src/cli';

// The real entry point, compiled as `npm start` runs it, in the embedded mode with no environment
// but a data directory and a port.

const ROOT = path.resolve(__dirname, '../..');
const MAIN = path.join(ROOT, 'dist/src/main.js');
const WORKER = path.join(ROOT, 'dist/src/worker.js');

interface Started {
  child: ChildProcess;
  port: number;
  output: () => string;
  exited: Promise<number | null>;
}

// Every process a test starts, so that none outlives its test, even one whose assertion failed.
const running = new Set<ChildProcess>();

async function start(env: NodeJS.ProcessEnv, entry = MAIN): Promise<Started> {
  const port = await freePort();
  const child = spawn(process.execPath, [entry], {
    env: { PATH: process.env['PATH'], PORT: String(port), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then(() => running.delete(child));
  return { child, port, output: () => output, exited };
}

afterEach(async () => {
  const left = [...running];
  for (const child of left) child.kill('SIGKILL');
  await Promise.all(left.map((child) => new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(undefined) : child.once('exit', resolve)))));
});

beforeAll(() => {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts/build-if-stale.mjs')], { cwd: ROOT });
}, 240_000);

describe('npm start (the web process)', () => {
  let dataDir: string;

  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hotline-process-'));
  }, 240_000);
  afterAll(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  // How fast it starts is measured by `npm run bench -- startup`; here the waits only bound a hang (CI shares two cores).
  it('serves /healthz and /readyz on a new data directory, seeds, prints the sign-in once, and stops on SIGTERM', async () => {
    const first = await start({ DATA_DIR: dataDir });
    await waitForOk(`http://127.0.0.1:${first.port}/healthz`, performance.now(), 120_000);
    const ready = await fetch(`http://127.0.0.1:${first.port}/readyz`);
    expect(ready.status).toBe(200);
    expect(first.output()).toContain(`running at http://localhost:${first.port}`);
    expect(first.output()).toMatch(/Console sign-in: coordinator@demo\.hotline\.test\s+Password:\s+\S{16,}/);
    expect(fs.existsSync(path.join(dataDir, 'encryption.key'))).toBe(true);
    expect(fs.statSync(path.join(dataDir, 'encryption.key')).mode & 0o077).toBe(0);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = await start({ DATA_DIR: dataDir });
    await waitForOk(`http://127.0.0.1:${second.port}/healthz`, performance.now(), 120_000);
    expect(second.output()).not.toContain('Password:');
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 300_000);

  it('holds its data directory: a second server and the CLI get one line and exit 1 while it runs; the CLI works once it stops', async () => {
    const lockedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hotline-lock-'));
    const env = { DATA_DIR: lockedDir, SEED_DEMO: 'never' };
    const holder = await start(env);
    try {
      await waitForOk(`http://127.0.0.1:${holder.port}/healthz`, performance.now(), 120_000);
      const refusal = `the hotline is already running on the data directory ${lockedDir}; stop it first (a lock left by a process that crashed is released after 30 s)\n`;

      const second = await start(env);
      expect(await second.exited).toBe(1);
      expect(second.output()).toBe(`hotline failed to start: ${refusal}`);

      expect(await cliInProcess(['migrate'], lockedDir)).toEqual({ code: 1, stdout: '', stderr: `error: ${refusal}` });

      holder.child.kill('SIGTERM');
      expect(await holder.exited).toBe(0);
      expect(await cliInProcess(['migrate'], lockedDir)).toEqual({ code: 0, stdout: 'database is up to date\n', stderr: '' });
    } finally {
      holder.child.kill('SIGKILL');
      fs.rmSync(lockedDir, { recursive: true, force: true });
    }
  }, 240_000);

  async function cliInProcess(argv: string[], dir: string): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const code = await runCli(argv, { DATA_DIR: dir, LOG_LEVEL: 'silent' }, {
      stdin: Readable.from([]),
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
    });
    return { code, stdout, stderr };
  }

  it('refuses a bad variable with one line naming it', async () => {
    const run = await start({ DATA_DIR: dataDir, PORT: 'eighty' });
    expect(await run.exited).toBe(1);
    expect(run.output()).toBe('configuration error: PORT is not a valid number\n');
  });

  it('refuses to start in production without a database and secrets', async () => {
    const run = await start({ DATA_DIR: dataDir, NODE_ENV: 'production' });
    expect(await run.exited).toBe(1);
    expect(run.output()).toBe(
      'configuration error: DATABASE_URL, ENCRYPTION_KEY, SESSION_SECRET must be set when NODE_ENV=production\n',
    );
  });
});

describe('npm run worker without REDIS_URL', () => {
  let workerDir: string;
  let run: Started | undefined;

  beforeEach(() => {
    workerDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hotline-worker-'));
  });
  afterEach(() => {
    run?.child.kill('SIGKILL'); // a no-op once it exited; never leaves a worker behind
    run = undefined;
    fs.rmSync(workerDir, { recursive: true, force: true });
  });

  it('says it runs the in-process outbox, stays up until signalled, and exits 0 on SIGTERM', async () => {
    const metricsPort = await freePort();
    run = await start({ DATA_DIR: workerDir, LOG_LEVEL: 'info', WORKER_METRICS_PORT: String(metricsPort) }, WORKER);
    const started = run;
    await waitForOutput(started, /in-process outbox/, 90_000);
    const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('hotline_jobs_completed_total');
    const stillRunning = await Promise.race([started.exited.then(() => false), new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 3000))]);
    expect(stillRunning).toBe(true);
    started.child.kill('SIGTERM');
    expect(await started.exited).toBe(0);
    expect(started.output().match(/in-process outbox/g)).toHaveLength(1);
  }, 180_000);

  it('runs its jobs without /metrics when its metrics port is taken (a second worker on the host)', async () => {
    const taken = http.createServer((_req, res) => res.end('someone else'));
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = taken.address() as AddressInfo;
      run = await start({ DATA_DIR: workerDir, LOG_LEVEL: 'info', WORKER_METRICS_PORT: String(port) }, WORKER);
      await waitForOutput(run, /in-process outbox/, 90_000);
      expect(run.output()).toContain('worker metrics not served: the port is taken');
      expect(run.child.exitCode).toBeNull();
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  }, 180_000);
});

async function waitForOutput(run: Started, pattern: RegExp, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(run.output())) {
    if (run.child.exitCode !== null) throw new Error(`exited (${run.child.exitCode}) before printing ${pattern}: ${run.output()}`);
    if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeoutMs} ms: ${run.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
