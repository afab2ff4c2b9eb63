import crypto from 'node:crypto';
import os from 'node:os';
import { sql } from 'kysely';
import { Client } from 'pg';
import { openDatabase } from '../src/db/database';
import { migrateToLatest } from '../src/db/migrator';
import { createPersonalDataCipher, generateKey } from '../src/privacy/personal-data';
import { aggregateCases } from '../src/stats/stats.repository';
import type { CaseStatsQuery, Dimension } from '../src/stats/stats.schema';
import { caseStatistics, groupingSets, publishTable } from '../src/stats/stats.service';
import { SEED_SQL, syntheticCasesSql } from './stats-data';

// Statistics on a million synthetic cases in real PostgreSQL: month × category × destination
// country for one year, through the repository and the service (rollup, every marginal total,
// disclosure control: cell-key perturbation and primary suppression), against the plain GROUP BY
// over `cases` that gives the same cells with the same measures, in the same run, alternating one
// of each.

const CASES = Number(process.env['BENCH_CASES'] ?? 1_000_000);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 30);
const WARM_UP = 3;
const GROUP_BY: Dimension[] = ['month', 'category', 'destination_country'];
const YEAR = { from: '2025-11', to: '2026-10' };
const QUERY: CaseStatsQuery = { group_by: GROUP_BY, ...YEAR, origin_country: [], destination_country: [], category: [], sector: [] };

/** The same cells as the service's table, in one GROUP BY over `cases`: exact medians, no totals. */
const PLAIN_GROUP_BY = `
  select to_char(c.created_at at time zone 'UTC', 'YYYY-MM') as month, category, c.destination_country, c.recovered_currency,
    count(*) as cases, sum(c.workers_affected) as workers,
    percentile_cont(0.5) within group (order by extract(epoch from c.first_response_at - c.created_at) / 86400) as response_days,
    percentile_cont(0.5) within group (order by extract(epoch from c.resolved_at - c.created_at) / 86400) as resolution_days,
    count(*) filter (where c.status in ('resolved', 'closed')) as resolved,
    sum(c.amount_recovered) as amount
  from cases c cross join lateral unnest(c.categories) as category
  where c.created_at >= '2025-11-01T00:00:00Z' and c.created_at < '2026-11-01T00:00:00Z'
  group by 1, 2, 3, 4`;

interface Timing {
  p50: number;
  p95: number;
}

function percentile(sorted: readonly number[], share: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)] ?? Number.NaN;
}

function summarise(samples: readonly number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95) };
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

