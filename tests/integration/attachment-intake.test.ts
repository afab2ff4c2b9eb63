import crypto from 'node:crypto';
import type { Readable } from 'node:stream';
import { openSealed } from '../../src/attachments/attachment-store';
import { createLineSender } from '../../src/channels/line/line-sender';
import type { DatabaseHandle } from '../../src/db/database';
import { buildTestHotline, type TestHotline } from '../support/app';
import { AUDIO_AND_DOCUMENT_SAMPLES, REFUSED_SAMPLES } from '../support/attachment-samples';
import { createLineWorker, createViberWorker } from '../support/chat-worker';
import { createFakeClock, type FakeClock } from '../support/clock';
import { openTestDatabase } from '../support/database';
import { IDENTIFYING_TAGS, exifTags, phonePhoto } from '../support/exif';
import { startFakeLine, type FakeLine } from '../support/fake-line';
import { startFakeMediaHost, type FakeMediaHost } from '../support/fake-media';
import { startFakeTwilio, type FakeTwilio } from '../support/fake-twilio';
import { startFakeViber, type FakeViber } from '../support/fake-viber';
import { createCapturingLogger } from '../support/logger';
import { createWorkerPhone } from '../support/sms-conversation';
import { openStored } from '../support/sealed';
import { openerFor, personKeyIdOf } from '../../src/privacy/person-keys';

// Workers' media end to end on every channel: the webhook stores where a file is, the message's
// processing makes it a pending attachment of the case, a job fetches it from a local fake of the
// provider (real JPEG with GPS EXIF, PDF and OGG bytes), checks, strips and seals it, and Twilio's
// copy is deleted. Refusals are told to the worker in their language; failures are retried.

const OGG = AUDIO_AND_DOCUMENT_SAMPLES['ogg'] as Buffer;
const PDF = AUDIO_AND_DOCUMENT_SAMPLES['pdf'] as Buffer;

async function bytesOf(stream: Readable): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for await (const piece of stream as AsyncIterable<Buffer>) pieces.push(piece);
  return Buffer.concat(pieces);
}

function phoneNumber(): string {
  return `+6681${crypto.randomInt(1_000_000, 9_999_999)}`;
}

