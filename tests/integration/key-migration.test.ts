import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import { generateCaseReference } from '../../src/cases/case-reference';
import { runCli } from '../../src/cli';
import { openDatabase, type DatabaseHandle } from '../../src/db/database';
import type { Database } from '../../src/db/schema';
import { KEY_MIGRATION_SETTING, countLegacyValues } from '../../src/privacy/key-migration.repository';
import { keyMigrationPending, migrateKeysStep, migrateKeysToEnd, startKeyMigration } from '../../src/privacy/key-migration.service';
import { forgetPersonKeys, openerFor, personKeyIdOf, sealerFor } from '../../src/privacy/person-keys';
import { createPersonalDataCipher, generateKey, type PersonalDataCipher } from '../../src/privacy/personal-data';
import { buildTestHotline } from '../support/app';
import { createFakeClock } from '../support/clock';
import { createTestDatabaseUrl, openTestDatabase, usingRealPostgres } from '../support/database';

// Issue #16: values sealed before per-person keys (`v1.`, ENCRYPTION_KEY alone) move to their
// person's own key, resumably. Here a database is filled the old way — every sealed column of every
// table, several people, a merge, a file before its case — and the migration is interrupted.

/** A value written the old way, and where: its table, row, column and plaintext, and whose it should become. */
interface Written {
  table: string;
  id: string;
  column: string;
  text: string;
  /** The person it belongs to now (null: nobody's, it stays under ENCRYPTION_KEY). */
  owner: string | null;
}

