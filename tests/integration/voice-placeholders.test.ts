import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { PROMPT_KEYS } from '../../src/channels/voice/voice-call';
import { voicePromptOverview } from '../../src/channels/voice/voice-prompts.service';
import { runCli } from '../../src/cli';
import { openDatabase, type DatabaseHandle } from '../../src/db/database';
import { buildTestHotline } from '../support/app';
import { signedInAgent } from '../support/console';
import { createTestDatabaseUrl, usingRealPostgres } from '../support/database';

// `npm run cli -- voice:placeholders`: placeholder recordings spoken by Debian's espeak-ng (run for
// real here; .ci/run installs it), marked as placeholders, made only with --yes, never over an
// admin's own recording without --replace, and refused for Khmer and Lao, which it cannot speak.

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('the voice:placeholders command', () => {
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
    const handle = await openDatabase(env['DATABASE_URL'] ? { databaseUrl: env['DATABASE_URL'] } : { pgliteDataDir: path.join(dataDir, 'pgdata') });
    try {
      return await work(handle);
    } finally {
      await handle.close();
    }
  }

  const burmese = () => inspect(async (handle) => {
    const rows = await handle.db
      .selectFrom('voice_prompts')
      .innerJoin('attachments', 'attachments.id', 'voice_prompts.attachment_id')
      .select(['voice_prompts.prompt_key', 'voice_prompts.attachment_id', 'attachments.provider_ref', 'attachments.source', 'attachments.kind', 'attachments.content_type', 'attachments.size_bytes', 'attachments.status'])
      .where('voice_prompts.language', '=', 'my')
      .orderBy('voice_prompts.prompt_key')
      .execute();
    return rows;
  });

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hotline-placeholders-'));
    env = { DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
    cleanup = async () => fs.rmSync(dataDir, { recursive: true, force: true });
    if (usingRealPostgres()) {
      const database = await createTestDatabaseUrl();
      env['DATABASE_URL'] = database.url;
      env['ENCRYPTION_KEY'] = Buffer.alloc(32, 5).toString('base64');
      const removeDir = cleanup;
      cleanup = async () => {
        await database.drop();
        await removeDir();
      };
    }
    expect((await cli(['migrate'])).code).toBe(0);
  });
  afterAll(async () => {
    await cleanup();
  });

  it('refuses Khmer and Lao (espeak-ng has no voice for them) and unknown languages, before touching anything', async () => {
    const khmer = await cli(['voice:placeholders', '--language', 'my,km', '--yes']);
    expect(khmer).toMatchObject({ code: 1, stdout: '' });
    expect(khmer.stderr).toBe('espeak-ng has no voice for km (it speaks my, th, vi, en): record these prompts in the console instead (/console/admin/voice/km)\n');
    const lao = await cli(['voice:placeholders', '--language', 'lo']);
    expect(lao.stderr).toContain('espeak-ng has no voice for lo');
    const unknown = await cli(['voice:placeholders', '--language', 'fr']);
    expect(unknown).toMatchObject({ code: 1 });
    expect(unknown.stderr).toContain('unknown language: fr');
    expect(await burmese()).toEqual([]);
  });

  it('lists what it would make without --yes, and makes nothing', async () => {
    const dry = await cli(['voice:placeholders']);
    expect(dry).toMatchObject({ code: 0, stderr: '' });
    const lines = dry.stdout.trim().split('\n');
    expect(lines[0]).toBe('dry run: nothing changed; add --yes to make these');
    expect(lines.slice(1)).toEqual(PROMPT_KEYS.map((key) => `my ${key}: placeholder made`));
    expect(await burmese()).toEqual([]);
  });

  it('makes marked placeholders with --yes: Burmese joins the phone menu, the console says "placeholder"', async () => {
    const made = await cli(['voice:placeholders', '--yes']);
    expect(made).toMatchObject({ code: 0, stderr: '' });
    expect(made.stdout).toContain('12 placeholder recording(s) made; the phone menu offers: my, th, vi, en\n');
    const rows = await burmese();
    expect(rows).toHaveLength(PROMPT_KEYS.length);
    for (const row of rows) {
      expect(row).toMatchObject({ provider_ref: 'placeholder:espeak-ng', source: 'console', kind: 'audio', content_type: 'audio/wav', status: 'stored' });
      // Real speech, not an empty file: espeak-ng's WAV of a sentence is tens of kilobytes.
      expect(Number(row.size_bytes)).toBeGreaterThan(10_000);
    }
    expect(await inspect(async (handle) => (await voicePromptOverview(handle)).find((entry) => entry.language === 'my'))).toMatchObject({ offered: true, placeholders: 12 });
    const audited = await inspect((handle) => handle.db.selectFrom('audit_log').select(['actor_kind', 'details']).where('action', '=', 'voice_prompt.recorded').execute());
    expect(audited).toHaveLength(12);
    expect(audited[0]).toMatchObject({ actor_kind: 'cli', details: { language: 'my', placeholder: true } });

    // The console marks them as placeholders.
    expect((await cli(['org:create', '--slug', 'voice-net', '--name', 'Voice Network', '--country', 'TH', '--kind', 'network'])).code).toBe(0);
    expect((await cli(['user:create', '--email', 'voice.admin@example.org', '--role', 'admin', '--org', 'voice-net'], 'voice admin password\n')).code).toBe(0);
    const page = await inspect(async (handle) => {
      const { agent } = await signedInAgent(buildTestHotline(handle).app, 'voice.admin@example.org', 'voice admin password');
      return (await agent.get('/console/admin/voice/my').expect(200)).text;
    });
    expect(page).toContain('<code>goodbye</code> · Placeholder (espeak-ng)');

  });

  it('keeps an admin\'s recording when it makes placeholders again', async () => {
    // An admin records "goodbye" themselves (the mark goes: it is theirs now).
    const goodbye = (await burmese()).find((row) => row.prompt_key === 'goodbye');
    await inspect((handle) => handle.db.updateTable('attachments').set({ provider_ref: null }).where('id', '=', goodbye?.attachment_id ?? '').execute());

    const again = await cli(['voice:placeholders', '--yes']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('my goodbye: kept (an admin\'s recording; --replace to overwrite it)\n');
    expect(again.stdout).toContain('my safety: placeholder made again\n');
    const kept = (await burmese()).find((row) => row.prompt_key === 'goodbye');
    expect(kept).toMatchObject({ attachment_id: goodbye?.attachment_id, provider_ref: null });
  });

  it('overwrites an admin\'s recording only with --replace, deleting what it replaces', async () => {

    const replaced = await cli(['voice:placeholders', '--language', 'my', '--yes', '--replace']);
    expect(replaced.stdout).toContain('my goodbye: replaces an admin\'s recording\n');
    expect((await burmese()).find((row) => row.prompt_key === 'goodbye')).toMatchObject({ provider_ref: 'placeholder:espeak-ng' });
    // The replaced recordings are gone, not left unreferenced.
    const orphans = await inspect((handle) => handle.db.selectFrom('attachments').select('id').where('source', '=', 'console')
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('voice_prompts').select('id').whereRef('voice_prompts.attachment_id', '=', 'attachments.id')))).execute());
    expect(orphans).toEqual([]);
  });
});
