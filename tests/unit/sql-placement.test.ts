import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

// SQL lives in `*.repository.ts` (and the db/ layer: connection, migrator, transactions). A query
// built anywhere else fails here (#12 §7).

const srcDir = path.resolve(__dirname, '../../src');
const QUERY = /\.(selectFrom|insertInto|updateTable|deleteFrom|selectNoFrom|mergeInto|replaceInto)\(|\bsql(`|<)/g;

/**
 * Query sites not yet moved into a repository, by file and count. Only ever shrink it: moving a
 * query out lowers a count (and this test asks for the lower number), adding one fails.
 */
const NOT_YET_MOVED: Record<string, number> = {
};

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
    .map((entry) => path.relative(srcDir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'));
}

/** Files outside repositories and db/ that build queries, with how many. */
async function querySitesOutsideRepositories(): Promise<Record<string, number>> {
  const sites: Record<string, number> = {};
  for (const file of await sourceFiles(srcDir)) {
    if (file.endsWith('.repository.ts') || file.startsWith('db/')) continue;
    const count = (await readFile(path.join(srcDir, file), 'utf8')).match(QUERY)?.length ?? 0;
    if (count > 0) sites[file] = count;
  }
  return sites;
}

describe('where SQL lives', () => {
  it('builds no query outside repositories and db/, except the sites still listed to move', async () => {
    expect(await querySitesOutsideRepositories()).toEqual(NOT_YET_MOVED);
  });

  it('spots a query built in a route handler', () => {
    const handler = "handler: async () => deps.db.selectFrom('users').select('id').execute()";
    expect(handler.match(QUERY)).toHaveLength(1);
  });
});
