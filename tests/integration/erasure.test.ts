import crypto from 'node:crypto';
import type { Readable } from 'node:stream';
import { sql } from 'kysely';
import request from 'supertest';
import { openSealed } from '../../src/attachments/attachment-store';
import { pinHashOf } from '../../src/cases/case-pin';
import { employerKeyText } from '../../src/cases/case.service';
import { createLineSender } from '../../src/channels/line/line-sender';
import type { DatabaseHandle } from '../../src/db/database';
import { inTransaction } from '../../src/db/transaction';
import { eraseNow, planErasure, runErasure, type ErasureDeps } from '../../src/privacy/erasure.service';
import { ErasedValueError, openerFor, personKeyIdOf, sealerFor } from '../../src/privacy/person-keys';
import { buildTestHotline, type TestHotline } from '../support/app';
import { createLineWorker } from '../support/chat-worker';
import { createFakeClock, type FakeClock } from '../support/clock';
import { openTestDatabase } from '../support/database';
import { startFakeLine, type FakeLine } from '../support/fake-line';
import { startFakeTwilio, type FakeTwilio } from '../support/fake-twilio';
import { seedTestNetwork, type TestNetwork } from '../support/network';
import { createWorkerPhone } from '../support/sms-conversation';
import { toneWav } from '../support/attachment-samples';

// A worker's erasure end to end (issue #16): a worker with cases on SMS, LINE (merged in) and the
// web form, files, a referral, an escalation, notes, staff replies and a voice message is erased;
// then every table of the database is read back, every sealed value in it opened with the keys
// there are, and the worker's canaries — unique words put in everything they and staff wrote —
// are found in nothing that opens. The statistics do not move; a copy taken before the erasure
// no longer opens the worker's values sealed under their own key; Twilio's copies are deleted.

const PHONE = '+66812223344';
const CANARY = {
  sms: 'canary-sms-7Q2',
  line: 'canary-line-4K8',
  web: 'canary-web-9X1',
  employer: 'Canary Employer 5T3',
  location: 'canary-place-2M6',
  note: 'canary-note-8B4',
  referral: 'canary-referral-3J7',
  escalation: 'canary-escalation-6H2',
  reply: 'canary-reply-1W9',
  file: 'canary-file-5R5',
  personKey: 'canary-personkey-0P0',
};
const CANARIES = [...Object.values(CANARY), PHONE, PHONE.slice(1)];

function pdfWith(words: string): Buffer {
  return Buffer.from(`%PDF-1.4\n% ${words}\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n`, 'latin1');
}

function csrfOf(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('no CSRF token on the page');
  return match[1];
}

async function bytesOf(stream: Readable): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for await (const piece of stream as AsyncIterable<Buffer>) pieces.push(piece);
  return Buffer.concat(pieces);
}

/** Every row of every table of the database, each as PostgreSQL writes it as text, by table. */
async function dumpEveryTable(handle: DatabaseHandle): Promise<Map<string, string[]>> {
  const { rows: tables } = await sql<{ table_name: string }>`
    select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`.execute(handle.db);
  const dump = new Map<string, string[]>();
  for (const { table_name } of tables) {
    const { rows } = await sql<{ row: string }>`select t::text as row from ${sql.table(table_name)} t`.execute(handle.db);
    dump.set(table_name, rows.map((row) => row.row));
  }
  return dump;
}

/** Every sealed value (`v1.…` under ENCRYPTION_KEY, `p1.…` under a person's key) in a dump. */
function sealedValuesIn(text: string): string[] {
  return (text.match(/[A-Za-z0-9_.-]+/g) ?? []).filter((run) => /^(v1|p1)\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/.test(run));
}

