import fs from 'node:fs';
import path from 'node:path';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { Pool, types as pgTypes } from 'pg';
import type { Database } from './schema';

const INT8_OID = 20;
const NUMERIC_OID = 1700;

/** A Kysely handle and the means to close it, over PostgreSQL or embedded PGlite. */
export interface DatabaseHandle {
  db: Kysely<Database>;
  kind: 'postgres' | 'pglite';
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
  /** Embedded only: the whole data directory as a tarball, loadable through `pgliteLoadFrom`. */
  dump?: () => Promise<Blob>;
}

export interface DatabaseOptions {
  databaseUrl?: string | undefined;
  /** Embedded data directory; `memory://` keeps it in memory (tests). */
  pgliteDataDir?: string;
  /** Load an embedded database from a dump made by `dumpDataDir()` (tests reuse a migrated one). */
  pgliteLoadFrom?: Blob;
  poolSize?: number;
}

/** Opens PostgreSQL when a URL is given, otherwise embedded PGlite. */
export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.poolSize ?? 10);
  return openPglite(options.pgliteDataDir ?? 'memory://', options.pgliteLoadFrom);
}

function openPostgres(connectionString: string, max: number): DatabaseHandle {
  // Keep 64-bit integers and numerics as strings: no silent precision loss in ids or amounts.
  const pool = new Pool({
    connectionString,
    max,
    // The JIT misjudges the inbox's scope condition and adds 100–150 ms to sub-millisecond queries.
    options: '-c jit=off',
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID || oid === NUMERIC_OID ? (value: string) => value : pgTypes.getTypeParser(oid, format)) as typeof pgTypes.getTypeParser,
    },
  });
  // An idle client that loses its server must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    kind: 'postgres',
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}

async function openPglite(dataDir: string, loadDataDir: Blob | undefined): Promise<DatabaseHandle> {
  const [{ PGlite, types }, { PGliteDialect }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('kysely-pglite-dialect'),
  ]);
  if (!dataDir.startsWith('memory://')) fs.mkdirSync(path.dirname(path.resolve(dataDir)), { recursive: true });
  const asText = (value: string) => value;
  const pglite = await PGlite.create(dataDir, {
    ...(loadDataDir ? { loadDataDir } : {}),
    parsers: { [types.INT8]: asText, [types.NUMERIC]: asText },
  });
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  return {
    db,
    kind: 'pglite',
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: async () => {
      // Kysely only closes a driver it has used; close PGlite itself in any case.
      await db.destroy();
      if (!pglite.closed) await pglite.close();
    },
    dump: async () => pglite.dumpDataDir('none'),
  };
}