/** Fills a database the way the hotline did before per-person keys. */
async function writeTheOldWay(db: Kysely<Database>, cipher: PersonalDataCipher): Promise<Written[]> {
  const written: Written[] = [];
  const seal = (table: string, column: string, owner: string | null, text: string) => {
    const sealed = cipher.seal(text);
    written.push({ table, id: '', column, text, owner });
    return { sealed, note: written[written.length - 1] as Written };
  };
  const row = async <T extends { id: string }>(insert: Promise<T>, notes: Written[]) => {
    const { id } = await insert;
    for (const note of notes) note.id = id;
    return id;
  };
  const person = async () => (await db.insertInto('people').defaultValues().returning('id').executeTakeFirstOrThrow()).id;
  const org = (await db.insertInto('organisations').values({ slug: 'mae-sot', name: 'Mae Sot', kind: 'ngo', country: 'TH', provinces: [], languages: [], categories: [], nationalities: [] })
    .returning('id').executeTakeFirstOrThrow()).id;
  const embassy = (await db.insertInto('organisations').values({ slug: 'embassy', name: 'Embassy', kind: 'embassy', country: 'TH', provinces: [], languages: [], categories: [], nationalities: ['MM'] })
    .returning('id').executeTakeFirstOrThrow()).id;
  const user = (await db.insertInto('users').values({ organisation_id: org, email: 'cw@test', display_name: 'cw', role: 'caseworker', phone_encrypted: cipher.seal('+66900000001') })
    .returning('id').executeTakeFirstOrThrow()).id;

  /** A worker with an SMS identity, a case and everything that can hang off it. */
  const worker = async (personId: string, label: string, phone: string) => {
    const address = seal('contacts', 'address_encrypted', personId, phone);
    const contact = await row(db.insertInto('contacts').values({ person_id: personId, channel: 'sms', address_hash: cipher.lookupHash(phone), address_encrypted: address.sealed })
      .returning('id').executeTakeFirstOrThrow(), [address.note]);
    const fields = {
      location_raw_encrypted: seal('cases', 'location_raw_encrypted', personId, `${label} lives in Mahachai`),
      summary_encrypted: seal('cases', 'summary_encrypted', personId, `${label}: the boss keeps my passport`),
      employer_encrypted: seal('cases', 'employer_encrypted', personId, `${label}'s employer`),
      consent_wording_encrypted: seal('cases', 'consent_wording_encrypted', personId, 'May we share? YES'),
    };
    const caseId = await row(db.insertInto('cases').values({
      reference: generateCaseReference(), contact_id: contact, person_id: personId, channel: 'sms', language: 'my',
      ...Object.fromEntries(Object.entries(fields).map(([column, value]) => [column, value.sealed])),
    }).returning('id').executeTakeFirstOrThrow(), Object.values(fields).map((value) => value.note));
    const body = seal('messages', 'body_encrypted', personId, `${label} wrote this`);
    const raw = seal('messages', 'raw_body_encrypted', personId, `${label} wrote this (Zawgyi)`);
    const url = cipher.seal(`https://api.twilio.com/Media/${label}`);
    written.push({ table: 'messages.media', id: '', column: 'url', text: `https://api.twilio.com/Media/${label}`, owner: personId });
    const mediaNote = written[written.length - 1] as Written;
    await row(db.insertInto('messages').values({
      contact_id: contact, case_id: caseId, direction: 'in', channel: 'sms', status: 'received', body_encrypted: body.sealed, raw_body_encrypted: raw.sealed,
      media: JSON.stringify([{ contentType: 'image/jpeg', url }]),
    }).returning('id').executeTakeFirstOrThrow(), [body.note, raw.note, mediaNote]);
    const reply = seal('messages', 'body_encrypted', personId, `we will call ${label}`);
    await row(db.insertInto('messages').values({ contact_id: contact, case_id: caseId, direction: 'out', channel: 'sms', status: 'delivered', body_encrypted: reply.sealed })
      .returning('id').executeTakeFirstOrThrow(), [reply.note]);
    const note = seal('notes', 'body_encrypted', personId, `${label} called back`);
    await row(db.insertInto('notes').values({ case_id: caseId, organisation_id: org, author_user_id: user, visibility: 'organisation', body_encrypted: note.sealed })
      .returning('id').executeTakeFirstOrThrow(), [note.note]);
    const reason = seal('referrals', 'reason_encrypted', personId, `${label} needs a lawyer`);
    const decline = seal('referrals', 'decline_reason_encrypted', personId, 'no capacity');
    await row(db.insertInto('referrals').values({ case_id: caseId, to_organisation_id: org, status: 'declined', reason_encrypted: reason.sealed, decline_reason_encrypted: decline.sealed, due_at: new Date() })
      .returning('id').executeTakeFirstOrThrow(), [reason.note, decline.note]);
    const why = seal('escalations', 'reason_encrypted', personId, `${label} was detained`);
    const outcome = seal('escalations', 'outcome_encrypted', personId, 'released');
    await row(db.insertInto('escalations').values({ case_id: caseId, embassy_organisation_id: embassy, status: 'closed', reason_encrypted: why.sealed, outcome_encrypted: outcome.sealed })
      .returning('id').executeTakeFirstOrThrow(), [why.note, outcome.note]);
    const fileKey = seal('attachments', 'key_encrypted', personId, crypto.randomBytes(32).toString('base64'));
    const providerUrl = seal('attachments', 'provider_url_encrypted', personId, `https://api.twilio.com/Media/${label}-file`);
    await row(db.insertInto('attachments').values({ case_id: caseId, person_id: personId, source: 'twilio', status: 'stored', key_encrypted: fileKey.sealed, provider_url_encrypted: providerUrl.sealed })
      .returning('id').executeTakeFirstOrThrow(), [fileKey.note, providerUrl.note]);
    const caller = seal('calls', 'caller_encrypted', personId, phone);
    await row(db.insertInto('calls').values({ call_sid: `CA${crypto.randomBytes(16).toString('hex')}`, contact_id: contact, case_id: caseId, caller_encrypted: caller.sealed, state: '{}' })
      .returning('id').executeTakeFirstOrThrow(), [caller.note]);
    return { contact, caseId };
  };

  const people: string[] = [];
  for (let index = 0; index < 5; index += 1) {
    const personId = await person();
    people.push(personId);
    await worker(personId, `worker ${index}`, `+6681000000${index}`);
  }
  // A web case with no contact, and what the worker added on the status page (a message with a case, no contact).
  const webPerson = await person();
  const story = seal('cases', 'summary_encrypted', webPerson, 'reported on the web form');
  const webCase = await row(db.insertInto('cases').values({ reference: generateCaseReference(), person_id: webPerson, channel: 'web', language: 'th', summary_encrypted: story.sealed })
    .returning('id').executeTakeFirstOrThrow(), [story.note]);
  const added = seal('messages', 'body_encrypted', webPerson, 'we moved to another factory');
  await row(db.insertInto('messages').values({ case_id: webCase, direction: 'in', channel: 'web', status: 'received', body_encrypted: added.sealed })
    .returning('id').executeTakeFirstOrThrow(), [added.note]);

  // Two people merged: the merged one's identity and case now belong to the kept one, and so do their values.
  const kept = await person();
  const merged = await person();
  await worker(kept, 'kept worker', '+66820000001');
  const moved = await worker(merged, 'merged worker', '+66820000002');
  await db.updateTable('contacts').set({ person_id: kept }).where('id', '=', moved.contact).execute();
  await db.updateTable('cases').set({ person_id: kept }).where('id', '=', moved.caseId).execute();
  await db.insertInto('person_merges').values({ kept_person_id: kept, merged_person_id: merged, contact_ids: [moved.contact], case_ids: [moved.caseId], merged_by_user_id: user, merged_at: new Date() }).execute();
  for (const note of written) if (note.owner === merged) note.owner = kept;

  // A photo sent before any case opened: the person's, with no case.
  const early = await person();
  const earlyKey = seal('attachments', 'key_encrypted', early, crypto.randomBytes(32).toString('base64'));
  await row(db.insertInto('attachments').values({ person_id: early, source: 'twilio', status: 'stored', key_encrypted: earlyKey.sealed }).returning('id').executeTakeFirstOrThrow(), [earlyKey.note]);

  // A person with a key already (the new code ran for them once) and an old value beside a new one.
  const mixed = await person();
  const mixedSealer = await sealerFor(db, cipher, mixed);
  const old = seal('contacts', 'address_encrypted', mixed, '+66830000001');
  await row(db.insertInto('contacts').values({ person_id: mixed, channel: 'whatsapp', address_hash: cipher.lookupHash('+66830000001'), address_encrypted: old.sealed })
    .returning('id').executeTakeFirstOrThrow(), [old.note]);
  const fresh = mixedSealer.seal('already under my key');
  const freshId = (await db.insertInto('cases').values({ reference: generateCaseReference(), person_id: mixed, channel: 'whatsapp', language: 'vi', summary_encrypted: fresh })
    .returning('id').executeTakeFirstOrThrow()).id;
  written.push({ table: 'cases', id: freshId, column: 'summary_encrypted', text: 'already under my key', owner: mixed });

  // Nobody's: a recorded voice prompt's file key, and an unknown caller's number while the call lasts.
  const prompt = seal('attachments', 'key_encrypted', null, crypto.randomBytes(32).toString('base64'));
  await row(db.insertInto('attachments').values({ source: 'console', status: 'stored', key_encrypted: prompt.sealed }).returning('id').executeTakeFirstOrThrow(), [prompt.note]);
  const unknown = seal('calls', 'caller_encrypted', null, '+66890000000');
  await row(db.insertInto('calls').values({ call_sid: `CA${'0'.repeat(32)}`, caller_encrypted: unknown.sealed, state: '{}' }).returning('id').executeTakeFirstOrThrow(), [unknown.note]);
  return written;
}

