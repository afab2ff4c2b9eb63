import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

// The import rules of `.dependency-cruiser.cjs` (#12 §7), run as `npm run lint` runs them.

const run = promisify(execFile);
const root = path.resolve(__dirname, '../..');
const depcruise = path.join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const config = path.join(root, '.dependency-cruiser.cjs');

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

/** The rule violations dependency-cruiser finds under `src/` of `cwd`. */
async function violationsIn(cwd: string): Promise<Violation[]> {
  const { stdout } = await run(process.execPath, [depcruise, 'src', '--config', config, '--output-type', 'json'], { cwd, maxBuffer: 64 * 1024 * 1024 })
    .catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
  const result = JSON.parse(stdout) as { summary: { violations: Violation[] } };
  return result.summary.violations;
}

async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
}

describe('import rules', () => {
  let fixture: string;

  beforeAll(async () => {
    fixture = await mkdtemp(path.join(tmpdir(), 'hotline-deps-'));
    await writeFiles(fixture, {
      'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'commonjs', strict: true }, include: ['src'] }),
      'src/cases/case.service.ts': "import { routeCase } from '../routing/routing.service';\nexport const updateCase = () => routeCase();\n",
      'src/routing/routing.service.ts': "import type { updateCase } from '../cases/case.service';\nexport const routeCase = (): typeof updateCase | undefined => undefined;\n",
      'src/console/case-pages.routes.ts': "import { findCase } from '../cases/case.repository';\nexport const page = () => findCase();\n",
      'src/cases/case.repository.ts': 'export const findCase = () => 1;\n',
      'src/db/transaction.ts': "import { findCase } from '../cases/case.repository';\nexport const begin = () => findCase();\n",
      'src/events/domain-events.ts': "import { routeCase } from '../routing/routing.service';\nexport const publish = () => routeCase();\n",
    });
  });

  afterAll(async () => {
    await rm(fixture, { recursive: true, force: true });
  });

  it('reports a new import cycle, even one closed by a type-only import', async () => {
    const cycles = (await violationsIn(fixture)).filter((v) => v.rule.name === 'no-circular');
    expect(cycles).toEqual([expect.objectContaining({ from: 'src/cases/case.service.ts', to: 'src/routing/routing.service.ts' })]);
  });

  it('reports a route that imports a repository', async () => {
    const found = (await violationsIn(fixture)).filter((v) => v.rule.name === 'no-repository-in-routes-or-views');
    expect(found).toEqual([expect.objectContaining({ from: 'src/console/case-pages.routes.ts', to: 'src/cases/case.repository.ts' })]);
  });

  it('reports src/db importing a module above it', async () => {
    const found = (await violationsIn(fixture)).filter((v) => v.rule.name === 'db-imports-nothing-above-it');
    expect(found).toEqual([expect.objectContaining({ from: 'src/db/transaction.ts', to: 'src/cases/case.repository.ts' })]);
  });

  it('reports the domain events importing a subscriber', async () => {
    const found = (await violationsIn(fixture)).filter((v) => v.rule.name === 'events-know-no-subscriber');
    expect(found).toEqual([expect.objectContaining({ from: 'src/events/domain-events.ts', to: 'src/routing/routing.service.ts' })]);
  });

  it('reports a case service calling the router instead of publishing an event', async () => {
    const found = (await violationsIn(fixture)).filter((v) => v.rule.name === 'routing-runs-on-events');
    expect(found.map((v) => v.from).sort()).toEqual(['src/cases/case.service.ts', 'src/events/domain-events.ts']);
  });

  it('finds no violation in the hotline itself', async () => {
    expect(await violationsIn(root)).toEqual([]);
  });
});
