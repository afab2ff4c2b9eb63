import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import request from 'supertest';
import { openSealed } from '../../src/attachments/attachment-store';
import { MAX_ATTACHMENT_BYTES } from '../../src/attachments/inspect';
import type { DatabaseHandle } from '../../src/db/database';
import { createI18n } from '../../src/language/i18n';
import { buildTestHotline, type TestHotline } from '../support/app';
import { AUDIO_AND_DOCUMENT_SAMPLES, HEIC_SAMPLE, REFUSED_SAMPLES } from '../support/attachment-samples';
import { openTestDatabase, truncate } from '../support/database';
import { IDENTIFYING_TAGS, exifTags, phonePhoto } from '../support/exif';
import { personKeyIdOf } from '../../src/privacy/person-keys';

// Evidence files on the worker-facing web form and status page (issue #14): multipart/form-data
// without JavaScript, each file checked from its bytes, cleaned and sealed, and told back to the
// worker in their language.

const i18n = createI18n();
const PDF = AUDIO_AND_DOCUMENT_SAMPLES['pdf'] as Buffer;
const EXE = REFUSED_SAMPLES['a Windows executable'] as Buffer;

const FORM = {
  story: 'The boss keeps our passports and has not paid us for two months.',
  country: 'TH',
  contact: 'none',
  consent: 'yes',
};

interface Upload {
  name: string;
  bytes: Buffer;
  type?: string;
}

function csrfOf(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('no CSRF token on the page');
  return match[1];
}

function credentialsOf(html: string): { reference: string; pin: string } {
  const reference = /class="reference">([^<]+)</.exec(html)?.[1];
  const pin = /class="pin">(\d{6})</.exec(html)?.[1];
  if (!reference || !pin) throw new Error('no reference or PIN on the page');
  return { reference, pin };
}

/** The text of an element's error beside a field, as the page shows it. */
function fieldError(html: string, field: string): string | undefined {
  return new RegExp(`id="${field}-error">([^<]+)<`).exec(html)?.[1];
}

async function bytesOf(stream: Readable): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for await (const piece of stream as AsyncIterable<Buffer>) pieces.push(piece);
  return Buffer.concat(pieces);
}

/** A multipart body written by hand, for bodies supertest would not send (cut short, wrong boundary). */
function multipartBody(boundary: string, fields: Record<string, string>, files: Upload[]): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  for (const file of files) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${file.name}"\r\nContent-Type: ${file.type ?? 'application/octet-stream'}\r\n\r\n`));
    parts.push(file.bytes, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(parts);
}

