import { Readable } from 'node:stream';
import sharp from 'sharp';
import type request from 'supertest';
import { ingestAttachment } from '../../src/attachments/attachment-ingest';
import { openSealed } from '../../src/attachments/attachment-store';
import { insertAttachment } from '../../src/attachments/attachment.repository';
import type { DatabaseHandle } from '../../src/db/database';
import { hashPassword } from '../../src/users/password';
import type { TestHotline } from '../support/app';
import { AUDIO_AND_DOCUMENT_SAMPLES, REFUSED_SAMPLES } from '../support/attachment-samples';
import { signedInAgent } from '../support/console';
import { useTestNetwork, type Person, type TestNetwork } from '../support/network';

// Evidence files shown to staff (issue #14): the full view sees and opens every stored file, the
// limited view (a partner or an embassy without the worker's consent) learns only how many there
// are, and whoever cannot see the case does not learn that the file exists. Every opening, and
// every refused one, is audited without personal data.

const PASSWORD = 'correct horse battery staple';
const PHONE = '081 234 5678';
const YES = { given: true, wording: 'May we share your case with partner organisations? — Yes' };
const PDF = AUDIO_AND_DOCUMENT_SAMPLES['pdf'] ?? Buffer.alloc(0);
const OGG = AUDIO_AND_DOCUMENT_SAMPLES['ogg'] ?? Buffer.alloc(0);
const EXE = Object.values(REFUSED_SAMPLES)[0] ?? Buffer.alloc(0);

async function bytesOf(stream: Readable): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for await (const piece of stream as AsyncIterable<Buffer>) pieces.push(piece);
  return Buffer.concat(pieces);
}

/** supertest's parser for a body of any type: the raw bytes. */
function binary(res: request.Response, done: (error: Error | null, body: Buffer) => void): void {
  const pieces: Buffer[] = [];
  res.on('data', (piece: Buffer) => pieces.push(piece));
  res.on('end', () => done(null, Buffer.concat(pieces)));
}

