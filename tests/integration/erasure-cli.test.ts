import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { sql } from 'kysely';
import { openCase } from '../../src/cases/case.service';
import { runCli } from '../../src/cli';
import { findOrCreateContact } from '../../src/contacts/contact.repository';
import { openDatabase, type DatabaseHandle } from '../../src/db/database';
import { createPersonalDataCipher, generateKey } from '../../src/privacy/personal-data';
import { createTestDatabaseUrl, usingRealPostgres } from '../support/database';
import { openAllStored } from '../support/sealed';

// The operator's erasure and retention commands: a dry run first, which changes nothing and says
// what would go; with --yes the erasure is recorded (source cli), run and audited.

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const PHONE = '+66819990001';
const KEY = generateKey();
const cipher = createPersonalDataCipher({ current: KEY });

describe('erasing from the CLI', () => {
  let env: NodeJS.ProcessEnv;
  let cleanup: () => Promise<void>;
  let dataDir: string;

  async function cli(argv: string[]): Promise<Run> {
    let stdout = '';
    let stderr = '';
    const code = await runCli(argv, env, {
      stdin: Readable.from([]),
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

  /** Every row of every table as text (the whole database, to see that a dry run changed nothing). */
  const dump = () =>
    inspect(async (handle) => {
      const { rows: tables } = await sql<{ table_name: string }>`
        select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`.execute(handle.db);
      const rows: string[] = [];
      for (const { table_name } of tables) {
        const result = await sql<{ row: string }>`select t::text as row from ${sql.table(table_name)} t order by 1`.execute(handle.db);
        rows.push(`${table_name}: ${result.rows.map((row) => row.row).join('\n')}`);
      }
      return rows;
    });

  /** Workers, each on a channel with one case: their references and people. */
  const workers = (...given: { channel: 'sms' | 'whatsapp'; address: string; story: string }[]) =>
    inspect(async (handle) => {
      const made: { reference: string; personId: string }[] = [];
      for (const { channel, address, story } of given) {
        made.push(await handle.db.transaction().execute(async (trx) => {
          const contact = await findOrCreateContact(trx, cipher, { channel, address, language: 'en' });
          const opened = await openCase(trx, { cipher, clock: { now: () => new Date() } }, { channel, language: 'en', contactId: contact.id, story, receivedAt: new Date() });
          const { person_id } = await trx.selectFrom('cases').select('person_id').where('id', '=', opened.id).executeTakeFirstOrThrow();
          return { reference: opened.reference, personId: person_id };
        }));
      }
      return made;
    });

  /** The stories of these cases as they open now (null once erased). */
  const storiesOf = (...references: string[]) =>
    inspect(async (handle) => {
      const rows = await handle.db.selectFrom('cases').select(['reference', 'summary_encrypted']).where('reference', 'in', references).execute();
      return openAllStored(handle.db, cipher, references.map((reference) => rows.find((row) => row.reference === reference)?.summary_encrypted));
    });

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hotline-erase-cli-'));
    env = { DATA_DIR: dataDir, LOG_LEVEL: 'silent', ENCRYPTION_KEY: KEY };
    cleanup = async () => fs.rmSync(dataDir, { recursive: true, force: true });
    if (usingRealPostgres()) {
      const database = await createTestDatabaseUrl();
      env['DATABASE_URL'] = database.url;
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

  it('refuses an erasure that does not name exactly one worker, or names them badly', async () => {
    expect(await cli(['erase'])).toMatchObject({ code: 1, stderr: expect.stringContaining('exactly one of --reference, --phone or --person') });
    expect(await cli(['erase', '--reference', 'ABC-DEF', '--phone', PHONE])).toMatchObject({ code: 1 });
    expect(await cli(['erase', '--phone', '0812345678'])).toMatchObject({ code: 1, stderr: expect.stringContaining('E.164') });
    expect(await cli(['erase', '--person', 'me'])).toMatchObject({ code: 1, stderr: expect.stringContaining('UUID') });
    expect(await cli(['erase', '--phone', PHONE, '--reason', 'retention'])).toMatchObject({ code: 1, stderr: expect.stringContaining('--reason must be one of') });
    expect(await cli(['erase', '--reference', 'ABC-DEF'])).toMatchObject({ code: 1, stderr: expect.stringContaining('no worker found') });
  });

  it('prints what would go on a dry run and changes nothing; with --yes erases every worker of the number, audited', async () => {
    const [onSms, onWhatsapp, other] = await workers(
      { channel: 'sms', address: PHONE, story: 'my boss keeps my passport cli-canary-1' },
      { channel: 'whatsapp', address: PHONE, story: 'no pay for two months cli-canary-2' },
      { channel: 'sms', address: '+66819990002', story: 'another worker cli-keeper' },
    );
    if (!onSms || !onWhatsapp || !other) throw new Error('the workers were not made');
    const before = await dump();

    const dry = await cli(['erase', '--phone', PHONE]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('dry run: nothing changed');
    expect(dry.stdout).toContain(`person ${onSms.personId} (${onSms.reference}): would erase people: 1, identities: 1, cases: 1, data keys: 1\n`);
    expect(dry.stdout).toContain(onWhatsapp.reference);
    expect(dry.stdout).not.toContain(other.reference);
    expect(dry.stdout).not.toContain('cli-canary');
    expect(await dump()).toEqual(before);

    const done = await cli(['erase', '--phone', PHONE, '--reason', 'legal_order', '--yes']);
    expect(done).toMatchObject({ code: 0, stderr: '' });
    expect(done.stdout).toMatch(new RegExp(`person ${onSms.personId} \\(${onSms.reference}\\): erased \\(erasure [0-9a-f-]{36}\\): people: 1, identities: 1, cases: 1, data keys: 1\n`));
    expect(done.stdout).toContain(onWhatsapp.reference);
    expect(await storiesOf(onSms.reference, onWhatsapp.reference, other.reference)).toEqual([null, null, 'another worker cli-keeper']);
    const recorded = await inspect(async (handle) => ({
      erasures: await handle.db.selectFrom('erasures').select(['person_id', 'source', 'status', 'reason']).orderBy('person_id').execute(),
      audit: await handle.db.selectFrom('audit_log').select(['actor_kind', 'details']).where('action', '=', 'erasure.done').execute(),
    }));
    expect(recorded.erasures).toEqual([onSms.personId, onWhatsapp.personId].sort().map((personId) => ({ person_id: personId, source: 'cli', status: 'done', reason: 'legal_order' })));
    expect(recorded.audit).toHaveLength(2);
    expect(recorded.audit.every((line) => line.actor_kind === 'cli')).toBe(true);
    // The number is forgotten: asking again finds nobody.
    expect(await cli(['erase', '--phone', PHONE])).toMatchObject({ code: 1, stderr: expect.stringContaining('no worker found') });
  });

  it('erases the worker of a case by its reference, typed any way', async () => {
    const [found] = await workers({ channel: 'sms', address: '+66819990003', story: 'by reference cli-canary-3' });
    if (!found) throw new Error('the worker was not made');
    const typed = found.reference.toLowerCase().replace('-', ' ');
    const dry = await cli(['erase', '--reference', typed]);
    expect(dry.stdout).toContain(`person ${found.personId} (${found.reference}): would erase`);
    expect((await cli(['erase', '--person', found.personId, '--yes'])).code).toBe(0);
    expect(await storiesOf(found.reference)).toEqual([null]);
  });

  it('runs retention: a dry run first that changes nothing, then --yes erases what is past its period', async () => {
    const [old, recent] = await workers(
      { channel: 'sms', address: '+66819990004', story: 'resolved long ago cli-retention-old' },
      { channel: 'sms', address: '+66819990005', story: 'resolved lately cli-retention-new' },
    );
    if (!old || !recent) throw new Error('the workers were not made');
    await inspect(async (handle) => {
      const resolvedAt = (months: number) => new Date(Date.now() - months * 31 * 86_400_000);
      await handle.db.updateTable('cases').set({ status: 'resolved', resolved_at: resolvedAt(25) }).where('reference', '=', old.reference).execute();
      await handle.db.updateTable('cases').set({ status: 'resolved', resolved_at: resolvedAt(23) }).where('reference', '=', recent.reference).execute();
    });
    const before = await dump();
    const dry = await cli(['retention:run']);
    expect(dry).toMatchObject({ code: 0, stderr: '' });
    expect(dry.stdout).toContain('dry run: nothing changed');
    expect(dry.stdout).toContain('would erase the personal data of 1 worker(s) whose every case is past retention');
    expect(await dump()).toEqual(before);

    const done = await cli(['retention:run', '--yes']);
    expect(done.stdout).toContain('erased the personal data of 1 worker(s) whose every case is past retention');
    expect(await storiesOf(old.reference, recent.reference)).toEqual([null, 'resolved lately cli-retention-new']);
    expect((await cli(['retention:run', '--yes'])).stdout).toContain('erased the personal data of 0 worker(s)');
  });
});