/** The stored value of a written one, as it is now. */
async function storedValue(db: Kysely<Database>, value: Written): Promise<string | null> {
  if (value.table === 'messages.media') {
    const row = await db.selectFrom('messages').select('media').where('id', '=', value.id).executeTakeFirstOrThrow();
    return (row.media as { url: string }[])[0]?.url ?? null;
  }
  const row = await db.selectFrom(value.table as 'contacts').select(value.column as 'address_encrypted').where('id', '=', value.id).executeTakeFirstOrThrow();
  return (row as Record<string, string | null>)[value.column] ?? null;
}

async function keyIdOf(db: Kysely<Database>, personId: string): Promise<string> {
  const row = await db.selectFrom('person_keys').select('id').where('person_id', '=', personId).executeTakeFirstOrThrow();
  return row.id.replace(/-/g, '');
}

describe('moving values sealed before per-person keys to them', () => {
  let handle: DatabaseHandle;
  const cipher = createPersonalDataCipher({ current: generateKey() });
  const clock = createFakeClock();
  let written: Written[];

  beforeAll(async () => {
    handle = await openTestDatabase();
    written = await writeTheOldWay(handle.db, cipher);
  });
  afterAll(async () => {
    await handle.close();
  });

  it('starts with every personal value under ENCRYPTION_KEY alone, and counts them', async () => {
    const left = await countLegacyValues(handle.db);
    const personal = written.filter((value) => value.owner !== null && value.text !== 'already under my key');
    expect(Object.values(left).reduce((sum, count) => sum + count, 0)).toBe(personal.length);
    expect(left).toMatchObject({ contacts: 8, notes: 7, referrals: 14, escalations: 14, calls: 7 });
    expect(await keyMigrationPending(handle.db)).toBe(true);
  });

  it('resumes after an interruption, and leaves every value under its own person’s key, opening to the same text', async () => {
    const deps = { db: handle.db, cipher, clock };
    const first = await migrateKeysStep(deps, 3);
    expect(first).toMatchObject({ done: false, phase: 'people', people: 3 });
    expect(first.values).toBeGreaterThan(0);
    const checkpoint = await handle.db.selectFrom('settings').select('value').where('key', '=', KEY_MIGRATION_SETTING).executeTakeFirstOrThrow();
    expect(checkpoint.value).toMatchObject({ phase: 'people', migrated: first.values });

    // As if another process (no keys in memory) took over from the checkpoint.
    forgetPersonKeys(cipher);
    const steps: number[] = [];
    const result = await migrateKeysToEnd(deps, { batchSize: 3, onStep: (step) => steps.push(step.values) });
    expect(result.leftTotal).toBe(0);
    expect(result.migrated).toBe(written.filter((value) => value.owner !== null && value.text !== 'already under my key').length);
    expect(await keyMigrationPending(handle.db)).toBe(false);

    forgetPersonKeys(cipher);
    const stored = await Promise.all(written.map((value) => storedValue(handle.db, value)));
    const opener = await openerFor(handle.db, cipher, stored);
    for (const [index, value] of written.entries()) {
      const now = stored[index] ?? null;
      expect({ where: `${value.table}.${value.column}`, text: opener.open(now ?? '') }).toEqual({ where: `${value.table}.${value.column}`, text: value.text });
      if (value.owner === null) {
        expect(now?.startsWith('v1.')).toBe(true);
      } else {
        expect({ where: `${value.table}.${value.column}`, key: personKeyIdOf(now) }).toEqual({ where: `${value.table}.${value.column}`, key: await keyIdOf(handle.db, value.owner) });
      }
    }
    // Staff's own phone numbers are not a worker's: they stay under ENCRYPTION_KEY.
    const staff = await handle.db.selectFrom('users').select('phone_encrypted').executeTakeFirstOrThrow();
    expect(staff.phone_encrypted?.startsWith('v1.')).toBe(true);
  });

  it('changes nothing when run again, even from scratch', async () => {
    const before = await Promise.all(written.map((value) => storedValue(handle.db, value)));
    await handle.db.deleteFrom('settings').where('key', '=', KEY_MIGRATION_SETTING).execute();
    const again = await migrateKeysToEnd({ db: handle.db, cipher, clock }, { batchSize: 4 });
    expect(again).toMatchObject({ migrated: 0, leftTotal: 0 });
    expect(await Promise.all(written.map((value) => storedValue(handle.db, value)))).toEqual(before);
  });

  it('keeps a value written meanwhile under its person’s key instead of the old one it read', async () => {
    const personId = (await handle.db.insertInto('people').defaultValues().returning('id').executeTakeFirstOrThrow()).id;
    const old = cipher.seal('+66840000001');
    const contact = (await handle.db.insertInto('contacts').values({ person_id: personId, channel: 'sms', address_hash: cipher.lookupHash('+66840000001'), address_encrypted: old })
      .returning('id').executeTakeFirstOrThrow()).id;
    const { listLegacyRowsOfPeople, updateSealedValues } = await import('../../src/privacy/key-migration.repository');
    const [legacy] = await listLegacyRowsOfPeople(handle.db, [personId]);
    const newer = (await sealerFor(handle.db, cipher, personId)).seal('+66840000002');
    await handle.db.updateTable('contacts').set({ address_encrypted: newer }).where('id', '=', contact).execute();
    await handle.db.transaction().execute((trx) => updateSealedValues(trx, 'contacts', [{ id: contact, old: legacy?.values ?? [], new: [cipher.seal('stale')] }]));
    const row = await handle.db.selectFrom('contacts').select('address_encrypted').where('id', '=', contact).executeTakeFirstOrThrow();
    expect(row.address_encrypted).toBe(newer);
  });
});

