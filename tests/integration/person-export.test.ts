import { Readable } from 'node:stream';
import request from 'supertest';
import { ingestAttachment } from '../../src/attachments/attachment-ingest';
import { insertAttachment } from '../../src/attachments/attachment.repository';
import { createLineSender } from '../../src/channels/line/line-sender';
import type { DatabaseHandle } from '../../src/db/database';
import { createI18n } from '../../src/language/i18n';
import { sealerFor } from '../../src/privacy/person-keys';
import { hashPassword } from '../../src/users/password';
import { upsertUser } from '../../src/users/user.repository';
import { issueApiToken } from '../../src/users/user.service';
import { buildTestHotline, type TestHotline } from '../support/app';
import { AUDIO_AND_DOCUMENT_SAMPLES } from '../support/attachment-samples';
import { createLineWorker } from '../support/chat-worker';
import { signedInAgent } from '../support/console';
import { openTestDatabase } from '../support/database';
import { startFakeLine, type FakeLine } from '../support/fake-line';
import { createWorkerPhone } from '../support/sms-conversation';
import { openAllStored } from '../support/sealed';

// A copy of a worker's data for them or their lawyer: coordinators make it, as JSON or as a page
// to print in the worker's language; it holds every identity in full, every case, message, note,
// file, referral and consent record of the worker and of the people merged into them; it is
// audited, and refused (and audited) for everyone else. An erased person's copy says what was erased.

const PASSWORD = 'a long staff password';
const i18n = createI18n();
const my = i18n.getFixedT('my');
const th = i18n.getFixedT('th');
const en = i18n.getFixedT('en');

const PHONE = '+66812340001';
const THAI_WORDS = 'นายจ้างไม่จ่ายค่าจ้างสามเดือนแล้ว';
const BURMESE_WORDS = 'အလုပ်ရှင်က ပတ်စပို့ ယူထားတယ်';
const NOTE = 'Internal: the broker in Mae Sot is known to us';
const REFERRAL_REASON = 'Needs a lawyer for the passport';
const CONSENT_WORDING = 'May we pass your case to a partner organisation?';
const ESCALATION_REASON = 'Passport held by the employer for a year';

interface Exported {
  export: { language: string; worker_language: string; includes_notes: boolean; notes_left_out_reason: string | null; generated_by: { name: string; organisation: string } };
  person: { id: string; erased_at: string | null; merged_people: { id: string }[]; languages: string[] };
  identities: { channel: string; address: string | null; erased: string[] }[];
  cases: {
    reference: string;
    language: string;
    consent: { given: boolean; wording: string | null; source: string } | null;
    messages: { direction: string; body: string | null; erased: string[] }[];
    notes: { body: string | null; visibility: string; organisation: string }[] | null;
    referrals: { to: string; from: string | null; status: string; reason: string | null }[];
    escalations: { embassy: string; status: string; reason: string | null }[];
    calls: { language: string | null; category: string | null; wants_callback: boolean | null; safe_time: string | null }[];
    attachments: { id: string; kind: string | null; content_type: string | null; size_bytes: number | null; download: { api: string; console: string } | null }[];
  }[];
}

