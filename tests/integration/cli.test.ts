import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { runCli } from '../../src/cli';
import { openDatabase, type DatabaseHandle } from '../../src/db/database';
import { verifyPassword } from '../../src/users/password';
import { buildTestHotline } from '../support/app';
import { signedInAgent } from '../support/console';
import { createTestDatabaseUrl, usingRealPostgres } from '../support/database';
import { FAKE_LINE_SECRET, FAKE_LINE_TOKEN, startFakeLine, type FakeLine } from '../support/fake-line';
import { FAKE_VIBER_TOKEN, startFakeViber, type FakeViber } from '../support/fake-viber';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('the admin CLI', () => {
  let env: NodeJS.ProcessEnv;
  let cleanup: () => Promise<void>;
  let dataDir: string;

  async function cli(argv: string[], stdin = '', runEnv: NodeJS.ProcessEnv = env): Promise<Run> {
    let stdout = '';
    let stderr = '';
    const code = await runCli(argv, runEnv, {
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
    for (const command of ['migrate', 'seed --demo', 'org:create', 'user:create', 'token:create', 'channels:register']) expect(run.stdout).toContain(command);
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

  it('brings an empty database to its first admin: the network organisation, then the admin (password from stdin)', async () => {
    expect(await inspect((handle) => handle.db.selectFrom('organisations').select('id').execute())).toEqual([]);
    const tooEarly = await cli(['user:create', '--email', 'first.admin@example.org', '--role', 'admin', '--org', 'mekong-network'], 'first admin password\n');
    expect(tooEarly).toMatchObject({ code: 1, stdout: '' });
    expect(tooEarly.stderr).toBe('error: validation_failed (organisationSlug: not_found — no organisation has this slug; create it first with org:create)\n');
    const org = await cli(['org:create', '--slug', 'mekong-network', '--name', 'Mekong Migrant Network', '--country', 'th', '--kind', 'network', '--province', 'TH-10,TH-63', '--city', 'Bangkok']);
    expect(org).toMatchObject({ code: 0, stderr: '' });
    expect(org.stdout).toMatch(/^organisation mekong-network created \([0-9a-f-]{36}\)\n$/);
    const admin = await cli(['user:create', '--email', 'first.admin@example.org', '--role', 'admin', '--org', 'mekong-network'], 'first admin password\n');
    expect(admin).toMatchObject({ code: 0, stderr: '' });
    const saved = await inspect((handle) =>
      handle.db.selectFrom('organisations').select(['kind', 'country', 'provinces', 'city', 'is_active', 'discreet_by_default']).where('slug', '=', 'mekong-network').executeTakeFirstOrThrow(),
    );
    expect(saved).toEqual({ kind: 'network', country: 'TH', provinces: ['TH-10', 'TH-63'], city: 'Bangkok', is_active: true, discreet_by_default: false });
    const audited = await inspect((handle) => handle.db.selectFrom('audit_log').select(['actor_kind', 'action']).where('action', '=', 'organisation.created').execute());
    expect(audited).toEqual([{ actor_kind: 'cli', action: 'organisation.created' }]);
    // The last step of the README's first run: that admin signs in to the console and sees the administration.
    const page = await inspect(async (handle) => {
      const { agent } = await signedInAgent(buildTestHotline(handle).app, 'first.admin@example.org', 'first admin password');
      return (await agent.get('/console/admin/organisations').expect(200)).text;
    });
    expect(page).toContain('Mekong Migrant Network');
  });

  it('refuses an organisation with a taken slug, an unknown kind or a province of another country, naming the field', async () => {
    const taken = await cli(['org:create', '--slug', 'mekong-network', '--name', 'Again', '--country', 'TH']);
    expect(taken).toMatchObject({ code: 1, stdout: '' });
    expect(taken.stderr).toBe('error: validation_failed (slug: taken)\n');
    const kind = await cli(['org:create', '--slug', 'other', '--name', 'Other', '--country', 'TH', '--kind', 'club']);
    expect(kind.stderr).toContain('kind: not_allowed');
    const province = await cli(['org:create', '--slug', 'other', '--name', 'Other', '--country', 'KH', '--province', 'TH-63']);
    expect(province.stderr).toContain('provinces.0: not_in_country');
    const nationals = await cli(['org:create', '--slug', 'other', '--name', 'Other', '--country', 'TH', '--nationality', 'MM']);
    expect(nationals.stderr).toContain('nationalities: embassy_only');
    const missing = await cli(['org:create', '--slug', 'other', '--name', 'Other']);
    expect(missing).toMatchObject({ code: 2 });
    expect(missing.stderr).toContain('--country is required');
  });

  it('sets an organisation\'s time zone with --time-zone (the country\'s by default) and refuses an unknown one, naming it', async () => {
    const kuala = await cli(['org:create', '--slug', 'kl-desk', '--name', 'KL desk', '--country', 'MY']);
    const penang = await cli(['org:create', '--slug', 'penang-desk', '--name', 'Penang desk', '--country', 'TH', '--time-zone', 'Asia/Kuala_Lumpur']);
    expect([kuala.code, penang.code]).toEqual([0, 0]);
    const zones = await inspect((handle) => handle.db.selectFrom('organisations').select(['slug', 'time_zone']).where('slug', 'in', ['kl-desk', 'penang-desk']).orderBy('slug').execute());
    expect(zones).toEqual([{ slug: 'kl-desk', time_zone: 'Asia/Kuala_Lumpur' }, { slug: 'penang-desk', time_zone: 'Asia/Kuala_Lumpur' }]);
    const unknown = await cli(['org:create', '--slug', 'mars-desk', '--name', 'Mars desk', '--country', 'TH', '--time-zone', 'Mars/Olympus_Mons']);
    expect(unknown).toMatchObject({ code: 1, stdout: '', stderr: 'error: validation_failed (timeZone: unknown_time_zone)\n' });
  });

  it('refuses seed --demo when NODE_ENV=production, saying why, before touching the database; --force goes on', async () => {
    // An unreachable database: a refusal that opened it would fail with a connection error instead.
    const production = {
      NODE_ENV: 'production', LOG_LEVEL: 'silent', DATA_DIR: dataDir, DATABASE_URL: 'postgres://hotline@127.0.0.1:1/none',
      ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'), SESSION_SECRET: 'a session secret of at least thirty-two characters',
    };
    const refused = await cli(['seed', '--demo'], '', production);
    expect(refused).toMatchObject({ code: 1, stdout: '' });
    expect(refused.stderr).toMatch(/^seed --demo refused: NODE_ENV=production, and the demo adds fictional organisations and users who all share one password\. .*--force.*\n$/);
    const forced = await cli(['seed', '--demo', '--force'], '', production);
    expect(forced.code).toBe(1);
    expect(forced.stderr).not.toContain('refused');
    expect(forced.stderr).toMatch(/^error: /);
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
    expect(short.stderr).toContain('password: too_small — a password has 12 to 256 characters');
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

  describe('channels:register', () => {
    let line: FakeLine;
    let viber: FakeViber;
    let lockedDir: string;
    // The data directory is held as a running server holds it: registering needs no database.
    const channelsEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
      DATA_DIR: lockedDir, LOG_LEVEL: 'silent', PUBLIC_URL: 'https://hotline.example.org/',
      LINE_API_BASE_URL: line.baseUrl, LINE_DATA_API_BASE_URL: line.baseUrl, VIBER_API_BASE_URL: viber.config().apiBaseUrl,
      ...extra,
    });
    const lineVariables = { LINE_CHANNEL_SECRET: FAKE_LINE_SECRET, LINE_CHANNEL_ACCESS_TOKEN: FAKE_LINE_TOKEN };
    const viberVariables = { VIBER_AUTH_TOKEN: FAKE_VIBER_TOKEN };

    beforeAll(async () => {
      [line, viber] = await Promise.all([startFakeLine(), startFakeViber()]);
      lockedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hotline-cli-channels-'));
      fs.mkdirSync(path.join(lockedDir, 'hotline.lock'));
    });
    afterAll(async () => {
      await Promise.all([line.close(), viber.close()]);
      fs.rmSync(lockedDir, { recursive: true, force: true });
    });
    beforeEach(() => {
      line.requests.length = 0;
      viber.requests.length = 0;
    });

    it('points the LINE and Viber webhooks at PUBLIC_URL, one line per channel, while the server holds the data directory', async () => {
      const run = await cli(['channels:register'], '', channelsEnv({ ...lineVariables, ...viberVariables }));
      expect(run).toEqual({
        code: 0,
        stdout: 'line: registered https://hotline.example.org/webhooks/line\nviber: registered https://hotline.example.org/webhooks/viber\n',
        stderr: '',
      });
      expect(line.requests).toEqual([expect.objectContaining({
        method: 'PUT', path: '/v2/bot/channel/webhook/endpoint',
        headers: expect.objectContaining({ authorization: `Bearer ${FAKE_LINE_TOKEN}` }),
        body: { endpoint: 'https://hotline.example.org/webhooks/line' },
      })]);
      expect(viber.requests).toHaveLength(1);
      expect(viber.requests[0]).toMatchObject({ path: '/pa/set_webhook', headers: { 'x-viber-auth-token': FAKE_VIBER_TOKEN } });
      expect(viber.requests[0]?.body).toMatchObject({ url: 'https://hotline.example.org/webhooks/viber', send_name: false, send_photo: false });
      expect(fs.existsSync(path.join(lockedDir, 'pgdata'))).toBe(false);
    });

    it('skips a channel that is not configured and asks its provider nothing', async () => {
      const run = await cli(['channels:register'], '', channelsEnv(viberVariables));
      expect(run).toMatchObject({ code: 0, stdout: 'line: skipped: not configured\nviber: registered https://hotline.example.org/webhooks/viber\n' });
      expect(line.requests).toEqual([]);
      const neither = await cli(['channels:register'], '', channelsEnv());
      expect(neither).toMatchObject({ code: 0, stdout: 'line: skipped: not configured\nviber: skipped: not configured\n' });
      expect(viber.requests).toHaveLength(1);
    });

    it('reports a provider\'s refusal on its line, still registers the other channel, and exits 1', async () => {
      line.answerNext({ status: 400, body: { message: 'Invalid webhook endpoint URL' } });
      const lineRefused = await cli(['channels:register'], '', channelsEnv({ ...lineVariables, ...viberVariables }));
      expect(lineRefused.code).toBe(1);
      expect(lineRefused.stdout).toBe(
        'line: failed: LINE refused the webhook URL https://hotline.example.org/webhooks/line (400): {"message":"Invalid webhook endpoint URL"}\n' +
        'viber: registered https://hotline.example.org/webhooks/viber\n',
      );
      viber.answerNext({ json: { status: 1, status_message: 'Result[HttpRequest failed]' } });
      const viberRefused = await cli(['channels:register'], '', channelsEnv({ ...lineVariables, ...viberVariables }));
      expect(viberRefused).toMatchObject({
        code: 1,
        stdout: 'line: registered https://hotline.example.org/webhooks/line\nviber: failed: Viber answered status 1 (Result[HttpRequest failed])\n',
      });
    });

    it('fails a configured channel whose provider cannot be reached, or that lacks its access token', async () => {
      viber.answerNext('drop');
      const dropped = await cli(['channels:register'], '', channelsEnv({ LINE_CHANNEL_SECRET: FAKE_LINE_SECRET, ...viberVariables }));
      expect(dropped.code).toBe(1);
      expect(dropped.stdout).toMatch(/^line: failed: LINE_CHANNEL_ACCESS_TOKEN is not set; the webhook cannot be registered\nviber: failed: \S.*\n$/);
      expect(line.requests).toEqual([]);
    });

    it('refuses a PUBLIC_URL that is not https before asking either provider', async () => {
      const run = await cli(['channels:register'], '', channelsEnv({ ...lineVariables, ...viberVariables, PUBLIC_URL: 'http://hotline.example.org' }));
      expect(run).toMatchObject({
        code: 1,
        stdout: 'line: failed: LINE needs an https webhook URL; PUBLIC_URL gives http://hotline.example.org/webhooks/line\n' +
          'viber: failed: PUBLIC_URL must be https:// for Viber (it is http://hotline.example.org)\n',
      });
      expect([line.requests, viber.requests]).toEqual([[], []]);
    });
  });

  describe('on an embedded data directory', () => {
    let embeddedDir: string;
    let lock: string;
    const embedded = () => ({ DATA_DIR: embeddedDir, LOG_LEVEL: 'silent' });

    beforeAll(() => {
      embeddedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hotline-cli-lock-'));
      lock = path.join(embeddedDir, 'hotline.lock');
    });
    afterAll(() => {
      fs.rmSync(embeddedDir, { recursive: true, force: true });
    });

    it('refuses, in one line, a data directory another process holds, and touches nothing', async () => {
      fs.mkdirSync(lock);
      const run = await cli(['migrate'], '', embedded());
      fs.rmdirSync(lock);
      expect(run).toMatchObject({ code: 1, stdout: '' });
      expect(run.stderr).toBe(
        `error: the hotline is already running on the data directory ${embeddedDir}; stop it first (a lock left by a process that crashed is released after 30 s)\n`,
      );
      expect(fs.existsSync(path.join(embeddedDir, 'pgdata'))).toBe(false);
    });

    it('takes over a lock left by a process that crashed, and releases its own when done', async () => {
      fs.mkdirSync(lock);
      const longAgo = new Date(Date.now() - 60_000);
      fs.utimesSync(lock, longAgo, longAgo);
      expect((await cli(['migrate'], '', embedded())).code).toBe(0);
      expect(fs.existsSync(lock)).toBe(false);
    });
  });

  describe('compiled, as `npm run --silent cli` runs it', () => {
    const root = path.resolve(__dirname, '../..');
    let compiledDir: string;

    function compiled(argv: string[], stdin = ''): Promise<Run> {
      return new Promise((resolve) => {
        const child = execFile(
          process.execPath,
          [path.join(root, 'dist/src/cli.js'), ...argv],
          { env: { PATH: process.env['PATH'], DATA_DIR: compiledDir, LOG_LEVEL: 'debug' } },
          (error, stdout, stderr) => resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr }),
        );
        child.stdin?.end(stdin);
      });
    }

    beforeAll(() => {
      expect(spawnSync(process.execPath, [path.join(root, 'scripts/build-if-stale.mjs')], { cwd: root, stdio: 'inherit' }).status).toBe(0);
      compiledDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hotline-cli-compiled-'));
    }, 180_000);
    afterAll(() => {
      fs.rmSync(compiledDir, { recursive: true, force: true });
    });

    it('prints only the token on stdout; its log lines go to stderr', async () => {
      const org = await compiled(['org:create', '--slug', 'tokens-org', '--name', 'Tokens', '--country', 'TH']);
      expect(org.code).toBe(0);
      expect(org.stdout).toMatch(/^organisation tokens-org created \([0-9a-f-]{36}\)\n$/);
      // The first command on a new data directory migrates it, and logs that on stderr.
      const logged = org.stderr.trim().split('\n').map((line) => JSON.parse(line) as { msg: string });
      expect(logged.map((line) => line.msg)).toContain('database migrated');
      expect((await compiled(['user:create', '--email', 'token.holder@example.org', '--role', 'researcher', '--org', 'tokens-org'], 'a long enough password\n')).code).toBe(0);
      const token = await compiled(['token:create', '--email', 'token.holder@example.org']);
      expect(token.code).toBe(0);
      expect(token.stdout).toMatch(/^mh_[A-Za-z0-9_-]{43}\n$/);
    }, 240_000);
  });
});
