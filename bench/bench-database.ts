import crypto from 'node:crypto';
import { Client } from 'pg';

/** A new, empty database on a PostgreSQL server for one benchmark run, and a way to drop it. */
export async function freshBenchDatabase(serverUrl: string, label: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `hotline_bench_${label}_${crypto.randomBytes(4).toString('hex')}`;
  const onServer = async (statement: string) => {
    const client = new Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await onServer(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => onServer(`drop database if exists ${name} with (force)`) };
}

/** The PostgreSQL server and Redis a benchmark of the whole production path needs, from the environment. */
export function benchServers(benchmark: string): { serverUrl: string; redisUrl: string } {
  const serverUrl = process.env['BENCH_DATABASE_URL'] ?? process.env['DATABASE_URL'];
  const redisUrl = process.env['BENCH_REDIS_URL'];
  if (!serverUrl) throw new Error(`the ${benchmark} benchmark needs BENCH_DATABASE_URL (a PostgreSQL server it may create databases on)`);
  if (!redisUrl) throw new Error(`the ${benchmark} benchmark needs BENCH_REDIS_URL (a Redis database of its own: it is emptied before each run)`);
  return { serverUrl, redisUrl };
}
