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
import { eraseNow, planErasure, runErasure, scrubEventData, type ErasureDeps } from '../../src/privacy/erasure.service';
import { ErasedValueError, openerFor, personKeyIdOf, sealerFor } from '../../src/privacy/person-keys';
import { deleteProviderCopies } from '../../src/privacy/provider-copies.service';
import { createTwilioCopies } from '../../src/privacy/twilio-copies';
import { buildTestHotline, type TestHotline } from '../support/app';
import { createLineWorker } from '../support/chat-worker';
import { createFakeClock, type FakeClock } from '../support/clock';
import { openTestDatabase } from '../support/database';
import { startFakeLine, type FakeLine } from '../support/fake-line';
import { startFakeTwilio, type FakeTwilio } from '../support/fake-twilio';
import { seedTestNetwork, type TestNetwork } from '../support/network';
import { createWorkerPhone } from '../support/sms-conversation';
import { toneWav } from '../support/attachment-samples';
import { silentLogger } from '../support/logger';
import { signedInAgent } from '../support/console';
import { hashPassword } from '../../src/users/password';
import { createI18n } from '../../src/language/i18n';
import { openAllStored, openStored } from '../support/sealed';

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
  event: 'canary-event-3E3',
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
    const opened = await openAllStored(handle.db, hotline.cipher, contacts.map((row) => row.address_encrypted));
    const found = contacts.find((_row, index) => opened[index] === address);
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
    const callSid = `CA${crypto.randomBytes(16).toString('hex')}`;
    await handle.db
      .insertInto('calls')
      .values({ call_sid: callSid, contact_id: contactId, case_id: caseId, caller_encrypted: hotline.cipher.seal(phoneNumber), state: '{}', recording_attachment_id: attachment.id })
      .execute();
    return { recordingSid: recording.sid, callSid };
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
    const { recordingSid, callSid } = await voiceMessage(smsCase.id, worker.sms.id, personId, PHONE);
    // Sealed under the worker's own key (as every value will be once all sealing is per person).
    const sealer = await sealerFor(handle.db, hotline.cipher, personId);
    await handle.db.updateTable('cases').set({ location_raw_encrypted: sealer.seal(`Mahachai ${CANARY.personKey}`) }).where('id', '=', smsCase.id).execute();
    // An event some writer filled with free text: the timeline keeps the event, not the words.
    await handle.db.insertInto('case_events').values({ case_id: smsCase.id, type: 'case.updated', actor_kind: 'staff', data: JSON.stringify({ field: 'urgency', note: CANARY.event, reason: `said ${CANARY.event}` }) }).execute();

    // Another worker, who stays.
    const other = await workerOnMessaging('+66815556677', { sms: 'other-sms', line: 'other-line', file: 'other-file' });
    const [otherCase] = await casesOf(other.sms.person_id);
    if (!otherCase) throw new Error('the other worker has no case');
    await staffWork(otherCase.reference, { note: 'other-note', referral: 'other-referral', escalation: 'other-escalation', reply: 'other-reply' });

    // Before: the search finds every canary, so finding none afterwards means something.
    const before = await dumpEveryTable(handle);
    const openedBefore = await everythingThatOpens(before);
    for (const canary of [...Object.values(CANARY).filter((canary) => canary !== CANARY.event), PHONE]) {
      expect({ canary, found: openedBefore.includes(canary) }).toEqual({ canary, found: true });
    }
    expect([...before.values()].flat().join('\n')).toContain(CANARY.event);
    const statisticsBefore = await statistics();
    const plan = await planErasure(deps(), { scope: 'person', personId });
    // Two referrals by hand, and those routing made.
    expect(plan.counts).toMatchObject({ people: 2, contacts: 2, cases: 3, notes: 2, escalations: 2, calls: 1, personKeys: 2 });
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
    expect(done).toMatchObject({ status: 'done', summary: expect.objectContaining({ people: 2, contacts: 2, cases: 3, notes: 2, personKeys: 2 }) });
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

    // Twilio's copies: every message it carried for the worker, the media it still served, the recording, the call's log (it keeps the number).
    const copies = await handle.db.selectFrom('erasure_provider_copies').selectAll().where('erasure_id', '=', erasure.id).execute();
    expect(copies.length).toBeGreaterThan(0);
    expect(copies.filter((copy) => copy.status !== 'deleted' && copy.status !== 'gone')).toEqual([]);
    const smsSids = await handle.db.selectFrom('messages').select('provider_id').where('contact_id', '=', worker.sms.id).where('provider_id', 'is not', null).execute();
    expect(smsSids.length).toBeGreaterThan(5);
    for (const { provider_id } of smsSids) expect(twilio.deletedMessages).toContain(provider_id);
    expect(twilio.deletedMedia).toContain(worker.unservedMedia);
    expect(twilio.deletedRecordings).toContain(recordingSid);
    expect(twilio.deletedCalls).toEqual([callSid]);
    expect(copies.filter((copy) => copy.kind === 'call').map((copy) => [copy.ref, copy.status])).toEqual([[callSid, 'deleted']]);
    expect(copies.filter((copy) => copy.kind === 'media').map((copy) => copy.ref.split('/')[1])).toEqual([worker.unservedMedia]);
    expect(twilio.deleteRequests.every((deleted) => deleted.authorization !== undefined)).toBe(true);

    // The other worker's data still opens.
    const otherMessages = await handle.db.selectFrom('messages').select('body_encrypted').where('contact_id', '=', other.sms.id).where('direction', '=', 'in').execute();
    expect(await openAllStored(handle.db, hotline.cipher, otherMessages.map((row) => row.body_encrypted))).toContain('My boss has not paid me other-sms');

    // The case shells still read, on the API and the console, with the files shown as erased.
    const shown = await network.as('coordinator', 'get', `/api/v1/cases/${webCase.reference}`).expect(200);
    for (const canary of CANARIES) expect(JSON.stringify(shown.body)).not.toContain(canary);
    await handle.db.updateTable('users').set({ password_hash: await hashPassword('a long staff password') }).where('id', '=', network.user.coordinator).execute();
    const { agent } = await signedInAgent(hotline.app, 'coordinator@network.test', 'a long staff password');
    const page = await agent.get(`/console/cases/${webCase.reference}`).expect(200);
    expect(page.text).toContain(createI18n().getFixedT('en', 'console')('attachment.erased').replace("'", '&#39;'));
    for (const canary of CANARIES) expect(page.text).not.toContain(canary);
    const erasuresCounted = (await hotline.metrics.getSingleMetric('hotline_erasures_total')?.get())?.values ?? [];
    expect(erasuresCounted).toEqual([expect.objectContaining({ labels: { scope: 'person', source: 'console', outcome: 'done' }, value: 1 })]);

    // Running it again changes nothing.
    const settled = await dumpEveryTable(handle);
    const again = await runErasure(deps(), erasure.id);
    expect(again).toMatchObject({ status: 'done', ran: false });
    expect(await dumpEveryTable(handle)).toEqual(settled);
  });

  async function smsWorker(phoneNumber: string, story: string) {
    await createWorkerPhone(handle, hotline, phoneNumber).text(story);
    const contact = await contactOf('sms', phoneNumber);
    const [found] = await casesOf(contact.person_id);
    if (!found) throw new Error('no case');
    return { contact, personId: contact.person_id, case: found };
  }

  /** A note on the case, sealed under its worker's own key. */
  async function personSealedNote(caseId: string, personId: string, words: string): Promise<string> {
    const sealed = (await sealerFor(handle.db, hotline.cipher, personId)).seal(words);
    await handle.db
      .insertInto('notes')
      .values({ case_id: caseId, organisation_id: network.org['network'] ?? '', author_user_id: network.user.coordinator, visibility: 'organisation', body_encrypted: sealed, created_at: clock.now() })
      .execute();
    return sealed;
  }

  it('leaves a copy of the database taken before the erasure unable to open the worker, while others still open', async () => {
    const erased = await smsWorker('+66817770001', 'boss took my passport backup-canary-1');
    const kept = await smsWorker('+66817770002', 'boss took my passport backup-keeper-2');
    await personSealedNote(erased.case.id, erased.personId, 'backup-canary-note');
    await personSealedNote(kept.case.id, kept.personId, 'backup-keeper-note');
    const keyIds = async (personId: string) => {
      const keys = await handle.db.selectFrom('person_keys').select('id').where('person_id', '=', personId).execute();
      return keys.map((key) => key.id.replace(/-/g, ''));
    };
    const [erasedKey] = await keyIds(erased.personId);
    const [keptKey] = await keyIds(kept.personId);
    // The backup: every row of every table, as a dump would keep it.
    const backup = await dumpEveryTable(handle);

    const outcome = await eraseNow(deps(), { target: { scope: 'person', personId: erased.personId }, source: 'cli', reason: 'worker_request' });
    expect(outcome).toMatchObject({ status: 'done', ran: true });

    const values = sealedValuesIn([...backup.values()].flat().join('\n'));
    expect(await keyIds(erased.personId)).toEqual([]);
    const opener = await openerFor(handle.db, hotline.cipher, values);
    const theirs = values.filter((value) => erasedKey !== undefined && personKeyIdOf(value) === erasedKey);
    const others = values.filter((value) => keptKey !== undefined && personKeyIdOf(value) === keptKey);
    // Everything of the erased worker in the copy is under their key (their number, words, note): none of it opens.
    expect(theirs.length).toBeGreaterThan(3);
    for (const value of theirs) expect(() => opener.open(value)).toThrow(ErasedValueError);
    expect(values.filter((value) => value.includes('backup-canary') || value.startsWith('v1.')).filter((value) => { try { return opener.open(value).includes('backup-canary'); } catch { return false; } })).toEqual([]);
    // The other worker's values in the same copy all open.
    const opened = others.map((value) => opener.open(value));
    expect(opened).toEqual(expect.arrayContaining(['backup-keeper-note', '+66817770002', 'boss took my passport backup-keeper-2']));
    const audit = await handle.db.selectFrom('audit_log').select(['actor_kind', 'details']).where('action', '=', 'erasure.done').where('subject_id', '=', outcome.erasureId).executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ actor_kind: 'cli', details: { scope: 'person', source: 'cli', reason: 'worker_request', cases: 1, notes: 1, personKeys: 1 } });
  });

  it('refuses to erase a worker while a case of theirs is under legal hold, and erases once the hold ends', async () => {
    const held = await smsWorker('+66817770003', 'arrested at the border hold-canary');
    const hold = await handle.db
      .insertInto('legal_holds')
      .values({ case_id: held.case.id, reason_encrypted: hotline.cipher.seal('court case'), held_until: new Date(clock.now().getTime() + 30 * 86_400_000), created_by_user_id: network.user.coordinator })
      .returning('id')
      .executeTakeFirstOrThrow();
    // A hold already past its date or released holds nothing.
    await handle.db.insertInto('legal_holds').values({ case_id: held.case.id, reason_encrypted: hotline.cipher.seal('old'), held_until: new Date(clock.now().getTime() - 1000), created_by_user_id: network.user.coordinator }).execute();
    const plan = await planErasure(deps(), { scope: 'person', personId: held.personId });
    expect(plan.heldCaseReferences).toEqual([held.case.reference]);

    const refused = await eraseNow(deps(), { target: { scope: 'person', personId: held.personId }, source: 'cli', reason: 'worker_request' });
    expect(refused).toMatchObject({ status: 'refused', ran: true });
    const row = await handle.db.selectFrom('erasures').selectAll().where('id', '=', refused.erasureId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'refused', refusal_reason: 'legal_hold', done_at: null });
    const found = await handle.db.selectFrom('cases').select(['summary_encrypted', 'personal_data_erased_at']).where('id', '=', held.case.id).executeTakeFirstOrThrow();
    expect(await openStored(handle.db, hotline.cipher, found.summary_encrypted)).toBe('arrested at the border hold-canary');
    expect(found.personal_data_erased_at).toBeNull();
    expect((await handle.db.selectFrom('people').select('erased_at').where('id', '=', held.personId).executeTakeFirstOrThrow()).erased_at).toBeNull();
    expect(await handle.db.selectFrom('audit_log').select('details').where('action', '=', 'erasure.refused').where('subject_id', '=', refused.erasureId).execute())
      .toEqual([{ details: { scope: 'person', source: 'cli', refusal_reason: 'legal_hold', held_cases: 1 } }]);
    // Running the refused erasure again does nothing.
    expect(await runErasure(deps(), refused.erasureId)).toMatchObject({ status: 'refused', ran: false });

    await handle.db.updateTable('legal_holds').set({ released_at: clock.now(), released_by_user_id: network.user.coordinator }).where('id', '=', hold.id).execute();
    expect(await eraseNow(deps(), { target: { scope: 'person', personId: held.personId }, source: 'cli', reason: 'worker_request' })).toMatchObject({ status: 'done' });
    const after = await handle.db.selectFrom('cases').select('summary_encrypted').where('id', '=', held.case.id).executeTakeFirstOrThrow();
    expect(after.summary_encrypted).toBeNull();
  });

  it('erases one case of a worker, and nothing else of theirs, when only that case is due', async () => {
    const phoneNumber = '+66817770004';
    const worker = await smsWorker(phoneNumber, 'first problem case-canary-old');
    await network.as('coordinator', 'post', `/api/v1/cases/${worker.case.reference}/notes`, { body: 'old case-canary-note' }).expect(201);
    await handle.db.updateTable('cases').set({ status: 'closed' }).where('id', '=', worker.case.id).execute();
    await createWorkerPhone(handle, hotline, phoneNumber).text('a new problem case-keeper-new');
    const cases = await casesOf(worker.personId);
    const newer = cases.find((found) => found.id !== worker.case.id);
    if (!newer) throw new Error('no second case');
    const plan = await planErasure(deps(), { scope: 'case', caseId: worker.case.id });
    expect(plan.counts).toMatchObject({ people: 0, contacts: 0, cases: 1, notes: 1, personKeys: 0 });

    expect(await eraseNow(deps(), { target: { scope: 'case', caseId: worker.case.id }, source: 'retention', reason: 'retention' })).toMatchObject({ status: 'done' });
    const rows = await handle.db.selectFrom('cases').select(['id', 'summary_encrypted', 'personal_data_erased_at']).where('person_id', '=', worker.personId).execute();
    expect(rows.find((row) => row.id === worker.case.id)).toMatchObject({ summary_encrypted: null });
    expect(await openStored(handle.db, hotline.cipher, rows.find((row) => row.id === newer.id)?.summary_encrypted)).toBe('a new problem case-keeper-new');
    const bodies = await handle.db.selectFrom('messages').select(['case_id', 'body_encrypted']).where('contact_id', '=', worker.contact.id).where('direction', '=', 'in').execute();
    expect(bodies.filter((row) => row.case_id === worker.case.id).map((row) => row.body_encrypted)).toEqual([null]);
    expect(await openAllStored(handle.db, hotline.cipher, bodies.filter((row) => row.case_id === newer.id).map((row) => row.body_encrypted))).toEqual(['a new problem case-keeper-new']);
    expect(await handle.db.selectFrom('notes').select('id').where('case_id', '=', worker.case.id).execute()).toEqual([]);
    // The identity and the person stay: the worker can still be answered on their open case.
    expect((await contactOf('sms', phoneNumber)).id).toBe(worker.contact.id);
    expect((await handle.db.selectFrom('people').select('erased_at').where('id', '=', worker.personId).executeTakeFirstOrThrow()).erased_at).toBeNull();
    const event = await handle.db.selectFrom('case_events').select(['actor_kind', 'data']).where('case_id', '=', worker.case.id).where('type', '=', 'personal_data.erased').executeTakeFirstOrThrow();
    expect(event).toMatchObject({ actor_kind: 'system', data: { scope: 'case', reason: 'retention' } });
  });

  it("deletes Twilio's copies again after a 500, with backoff, recording each try", async () => {
    const worker = await smsWorker('+66817770005', 'retry-canary');
    await hotline.runJobs();
    twilio.failDeletes(500);
    const outcome = await eraseNow(deps(), { target: { scope: 'person', personId: worker.personId }, source: 'cli', reason: 'worker_request' });
    await hotline.runJobs();
    const copies = () => handle.db.selectFrom('erasure_provider_copies').select(['kind', 'ref', 'status', 'attempts', 'last_error']).where('erasure_id', '=', outcome.erasureId).orderBy('ref').execute();
    const first = await copies();
    expect(first.filter((copy) => copy.status === 'pending')).toEqual([expect.objectContaining({ attempts: 1, last_error: 'http_500' })]);
    expect(first.filter((copy) => copy.status === 'deleted').length).toBe(first.length - 1);
    await hotline.runJobs();
    expect((await copies()).filter((copy) => copy.status === 'pending')).toHaveLength(1); // not due yet
    clock.advance(61_000);
    await hotline.runJobs();
    const second = await copies();
    expect(second.every((copy) => copy.status === 'deleted')).toBe(true);
    expect(second.find((copy) => copy.attempts === 2)).toMatchObject({ status: 'deleted', last_error: null });
  });

  it("records a copy Twilio keeps refusing as failed after the last attempt, and fails at once without an account", async () => {
    const worker = await smsWorker('+66817770006', 'failed-canary');
    await hotline.runJobs();
    const outcome = await eraseNow(deps(), { target: { scope: 'person', personId: worker.personId }, source: 'cli', reason: 'worker_request' });
    const pending = await handle.db.selectFrom('erasure_provider_copies').select('id').where('erasure_id', '=', outcome.erasureId).execute();
    twilio.failDeletes(...pending.map(() => 503));
    const logger = silentLogger();
    const copyDeps = { db: handle.db, clock, twilio: createTwilioCopies(twilio.mediaConfig()), maxAttempts: 3 };
    await expect(deleteProviderCopies(copyDeps, outcome.erasureId, { attempt: 3, logger })).resolves.toMatchObject({ failed: pending.length, pending: 0 });
    const rows = await handle.db.selectFrom('erasure_provider_copies').select(['status', 'last_error', 'attempts']).where('erasure_id', '=', outcome.erasureId).execute();
    expect(rows.every((row) => row.status === 'failed' && row.last_error === 'http_503' && row.attempts === 1)).toBe(true);

    const other = await smsWorker('+66817770007', 'unconfigured-canary');
    await hotline.runJobs();
    const second = await eraseNow(deps(), { target: { scope: 'person', personId: other.personId }, source: 'cli', reason: 'worker_request' });
    const unconfigured = createTwilioCopies({ accountSid: undefined, authToken: undefined, apiBaseUrl: twilio.baseUrl });
    await deleteProviderCopies({ ...copyDeps, twilio: unconfigured }, second.erasureId, { attempt: 1, logger });
    const refused = await handle.db.selectFrom('erasure_provider_copies').select(['status', 'last_error']).where('erasure_id', '=', second.erasureId).execute();
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((row) => row.status === 'failed' && row.last_error === 'not_configured')).toBe(true);
  });

  it('keeps only ids and codes in a timeline event', () => {
    expect(scrubEventData({ messageId: 'f3c1a4e2-0b5e-4a53-9d1e-2f4c7b8a9e10', channel: 'sms', categories: ['wages', 'documents'], given: true, attempt: 2 }))
      .toEqual({ messageId: 'f3c1a4e2-0b5e-4a53-9d1e-2f4c7b8a9e10', channel: 'sms', categories: ['wages', 'documents'], given: true, attempt: 2 });
    expect(scrubEventData({ field: 'status', from: 'open', to: 'closed', story: 'boss', reason: 'free words here', outcome: { nested: 'x' } }))
      .toEqual({ field: 'status', from: 'open', to: 'closed' });
  });
});