describe('a copy of a worker\'s data', () => {
  let handle: DatabaseHandle;
  let hotline: TestHotline;
  let line: FakeLine;
  let personId: string;
  let mergedPersonId: string;
  let smsCase: { id: string; reference: string };
  let lineCase: { id: string; reference: string };
  let lineUserId: string;
  let attachmentId: string;

  const agentOf = (email: string) => signedInAgent(hotline.app, email, PASSWORD);
  const tokenOf = (email: string) => issueApiToken({ db: handle.db, clock: { now: () => new Date() } }, { email }, { kind: 'cli' });
  const audits = (action: string) => handle.db.selectFrom('audit_log').select(['actor_user_id', 'subject_type', 'subject_id', 'details']).where('action', '=', action).orderBy('at').execute();

  beforeAll(async () => {
    handle = await openTestDatabase();
    line = await startFakeLine();
    hotline = buildTestHotline(handle, { lineSender: createLineSender(line.config()) });
    const org = (slug: string, name: string, kind: string, country: string) =>
      handle.db.insertInto('organisations').values({ slug, name, kind, country }).returning('id').executeTakeFirstOrThrow();
    const network = await org('network', 'Hotline Network', 'network', 'TH');
    const maeSot = await org('mae-sot', 'Mae Sot Workers Centre', 'ngo', 'TH');
    const legal = await org('yangon-legal', 'Yangon Legal Aid', 'legal_aid', 'MM');
    const embassy = await org('mm-embassy', 'Embassy of Myanmar', 'embassy', 'TH');
    const hash = await hashPassword(PASSWORD);
    await upsertUser(handle.db, { organisationId: network.id, email: 'coordinator@example.org', displayName: 'Nang Coordinator', role: 'coordinator', locale: 'en', passwordHash: hash });
    await upsertUser(handle.db, { organisationId: maeSot.id, email: 'cw@example.org', displayName: 'Caseworker', role: 'caseworker', locale: 'en', passwordHash: hash });
    await upsertUser(handle.db, { organisationId: embassy.id, email: 'liaison@example.org', displayName: 'Liaison', role: 'liaison', locale: 'en', passwordHash: hash });

    // One worker: a case by SMS in Thai, and a later one on LINE in Burmese, merged by a coordinator.
    await createWorkerPhone(handle, hotline, PHONE).text(THAI_WORDS);
    const lineWorker = createLineWorker(hotline);
    lineUserId = lineWorker.userId;
    await lineWorker.text(BURMESE_WORDS);
    const caseOn = (channel: string) => handle.db.selectFrom('cases').select(['id', 'reference', 'person_id']).where('channel', '=', channel).executeTakeFirstOrThrow();
    const onSms = await caseOn('sms');
    const onLine = await caseOn('line');
    smsCase = onSms;
    lineCase = onLine;
    personId = onSms.person_id;
    mergedPersonId = onLine.person_id;
    await handle.db.updateTable('cases').set({ language: 'th', owner_organisation_id: maeSot.id }).where('id', '=', onSms.id).execute();
    await handle.db.updateTable('cases').set({ language: 'my', owner_organisation_id: maeSot.id }).where('id', '=', onLine.id).execute();

    const { agent, csrf } = await agentOf('coordinator@example.org');
    await agent.post(`/console/cases/${onSms.reference}/merges`).type('form').send({ other_reference: onLine.reference, _csrf: csrf }).expect(303);
    await agent.post(`/console/cases/${onLine.reference}/notes`).type('form').send({ body: NOTE, visibility: 'organisation', _csrf: csrf }).expect(303);
    await agent.post(`/console/cases/${onLine.reference}/consent`).type('form').send({ given: 'yes', wording: CONSENT_WORDING, _csrf: csrf }).expect(303);

    // A referral whose reason was already moved under the worker's own key (as the keys migration
    // does), beside values still under ENCRYPTION_KEY: one copy opens both.
    const sealer = await sealerFor(handle.db, hotline.cipher, personId);
    await handle.db.insertInto('referrals').values({
      case_id: onLine.id, from_organisation_id: maeSot.id, to_organisation_id: legal.id, status: 'pending', reason_encrypted: sealer.seal(REFERRAL_REASON),
      due_at: new Date(Date.now() + 86_400_000),
    }).execute();

    await handle.db.insertInto('escalations').values({ case_id: onLine.id, embassy_organisation_id: embassy.id, status: 'open', reason_encrypted: hotline.cipher.seal(ESCALATION_REASON) }).execute();
    const lineContact = await handle.db.selectFrom('contacts').select('id').where('channel', '=', 'line').executeTakeFirstOrThrow();
    await handle.db.insertInto('calls').values({ call_sid: `CA${'7'.repeat(32)}`, contact_id: lineContact.id, case_id: onLine.id, language: 'my', state: '{}', category: 'documents', wants_callback: true, safe_time: 'evening' }).execute();
    attachmentId = await insertAttachment(handle.db, { source: 'line', caseId: onLine.id, personId: mergedPersonId, at: new Date() });
    const stored = await ingestAttachment({ db: handle.db, cipher: hotline.cipher, clock: { now: () => new Date() } }, attachmentId, Readable.from([AUDIO_AND_DOCUMENT_SAMPLES['pdf'] as Buffer]));
    expect(stored.status).toBe('stored');
  });

  afterAll(async () => {
    await line.close();
    await handle.close();
  });

  it('gives coordinators every identity in full, every case, message, note, file, referral and consent record, as a file to save', async () => {
    const { agent } = await agentOf('coordinator@example.org');
    const response = await agent.get(`/console/people/${personId}/export.json`).expect(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['content-disposition']).toMatch(new RegExp(`^attachment; filename="hotline-data-${personId}-\\d{4}-\\d{2}-\\d{2}\\.json"$`));
    const copy = response.body as Exported;

    expect(copy.person).toMatchObject({ id: personId, erased_at: null, merged_people: [{ id: mergedPersonId }] });
    expect(copy.person.languages.sort()).toEqual(['my', 'th']);
    expect(copy.export).toMatchObject({ language: 'my', worker_language: 'my', includes_notes: true, notes_left_out_reason: null, generated_by: { name: 'Nang Coordinator', organisation: 'Hotline Network' } });
    expect(copy.identities.map(({ channel, address }) => ({ channel, address })).sort((a, b) => a.channel.localeCompare(b.channel))).toEqual([
      { channel: 'line', address: lineUserId },
      { channel: 'sms', address: PHONE },
    ]);

    expect(copy.cases.map((found) => found.reference)).toEqual([smsCase.reference, lineCase.reference]);
    const [thai, burmese] = copy.cases;
    expect(thai?.messages).toContainEqual(expect.objectContaining({ direction: 'in', body: THAI_WORDS, erased: [] }));
    expect(thai?.messages.some((message) => message.direction === 'out' && (message.body ?? '') !== '')).toBe(true);
    expect(burmese?.messages).toContainEqual(expect.objectContaining({ direction: 'in', body: BURMESE_WORDS }));
    expect(burmese?.notes).toEqual([expect.objectContaining({ body: NOTE, visibility: 'organisation', organisation: 'Hotline Network' })]);
    expect(burmese?.consent).toMatchObject({ given: true, wording: CONSENT_WORDING, source: 'staff' });
    expect(burmese?.referrals).toEqual([expect.objectContaining({ to: 'Yangon Legal Aid', from: 'Mae Sot Workers Centre', status: 'pending', reason: REFERRAL_REASON })]);
    expect(burmese?.escalations).toEqual([expect.objectContaining({ embassy: 'Embassy of Myanmar', status: 'open', reason: ESCALATION_REASON })]);
    expect(burmese?.calls).toEqual([expect.objectContaining({ language: 'my', category: 'documents', wants_callback: true, safe_time: 'evening' })]);
    const pdf = AUDIO_AND_DOCUMENT_SAMPLES['pdf'] as Buffer;
    expect(burmese?.attachments).toEqual([expect.objectContaining({
      id: attachmentId, kind: 'document', content_type: 'application/pdf', size_bytes: pdf.length,
      download: { api: `/api/v1/cases/${lineCase.reference}/attachments/${attachmentId}`, console: `/console/cases/${lineCase.reference}/attachments/${attachmentId}` },
    })]);
    // The routes given are the real ones: the file downloads from there.
    const file = await agent.get(burmese?.attachments[0]?.download?.console ?? '').expect(200);
    expect(Buffer.from(file.body as Buffer).equals(pdf)).toBe(true);
  });

  it('answers the same copy on the API, described in the OpenAPI document', async () => {
    const token = await tokenOf('coordinator@example.org');
    const response = await request(hotline.app).get(`/api/v1/people/${personId}/export`).set('Authorization', `Bearer ${token}`).expect(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['content-disposition']).toContain('attachment;');
    const copy = response.body as Exported;
    expect(copy.identities.map((identity) => identity.address)).toEqual(expect.arrayContaining([PHONE, lineUserId]));
    expect(copy.cases.flatMap((found) => found.messages.map((message) => message.body))).toEqual(expect.arrayContaining([THAI_WORDS, BURMESE_WORDS]));

    const document = await request(hotline.app).get('/openapi.json').expect(200);
    const { Validator } = await import('@seriousme/openapi-schema-validator');
    const result = await new Validator().validate(document.body);
    expect({ valid: result.valid, errors: result.errors }).toEqual({ valid: true, errors: undefined });
    expect(document.body.paths['/api/v1/people/{personId}/export'].get.operationId).toBe('exportPerson');
  });

  it('prints in the worker\'s language, with their words and the labels translated, and in another language on request', async () => {
    const { agent } = await agentOf('coordinator@example.org');
    const page = await agent.get(`/console/people/${personId}/export`).expect(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.text).toContain('<html lang="my">');
    for (const key of ['export:title', 'export:identities.heading', 'export:messages.from_you', 'export:notes.heading', 'export:referrals.heading', 'export:files.heading', 'export:calls.heading', 'export:escalations.heading', 'export:consent.yes']) {
      expect(page.text).toContain(my(key));
    }
    expect(page.text).toContain(my('export:case.heading', { reference: lineCase.reference }));
    for (const text of [THAI_WORDS, BURMESE_WORDS, NOTE, REFERRAL_REASON, CONSENT_WORDING, ESCALATION_REASON, PHONE, lineUserId, 'Yangon Legal Aid', 'Embassy of Myanmar']) expect(page.text).toContain(text);
    expect(page.text).toContain('Nang Coordinator');
    expect(page.text).not.toContain('<script');
    // The console's menu stays in the coordinator's language.
    expect(page.text).toContain(`<div lang="en"><nav class="console-nav"`);

    const thai = await agent.get(`/console/people/${personId}/export?lang=th`).expect(200);
    expect(thai.text).toContain('<html lang="th">');
    expect(thai.text).toContain(th('export:title'));
    expect(thai.text).toContain(th('export:messages.from_you'));
    expect(thai.text).not.toContain(my('export:title'));
    // Gregorian years, not the Buddhist calendar Thai dates default to.
    const year = new Date().getFullYear();
    expect(thai.text).toContain(String(year));
    expect(thai.text).not.toContain(String(year + 543));
  });

  it('leaves staff notes out when the coordinator asks, with the reason on the copy and in the audit log', async () => {
    const { agent } = await agentOf('coordinator@example.org');
    const json = await agent.get(`/console/people/${personId}/export.json?notes=leave_out&notes_reason=third_party`).expect(200);
    const copy = json.body as Exported;
    expect(copy.export).toMatchObject({ includes_notes: false, notes_left_out_reason: 'third_party' });
    expect(copy.cases.map((found) => found.notes)).toEqual([null, null]);
    expect(JSON.stringify(copy)).not.toContain(NOTE);

    const page = await agent.get(`/console/people/${personId}/export?lang=en&notes=leave_out&notes_reason=safety`).expect(200);
    expect(page.text).not.toContain(NOTE);
    expect(page.text).toContain(en('export:notes_left_out', { reason: en('export:notes_reason.safety') }).replace(/'/g, '&#39;'));
    // The page's links keep the choice.
    expect(page.text).toContain(`/console/people/${personId}/export.json?notes=leave_out&amp;notes_reason=safety`);

    const lines = await audits('person.exported');
    expect(lines.at(-1)?.details).toMatchObject({ format: 'html', include_notes: false, notes_left_out_reason: 'safety', language: 'en' });
    expect(lines.at(-2)?.details).toMatchObject({ format: 'json', include_notes: false, notes_left_out_reason: 'third_party' });

    // Leaving notes out needs a reason.
    const refused = await agent.get(`/console/people/${personId}/export.json?notes=leave_out`).expect(400);
    expect(refused.text).toContain('notes_reason');
  });

  it('audits every copy by who made it, in which format, and nothing personal', async () => {
    const token = await tokenOf('coordinator@example.org');
    const before = (await audits('person.exported')).length;
    await request(hotline.app).get(`/api/v1/people/${personId}/export?lang=vi`).set('Authorization', `Bearer ${token}`).expect(200);
    const lines = await audits('person.exported');
    expect(lines).toHaveLength(before + 1);
    const coordinator = await handle.db.selectFrom('users').select('id').where('email', '=', 'coordinator@example.org').executeTakeFirstOrThrow();
    expect(lines.at(-1)).toEqual({
      actor_user_id: coordinator.id, subject_type: 'person', subject_id: personId,
      details: { format: 'json', include_notes: true, notes_left_out_reason: null, language: 'vi', cases: 2, identities: 2 },
    });
    const everything = JSON.stringify(lines);
    for (const personal of [PHONE, lineUserId, THAI_WORDS, BURMESE_WORDS, NOTE, REFERRAL_REASON]) expect(everything).not.toContain(personal);
  });

  it('refuses caseworkers and other roles (403), and audits each refusal', async () => {
    const before = (await audits('person.export_denied')).length;
    const { agent } = await agentOf('cw@example.org');
    await agent.get(`/console/people/${personId}/export`).expect(403);
    await agent.get(`/console/people/${personId}/export.json`).expect(403);
    await agent.get(`/console/cases/${lineCase.reference}/export`).expect(403);
    await request(hotline.app).get(`/api/v1/people/${personId}/export`).set('Authorization', `Bearer ${await tokenOf('cw@example.org')}`).expect(403);
    await request(hotline.app).get(`/api/v1/people/${personId}/export`).set('Authorization', `Bearer ${await tokenOf('liaison@example.org')}`).expect(403);
    await request(hotline.app).get(`/api/v1/people/${personId}/export`).expect(401);

    const denied = (await audits('person.export_denied')).slice(before);
    expect(denied.map((line) => line.details)).toEqual([
      { attempted: 'html', role: 'caseworker' },
      { attempted: 'json', role: 'caseworker' },
      { attempted: 'case_form', role: 'caseworker' },
      { attempted: 'json', role: 'caseworker' },
      { attempted: 'json', role: 'liaison' },
    ]);
    expect(denied.filter((line) => line.subject_id === personId)).toHaveLength(4);
  });

  it('offers coordinators the form on the case page, which leads to the copy with the choices made', async () => {
    const coordinator = await agentOf('coordinator@example.org');
    const casePage = await coordinator.agent.get(`/console/cases/${smsCase.reference}`).expect(200);
    expect(casePage.text).toContain(`action="/console/cases/${smsCase.reference}/export"`);
    expect(casePage.text).toContain(en('export:form.submit'));
    const caseworkerPage = await (await agentOf('cw@example.org')).agent.get(`/console/cases/${smsCase.reference}`).expect(200);
    expect(caseworkerPage.text).not.toContain('/export"');

    const toPage = await coordinator.agent.get(`/console/cases/${smsCase.reference}/export?lang=&format=html&notes_reason=`).expect(303);
    expect(toPage.headers['location']).toBe(`/console/people/${personId}/export`);
    const toJson = await coordinator.agent.get(`/console/cases/${lineCase.reference}/export?lang=km&format=json&notes=leave_out&notes_reason=legal_privilege`).expect(303);
    expect(toJson.headers['location']).toBe(`/console/people/${personId}/export.json?lang=km&notes=leave_out&notes_reason=legal_privilege`);
    await coordinator.agent.get('/console/cases/ZZZ-2ZZ/export').expect(404);
    await coordinator.agent.get(`/console/people/00000000-0000-4000-8000-000000000000/export`).expect(404);
  });

  it('copies an erased person without failing: what cannot be opened is marked erased', async () => {
    const phone = '+66812349876';
    await createWorkerPhone(handle, hotline, phone).text('ลูกจ้างถูกยึดพาสปอร์ต');
    const smsContacts = await handle.db.selectFrom('contacts').select(['id', 'person_id', 'address_encrypted']).where('channel', '=', 'sms').execute();
    const openedAddresses = await openAllStored(handle.db, hotline.cipher, smsContacts.map((row) => row.address_encrypted));
    const contact = smsContacts.find((_row, index) => openedAddresses[index] === phone);
    if (!contact) throw new Error('no contact');
    const erasedPerson = contact.person_id;
    // As the keys migration will have done: the person's values sealed under their own key.
    const sealer = await sealerFor(handle.db, hotline.cipher, erasedPerson);
    const reseal = (sealed: string | null) => (sealed === null || !sealed.startsWith('v1.') ? sealed : sealer.seal(hotline.cipher.open(sealed)));
    await handle.db.updateTable('contacts').set({ address_encrypted: reseal(contact.address_encrypted) }).where('id', '=', contact.id).execute();
    for (const message of await handle.db.selectFrom('messages').select(['id', 'body_encrypted', 'raw_body_encrypted']).where('contact_id', '=', contact.id).execute()) {
      await handle.db.updateTable('messages').set({ body_encrypted: reseal(message.body_encrypted), raw_body_encrypted: reseal(message.raw_body_encrypted) }).where('id', '=', message.id).execute();
    }
    for (const found of await handle.db.selectFrom('cases').select(['id', 'summary_encrypted', 'location_raw_encrypted']).where('person_id', '=', erasedPerson).execute()) {
      await handle.db.updateTable('cases').set({ summary_encrypted: reseal(found.summary_encrypted), location_raw_encrypted: reseal(found.location_raw_encrypted) }).where('id', '=', found.id).execute();
    }
    // Then erased: the key destroyed (the erase helper's job, simulated here).
    await handle.db.deleteFrom('person_keys').where('person_id', '=', erasedPerson).execute();
    await handle.db.updateTable('people').set({ erased_at: new Date() }).where('id', '=', erasedPerson).execute();

    const { agent } = await agentOf('coordinator@example.org');
    const copy = (await agent.get(`/console/people/${erasedPerson}/export.json`).expect(200)).body as Exported;
    expect(copy.person.erased_at).not.toBeNull();
    expect(copy.identities).toEqual([expect.objectContaining({ channel: 'sms', address: null, erased: ['address'] })]);
    const messages = copy.cases.flatMap((found) => found.messages);
    expect(messages.length).toBeGreaterThan(0);
    expect(messages.every((message) => message.body === null && message.erased.includes('body'))).toBe(true);
    expect(copy.cases).toEqual([expect.objectContaining({ summary: null, erased: ['summary'] })]);
    expect(JSON.stringify(copy)).not.toContain(phone);

    const page = await agent.get(`/console/people/${erasedPerson}/export?lang=th`).expect(200);
    expect(page.text).toContain(th('export:erased'));
    expect(page.text).toContain(th('export:erased_banner', { time: '' }).slice(0, 20));
    expect(page.text).not.toContain('ลูกจ้างถูกยึดพาสปอร์ต');
  });
});
