import crypto from 'node:crypto';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { PROMPT_KEYS } from '../../src/channels/voice/voice-call';
import type { DatabaseHandle } from '../../src/db/database';
import { hashPassword } from '../../src/users/password';
import { upsertUser } from '../../src/users/user.repository';
import { AUDIO_AND_DOCUMENT_SAMPLES, toneWav } from '../support/attachment-samples';
import { buildTestHotline, TEST_PUBLIC_URL, type TestHotline } from '../support/app';
import { signedInAgent } from '../support/console';
import { openTestDatabase } from '../support/database';
import { phonePhoto } from '../support/exif';
import { heard, parseTwiml } from '../support/twiml';
import { postSigned } from '../support/twilio-webhook';

// The voice line's recorded prompts in the admin console: an admin uploads or replaces a prompt's
// recording (a plain multipart form), only audio is kept, the old recording goes, every change is
// audited, and a language without a Twilio voice joins the phone menu once all its prompts exist.

const PASSWORD = 'a long staff password';
const ACCOUNT_SID = `AC${'0'.repeat(32)}`;

async function bytesOf(agent: TestAgent, path: string): Promise<{ status: number; type: string | undefined; body: Buffer }> {
  const response = await agent.get(path).buffer(true).parse((res, done) => {
    const parts: Buffer[] = [];
    res.on('data', (part: Buffer) => parts.push(part));
    res.on('end', () => done(null, Buffer.concat(parts)));
  });
  return { status: response.status, type: response.headers['content-type'], body: response.body as Buffer };
}