describe('evidence sent on a messaging channel', () => {
  let handle: DatabaseHandle;
  let twilio: FakeTwilio;
  let line: FakeLine;
  let viber: FakeViber;
  let viberCdn: FakeMediaHost;
  let hotline: TestHotline;
  let clock: FakeClock;
  const log = createCapturingLogger('info');

  beforeAll(async () => {
    handle = await openTestDatabase();
    [twilio, line, viber, viberCdn] = await Promise.all([startFakeTwilio(), startFakeLine(), startFakeViber(), startFakeMediaHost()]);
    clock = createFakeClock('2026-12-02T08:00:00Z');
    hotline = buildTestHotline(handle, {
      clock,
      logger: log.logger,
      sender: twilio.sender({ from: '+66900000000', messengerFrom: 'messenger:104729384756' }),
      lineSender: createLineSender(line.config()),
      media: { twilio: twilio.mediaConfig(), line: line.config(), viber: { apiBaseUrl: viber.config().apiBaseUrl } },
    });
  });
  afterAll(async () => {
    await Promise.all([twilio.close(), line.close(), viber.close(), viberCdn.close()]);
    await handle.close();
  });

  async function attachmentsOfCase(caseId: string) {
    // In the order their messages came (the fake clock gives many the same time).
    return handle.db
      .selectFrom('attachments')
      .leftJoin('messages', 'messages.id', 'attachments.message_id')
      .selectAll('attachments')
      .where('attachments.case_id', '=', caseId)
      .orderBy('messages.sequence')
      .orderBy('attachments.provider_ref')
      .execute();
  }

  async function caseOfAddress(channel: string, address: string) {
    const contacts = await handle.db.selectFrom('contacts').select(['id', 'address_encrypted', 'person_id']).where('channel', '=', channel).execute();
    const opener = await openerFor(handle.db, hotline.cipher, contacts.map((row) => row.address_encrypted));
    const contact = contacts.find((row) => opener.openOptional(row.address_encrypted) === address);
    if (!contact) throw new Error(`no ${channel} contact`);
    const found = await handle.db.selectFrom('cases').selectAll().where('person_id', '=', contact.person_id).orderBy('created_at', 'desc').executeTakeFirstOrThrow();
    return found;
  }

  async function caseEvents(caseId: string, type: string) {
    return handle.db.selectFrom('case_events').select(['type', 'data']).where('case_id', '=', caseId).where('type', '=', type).execute();
  }

  it('keeps an SMS photo on its case without GPS, fetched with the account only from the API host, and has Twilio delete its copy', async () => {
    const from = phoneNumber();
    const phone = createWorkerPhone(handle, hotline, from);
    const photo = await phonePhoto(400, 300);
    const url = twilio.addMedia(photo, 'image/jpeg');
    await phone.text('My employer keeps my passport, here is a photo', { NumMedia: '1', MediaUrl0: url, MediaContentType0: 'image/jpeg' });
    const found = await caseOfAddress('sms', from);
    const [attachment, ...others] = await attachmentsOfCase(found.id);
    expect(others).toEqual([]);
    expect(attachment).toMatchObject({ source: 'twilio', status: 'stored', kind: 'image', content_type: 'image/jpeg', has_thumbnail: true, width: 300, height: 400 });
    // The file's own key is sealed under the worker's key: destroying theirs erases the file.
    const personKey = await handle.db.selectFrom('person_keys').select('id').where('person_id', '=', found.person_id).executeTakeFirstOrThrow();
    expect(personKeyIdOf(attachment?.key_encrypted)).toBe(personKey.id.replace(/-/g, ''));
    const stored = await bytesOf(await openSealed({ db: handle.db, cipher: hotline.cipher }, { attachmentId: attachment?.id ?? '', variant: 'original' }));
    const tags = exifTags(stored);
    for (const tag of IDENTIFYING_TAGS) expect(tags[tag]).toBeUndefined();
    // Credentials went to the API only; the CDN it redirected to got none.
    const id = url.slice(-34);
    const fetched = twilio.mediaRequests.filter((r) => r.path.endsWith(id) && r.method === 'GET');
    expect(fetched.map((r) => [r.path.startsWith('/cdn/'), r.authorization !== undefined])).toEqual([[false, true], [true, false]]);
    // Twilio's copy is gone, and the row says when; the URL is no longer kept.
    expect(twilio.deletedMedia).toContain(id);
    const after = await handle.db.selectFrom('attachments').selectAll().where('id', '=', attachment?.id ?? '').executeTakeFirstOrThrow();
    expect(after.provider_deleted_at).not.toBeNull();
    expect(after.provider_url_encrypted).toBeNull();
    expect(await caseEvents(found.id, 'attachment.stored')).toEqual([{ type: 'attachment.stored', data: { attachmentId: attachment?.id, kind: 'image' } }]);
  });

  it('opens a case from a WhatsApp photo sent first, and keeps a PDF sent mid-intake without taking it as an answer', async () => {
    const from = phoneNumber();
    const phone = createWorkerPhone(handle, hotline, `whatsapp:${from}`);
    const first = await phone.text('', { NumMedia: '1', MediaUrl0: twilio.addMedia(await phonePhoto(), 'image/jpeg'), MediaContentType0: 'image/jpeg' });
    expect(first.map((reply) => reply.template)).toEqual(['intake.category_first']);
    const found = await caseOfAddress('whatsapp', from);
    expect(found.channel).toBe('whatsapp');
    // A pay slip as a PDF while the problem menu waits: kept, no reply, the question still stands.
    const second = await phone.text('', { NumMedia: '1', MediaUrl0: twilio.addMedia(PDF, 'application/pdf'), MediaContentType0: 'application/pdf' });
    expect(second).toEqual([]);
    const third = await phone.text('1');
    expect(third.map((reply) => reply.template)).toEqual(['intake.location']);
    const kept = await attachmentsOfCase(found.id);
    expect(kept.map((row) => [row.kind, row.status])).toEqual([['image', 'stored'], ['document', 'stored']]);
    expect(Number(kept[1]?.size_bytes)).toBe(PDF.length);
  });

  it('refuses a video or a program sent as a photo, and tells the worker in their language', async () => {
    const from = phoneNumber();
    const phone = createWorkerPhone(handle, hotline, from);
    await phone.text('นายจ้างไม่จ่ายค่าจ้าง');
    const replies = await phone.text('', {
      NumMedia: '2',
      MediaUrl0: twilio.addMedia(REFUSED_SAMPLES['an MP4 video'] as Buffer, 'video/mp4'),
      MediaContentType0: 'video/mp4',
      MediaUrl1: twilio.addMedia(REFUSED_SAMPLES['a Windows executable'] as Buffer, 'image/jpeg'),
      MediaContentType1: 'image/jpeg',
    });
    expect(replies.map((reply) => [reply.template, reply.language])).toEqual([['attachment.unsupported_type', 'th'], ['attachment.unsupported_type', 'th']]);
    expect(replies[0]?.body).toBe('เราเก็บไฟล์ของคุณไม่ได้ กรุณาส่งรูป (JPG หรือ PNG) ไฟล์ PDF หรือข้อความเสียง');
    const found = await caseOfAddress('sms', from);
    const kept = await attachmentsOfCase(found.id);
    expect(kept.map((row) => [row.status, row.refused_reason, row.key_encrypted])).toEqual([['refused', 'unsupported_type', null], ['refused', 'unsupported_type', null]]);
    expect(await caseEvents(found.id, 'attachment.refused')).toHaveLength(2);
    const chunks = await handle.db.selectFrom('attachment_chunks').select('seq').where('attachment_id', 'in', kept.map((row) => row.id)).execute();
    expect(chunks).toEqual([]);
  });

  it('refuses a file over 10 MB without reading it all, and says so', async () => {
    const from = phoneNumber();
    const phone = createWorkerPhone(handle, hotline, from);
    await phone.text('Tôi bị giữ hộ chiếu');
    const big = Buffer.concat([PDF, crypto.randomBytes(11 * 1024 * 1024)]);
    const replies = await phone.text('', { NumMedia: '1', MediaUrl0: twilio.addMedia(big, 'application/pdf'), MediaContentType0: 'application/pdf' });
    expect(replies.map((reply) => [reply.template, reply.language])).toEqual([['attachment.too_large', 'vi']]);
    expect(replies[0]?.body).toContain('10 MB');
    const [row] = await attachmentsOfCase((await caseOfAddress('sms', from)).id);
    expect(row).toMatchObject({ status: 'refused', refused_reason: 'too_large' });
  });

  it('never fetches from a host other than Twilio\'s API: the file is recorded as failed, the host logged, the message kept', async () => {
    const from = phoneNumber();
    const phone = createWorkerPhone(handle, hotline, from);
    const foreign = `${viberCdn.baseUrl}/2010-04-01/Accounts/AC${'1'.repeat(32)}/Messages/MM${'2'.repeat(32)}/Media/ME${'3'.repeat(32)}`;
    const before = viberCdn.requests.length;
    await phone.text('Boss took my passport', { NumMedia: '1', MediaUrl0: foreign, MediaContentType0: 'image/jpeg' });
    expect(viberCdn.requests.length).toBe(before);
    const found = await caseOfAddress('sms', from);
    const [row] = await attachmentsOfCase(found.id);
    expect(row).toMatchObject({ status: 'failed', refused_reason: 'foreign_host' });
    expect(await caseEvents(found.id, 'attachment.failed')).toHaveLength(1);
    const refusal = log.lines().find((line) => line.includes('not the Twilio API host'));
    expect(refusal).toContain(new URL(viberCdn.baseUrl).host);
    expect(refusal).not.toContain('/Media/');
  });

  it('retries a fetch Twilio fails for a while, and gives up after the last attempt with the case told', async () => {
    const from = phoneNumber();
    const phone = createWorkerPhone(handle, hotline, from);
    const flaky = twilio.addMedia(OGG, 'audio/ogg');
    twilio.failMedia(flaky, 503, 503);
    await phone.text('voice note about my wages', { NumMedia: '1', MediaUrl0: flaky, MediaContentType0: 'audio/ogg' });
    const found = await caseOfAddress('sms', from);
    expect((await attachmentsOfCase(found.id))[0]).toMatchObject({ status: 'pending', attempts: 1 });
    for (let i = 0; i < 3; i += 1) {
      clock.advance(60_000);
      await hotline.runJobs();
    }
    const [stored] = await attachmentsOfCase(found.id);
    expect(stored).toMatchObject({ status: 'stored', kind: 'audio', content_type: 'audio/ogg' });

    const gone = twilio.addMedia(OGG, 'audio/ogg');
    twilio.failMedia(gone, ...Array.from({ length: 20 }, () => 500));
    await phone.text('another one', { NumMedia: '1', MediaUrl0: gone, MediaContentType0: 'audio/ogg' });
    for (let i = 0; i < 12; i += 1) {
      clock.advance(3_600_000);
      await hotline.runJobs();
    }
    const rows = await attachmentsOfCase(found.id);
    expect(rows[1]).toMatchObject({ status: 'failed', refused_reason: 'http_500', attempts: 10 });
    expect(await caseEvents(found.id, 'attachment.failed')).toEqual([{ type: 'attachment.failed', data: { attachmentId: rows[1]?.id, reason: 'http_500' } }]);
    // The message itself is there for the caseworker.
    const messages = await handle.db.selectFrom('messages').select('body_encrypted').where('case_id', '=', found.id).where('direction', '=', 'in').execute();
    const opener = await openerFor(handle.db, hotline.cipher, messages.map((m) => m.body_encrypted));
    expect(messages.map((m) => opener.openOptional(m.body_encrypted))).toContain('another one');
  });

  it('keeps a Messenger photo like any other Twilio media', async () => {
    const user = `${crypto.randomInt(10_000_000, 99_999_999)}12345`;
    const phone = createWorkerPhone(handle, hotline, `messenger:${user}`);
    await phone.text('My agent took my money', { NumMedia: '1', MediaUrl0: twilio.addMedia(await phonePhoto(), 'image/jpeg'), MediaContentType0: 'image/jpeg' });
    const [row] = await attachmentsOfCase((await caseOfAddress('messenger', user)).id);
    expect(row).toMatchObject({ source: 'twilio', status: 'stored', kind: 'image' });
  });

  it('fetches LINE content with the channel token: a photo stripped of GPS and a voice note', async () => {
    const worker = createLineWorker(hotline);
    await worker.text('ນາຍຈ້າງບໍ່ຈ່າຍເງິນ');
    const photo = await phonePhoto();
    line.setContent('600000000000001', 'image/jpeg', photo);
    line.setContent('600000000000002', 'audio/m4a', OGG);
    await worker.media('image', '600000000000001');
    await worker.media('audio', '600000000000002');
    const found = await caseOfAddress('line', worker.userId);
    const rows = await attachmentsOfCase(found.id);
    expect(rows.map((row) => [row.source, row.status, row.kind, row.provider_ref])).toEqual([
      ['line', 'stored', 'image', '600000000000001'],
      ['line', 'stored', 'audio', '600000000000002'],
    ]);
    const stored = await bytesOf(await openSealed({ db: handle.db, cipher: hotline.cipher }, { attachmentId: rows[0]?.id ?? '', variant: 'original' }));
    expect(exifTags(stored)['GPSLatitude']).toBeUndefined();
    const contentRequests = line.requests.filter((r) => r.path.endsWith('/content'));
    expect(contentRequests.every((r) => r.headers.authorization === 'Bearer fake-line-channel-access-token')).toBe(true);
    // LINE deletes content itself after a while; there is nothing to delete there.
    expect(rows.every((row) => row.provider_deleted_at === null)).toBe(true);
  });

  it('fetches Viber media from its URL: a captioned picture and a PDF file', async () => {
    const worker = createViberWorker(hotline);
    const photo = await phonePhoto();
    viberCdn.on('GET', '/viber/picture.jpg', (_req, res) => res.writeHead(200, { 'content-type': 'image/jpeg' }).end(photo));
    viberCdn.on('GET', '/viber/payslip.pdf', (_req, res) => res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(PDF));
    await worker.media('picture', `${viberCdn.baseUrl}/viber/picture.jpg`, 'my payslip, they paid half');
    await worker.media('file', `${viberCdn.baseUrl}/viber/payslip.pdf`);
    const found = await caseOfAddress('viber', worker.userId);
    const rows = await attachmentsOfCase(found.id);
    expect(rows.map((row) => [row.source, row.status, row.kind])).toEqual([['viber', 'stored', 'image'], ['viber', 'stored', 'document']]);
    // The caption is the case's first words.
    const first = await handle.db.selectFrom('messages').select('body_encrypted').where('case_id', '=', found.id).where('direction', '=', 'in').orderBy('sequence').executeTakeFirstOrThrow();
    expect(await openStored(handle.db, hotline.cipher, first.body_encrypted)).toBe('my payslip, they paid half');
  });

  it('keeps what an opted-out worker sends, and tells them nothing', async () => {
    const from = phoneNumber();
    const phone = createWorkerPhone(handle, hotline, from);
    await phone.text('My boss hits me');
    await phone.text('STOP');
    const replies = await phone.text('', { NumMedia: '1', MediaUrl0: twilio.addMedia(REFUSED_SAMPLES['a ZIP archive'] as Buffer, 'image/jpeg'), MediaContentType0: 'image/jpeg' });
    expect(replies).toEqual([]);
    const keep = await phone.text('', { NumMedia: '1', MediaUrl0: twilio.addMedia(await phonePhoto(), 'image/jpeg'), MediaContentType0: 'image/jpeg' });
    expect(keep).toEqual([]);
    const rows = await attachmentsOfCase((await caseOfAddress('sms', from)).id);
    expect(rows.map((row) => row.status)).toEqual(['refused', 'stored']);
  });

  it('stores a replayed webhook\'s media once', async () => {
    const from = phoneNumber();
    const url = twilio.addMedia(PDF, 'application/pdf');
    const phone = createWorkerPhone(handle, hotline, from);
    await phone.text('contract attached', { NumMedia: '1', MediaUrl0: url, MediaContentType0: 'application/pdf', MessageSid: `MM${'a'.repeat(31)}1` });
    await phone.text('contract attached', { NumMedia: '1', MediaUrl0: url, MediaContentType0: 'application/pdf', MessageSid: `MM${'a'.repeat(31)}1` });
    const rows = await attachmentsOfCase((await caseOfAddress('sms', from)).id);
    expect(rows).toHaveLength(1);
  });

  it('counts what it took in, by source and outcome, in /metrics', async () => {
    const text = await hotline.metrics.metrics();
    const count = (source: string, outcome: string) => Number(new RegExp(`hotline_attachments_total\\{source="${source}",outcome="${outcome}"\\} (\\d+)`).exec(text)?.[1] ?? -1);
    expect(count('twilio', 'stored')).toBeGreaterThanOrEqual(5);
    expect(count('twilio', 'refused')).toBeGreaterThanOrEqual(3);
    expect(count('twilio', 'failed')).toBeGreaterThanOrEqual(2);
    expect(count('line', 'stored')).toBe(2);
    expect(count('viber', 'stored')).toBe(2);
  });
});