describe('attachments shown to staff', () => {
  const testbed = useTestNetwork();
  let handle: DatabaseHandle;
  let hotline: TestHotline;
  let network: TestNetwork;
  let photo: Buffer;
  beforeAll(async () => {
    ({ handle, hotline, network } = testbed);
    photo = await sharp({ create: { width: 1600, height: 1200, channels: 3, background: { r: 200, g: 120, b: 40 } } }).jpeg().toBuffer();
    const passwordHash = await hashPassword(PASSWORD);
    await handle.db.updateTable('users').set({ password_hash: passwordHash }).execute();
  });

  const deps = () => ({ db: handle.db, cipher: hotline.cipher, clock: testbed.clock });
  const consoleAs = async (person: Person) => (await signedInAgent(hotline.app, `${person.toLowerCase()}@network.test`, PASSWORD)).agent;
  const auditOf = (caseId: string, actions: string[]) =>
    handle.db.selectFrom('audit_log').select(['action', 'actor_user_id', 'subject_type', 'subject_id', 'case_id', 'details'])
      .where('case_id', '=', caseId).where('action', 'in', actions).orderBy('id').execute();

  async function inbound(caseId: string, body: string, at: string): Promise<string> {
    const row = await handle.db.insertInto('messages').values({
      case_id: caseId, direction: 'in', channel: 'whatsapp', body_encrypted: hotline.cipher.seal(body), status: 'received', created_at: new Date(at),
    }).returning('id').executeTakeFirstOrThrow();
    return row.id;
  }

  async function attach(caseId: string, bytes: Buffer | null, at: string, messageId: string | null = null): Promise<string> {
    const id = await insertAttachment(handle.db, { source: messageId ? 'twilio' : 'web', caseId, messageId, at: new Date(at) });
    if (bytes) await ingestAttachment(deps(), id, Readable.from([bytes]));
    return id;
  }

  /**
   * A case sent to Tak (Mae Sot gets a pending referral) about an arrest (escalated to the Myanmar
   * embassy's liaison), with a photo and a voice message on one WhatsApp message, a PDF sent through
   * the web form, a refused file and one still being fetched.
   */
  async function caseWithFiles(consent: boolean | null) {
    const created = await network.openRoutedCase({
      destinationCountry: 'TH', destinationProvince: 'TH-63', originCountry: 'MM', categories: ['arrest'],
      ...(consent === null ? {} : { consent: { given: consent, wording: 'web form answer' } }),
    });
    const messageId = await inbound(created.id, 'Here are the photos of my room', '2026-11-27T08:01:00Z');
    const files = {
      photo: await attach(created.id, photo, '2026-11-27T08:01:00Z', messageId),
      voice: await attach(created.id, OGG, '2026-11-27T08:01:01Z', messageId),
      pdf: await attach(created.id, PDF, '2026-11-27T08:05:00Z'),
      refused: await attach(created.id, EXE, '2026-11-27T08:06:00Z'),
      pending: await attach(created.id, null, '2026-11-27T08:07:00Z'),
    };
    const referral = await handle.db.selectFrom('referrals').select('id').where('case_id', '=', created.id).executeTakeFirstOrThrow();
    const escalation = await handle.db.selectFrom('escalations').select('id').where('case_id', '=', created.id).executeTakeFirstOrThrow();
    const storedPhoto = await bytesOf(await openSealed(deps(), { attachmentId: files.photo, variant: 'original' }));
    return { ...created, files, messageId, referralId: referral.id, escalationId: escalation.id, storedPhoto };
  }

  describe('in the full view', () => {
    it('shows the owner\'s caseworker each file beside its message or on its own line, with a thumbnail, sizes and a player', async () => {
      const kase = await caseWithFiles(true);
      await network.as('maesot', 'patch', `/api/v1/referrals/${kase.referralId}`, { status: 'accepted' }).expect(204);
      const page = await (await consoleAs('maesot')).get(`/console/cases/${kase.reference}`).expect(200);
      const base = `/console/cases/${kase.reference}/attachments`;

      // The photo and the voice message sit inside the message they came with.
      const message = /<li class="message in">[\s\S]*?<\/li>/.exec(page.text)?.[0] ?? '';
      expect(message).toContain('Here are the photos of my room');
      expect(message).toContain(`<img src="${base}/${kase.files.photo}/thumbnail" alt="Photo 1 of case ${kase.reference}" width="320" height="240">`);
      expect(message).toContain(`<audio controls preload="none" src="${base}/${kase.files.voice}"></audio>`);
      expect(message).toContain(`Photo · JPEG · ${(kase.storedPhoto.length / 1024).toFixed(1).replace(/\.0$/, '')} KB`);
      expect(message).toContain(`Voice message · Ogg · ${OGG.length} bytes`);
      // The PDF came through the web form: its own timeline entry, after the message.
      const upload = /<li class="attachment-entry">[\s\S]*?<\/li>/.exec(page.text)?.[0] ?? '';
      expect(upload).toContain('File added to the case');
      expect(upload).toContain(`<a href="${base}/${kase.files.pdf}">Download</a>`);
      expect(page.text.indexOf('Here are the photos')).toBeLessThan(page.text.indexOf('File added to the case'));
      expect(page.text).toContain('File not kept: a file type we do not accept');
      expect(page.text).toContain('File being fetched');
      expect(page.text).not.toContain('shared when the worker agrees');
    });

    it('serves the original byte for byte with safe headers, the thumbnail, and audits each opening without personal data', async () => {
      const kase = await caseWithFiles(true);
      const agent = await consoleAs('coordinator');
      const base = `/console/cases/${kase.reference}/attachments`;

      const original = await agent.get(`${base}/${kase.files.photo}`).buffer(true).parse(binary).expect(200);
      expect(Buffer.compare(original.body as Buffer, kase.storedPhoto)).toBe(0);
      expect(original.headers).toMatchObject({
        'content-type': 'image/jpeg', 'content-length': String(kase.storedPhoto.length), 'cache-control': 'no-store',
        'x-content-type-options': 'nosniff', 'content-disposition': 'inline', 'content-security-policy': "default-src 'none'; sandbox",
      });

      const pdf = await agent.get(`${base}/${kase.files.pdf}`).buffer(true).parse(binary).expect(200);
      expect(Buffer.compare(pdf.body as Buffer, PDF)).toBe(0);
      // The PDF is the third file of the case: it is saved, never rendered, under the case's reference.
      expect(pdf.headers).toMatchObject({
        'content-type': 'application/pdf', 'content-length': String(PDF.length), 'content-disposition': `attachment; filename="${kase.reference}-3.pdf"`,
        'content-security-policy': "default-src 'none'; sandbox", 'x-content-type-options': 'nosniff', 'cache-control': 'no-store',
      });

      const voice = await agent.get(`${base}/${kase.files.voice}`).buffer(true).parse(binary).expect(200);
      expect(Buffer.compare(voice.body as Buffer, OGG)).toBe(0);
      expect(voice.headers).toMatchObject({ 'content-type': 'audio/ogg', 'content-disposition': 'inline' });

      const thumbnail = await agent.get(`${base}/${kase.files.photo}/thumbnail`).buffer(true).parse(binary).expect(200);
      expect(thumbnail.headers).toMatchObject({ 'content-type': 'image/webp', 'content-length': String((thumbnail.body as Buffer).length), 'cache-control': 'no-store' });
      expect(await sharp(thumbnail.body as Buffer).metadata()).toMatchObject({ format: 'webp', width: 320, height: 240 });

      // Nothing to open for a refused or pending file, nor a thumbnail of a PDF, nor another case's file.
      await agent.get(`${base}/${kase.files.refused}`).expect(404);
      await agent.get(`${base}/${kase.files.pending}`).expect(404);
      await agent.get(`${base}/${kase.files.pdf}/thumbnail`).expect(404);
      const other = await caseWithFiles(true);
      await agent.get(`${base}/${other.files.photo}`).expect(404);

      const audit = await auditOf(kase.id, ['attachment.viewed']);
      expect(audit).toEqual([
        { action: 'attachment.viewed', actor_user_id: network.user.coordinator, subject_type: 'attachment', subject_id: kase.files.photo, case_id: kase.id, details: { variant: 'original', kind: 'image', via: 'console' } },
        { action: 'attachment.viewed', actor_user_id: network.user.coordinator, subject_type: 'attachment', subject_id: kase.files.pdf, case_id: kase.id, details: { variant: 'original', kind: 'document', via: 'console' } },
        { action: 'attachment.viewed', actor_user_id: network.user.coordinator, subject_type: 'attachment', subject_id: kase.files.voice, case_id: kase.id, details: { variant: 'original', kind: 'audio', via: 'console' } },
        { action: 'attachment.viewed', actor_user_id: network.user.coordinator, subject_type: 'attachment', subject_id: kase.files.photo, case_id: kase.id, details: { variant: 'thumbnail', kind: 'image', via: 'console' } },
      ]);
      expect(JSON.stringify(audit)).not.toContain(PHONE);
      expect(JSON.stringify(audit)).not.toContain('photos of my room');
    });
  });

  describe('in the limited view', () => {
    it('tells a partner with a pending referral how many files there are, refuses the file with 403 (audited), and opens it once the worker agrees', async () => {
      const kase = await caseWithFiles(null);
      const agent = await consoleAs('maesot');
      const page = await agent.get(`/console/cases/${kase.reference}`).expect(200);
      expect(page.text).toContain('1 photo — shared when the worker agrees');
      expect(page.text).toContain('1 document — shared when the worker agrees');
      expect(page.text).toContain('1 voice message — shared when the worker agrees');
      for (const id of Object.values(kase.files)) expect(page.text).not.toContain(id);
      expect(page.text).not.toContain('<img');
      expect(page.text).not.toContain('<audio');
      // No size of any file (a bare "KB" could turn up in the page's random CSRF token).
      expect(page.text).not.toMatch(/\d (KB|MB|bytes)\b/);

      const base = `/console/cases/${kase.reference}/attachments`;
      await agent.get(`${base}/${kase.files.photo}`).expect(403);
      await agent.get(`${base}/${kase.files.photo}/thumbnail`).expect(403);
      await network.as('maesot', 'get', `/api/v1/cases/${kase.reference}/attachments/${kase.files.pdf}`).expect(403);
      expect(await auditOf(kase.id, ['attachment.refused', 'attachment.viewed'])).toEqual([
        expect.objectContaining({ action: 'attachment.refused', actor_user_id: network.user.maesot, subject_id: kase.files.photo, details: { variant: 'original', kind: 'image', via: 'console', view: 'limited' } }),
        expect.objectContaining({ action: 'attachment.refused', subject_id: kase.files.photo, details: { variant: 'thumbnail', kind: 'image', via: 'console', view: 'limited' } }),
        expect.objectContaining({ action: 'attachment.refused', subject_id: kase.files.pdf, details: { variant: 'original', kind: 'document', via: 'api', view: 'limited' } }),
      ]);

      await network.as('coordinator', 'patch', `/api/v1/cases/${kase.reference}`, { consent: YES }).expect(200);
      const shared = await agent.get(`/console/cases/${kase.reference}`).expect(200);
      expect(shared.text).not.toContain('shared when the worker agrees');
      expect(shared.text).toContain(`${base}/${kase.files.photo}/thumbnail`);
      const opened = await agent.get(`${base}/${kase.files.photo}`).buffer(true).parse(binary).expect(200);
      expect(Buffer.compare(opened.body as Buffer, kase.storedPhoto)).toBe(0);
    });

    it('tells the embassy liaison the same on the escalation page, refuses the file (audited), and opens it once the worker agrees', async () => {
      const kase = await caseWithFiles(false);
      const agent = await consoleAs('liaisonMM');
      const page = await agent.get(`/console/escalations/${kase.escalationId}`).expect(200);
      expect(page.text).toContain('1 photo — shared when the worker agrees');
      for (const id of Object.values(kase.files)) expect(page.text).not.toContain(id);

      await agent.get(`/console/cases/${kase.reference}/attachments/${kase.files.photo}`).expect(403);
      await network.as('liaisonMM', 'get', `/api/v1/cases/${kase.reference}/attachments/${kase.files.voice}`).expect(403);
      expect((await auditOf(kase.id, ['attachment.refused'])).map((row) => [row.actor_user_id, row.subject_id])).toEqual([
        [network.user.liaisonMM, kase.files.photo], [network.user.liaisonMM, kase.files.voice],
      ]);
      const escalation = (await network.as('liaisonMM', 'get', `/api/v1/escalations/${kase.escalationId}`).expect(200)).body;
      expect(escalation.case).toMatchObject({ view: 'limited', attachments: null, attachment_counts: { image: 1, document: 1, audio: 1 } });

      await network.as('coordinator', 'patch', `/api/v1/cases/${kase.reference}`, { consent: YES }).expect(200);
      const shared = await agent.get(`/console/escalations/${kase.escalationId}`).expect(200);
      expect(shared.text).toContain(`/console/cases/${kase.reference}/attachments/${kase.files.photo}/thumbnail`);
      const opened = await agent.get(`/console/cases/${kase.reference}/attachments/${kase.files.voice}`).buffer(true).parse(binary).expect(200);
      expect(Buffer.compare(opened.body as Buffer, OGG)).toBe(0);
    });

    it('gives the owning organisation counts only while the worker has not agreed, as it sees the rest of the case', async () => {
      const kase = await caseWithFiles(false);
      await network.as('maesot', 'patch', `/api/v1/referrals/${kase.referralId}`, { status: 'accepted' }).expect(204);
      const detail = (await network.as('maesot', 'get', `/api/v1/cases/${kase.reference}`).expect(200)).body;
      expect(detail).toMatchObject({ view: 'limited', attachments: null, attachment_counts: { image: 1, document: 1, audio: 1 } });
      await network.as('maesot', 'get', `/api/v1/cases/${kase.reference}/attachments/${kase.files.photo}`).expect(403);
    });
  });

  describe('a file of several sealed chunks', () => {
    it('streams through whole and byte for byte, with its length announced', async () => {
      const kase = await caseWithFiles(true);
      // A PDF of 700 KB spans three chunks of 256 KB.
      const big = Buffer.concat([PDF, Buffer.alloc(700 * 1024 - PDF.length, 0x20)]);
      const id = await attach(kase.id, big, '2026-11-27T08:08:00Z');
      const download = await network.as('coordinator', 'get', `/api/v1/cases/${kase.reference}/attachments/${id}`).buffer(true).parse(binary).expect(200);
      expect(download.headers['content-length']).toBe(String(big.length));
      expect(Buffer.compare(download.body as Buffer, big)).toBe(0);
      const chunks = await handle.db.selectFrom('attachment_chunks').select('seq').where('attachment_id', '=', id).execute();
      expect(chunks.length).toBeGreaterThan(2);
      const page = await (await consoleAs('coordinator')).get(`/console/cases/${kase.reference}`).expect(200);
      expect(page.text).toContain('Document · PDF · 700 KB');
    });
  });

  describe('outside the case', () => {
    it('answers 404 to another organisation and another embassy, as for the case itself, and audits the attempt', async () => {
      const kase = await caseWithFiles(true);
      const path = `/console/cases/${kase.reference}/attachments/${kase.files.photo}`;
      await (await consoleAs('yangon')).get(path).expect(404);
      await network.as('bangkok', 'get', `/api/v1/cases/${kase.reference}/attachments/${kase.files.photo}`).expect(404);
      await network.as('liaisonKH', 'get', `/api/v1/cases/${kase.reference}/attachments/${kase.files.photo}`).expect(404);
      await network.as('researcher', 'get', `/api/v1/cases/${kase.reference}/attachments/${kase.files.photo}`).expect(403);
      const denied = await auditOf(kase.id, ['case.access_denied', 'attachment.viewed', 'attachment.refused']);
      expect(denied.map((row) => [row.action, row.actor_user_id])).toEqual([
        ['case.access_denied', network.user.yangon], ['case.access_denied', network.user.bangkok], ['case.access_denied', network.user.liaisonKH],
      ]);
    });
  });

  describe('in the API', () => {
    it('lists the files with download links in the full view and only counts in the limited view, and downloads with a token', async () => {
      const kase = await caseWithFiles(null);
      const limited = (await network.as('maesot', 'get', `/api/v1/cases/${kase.reference}`).expect(200)).body;
      expect(limited).toMatchObject({ view: 'limited', attachments: null, attachment_counts: { image: 1, document: 1, audio: 1 } });
      for (const id of Object.values(kase.files)) expect(JSON.stringify(limited)).not.toContain(id);

      const full = (await network.as('coordinator', 'get', `/api/v1/cases/${kase.reference}`).expect(200)).body;
      const api = `/api/v1/cases/${kase.reference}/attachments`;
      expect(full.attachment_counts).toEqual({ image: 1, document: 1, audio: 1 });
      expect(full.attachments).toEqual([
        expect.objectContaining({ id: kase.files.photo, kind: 'image', content_type: 'image/jpeg', size_bytes: kase.storedPhoto.length, status: 'stored', message_id: kase.messageId, download_url: `${api}/${kase.files.photo}`, created_at: '2026-11-27T08:01:00.000Z' }),
        expect.objectContaining({ id: kase.files.voice, kind: 'audio', content_type: 'audio/ogg', size_bytes: OGG.length, status: 'stored', message_id: kase.messageId, download_url: `${api}/${kase.files.voice}` }),
        expect.objectContaining({ id: kase.files.pdf, kind: 'document', content_type: 'application/pdf', size_bytes: PDF.length, message_id: null, download_url: `${api}/${kase.files.pdf}` }),
        expect.objectContaining({ id: kase.files.refused, status: 'refused', refused_reason: 'unsupported_type', download_url: null }),
        expect.objectContaining({ id: kase.files.pending, status: 'pending', kind: null, download_url: null }),
      ]);

      const download = await network.as('coordinator', 'get', `${api}/${kase.files.pdf}`).buffer(true).parse(binary).expect(200);
      expect(Buffer.compare(download.body as Buffer, PDF)).toBe(0);
      expect(download.headers).toMatchObject({
        'content-type': 'application/pdf', 'content-length': String(PDF.length), 'content-disposition': `attachment; filename="${kase.reference}-3.pdf"`,
        'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'content-security-policy': "default-src 'none'; sandbox",
      });
      await network.as('coordinator', 'get', `${api}/not-an-id`).expect(400);
      expect(await auditOf(kase.id, ['attachment.viewed'])).toEqual([
        expect.objectContaining({ actor_user_id: network.user.coordinator, subject_id: kase.files.pdf, details: { variant: 'original', kind: 'document', via: 'api' } }),
      ]);
    });
  });
});
