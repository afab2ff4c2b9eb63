import { type Kysely, type RawBuilder, sql } from 'kysely';

// The whole schema of the public namespace as sorted lines of text, from PostgreSQL's own
// catalog, so that two databases compare with one `toEqual` on PGlite and PostgreSQL alike.
// Kysely's bookkeeping tables are left out: they record history, not schema.

/** Every kind of schema object compared, each as sorted, readable lines. */
export interface SchemaCatalog {
  columns: string[];
  indexes: string[];
  constraints: string[];
  triggers: string[];
  functions: string[];
  views: string[];
  types: string[];
  sequences: string[];
}

const OURS = sql`n.nspname = 'public' and c.relname not like 'kysely_%'`;

async function lines<DB>(db: Kysely<DB>, query: RawBuilder<{ line: string }>): Promise<string[]> {
  const { rows } = await query.execute(db);
  return rows.map((row) => row.line).sort();
}

/** Reads the catalog of the public schema: columns, indexes, constraints, triggers, functions, views, types, sequences. */
export async function readCatalog<DB>(db: Kysely<DB>): Promise<SchemaCatalog> {
  return {
    columns: await lines(db, sql<{ line: string }>`
      select c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
        || case when a.attnotnull then ' not null' else '' end
        || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
        || case when a.attidentity <> '' then ' identity ' || a.attidentity::text else '' end
        || case when a.attgenerated <> '' then ' generated' else '' end as line
      from pg_attribute a
      join pg_class c on c.oid = a.attrelid
      join pg_namespace n on n.oid = c.relnamespace
      left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
      where ${OURS} and c.relkind in ('r', 'p', 'v', 'm') and a.attnum > 0 and not a.attisdropped`),
    indexes: await lines(db, sql<{ line: string }>`
      select indexdef as line from pg_indexes where schemaname = 'public' and tablename not like 'kysely_%'`),
    constraints: await lines(db, sql<{ line: string }>`
      select c.relname || ' ' || con.conname || ' ' || pg_get_constraintdef(con.oid) as line
      from pg_constraint con
      join pg_class c on c.oid = con.conrelid
      join pg_namespace n on n.oid = c.relnamespace
      where ${OURS}`),
    triggers: await lines(db, sql<{ line: string }>`
      select pg_get_triggerdef(t.oid) as line
      from pg_trigger t
      join pg_class c on c.oid = t.tgrelid
      join pg_namespace n on n.oid = c.relnamespace
      where ${OURS} and not t.tgisinternal`),
    functions: await lines(db, sql<{ line: string }>`
      select pg_get_functiondef(p.oid) as line
      from pg_proc p
      join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = 'public' and p.prokind in ('f', 'p')`),
    views: await lines(db, sql<{ line: string }>`
      select viewname || ': ' || definition as line from pg_views where schemaname = 'public'`),
    types: await lines(db, sql<{ line: string }>`
      select t.typname || ' ' || t.typtype::text || coalesce(' ' || (
        select string_agg(e.enumlabel, ',' order by e.enumsortorder) from pg_enum e where e.enumtypid = t.oid), '') as line
      from pg_type t
      join pg_namespace n on n.oid = t.typnamespace
      where n.nspname = 'public' and t.typtype in ('e', 'd', 'c')
        and not exists (select 1 from pg_class c where c.oid = t.typrelid and c.relkind <> 'c')`),
    sequences: await lines(db, sql<{ line: string }>`
      select c.relname as line
      from pg_class c
      join pg_namespace n on n.oid = c.relnamespace
      where ${OURS} and c.relkind = 'S'`),
  };
}