describe('voice prompts in the admin console', () => {
  let handle: DatabaseHandle;
  let hotline: TestHotline;
  let adminId: string;

  beforeAll(async () => {
    handle = await openTestDatabase();
    hotline = buildTestHotline(handle);
    const org = await handle.db.insertInto('organisations').values({ slug: 'voice-network', name: 'Network', kind: 'network', country: 'TH' }).returning('id').executeTakeFirstOrThrow();
    const hash = await hashPassword(PASSWORD);
    adminId = await upsertUser(handle.db, { organisationId: org.id, email: 'admin@voice.example.org', displayName: 'Admin', role: 'admin', locale: 'en', passwordHash: hash });
    await upsertUser(handle.db, { organisationId: org.id, email: 'admin.th@voice.example.org', displayName: 'Admin TH', role: 'admin', locale: 'th', passwordHash: hash });
    for (const role of ['caseworker', 'coordinator'] as const) {
      await upsertUser(handle.db, { organisationId: org.id, email: `${role}@voice.example.org`, displayName: role, role, locale: 'en', passwordHash: hash });
    }
  });
  afterAll(async () => {
    await handle.close();
  });

  const signedIn = (email: string) => signedInAgent(hotline.app, email, PASSWORD);
  const upload = (agent: TestAgent, csrf: string | undefined, language: string, key: string, file: Buffer, filename = 'prompt.wav') => {
    const post = agent.post(`/console/admin/voice/${language}/${key}`);
    if (csrf !== undefined) post.field('_csrf', csrf);
    return post.attach('audio', file, { filename, contentType: 'audio/wav' });
  };
  const promptRow = (language: string, key: string) =>
    handle.db.selectFrom('voice_prompts').selectAll().where('language', '=', language).where('prompt_key', '=', key).executeTakeFirst();
  const consoleAttachments = async () => (await handle.db.selectFrom('attachments').select('id').where('source', '=', 'console').execute()).map((row) => row.id).sort();
  const auditOf = (action: string) =>
    handle.db.selectFrom('audit_log').select(['actor_kind', 'actor_user_id', 'subject_type', 'subject_id', 'details']).where('action', '=', action).orderBy('id').execute();

  /** Rings the line and returns what the caller hears in the language menu. */
  async function languageMenu() {
    const params = { CallSid: `CA${crypto.randomBytes(16).toString('hex')}`, AccountSid: ACCOUNT_SID, From: '+66812345678', To: '+6621234567', CallStatus: 'ringing' };
    const response = await postSigned(hotline.app, '/webhooks/twilio/voice', params).expect(200);
    return heard(parseTwiml(response.text));
  }

  it('is for admins only: other roles get 403 and nothing is stored', async () => {
    const before = await consoleAttachments();
    for (const email of ['caseworker@voice.example.org', 'coordinator@voice.example.org']) {
      const { agent, csrf } = await signedIn(email);
      await agent.get('/console/admin/voice').expect(403);
      await agent.get('/console/admin/voice/my').expect(403);
      await upload(agent, csrf, 'my', 'safety', toneWav(1)).expect(403);
    }
    expect(await consoleAttachments()).toEqual(before);
    expect(await promptRow('my', 'safety')).toBeUndefined();
  });

  it('refuses an upload without the session\'s CSRF token before taking in the file, and keeps other routes closed to such a form', async () => {
    const { agent, csrf } = await signedIn('admin@voice.example.org');
    const before = await consoleAttachments();
    const missing = await upload(agent, undefined, 'lo', 'goodbye', toneWav(1)).set('Accept', 'application/json').expect(403);
    expect(missing.body.error.code).toBe('csrf_failed');
    const wrong = await upload(agent, `${csrf}x`, 'lo', 'goodbye', toneWav(1)).set('Accept', 'application/json').expect(403);
    expect(wrong.body.error.code).toBe('csrf_failed');
    expect(await consoleAttachments()).toEqual(before);
    expect(await promptRow('lo', 'goodbye')).toBeUndefined();
    // A multipart body defers the token check only on a route that reads one itself.
    const elsewhere = await agent.post('/console/admin/tokens').set('Accept', 'application/json').field('email', 'admin@voice.example.org').expect(403);
    expect(elsewhere.body.error.code).toBe('csrf_failed');
    expect(await handle.db.selectFrom('api_tokens').select('id').execute()).toEqual([]);
  });

  it('refuses a photo or a PDF as a prompt, with the reason beside the field in the admin\'s language, keeping nothing', async () => {
    const before = await consoleAttachments();
    const { agent, csrf } = await signedIn('admin@voice.example.org');
    const photo = await upload(agent, csrf, 'km', 'safety', await phonePhoto(), 'photo.jpg').expect(400);
    expect(photo.text).toContain('<p class="field-error" id="audio-safety-error">This file is not a sound recording.');
    expect(photo.text).toContain('aria-describedby="audio-safety-error"');
    const pdf = await upload(agent, csrf, 'km', 'menu.language', AUDIO_AND_DOCUMENT_SAMPLES['pdf'] ?? Buffer.alloc(0), 'words.pdf').expect(400);
    expect(pdf.text).toContain('id="audio-menu-language-error">This file is not a sound recording.');

    const thai = await signedIn('admin.th@voice.example.org');
    const refused = await upload(thai.agent, thai.csrf, 'km', 'safety', AUDIO_AND_DOCUMENT_SAMPLES['pdf'] ?? Buffer.alloc(0), 'words.pdf').expect(400);
    expect(refused.text).toContain('ไฟล์นี้ไม่ใช่เสียงที่อัดไว้');

    // A form sent without a file is answered beside the field too.
    const empty = await agent.post('/console/admin/voice/km/safety').field('_csrf', csrf).expect(400);
    expect(empty.text).toContain('Choose an audio file first.');

    expect(await consoleAttachments()).toEqual(before);
    expect(await promptRow('km', 'safety')).toBeUndefined();
    expect(await auditOf('voice_prompt.recorded')).toEqual([]);
  });

  it('uploads a recording, then replaces it: same prompt id, the new audio served, the old attachment gone, both audited', async () => {
    const { agent, csrf } = await signedIn('admin@voice.example.org');
    const first = toneWav(1, 500);
    const saved = await upload(agent, csrf, 'lo', 'safety', first).expect(303);
    expect(saved.headers['location']).toBe('/console/admin/voice/lo?saved=safety#prompt-safety');
    const row = await promptRow('lo', 'safety');
    if (!row) throw new Error('the prompt was not stored');
    const page = await agent.get('/console/admin/voice/lo?saved=safety').expect(200);
    expect(page.text).toMatch(new RegExp(`<audio controls preload="none" src="/voice/prompts/${row.id}\\?v=\\d+"`));
    expect(page.text).toContain('Recording saved.');
    expect(page.text).toContain('<code>safety</code> · Recorded');
    expect(page.text).toContain('<code>goodbye</code> · Missing');
    expect(page.text).toContain('Not in the phone menu yet: 11 prompts still need a recording.');
    expect(await bytesOf(agent, `/voice/prompts/${row.id}`)).toMatchObject({ status: 200, type: 'audio/wav', body: first });

    const second = toneWav(2, 700);
    await upload(agent, csrf, 'lo', 'safety', second).expect(303);
    const replaced = await promptRow('lo', 'safety');
    expect(replaced?.id).toBe(row.id);
    expect(replaced?.attachment_id).not.toBe(row.attachment_id);
    expect(await handle.db.selectFrom('attachments').select('id').where('id', '=', row.attachment_id).executeTakeFirst()).toBeUndefined();
    expect(await handle.db.selectFrom('attachment_chunks').select('seq').where('attachment_id', '=', row.attachment_id).execute()).toEqual([]);
    expect(await bytesOf(agent, `/voice/prompts/${row.id}`)).toMatchObject({ status: 200, body: second });

    expect(await auditOf('voice_prompt.recorded')).toEqual([
      { actor_kind: 'user', actor_user_id: adminId, subject_type: 'voice_prompt', subject_id: row.id, details: { key: 'safety', language: 'lo', placeholder: false } },
    ]);
    expect(await auditOf('voice_prompt.replaced')).toEqual([
      { actor_kind: 'user', actor_user_id: adminId, subject_type: 'voice_prompt', subject_id: row.id, details: { key: 'safety', language: 'lo', placeholder: false, replaced: 'recording' } },
    ]);
  });

  it('puts Burmese in the call\'s language menu once every prompt is recorded, and says so in the console', async () => {
    const { agent, csrf } = await signedIn('admin@voice.example.org');
    expect((await languageMenu()).some((item) => 'play' in item)).toBe(false);
    const [firstKey, ...otherKeys] = PROMPT_KEYS;
    await upload(agent, csrf, 'my', firstKey, toneWav(1, 300)).expect(303);
    // One prompt is not enough: a caller must not hear half the call in another language.
    expect((await languageMenu()).some((item) => 'play' in item)).toBe(false);
    const overview = await agent.get('/console/admin/voice').expect(200);
    expect(overview.text).toMatch(/<td lang="my">မြန်မာ<\/td><td>No<\/td>\s*<td>1 of 12<\/td><td>0<\/td><td>No<\/td>/);

    for (const key of otherKeys) await upload(agent, csrf, 'my', key, toneWav(1, 300)).expect(303);
    const menuPrompt = await promptRow('my', 'menu.language');
    const menu = await languageMenu();
    expect(menu[0]).toEqual({ play: `${TEST_PUBLIC_URL}/voice/prompts/${menuPrompt?.id ?? ''}` });
    expect(menu).toHaveLength(4);
    const after = await agent.get('/console/admin/voice').expect(200);
    expect(after.text).toMatch(/<td lang="my">မြန်မာ<\/td><td>No<\/td>\s*<td>12 of 12<\/td><td>0<\/td><td>Yes<\/td>/);
    expect((await agent.get('/console/admin/voice/my').expect(200)).text).toContain('This language is in the phone menu.');
    // Thai has Twilio's voice: offered with no recording at all.
    expect(after.text).toMatch(/<td lang="th">ไทย<\/td><td>Yes<\/td>\s*<td>0 of 12<\/td><td>0<\/td><td>Yes<\/td>/);
  });

  it('answers 404 for a language or prompt that does not exist', async () => {
    const { agent, csrf } = await signedIn('admin@voice.example.org');
    await agent.get('/console/admin/voice/xx').expect(404);
    await upload(agent, csrf, 'my', 'not_a_prompt', toneWav(1)).expect(404);
    // Not signed in: off to the sign-in page.
    await request(hotline.app).get('/console/admin/voice').expect(303);
  });
});
