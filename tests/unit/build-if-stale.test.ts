import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// `npm run cli` runs scripts/build-if-stale.mjs first; here it runs on a tiny project of its own.
const SCRIPT = path.resolve(__dirname, '../../scripts/build-if-stale.mjs');

describe('the CLI build check (scripts/build-if-stale.mjs)', () => {
  let project: string;
  const built = () => path.join(project, 'dist/src/greeting.js');
  const run = () => spawnSync(process.execPath, [SCRIPT], { cwd: project, encoding: 'utf8' });
  const secondsAgo = (seconds: number) => new Date(Date.now() - seconds * 1000);

  beforeAll(() => {
    project = fs.mkdtempSync(path.join(os.tmpdir(), 'hotline-build-check-'));
    fs.mkdirSync(path.join(project, 'src'));
    fs.writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions: { rootDir: '.', outDir: 'dist', module: 'commonjs', types: [] } }));
    fs.writeFileSync(path.join(project, 'tsconfig.build.json'), JSON.stringify({ extends: './tsconfig.json', include: ['src'] }));
    fs.writeFileSync(path.join(project, 'src/greeting.ts'), "export const greeting = 'first';\n");
  });
  afterAll(() => {
    fs.rmSync(project, { recursive: true, force: true });
  });

  it('builds when there is no dist/, printing nothing on stdout', () => {
    const result = run();
    expect(result).toMatchObject({ status: 0, stdout: '' });
    expect(fs.readFileSync(built(), 'utf8')).toContain("'first'");
  }, 180_000);

  it('does not build again while dist/ is newer than every source', () => {
    fs.utimesSync(path.join(project, 'src/greeting.ts'), secondsAgo(100), secondsAgo(100));
    fs.writeFileSync(built(), '// left as it was\n');
    expect(run()).toMatchObject({ status: 0, stdout: '' });
    expect(fs.readFileSync(built(), 'utf8')).toBe('// left as it was\n');
  }, 180_000);

  it('builds again once a source is newer than the build', () => {
    fs.writeFileSync(path.join(project, 'src/greeting.ts'), "export const greeting = 'second';\n");
    expect(run()).toMatchObject({ status: 0, stdout: '' });
    expect(fs.readFileSync(built(), 'utf8')).toContain("'second'");
  }, 180_000);

  it('fails with the compiler\'s errors on stderr when the source does not compile', () => {
    fs.writeFileSync(path.join(project, 'src/greeting.ts'), 'export const greeting: number = "third";\n');
    const result = run();
    expect(result.status).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('greeting.ts');
  }, 180_000);
});