async function onServer(url: string, statement: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Runs the statistics benchmark and prints a Markdown table. */
export async function runStatsBenchmark(): Promise<void> {
  const serverUrl = process.env['BENCH_DATABASE_URL'] ?? process.env['DATABASE_URL'];
  if (!serverUrl) throw new Error('the stats benchmark needs BENCH_DATABASE_URL (a PostgreSQL server it may create databases on)');
  const name = `hotline_bench_stats_${crypto.randomBytes(4).toString('hex')}`;
  await onServer(serverUrl, `create database ${name}`);
  const handle = await openDatabase({ databaseUrl: databaseUrl(serverUrl, name), poolSize: 4 });
  const plain = new Client({ connectionString: databaseUrl(serverUrl, name) });
  try {
    await migrateToLatest(handle.db);
    await plain.connect();
    const loadStarted = performance.now();
    // One connection: the seed holds for the session that draws the random numbers.
    await plain.query(SEED_SQL);
    await plain.query(syntheticCasesSql(CASES));
    await plain.query('analyze');
    const loadSeconds = (performance.now() - loadStarted) / 1000;

    const deps = { db: handle.db, statsMinCell: 10, cipher: createPersonalDataCipher({ current: generateKey() }) };
    const paths: Record<string, () => Promise<unknown>> = {
      service: () => caseStatistics(deps, QUERY),
      plain: () => plain.query(PLAIN_GROUP_BY),
      serviceOnCases: async () => publishTable(await aggregateCases(handle.db, { sets: groupingSets(GROUP_BY), filters: QUERY }, 'cases'), GROUP_BY, QUERY, 10),
    };
    const samples: Record<string, number[]> = { service: [], plain: [], serviceOnCases: [] };
    for (let run = 0; run < WARM_UP + RUNS; run += 1) {
      for (const [path, work] of Object.entries(paths)) {
        if (path === 'serviceOnCases' && run % 3 !== 0) continue; // slow and only for context: a third as many runs
        const elapsed = await timed(work);
        if (run >= WARM_UP) samples[path]?.push(elapsed);
      }
    }
    await plain.query('set jit = off');
    const plainNoJit: number[] = [];
    for (let run = 0; run < WARM_UP + RUNS; run += 1) {
      const elapsed = await timed(() => plain.query(PLAIN_GROUP_BY));
      if (run >= WARM_UP) plainNoJit.push(elapsed);
    }
    await printReport({ handle, loadSeconds, samples: { ...samples, plainNoJit } });
  } finally {
    await plain.end().catch(() => undefined);
    await handle.close();
    if (process.env['BENCH_KEEP'] !== '1') await onServer(serverUrl, `drop database if exists ${name} with (force)`);
  }
}

async function printReport({ handle, loadSeconds, samples }: { handle: Awaited<ReturnType<typeof openDatabase>>; loadSeconds: number; samples: Record<string, number[]> }): Promise<void> {
  const facts = await sql<{ cases: string; year: string; rollup: string; rollup_year: string; cases_size: string; rollup_size: string; version: string }>`
    select (select count(*) from cases)::text as cases,
      (select count(*) from cases where created_at >= '2025-11-01T00:00:00Z' and created_at < '2026-11-01T00:00:00Z')::text as year,
      (select count(*) from stats_case_month)::text as rollup,
      (select count(*) from stats_case_month where month >= '2025-11-01' and month < '2026-11-01')::text as rollup_year,
      pg_size_pretty(pg_total_relation_size('cases')) as cases_size,
      pg_size_pretty(pg_total_relation_size('stats_case_month')) as rollup_size,
      current_setting('server_version') as version`.execute(handle.db);
  const table = await caseStatistics({ db: handle.db, statsMinCell: 10, cipher: createPersonalDataCipher({ current: generateKey() }) }, QUERY);
  const fact = facts.rows[0];
  const timing = Object.fromEntries(Object.entries(samples).map(([path, values]) => [path, summarise(values)]));
  const plain = timing['plain'] ?? { p50: Number.NaN, p95: Number.NaN };
  const row = (label: string, path: string) => {
    const measured = timing[path] ?? { p50: Number.NaN, p95: Number.NaN };
    return `| ${label} | ${samples[path]?.length ?? 0} | ${measured.p50.toFixed(1)} | ${measured.p95.toFixed(1)} | ${(measured.p50 / plain.p50).toFixed(2)} | ${(measured.p95 / plain.p95).toFixed(2)} |`;
  };
  const lines = [
    `stats: month × category × destination country, ${YEAR.from} to ${YEAR.to}; ${Number(fact?.cases).toLocaleString('en')} cases (${Number(fact?.year).toLocaleString('en')} in the year), generated and analysed in ${loadSeconds.toFixed(0)} s`,
    `load average at the end ${os.loadavg().map((load) => load.toFixed(1)).join(', ')}`,
    `PostgreSQL ${fact?.version}; cases ${fact?.cases_size}, rollup ${fact?.rollup_size} (${Number(fact?.rollup).toLocaleString('en')} rows, ${Number(fact?.rollup_year).toLocaleString('en')} in the year); Node ${process.version}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`,
    `published: ${table.cells.length} cells (${table.cells.filter((cell) => cell.suppressed).length} suppressed), ${table.totals.length} totals (${table.totals.filter((total) => total.suppressed).length} suppressed)`,
    '',
    '| path | runs | p50 (ms) | p95 (ms) | p50 × plain | p95 × plain |',
    '|---|---:|---:|---:|---:|---:|',
    row('repository + service (rollup, all marginal totals, cell-key perturbation)', 'service'),
    row('plain GROUP BY over cases, cells only (server defaults)', 'plain'),
    row('plain GROUP BY over cases, cells only, jit = off', 'plainNoJit'),
    row('repository + service reading cases instead of the rollup', 'serviceOnCases'),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