describe('erasing a worker', () => {
  let handle: DatabaseHandle;
  let twilio: FakeTwilio;
  let line: FakeLine;
  let hotline: TestHotline;
  let clock: FakeClock;
  let network: TestNetwork;

  beforeAll(async () => {
    handle = await openTestDatabase();
    [twilio, line] = await Promise.all([startFakeTwilio(), startFakeLine()]);
    clock = createFakeClock('2026-12-02T08:00:00Z');
    hotline = buildTestHotline(handle, {
      clock,
      sender: twilio.sender({ from: '+66900000000' }),
      lineSender: createLineSender(line.config()),
      media: { twilio: twilio.mediaConfig(), line: line.config(), viber: { apiBaseUrl: 'https://chatapi.viber.com' } },
    });
    network = await seedTestNetwork(handle, hotline, clock);
  });
  afterAll(async () => {
    await Promise.all([twilio.close(), line.close()]);
    await handle.close();
  });

  const deps = (): ErasureDeps => ({ db: handle.db, cipher: hotline.cipher, clock, jobs: hotline.jobs, events: hotline.events });

  async function contactOf(channel: string, address: string) {
    const contacts = await handle.db.selectFrom('contacts').select(['id', 'address_encrypted', 'person_id']).where('channel', '=', channel).execute();
    const found = contacts.find((row) => hotline.cipher.openOptional(row.address_encrypted) === address);
    if (!found) throw new Error(`no ${channel} contact`);
    return found;
  }

  async function casesOf(personId: string) {
    return handle.db.selectFrom('cases').select(['id', 'reference', 'channel', 'person_id']).where('person_id', '=', personId).orderBy('created_at').orderBy('reference').execute();
  }

  /** A worker on SMS (two MMS: a PDF, and a file Twilio will not serve), then on LINE. */
  async function workerOnMessaging(phoneNumber: string, words: { sms: string; line: string; file: string }) {
    const phone = createWorkerPhone(handle, hotline, phoneNumber);
    await phone.text(`My boss has not paid me ${words.sms}`);
    await phone.text('1');
    await phone.text('I am in Mahachai');
    await phone.text('1');
    await phone.text('ok');
    await phone.text('', { NumMedia: '1', MediaUrl0: twilio.addMedia(pdfWith(words.file), 'application/pdf'), MediaContentType0: 'application/pdf' });
    const unserved = twilio.addMedia(pdfWith(words.file), 'application/pdf');
    twilio.failMedia(unserved, 404);
    await phone.text('', { NumMedia: '1', MediaUrl0: unserved, MediaContentType0: 'application/pdf' });
    const lineWorker = createLineWorker(hotline);
    await lineWorker.text(`ငါ့ ပတ်စပို့ ${words.line}`);
    return { sms: await contactOf('sms', phoneNumber), line: await contactOf('line', lineWorker.userId), unservedMedia: unserved.slice(-34) };
  }

  /** The same worker reports on the web form with the same number, with a file: their SMS person's second case. */
  async function webReport(phoneNumber: string, words: { web: string; employer: string; location: string; file: string }) {
    const agent = request.agent(hotline.app);
    const page = await agent.get('/report?lang=en').expect(200);
    const form = {
      story: `The boss keeps our passports ${words.web}`, country: 'TH', province: `Mahachai ${words.location}`, nationality: 'MM', contact: 'sms',
      phone: phoneNumber, employer: words.employer, consent: 'yes', categories: 'documents', sector: 'seafood_processing', workers: '3',
    };
    let post = agent.post('/report?lang=en').field('_csrf', csrfOf(page.text));
    for (const [name, value] of Object.entries(form)) post = post.field(name, value);
    const response = await post.attach('files', pdfWith(words.file), { filename: 'payslip.pdf', contentType: 'application/pdf' });
    expect(response.status).toBe(200);
    await hotline.runJobs();
    const reference = /class="reference">([^<]+)</.exec(response.text)?.[1] ?? '';
    const pin = /class="pin">(\d{6})</.exec(response.text)?.[1] ?? '';
    return { reference, pin };
  }

  /** Staff work on a case: a note, a referral and an escalation with reasons, a reply to the worker. */
  async function staffWork(reference: string, words: { note: string; referral: string; escalation: string; reply: string }) {
    await network.as('coordinator', 'post', `/api/v1/cases/${reference}/notes`, { body: `Worker is afraid ${words.note}`, visibility: 'partners' }).expect(201);
    await network.as('coordinator', 'post', `/api/v1/cases/${reference}/referrals`, { to_organisation: 'yangon-returnees', reason: `Needs a lawyer ${words.referral}` }).expect(201);
    await network.as('coordinator', 'post', `/api/v1/cases/${reference}/escalations`, { reason: `Passport held ${words.escalation}`, embassy: 'embassy-mm-th' }).expect(201);
    await network.as('coordinator', 'post', `/api/v1/cases/${reference}/replies`, { body: `We will call you ${words.reply}` }).expect(201);
    await hotline.runJobs();
  }

  /** A voice message of the worker: a call on their case with its recording still at Twilio. */
  async function voiceMessage(caseId: string, contactId: string, personId: string, phoneNumber: string) {
    const recording = twilio.addRecording(toneWav(0.2));
    const attachment = await handle.db
      .insertInto('attachments')
      .values({ source: 'voice', case_id: caseId, person_id: personId, provider_url_encrypted: hotline.cipher.seal(`${recording.url}.wav`), provider_ref: recording.sid, created_at: clock.now() })
      .returning('id')
      .executeTakeFirstOrThrow();
    await handle.db
      .insertInto('calls')
      .values({ call_sid: `CA${crypto.randomBytes(16).toString('hex')}`, contact_id: contactId, case_id: caseId, caller_encrypted: hotline.cipher.seal(phoneNumber), state: '{}', recording_attachment_id: attachment.id })
      .execute();
    return recording.sid;
  }

  /** Opens every sealed value of a dump that still opens, and every stored file: what they say. */
  async function everythingThatOpens(dump: Map<string, string[]>): Promise<string> {
    const values = sealedValuesIn([...dump.values()].flat().join('\n'));
    const opener = await openerFor(handle.db, hotline.cipher, values);
    const opened: string[] = [];
    for (const value of values) {
      try {
        opened.push(opener.open(value));
      } catch (error) {
        if (!(error instanceof ErasedValueError)) throw error;
      }
    }
    const files = await handle.db.selectFrom('attachments').select(['id', 'has_thumbnail']).where('key_encrypted', 'is not', null).execute();
    for (const file of files) {
      opened.push((await bytesOf(await openSealed({ db: handle.db, cipher: hotline.cipher }, { attachmentId: file.id, variant: 'original' }))).toString('latin1'));
    }
    return opened.join('\n');
  }

  const statistics = () => handle.db.selectFrom('stats_case_month').selectAll().orderBy('month').orderBy('category').orderBy('origin_country').orderBy('destination_country').orderBy('sector').orderBy('currency').execute();

  it('erases a worker with cases on three channels, so that nothing of them opens in the database, and the statistics stay', async () => {
    const worker = await workerOnMessaging(PHONE, CANARY);
    const web = await webReport(PHONE, CANARY);
    const personId = worker.sms.person_id;
    const cases = [...(await casesOf(personId)), ...(await casesOf(worker.line.person_id))];
    expect(cases.map((found) => found.channel).sort()).toEqual(['line', 'sms', 'web']);
    const [smsCase, webCase, lineCase] = ['sms', 'web', 'line'].map((channel) => cases.find((found) => found.channel === channel));
    if (!smsCase || !webCase || !lineCase) throw new Error('the worker has not three cases');
    await network.as('coordinator', 'post', `/api/v1/cases/${smsCase.reference}/merge`, { other_reference: lineCase.reference }).expect(201);
    await staffWork(webCase.reference, CANARY);
    await staffWork(lineCase.reference, CANARY);
    const recordingSid = await voiceMessage(smsCase.id, worker.sms.id, personId, PHONE);
    // Sealed under the worker's own key (as every value will be once all sealing is per person).
    const sealer = await sealerFor(handle.db, hotline.cipher, personId);
    await handle.db.updateTable('cases').set({ location_raw_encrypted: sealer.seal(`Mahachai ${CANARY.personKey}`) }).where('id', '=', smsCase.id).execute();

    // Another worker, who stays.
    const other = await workerOnMessaging('+66815556677', { sms: 'other-sms', line: 'other-line', file: 'other-file' });
    const [otherCase] = await casesOf(other.sms.person_id);
    if (!otherCase) throw new Error('the other worker has no case');
    await staffWork(otherCase.reference, { note: 'other-note', referral: 'other-referral', escalation: 'other-escalation', reply: 'other-reply' });

    // Before: the search finds every canary, so finding none afterwards means something.
    const before = await dumpEveryTable(handle);
    const openedBefore = await everythingThatOpens(before);
    for (const canary of [...Object.values(CANARY), PHONE]) expect({ canary, found: openedBefore.includes(canary) }).toEqual({ canary, found: true });
    const statisticsBefore = await statistics();
    const plan = await planErasure(deps(), { scope: 'person', personId });
    // Two referrals by hand, and those routing made.
    expect(plan.counts).toMatchObject({ people: 2, contacts: 2, cases: 3, notes: 2, escalations: 2, calls: 1, personKeys: 1 });
    expect(plan.counts.referrals).toBeGreaterThanOrEqual(2);
    expect(plan.caseReferences.sort()).toEqual([smsCase.reference, webCase.reference, lineCase.reference].sort());

    const erasure = await handle.db
      .insertInto('erasures')
      .values({ person_id: personId, scope: 'person', source: 'console', status: 'confirmed', reason: 'worker_request', confirmed_by_user_id: network.user.coordinator, confirmed_at: clock.now() })
      .returning('id')
      .executeTakeFirstOrThrow();
    await inTransaction({ db: handle.db, jobs: hotline.jobs }, (trx) => hotline.jobs.enqueue(trx, 'erasure.run', { erasureId: erasure.id }));
    await hotline.runJobs();

    const after = await dumpEveryTable(handle);
    const text = [...after.values()].flat().join('\n');
    // No canary in clear anywhere, nor in bytes stored without sealing.
    for (const canary of CANARIES) {
      expect({ canary, inClear: text.includes(canary) }).toEqual({ canary, inClear: false });
      expect({ canary, inHex: text.includes(Buffer.from(canary).toString('hex')) }).toEqual({ canary, inHex: false });
    }
    // Nothing that still opens says any of them.
    const openedAfter = await everythingThatOpens(after);
    for (const canary of CANARIES) expect({ canary, opens: openedAfter.includes(canary) }).toEqual({ canary, opens: false });
    expect(openedAfter).toContain('other-note');
    // The number is no longer found under any key, nor the employer, nor the PIN.
    for (const hash of [...hotline.cipher.lookupHashes(PHONE), hotline.cipher.lookupHash(`employer:${employerKeyText(CANARY.employer)}`), pinHashOf(hotline.cipher, web.reference, web.pin)]) {
      expect(text).not.toContain(hash);
    }
    expect(await statistics()).toEqual(statisticsBefore);

    const done = await handle.db.selectFrom('erasures').selectAll().where('id', '=', erasure.id).executeTakeFirstOrThrow();
    expect(done).toMatchObject({ status: 'done', summary: expect.objectContaining({ people: 2, contacts: 2, cases: 3, notes: 2, personKeys: 1 }) });
    expect(done.done_at).toEqual(clock.now());
    const people = await handle.db.selectFrom('people').select(['id', 'erased_at']).where('id', 'in', [personId, worker.line.person_id]).execute();
    expect(people.every((person) => person.erased_at !== null)).toBe(true);
    expect(await handle.db.selectFrom('person_keys').select('id').where('person_id', '=', personId).execute()).toEqual([]);
    const shells = await handle.db.selectFrom('cases').selectAll().where('person_id', '=', personId).execute();
    expect(shells).toHaveLength(3);
    for (const shell of shells) {
      expect(shell).toMatchObject({ summary_encrypted: null, employer_encrypted: null, location_raw_encrypted: null, pin_hash: null, erasure_id: erasure.id });
      expect(shell.personal_data_erased_at).toEqual(clock.now());
    }
    expect(shells.find((shell) => shell.id === webCase.id)).toMatchObject({ categories: ['documents'], sector: 'seafood_processing', destination_country: 'TH', workers_affected: 3 });
    const erasedEvents = await handle.db.selectFrom('case_events').select(['case_id', 'actor_kind', 'actor_user_id', 'data']).where('type', '=', 'personal_data.erased').execute();
    expect(erasedEvents).toHaveLength(3);
    expect(erasedEvents[0]).toMatchObject({ actor_kind: 'staff', actor_user_id: network.user.coordinator, data: { erasureId: erasure.id, scope: 'person', reason: 'worker_request' } });
    expect(await handle.db.selectFrom('case_events').select('id').where('type', '=', 'note.added').where('case_id', 'in', [webCase.id, lineCase.id]).execute()).toHaveLength(2);
    const audit = await handle.db.selectFrom('audit_log').select(['actor_kind', 'actor_user_id', 'subject_id', 'details']).where('action', '=', 'erasure.done').execute();
    expect(audit).toEqual([expect.objectContaining({ actor_kind: 'user', actor_user_id: network.user.coordinator, subject_id: erasure.id })]);

    // Twilio's copies: every message it carried for the worker, the media it still served, the recording.
    const copies = await handle.db.selectFrom('erasure_provider_copies').selectAll().where('erasure_id', '=', erasure.id).execute();
    expect(copies.length).toBeGreaterThan(0);
    expect(copies.filter((copy) => copy.status !== 'deleted' && copy.status !== 'gone')).toEqual([]);
    const smsSids = await handle.db.selectFrom('messages').select('provider_id').where('contact_id', '=', worker.sms.id).where('provider_id', 'is not', null).execute();
    expect(smsSids.length).toBeGreaterThan(5);
    for (const { provider_id } of smsSids) expect(twilio.deletedMessages).toContain(provider_id);
    expect(twilio.deletedMedia).toContain(worker.unservedMedia);
    expect(twilio.deletedRecordings).toContain(recordingSid);
    expect(copies.filter((copy) => copy.kind === 'media').map((copy) => copy.ref.split('/')[1])).toEqual([worker.unservedMedia]);
    expect(twilio.deleteRequests.every((deleted) => deleted.authorization !== undefined)).toBe(true);

    // The other worker's data still opens.
    const otherMessages = await handle.db.selectFrom('messages').select('body_encrypted').where('contact_id', '=', other.sms.id).where('direction', '=', 'in').execute();
    expect(otherMessages.map((row) => hotline.cipher.openOptional(row.body_encrypted))).toContain('My boss has not paid me other-sms');

    // Running it again changes nothing.
    const again = await runErasure(deps(), erasure.id);
    expect(again).toMatchObject({ status: 'done', ran: false });
    expect(await dumpEveryTable(handle)).toEqual(after);
  });
});