describe('evidence files on the web form and the status page', () => {
  let handle: DatabaseHandle;
  let hotline: TestHotline;

  beforeAll(async () => {
    handle = await openTestDatabase();
    hotline = buildTestHotline(handle);
  });
  afterAll(async () => {
    await handle.close();
  });
  beforeEach(async () => {
    await truncate(handle, ['attachment_chunks', 'attachments', 'rate_limits', 'jobs_outbox', 'case_events', 'messages', 'cases', 'contacts']);
  });

  const attachments = () => handle.db.selectFrom('attachments').selectAll().orderBy('created_at').execute();
  const chunkCount = async () => (await handle.db.selectFrom('attachment_chunks').select('seq').execute()).length;
  const cases = () => handle.db.selectFrom('cases').select(['id', 'reference', 'person_id', 'last_worker_message_at']).execute();

  async function formAgent(path: string, language: string) {
    const agent = request.agent(hotline.app);
    const page = await agent.get(`${path}?lang=${language}`).expect(200);
    return { agent, csrf: csrfOf(page.text), page };
  }

  /** Posts the report form as a browser does: every text field (the token first), then the files. */
  async function report(language: string, files: Upload[], form: Record<string, string> = FORM, options: { csrf?: boolean } = {}) {
    const { agent, csrf } = await formAgent('/report', language);
    let post = agent.post(`/report?lang=${language}`);
    if (options.csrf !== false) post = post.field('_csrf', csrf);
    for (const [name, value] of Object.entries(form)) post = post.field(name, value);
    for (const file of files) post = post.attach('files', file.bytes, { filename: file.name, contentType: file.type ?? 'application/octet-stream' });
    return post;
  }

  function expectStatus<T extends { status: number; text: string }>(response: T, status: number): T {
    expect({ status: response.status, text: response.status === status ? '' : response.text.slice(0, 2000) }).toEqual({ status, text: '' });
    return response;
  }

  describe('the form', () => {
    it('asks for files last, without JavaScript, as multipart', async () => {
      const { page } = await formAgent('/report', 'en');
      expect(page.text).toContain('enctype="multipart/form-data"');
      expect(page.text).toMatch(/<input id="files" name="files" type="file" multiple accept="image\/jpeg,image\/png,image\/webp,image\/heic,application\/pdf,audio\/\*"/);
      const form = page.text.slice(page.text.indexOf('<form'), page.text.indexOf('</form>'));
      // The file input comes after every other field, so the token and answers arrive before any file.
      expect(form.lastIndexOf('name="files"')).toBeGreaterThan(form.lastIndexOf('name="consent"'));
      expect(form.indexOf('name="_csrf"')).toBeLessThan(form.indexOf('name="files"'));
      expect(page.text).not.toMatch(/<script/);
    });
  });

  describe('reporting with files', () => {
    it.each(['my', 'th'])('keeps a phone photo without its GPS and a PDF with the new case, and says so in %s', async (language) => {
      const photo = await phonePhoto(640, 480);
      expect(exifTags(photo)['GPSLatitude']).toBeDefined();
      const response = expectStatus(await report(language, [{ name: 'boss.jpg', bytes: photo, type: 'image/jpeg' }, { name: 'payslip.pdf', bytes: PDF, type: 'application/pdf' }]), 200);
      const { reference } = credentialsOf(response.text);
      expect(response.text).toContain(`<html lang="${language}">`);
      expect(response.text).toContain(i18n.getFixedT(language, 'web')('files.received', { count: 2 }));
      expect(response.text).not.toContain('files-refused');

      const [found] = await cases();
      expect(found?.reference).toBe(reference);
      const rows = await attachments();
      expect(rows.map((row) => ({ source: row.source, status: row.status, kind: row.kind, content_type: row.content_type, case_id: row.case_id, person_id: row.person_id })))
        .toEqual([
          { source: 'web', status: 'stored', kind: 'image', content_type: 'image/jpeg', case_id: found?.id, person_id: found?.person_id },
          { source: 'web', status: 'stored', kind: 'document', content_type: 'application/pdf', case_id: found?.id, person_id: found?.person_id },
        ]);
      // Taken in before the worker was known, their keys were sealed again under the worker's own key.
      const personKey = await handle.db.selectFrom('person_keys').select('id').where('person_id', '=', found?.person_id ?? '').executeTakeFirstOrThrow();
      expect(rows.map((row) => personKeyIdOf(row.key_encrypted))).toEqual([personKey.id.replace(/-/g, ''), personKey.id.replace(/-/g, '')]);
      const storedPhoto = await bytesOf(await openSealed({ db: handle.db, cipher: hotline.cipher }, { attachmentId: rows[0]?.id ?? '', variant: 'original' }));
      const tags = exifTags(storedPhoto);
      for (const tag of IDENTIFYING_TAGS) expect({ tag, value: tags[tag] }).toEqual({ tag, value: undefined });
      expect((await bytesOf(await openSealed({ db: handle.db, cipher: hotline.cipher }, { attachmentId: rows[1]?.id ?? '', variant: 'original' }))).equals(PDF)).toBe(true);

      const events = await handle.db.selectFrom('case_events').select(['type', 'actor_kind', 'data']).where('case_id', '=', found?.id ?? '').where('type', '=', 'attachment.added').execute();
      expect(events).toEqual(rows.map((row) => ({ type: 'attachment.added', actor_kind: 'worker', data: { attachmentId: row.id } })));
    });

    it('keeps the report and refuses a program named photo.jpg, telling the worker why in Lao', async () => {
      const response = expectStatus(await report('lo', [{ name: 'photo.jpg', bytes: EXE, type: 'image/jpeg' }, { name: 'contract.pdf', bytes: PDF }]), 200);
      credentialsOf(response.text);
      const t = i18n.getFixedT('lo', 'web');
      expect(response.text).toContain(t('files.received', { count: 1 }));
      expect(response.text).toContain(t('files.refused_title'));
      expect(response.text).toMatch(new RegExp(`<li><span class="file-name">photo\\.jpg</span>: ${t('files.refused.unsupported_type').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}</li>`));
      const [found] = await cases();
      const rows = await attachments();
      expect(rows.map((row) => ({ status: row.status, refused_reason: row.refused_reason, case_id: row.case_id }))).toEqual([
        { status: 'refused', refused_reason: 'unsupported_type', case_id: found?.id },
        { status: 'stored', refused_reason: null, case_id: found?.id },
      ]);
      const events = await handle.db.selectFrom('case_events').select('data').where('type', '=', 'attachment.added').execute();
      expect(events).toEqual([{ data: { attachmentId: rows[1]?.id } }]);
    });

    it('asks for a JPEG or a screenshot when a HEIC photo cannot be opened, in Vietnamese', async () => {
      const response = expectStatus(await report('vi', [{ name: 'IMG_0001.HEIC', bytes: HEIC_SAMPLE, type: 'image/heic' }]), 200);
      const [row] = await attachments();
      expect(row?.status).toBe('refused');
      const reason = row?.refused_reason ?? '';
      expect(['heic_unsupported', 'unreadable_image']).toContain(reason);
      expect(response.text).toContain(i18n.getFixedT('vi', 'web')(`files.refused.${reason}`));
      expect(response.text).toMatch(/JPEG/);
    });

    it('shows a refused file\'s name as the phone wrote it (Burmese), escaped, never as markup', async () => {
      const response = expectStatus(await report('my', [{ name: 'လစာ<img src=x onerror=alert(1)>\u202egpj.exe', bytes: EXE }]), 200);
      expect(response.text).toContain('<span class="file-name">လစာ&lt;img src=x onerror=alert(1)&gt;gpj.exe</span>');
      expect(response.text).not.toContain('<img src=x');
    });

    it('refuses four files in the worker\'s language beside the files field, keeping nothing', async () => {
      const four = [1, 2, 3, 4].map((n) => ({ name: `page${n}.pdf`, bytes: PDF }));
      const response = expectStatus(await report('km', four), 400);
      expect(response.text).toContain('<html lang="km">');
      expect(fieldError(response.text, 'files')).toBe(i18n.getFixedT('km', 'web')('field.files_too_many', { maximum: 3 }));
      expect(response.text).toContain(`value="${FORM.country}" selected`);
      expect(await cases()).toEqual([]);
      expect(await attachments()).toEqual([]);
      expect(await chunkCount()).toBe(0);
    });

    it('refuses a file over 10 MB with a 400 naming the files field, keeping nothing', async () => {
      const big = Buffer.concat([PDF, Buffer.alloc(MAX_ATTACHMENT_BYTES - PDF.length + 1, 0x20)]);
      const response = expectStatus(await report('vi', [{ name: 'scan.pdf', bytes: PDF }, { name: 'video.pdf', bytes: big }]), 400);
      expect(fieldError(response.text, 'files')).toBe(i18n.getFixedT('vi', 'web')('field.file_too_large', { maximum: 10 }));
      expect(await cases()).toEqual([]);
      expect(await attachments()).toEqual([]);
      expect(await chunkCount()).toBe(0);
    });

    it('takes a file of exactly 10 MB', async () => {
      const atLimit = Buffer.concat([PDF, Buffer.alloc(MAX_ATTACHMENT_BYTES - PDF.length, 0x20)]);
      expectStatus(await report('en', [{ name: 'scan.pdf', bytes: atLimit }]), 200);
      expect((await attachments()).map((row) => ({ status: row.status, size: row.size_bytes }))).toEqual([{ status: 'stored', size: String(MAX_ATTACHMENT_BYTES) }]);
    });

    it('keeps no file of a form with a bad field, and asks for the files again', async () => {
      const response = expectStatus(await report('th', [{ name: 'payslip.pdf', bytes: PDF }], { ...FORM, story: '' }), 400);
      expect(fieldError(response.text, 'story')).toBeDefined();
      expect(fieldError(response.text, 'files')).toBe(i18n.getFixedT('th', 'web')('field.files_choose_again'));
      expect(await cases()).toEqual([]);
      expect(await attachments()).toEqual([]);
    });

    it('refuses a multipart form without its CSRF token and leaves no attachment behind', async () => {
      const response = await report('my', [{ name: 'payslip.pdf', bytes: PDF }], FORM, { csrf: false });
      expect(response.status).toBe(403);
      expect(response.text).toContain('<html lang="my">');
      expect(await cases()).toEqual([]);
      expect(await attachments()).toEqual([]);
      expect(await chunkCount()).toBe(0);
    });

    it('refuses a token sent after the files without storing any of them', async () => {
      const { agent, csrf } = await formAgent('/report', 'en');
      const boundary = 'hotline-boundary-1';
      const body = Buffer.concat([
        multipartBody(boundary, FORM, [{ name: 'payslip.pdf', bytes: PDF }]).subarray(0, -`--${boundary}--\r\n`.length),
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n--${boundary}--\r\n`),
      ]);
      const response = await agent.post('/report?lang=en').set('Content-Type', `multipart/form-data; boundary=${boundary}`).send(body);
      expect(response.status).toBe(403);
      expect(await attachments()).toEqual([]);
    });

    it('answers a NUL in a multipart text field with a 400 naming the field', async () => {
      const { agent, csrf } = await formAgent('/report', 'en');
      const response = await agent.post('/report?lang=en').set('Accept', 'application/json')
        .field('_csrf', csrf).field('story', 'my boss\u0000').field('consent', 'yes')
        .attach('files', PDF, 'payslip.pdf');
      expect(response.status).toBe(400);
      expect(response.body.error.fields).toEqual([expect.objectContaining({ field: 'story', reason: 'nul_character' })]);
      expect(await attachments()).toEqual([]);
    });

    it('treats an empty file input as no file', async () => {
      const response = expectStatus(await report('en', [{ name: '', bytes: Buffer.alloc(0) }]), 200);
      expect(response.text).not.toContain('files-received');
      expect(await cases()).toHaveLength(1);
      expect(await attachments()).toEqual([]);
    });

    it('still takes the form urlencoded', async () => {
      const { agent, csrf } = await formAgent('/report', 'en');
      const response = expectStatus(await agent.post('/report?lang=en').type('form').send({ ...FORM, _csrf: csrf }), 200);
      credentialsOf(response.text);
      expect(await attachments()).toEqual([]);
    });
  });

  describe('a body that is not a whole multipart form', () => {
    async function postRaw(contentType: string, body: Buffer) {
      const { agent } = await formAgent('/report', 'en');
      return agent.post('/report?lang=en').set('Content-Type', contentType).send(body);
    }

    it('answers 400 to a body cut short in the middle of a file, keeping nothing', async () => {
      const { agent, csrf } = await formAgent('/report', 'en');
      const whole = multipartBody('cut-boundary', { _csrf: csrf, ...FORM }, [{ name: 'payslip.pdf', bytes: Buffer.concat([PDF, Buffer.alloc(200_000, 0x20)]) }]);
      const response = await agent.post('/report?lang=en').set('Content-Type', 'multipart/form-data; boundary=cut-boundary').send(whole.subarray(0, whole.length - 100_000));
      expect(response.status).toBe(400);
      expect(await cases()).toEqual([]);
      expect(await attachments()).toEqual([]);
      expect(await chunkCount()).toBe(0);
    });

    it('answers 400 to a body whose boundary is not the one announced', async () => {
      const response = await postRaw('multipart/form-data; boundary=announced', multipartBody('another', FORM, [{ name: 'a.pdf', bytes: PDF }]));
      expect(response.status).toBe(400);
    });

    it('answers 400 to a multipart body without a boundary', async () => {
      const response = await postRaw('multipart/form-data', multipartBody('x', FORM, []));
      expect(response.status).toBe(400);
    });

    it('answers 400 to a connection that closes mid-upload, and keeps nothing', async () => {
      const page = await request(hotline.app).get('/report?lang=en').expect(200);
      const csrf = csrfOf(page.text);
      const cookies = /csrf=[^;]+/.exec(String(page.headers['set-cookie']))?.[0] ?? '';
      const server = http.createServer(hotline.app).listen(0);
      try {
        const { port } = server.address() as AddressInfo;
        const head = multipartBody('gone', { _csrf: csrf, ...FORM }, [{ name: 'a.pdf', bytes: PDF }]).subarray(0, 600);
        await new Promise<void>((resolve) => {
          const outgoing = http.request({ port, method: 'POST', path: '/report?lang=en', headers: { 'Content-Type': 'multipart/form-data; boundary=gone', 'Content-Length': '100000', Cookie: cookies } });
          outgoing.on('error', () => resolve());
          outgoing.on('response', (res) => {
            res.resume();
            resolve();
          });
          outgoing.write(head, () => setTimeout(() => outgoing.destroy(), 100));
        });
        // The server notices the closed connection on its own time.
        for (let i = 0; i < 50 && (await attachments()).length > 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
        expect(await attachments()).toEqual([]);
        expect(await cases()).toEqual([]);
      } finally {
        server.close();
      }
    });
  });

  describe('the status page', () => {
    async function reportCase(): Promise<{ reference: string; pin: string }> {
      const { agent, csrf } = await formAgent('/report', 'en');
      return credentialsOf(expectStatus(await agent.post('/report?lang=en').type('form').send({ ...FORM, _csrf: csrf }), 200).text);
    }

    async function addFiles(language: string, credentials: { reference: string; pin: string }, files: Upload[], addition = '') {
      const { agent, csrf } = await formAgent('/status', language);
      let post = agent.post(`/status?lang=${language}`).field('_csrf', csrf).field('reference', credentials.reference).field('pin', credentials.pin).field('addition', addition);
      for (const file of files) post = post.attach('files', file.bytes, { filename: file.name, contentType: file.type ?? 'application/octet-stream' });
      return post;
    }

    it('offers the file input with the addition, after the PIN', async () => {
      const credentials = await reportCase();
      const { agent, csrf } = await formAgent('/status', 'en');
      const page = expectStatus(await agent.post('/status?lang=en').type('form').send({ ...credentials, _csrf: csrf }), 200);
      expect(page.text).toContain('enctype="multipart/form-data"');
      expect(page.text).toMatch(/<input id="files" name="files" type="file" multiple/);
    });

    it('adds files to the case after the PIN, on the timeline, and says how many in the worker\'s language', async () => {
      const credentials = await reportCase();
      const [before] = await cases();
      await new Promise((resolve) => setTimeout(resolve, 10));
      const photo = await phonePhoto();
      const response = expectStatus(await addFiles('km', credentials, [{ name: 'injury.jpg', bytes: photo, type: 'image/jpeg' }, { name: 'run.exe', bytes: EXE }]), 200);
      const t = i18n.getFixedT('km', 'web');
      expect(response.text).toContain(t('files.received', { count: 1 }));
      expect(response.text).toContain(t('files.refused.unsupported_type'));
      expect(response.text).toContain('run.exe');
      const rows = await attachments();
      expect(rows.map((row) => ({ source: row.source, status: row.status, case_id: row.case_id, person_id: row.person_id }))).toEqual([
        { source: 'status_page', status: 'stored', case_id: before?.id, person_id: before?.person_id },
        { source: 'status_page', status: 'refused', case_id: before?.id, person_id: before?.person_id },
      ]);
      const [after] = await cases();
      expect(new Date(after?.last_worker_message_at ?? 0).getTime()).toBeGreaterThan(new Date(before?.last_worker_message_at ?? 0).getTime());
      const events = await handle.db.selectFrom('case_events').select('data').where('case_id', '=', before?.id ?? '').where('type', '=', 'attachment.added').execute();
      expect(events).toEqual([{ data: { attachmentId: rows[0]?.id } }]);
    });

    it('adds text and a file together', async () => {
      const credentials = await reportCase();
      const response = expectStatus(await addFiles('en', credentials, [{ name: 'payslip.pdf', bytes: PDF }], 'Here is my payslip.'), 200);
      expect(response.text).toContain('We added this to your case');
      expect(response.text).toContain(i18n.getFixedT('en', 'web')('files.received', { count: 1 }));
      expect((await attachments()).map((row) => row.status)).toEqual(['stored']);
      expect(await handle.db.selectFrom('messages').select('id').where('direction', '=', 'in').execute()).toHaveLength(1);
    });

    it('keeps nothing for a wrong PIN', async () => {
      const credentials = await reportCase();
      const wrongPin = String((Number(credentials.pin) + 1) % 1_000_000).padStart(6, '0');
      const response = expectStatus(await addFiles('en', { ...credentials, pin: wrongPin }, [{ name: 'payslip.pdf', bytes: PDF }]), 200);
      expect(response.text).toContain(i18n.getFixedT('en', 'web')('status.wrong'));
      expect(await attachments()).toEqual([]);
      expect(await chunkCount()).toBe(0);
    });

    it('refuses four files beside the files field, keeping neither files nor text', async () => {
      const credentials = await reportCase();
      const four = [1, 2, 3, 4].map((n) => ({ name: `page${n}.pdf`, bytes: PDF }));
      const response = expectStatus(await addFiles('th', credentials, four, 'More news.'), 400);
      expect(fieldError(response.text, 'files')).toBe(i18n.getFixedT('th', 'web')('field.files_too_many', { maximum: 3 }));
      expect(response.text).toContain('More news.</textarea>');
      expect(await attachments()).toEqual([]);
      expect(await handle.db.selectFrom('messages').select('id').where('direction', '=', 'in').execute()).toEqual([]);
    });
  });
});