describe('the keys.migrate job and the CLI', () => {
  it('is queued at a worker’s start while values are left, runs batch after batch, and is not queued once done', async () => {
    const handle = await openTestDatabase();
    try {
      const hotline = buildTestHotline(handle);
      await writeTheOldWay(handle.db, hotline.cipher);
      expect(await startKeyMigration({ db: handle.db, clock: createFakeClock(), jobs: hotline.jobs })).toBe(true);
      expect(await startKeyMigration({ db: handle.db, clock: createFakeClock(), jobs: hotline.jobs })).toBe(false);
      const queued = await handle.db.selectFrom('jobs_outbox').select('payload').where('name', '=', 'keys.migrate').execute();
      expect(queued).toEqual([{ payload: {} }]);
      await hotline.runJobs();
      expect(Object.values(await countLegacyValues(handle.db)).reduce((sum, count) => sum + count, 0)).toBe(0);
      expect(await keyMigrationPending(handle.db)).toBe(false);
      expect(await startKeyMigration({ db: handle.db, clock: createFakeClock(), jobs: hotline.jobs })).toBe(false);
    } finally {
      await handle.close();
    }
  });

  it('keys:migrate runs to the end and prints what is left (0); keys:rewrap re-wraps the people’s keys after a rotation', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hotline-keys-'));
    const oldKey = generateKey();
    const env: NodeJS.ProcessEnv = { DATA_DIR: dataDir, LOG_LEVEL: 'silent', ENCRYPTION_KEY: oldKey };
    let drop: () => Promise<void> = async () => undefined;
    if (usingRealPostgres()) {
      const database = await createTestDatabaseUrl();
      env['DATABASE_URL'] = database.url;
      drop = database.drop;
    }
    const cli = async (argv: string[], runEnv = env) => {
      let stdout = '';
      let stderr = '';
      const code = await runCli(argv, runEnv, { stdin: Readable.from([]), stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) } });
      return { code, stdout, stderr };
    };
    const inspect = async <T>(work: (db: Kysely<Database>) => Promise<T>): Promise<T> => {
      const handle = await openDatabase(env['DATABASE_URL'] ? { databaseUrl: env['DATABASE_URL'] } : { pgliteDataDir: path.join(dataDir, 'pgdata') });
      try {
        return await work(handle.db);
      } finally {
        await handle.close();
      }
    };
    try {
      expect((await cli(['migrate'])).code).toBe(0);
      const written = await inspect((db) => writeTheOldWay(db, createPersonalDataCipher({ current: oldKey })));
      const run = await cli(['keys:migrate', '--batch', '2']);
      expect(run).toMatchObject({ code: 0, stderr: '' });
      expect(run.stdout).toContain('values left under the old scheme: 0\n');
      expect(run.stdout).toMatch(/done: \d+ people walked, \d+ values sealed under their person's key/);
      expect((await cli(['keys:migrate', '--batch', '0'])).code).toBe(2);

      const newKey = generateKey();
      const rotated = { ...env, ENCRYPTION_KEY: newKey, ENCRYPTION_KEYS_PREVIOUS: oldKey };
      const rewrap = await cli(['keys:rewrap'], rotated);
      expect(rewrap).toMatchObject({ code: 0 });
      expect(rewrap.stdout).toMatch(/^\d+ person data key\(s\) sealed again under the current ENCRYPTION_KEY\n$/);
      expect(Number(rewrap.stdout.split(' ')[0])).toBeGreaterThan(0);
      // The values open with the new key alone.
      const newOnly = createPersonalDataCipher({ current: newKey });
      await inspect(async (db) => {
        const personal = written.filter((value) => value.owner !== null);
        const stored = await Promise.all(personal.map((value) => storedValue(db, value)));
        const opener = await openerFor(db, newOnly, stored);
        expect(stored.map((value) => opener.open(value ?? ''))).toEqual(personal.map((value) => value.text));
      });
      expect((await cli(['keys:rewrap'], rotated)).stdout).toBe('0 person data key(s) sealed again under the current ENCRYPTION_KEY\n');
    } finally {
      await drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
