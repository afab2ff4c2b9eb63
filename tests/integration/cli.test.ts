import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { runCli } from '../../src/cli';
import { openDatabase, type DatabaseHandle } from '../../src/db/database';
import { verifyPassword } from '../../src/users/password';
import { createTestDatabaseUrl, usingRealPostgres } from '../support/database';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('the admin CLI', () => {
  let env: NodeJS.ProcessEnv;
  let cleanup: () => Promise<void>;
  let dataDir: string;

  async function cli(argv: string[], stdin = ''): Promise<Run> {
    let stdout = '';
    let stderr = '';
    const code = await runCli(argv, env, {
      stdin: Readable.from([Buffer.from(stdin)]),
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
    });
    return { code, stdout, stderr };
  }

  async function inspect<T>(work: (handle: DatabaseHandle) => Promise<T>): Promise<T> {
    const handle = await openDatabase(
      env['DATABASE_URL'] ? { databaseUrl: env['DATABASE_URL'] } : { pgliteDataDir: path.join(dataDir, 'pgdata') },
    );
    try {
      return await work(handle);
    } finally {
      await handle.close();
    }
  }

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hotline-cli-'));
    env = { DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
    cleanup = async () => fs.rmSync(dataDir, { recursive: true, force: true });
    if (usingRealPostgres()) {
      const database = await createTestDatabaseUrl();
      env['DATABASE_URL'] = database.url;
      env['ENCRYPTION_KEY'] = Buffer.alloc(32, 3).toString('base64');
      const removeDir = cleanup;
      cleanup = async () => {
        await database.drop();
        await removeDir();
      };
    }
  });
  afterAll(async () => {
    await cleanup();
  });

  it('lists its commands with --help', async () => {
    const run = await cli(['--help']);
    expect(run.code).toBe(0);
    for (const command of ['migrate', 'seed --demo', 'user:create', 'token:create']) expect(run.stdout).toContain(command);
  });

  it('refuses an unknown command with exit code 2', async () => {
    const run = await cli(['erase-everything']);
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toContain('unknown command: erase-everything');
  });

  it('migrates, and says so when there is nothing left to do', async () => {
    expect((await cli(['migrate'])).code).toBe(0);
    const again = await cli(['migrate']);
    expect(again).toMatchObject({ code: 0, stdout: 'database is up to date\n' });
  });

  it('fails with one line naming a bad variable', async () => {
    const saved = env;
    env = { ...env, STATS_MIN_CELL: 'ten' };
    const run = await cli(['migrate']);
    env = saved;
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('configuration error: STATS_MIN_CELL is not a valid number\n');
  });

  it('seeds the demo network once', async () => {
    const first = await cli(['seed', '--demo']);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/sign in as coordinator@demo\.hotline\.test with password \S{16,}/);
    const second = await cli(['seed', '--demo']);
    expect(second).toMatchObject({ code: 0, stdout: 'demo data is already there; nothing changed\n' });
  });

  it('creates a user with the password read from stdin', async () => {
    const run = await cli(
      ['user:create', '--email', 'New.Caseworker@Example.org', '--role', 'caseworker', '--org', 'mae-sot-workers-rights-centre', '--locale', 'my'],
      'a long enough password\n',
    );
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const user = await inspect((handle) =>
      handle.db.selectFrom('users').selectAll().where('email', '=', 'new.caseworker@example.org').executeTakeFirstOrThrow(),
    );
    expect(user).toMatchObject({ role: 'caseworker', locale: 'my' });
    expect(await verifyPassword(user.password_hash ?? '', 'a long enough password')).toBe(true);
  });

  it('refuses a user with a short password or an unknown role, naming the field', async () => {
    const short = await cli(['user:create', '--email', 'x@example.org', '--role', 'caseworker', '--org', 'mae-sot-workers-rights-centre'], 'short\n');
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('password: too_small');
    const role = await cli(['user:create', '--email', 'x@example.org', '--role', 'boss', '--org', 'mae-sot-workers-rights-centre'], 'a long enough password\n');
    expect(role.stderr).toContain('role: not_allowed');
  });

  it('prints a new API token and nothing else', async () => {
    const run = await cli(['token:create', '--email', 'new.caseworker@example.org']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^mh_[A-Za-z0-9_-]{43}\n$/);
    const audited = await inspect((handle) =>
      handle.db.selectFrom('audit_log').select(['actor_kind', 'action']).where('action', '=', 'api_token.created').execute(),
    );
    expect(audited).toEqual([{ actor_kind: 'cli', action: 'api_token.created' }]);
  });

  it('refuses a token for an unknown user', async () => {
    const run = await cli(['token:create', '--email', 'nobody@example.org']);
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr).toContain('email: not_found');
  });
});
