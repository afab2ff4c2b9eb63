import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, median, rssMiB, startNode, stop, waitForOk } from './process-probe';

// Start to /healthz on an existing data directory, and idle memory of the web process, against a
// baseline measured in the same run: a bare Node.js HTTP server that answers /healthz.

const RUNS = Number(process.env['BENCH_RUNS'] ?? 7);
const IDLE_MS = 3000;
const MAIN = path.resolve(__dirname, '../src/main.js');
const BASELINE = `require('node:http').createServer((q, s) => s.end('{"status":"ok"}')).listen(Number(process.env.PORT));`;

interface Sample {
  startMs: number;
  rssMiB: number;
}

async function measure(args: string[], env: NodeJS.ProcessEnv): Promise<Sample> {
  const port = await freePort();
  const startedAt = performance.now();
  const child = startNode(args, { ...env, PORT: String(port) });
  try {
    const startMs = await waitForOk(`http://127.0.0.1:${port}/healthz`, startedAt);
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    return { startMs, rssMiB: rssMiB(child.pid ?? 0) };
  } finally {
    await stop(child);
  }
}

async function series(label: string, args: string[], env: NodeJS.ProcessEnv) {
  const samples: Sample[] = [];
  for (let run = 0; run < RUNS; run += 1) samples.push(await measure(args, env));
  return { label, startMs: median(samples.map((s) => s.startMs)), rssMiB: median(samples.map((s) => s.rssMiB)) };
}

/** Runs the startup benchmark and prints a Markdown table. */
export async function runStartupBenchmark(): Promise<void> {
  const base = { PATH: process.env['PATH'], LOG_LEVEL: 'warn', NODE_ENV: 'development' };
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hotline-bench-'));
  const embedded = { ...base, DATA_DIR: dataDir };

  const firstStartedAt = performance.now();
  const first = await measure([MAIN], embedded).catch((error: unknown) => {
    throw new Error(`first start failed: ${String(error)}`);
  });
  const firstStartMs = performance.now() - firstStartedAt - IDLE_MS;

  const rows = [await series('bare Node.js HTTP server (baseline)', ['-e', BASELINE], base)];
  rows.push(await series('hotline, embedded PGlite, existing data directory', [MAIN], embedded));
  const databaseUrl = process.env['BENCH_DATABASE_URL'] ?? process.env['DATABASE_URL'];
  if (databaseUrl) {
    rows.push(await series('hotline, real PostgreSQL (in-process jobs)', [MAIN], { ...base, DATABASE_URL: databaseUrl, DATA_DIR: dataDir }));
  }
  fs.rmSync(dataDir, { recursive: true, force: true });

  const baseline = rows[0];
  const lines = [
    `startup: median of ${RUNS} runs each, idle RSS read ${IDLE_MS / 1000} s after /healthz first answered`,
    '',
    '| process | start → /healthz (ms) | × baseline | idle RSS (MiB) | × baseline |',
    '|---|---:|---:|---:|---:|',
    ...rows.map(
      (row) =>
        `| ${row.label} | ${row.startMs.toFixed(0)} | ${(row.startMs / (baseline?.startMs ?? 1)).toFixed(1)} | ${row.rssMiB.toFixed(0)} | ${(row.rssMiB / (baseline?.rssMiB ?? 1)).toFixed(1)} |`,
    ),
    '',
    `first start on an empty data directory (create, migrate, seed the demo): ${firstStartMs.toFixed(0)} ms, RSS ${first.rssMiB.toFixed(0)} MiB`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
