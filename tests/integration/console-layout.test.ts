import { insertCase } from '../../src/cases/case.repository';
import { waitedFor } from '../../src/console/inbox.views';
import type { DatabaseHandle } from '../../src/db/database';
import type { NewCase } from '../../src/db/schema';
import { createI18n } from '../../src/language/i18n';
import { hashPassword } from '../../src/users/password';
import { upsertUser } from '../../src/users/user.repository';
import { buildTestHotline, type TestHotline } from '../support/app';
import { createFakeClock } from '../support/clock';
import { signedInAgent } from '../support/console';
import { openTestDatabase } from '../support/database';

// The console laid out for a day's work (issue #17): the inbox's columns and waiting time in words,
// the case page's folded forms and consent badge, and the printable summary, which shows the
// worker's words and details only in the full view and is audited.

const PASSWORD = 'a long staff password';
const HOUR = 3_600_000;
const PHONE = '081 234 5678';
const EMPLOYER = 'Golden Shrimp Co.';
const WORDS = `No pay for three months. Call me on ${PHONE}`;

describe('the console at a desk', () => {
  const clock = createFakeClock('2026-11-27T08:00:00Z');
  let handle: DatabaseHandle;
  let hotline: TestHotline;
  const orgs = { maeSot: '', other: '' };
  let assigneeId = '';

  async function buildCase(overrides: Partial<NewCase> = {}): Promise<{ id: string; reference: string }> {
    const kase = await handle.db.transaction().execute((trx) =>
      insertCase(trx, {
        channel: 'whatsapp', language: 'km', status: 'open', categories: ['wages'], origin_country: 'KH', destination_country: 'TH', destination_province: 'TH-63',
        summary_encrypted: hotline.cipher.seal(WORDS), employer_encrypted: hotline.cipher.seal(EMPLOYER), owner_organisation_id: orgs.maeSot,
        amount_recovered: '12000', recovered_currency: 'THB', outcome: 'wages_recovered', created_at: new Date(clock.now().getTime() - 30 * HOUR),
        last_worker_message_at: new Date(clock.now().getTime() - 3 * HOUR), assigned_user_id: assigneeId, ...overrides,
      }),
    );
    await handle.db.insertInto('messages').values([
      { case_id: kase.id, direction: 'in', channel: 'whatsapp', body_encrypted: hotline.cipher.seal(WORDS), status: 'received', created_at: new Date(clock.now().getTime() - 30 * HOUR) },
      { case_id: kase.id, direction: 'out', channel: 'whatsapp', body_encrypted: hotline.cipher.seal('We will call your employer.'), status: 'delivered', created_at: new Date(clock.now().getTime() - 29 * HOUR) },
    ]).execute();
    return kase;
  }

  beforeAll(async () => {
    handle = await openTestDatabase();
    hotline = buildTestHotline(handle, { clock });
    const organisation = async (slug: string) => (await handle.db.insertInto('organisations').values({ slug, name: slug, kind: 'ngo', country: 'TH' }).returning('id').executeTakeFirstOrThrow()).id;
    orgs.maeSot = await organisation('mae-sot');
    orgs.other = await organisation('yangon');
    const hash = await hashPassword(PASSWORD);
    assigneeId = await upsertUser(handle.db, { organisationId: orgs.maeSot, email: 'a@example.org', displayName: 'Naw Paw', role: 'caseworker', locale: 'en', passwordHash: hash });
    await upsertUser(handle.db, { organisationId: orgs.maeSot, email: 'th@example.org', displayName: 'Somchai', role: 'caseworker', locale: 'th', passwordHash: hash });
    await upsertUser(handle.db, { organisationId: orgs.other, email: 'other@example.org', displayName: 'Other', role: 'caseworker', locale: 'en', passwordHash: hash });
  });
  afterAll(async () => {
    await handle.close();
  });

  const signIn = (who: 'a' | 'th' | 'other') => signedInAgent(hotline.app, `${who}@example.org`, PASSWORD);
  const auditOf = (caseId: string, action: string) =>
    handle.db.selectFrom('audit_log').select(['action', 'details']).where('case_id', '=', caseId).where('action', '=', action).execute();

  it('says how long each case has waited for a reply in words, in the reader\'s language', () => {
    const now = new Date('2026-11-27T08:00:00Z');
    const ago = (ms: number) => new Date(now.getTime() - ms);
    const en = createI18n().getFixedT('en');
    const th = createI18n().getFixedT('th');
    expect([ago(20_000), ago(45 * 60_000), ago(HOUR), ago(3 * HOUR), ago(47 * HOUR), ago(49 * HOUR), ago(9 * 24 * HOUR)].map((at) => waitedFor(at, now, en)))
      .toEqual(['1 minute', '45 minutes', '1 hour', '3 hours', '47 hours', '2 days', '9 days']);
    expect(waitedFor(ago(3 * HOUR), now, th)).toBe('3 ชั่วโมง');
    for (const language of ['my', 'km', 'lo', 'vi']) {
      const t = createI18n().getFixedT(language);
      expect(waitedFor(ago(2 * 24 * HOUR), now, t)).not.toMatch(/days|inbox\.age/);
    }
  });

  it('lists each case in one row: channel, language, the wait in words and who holds it', async () => {
    const kase = await buildCase();
    const answered = await buildCase({ last_staff_message_at: clock.now() });
    const { agent } = await signIn('a');
    const inbox = await agent.get('/console/cases').expect(200);
    const rowOf = (reference: string) => new RegExp(`<tr[^>]*>\\s*<th scope="row"[^>]*><a href="/console/cases/${reference}">[\\s\\S]*?</tr>`).exec(inbox.text)?.[0] ?? '';
    const waiting = rowOf(kase.reference);
    expect(waiting).toContain('<tr class="waiting">');
    expect(waiting).toContain('WhatsApp');
    expect(waiting).toContain('ខ្មែរ');
    expect(waiting).toContain('>3 hours<');
    expect(waiting).toContain('Naw Paw');
    const other = rowOf(answered.reference);
    expect(other).not.toContain('hours');
    expect(other).not.toContain('class="waiting"');
    const thai = await (await signIn('th')).agent.get('/console/cases').expect(200);
    expect(thai.text).toContain('>3 ชั่วโมง<');
  });

  it('draws a case with the reply box right after the conversation, the consent as a badge, and the consent, refer and escalate forms folded', async () => {
    const kase = await buildCase();
    const { agent } = await signIn('a');
    const page = (await agent.get(`/console/cases/${kase.reference}`).expect(200)).text;
    expect(page).toContain('class="consent-badge consent-unknown"');
    expect(page).toMatch(/<details class="fold"><summary id="consent-heading">/);
    expect(page).toMatch(/<details class="fold"><summary id="refer-heading">/);
    expect(page).toMatch(/<details class="fold"><summary id="escalate-heading">/);
    const order = ['id="timeline"', 'id="reply-body"', 'id="facts-heading"', 'id="update-heading"', 'id="referrals-heading"'].map((marker) => page.indexOf(marker));
    expect(order.every((at) => at > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(page).toContain(`href="/console/cases/${kase.reference}/summary"`);
  });

  describe('the printable summary', () => {
    it('leaves out the worker\'s words and details while they have not agreed to share, and audits the view', async () => {
      const kase = await buildCase();
      const { agent } = await signIn('a');
      const summary = (await agent.get(`/console/cases/${kase.reference}/summary`).expect(200)).text;
      expect(summary).toContain(`Summary of case ${kase.reference}`);
      expect(summary).toContain('has not agreed to share their details');
      expect(summary).toContain('class="consent-badge consent-unknown"');
      expect(summary).toContain('Wages');
      expect(summary).toContain('12,000');
      for (const personal of [PHONE, 'No pay for three months', EMPLOYER, 'We will call your employer']) expect(summary).not.toContain(personal);
      expect(await auditOf(kase.id, 'case.summary_viewed')).toEqual([{ action: 'case.summary_viewed', details: { view: 'limited' } }]);
    });

    it('shows what happened in the worker\'s words, the messages and the consent once they agreed', async () => {
      const kase = await buildCase({ consent_given: true, consent_at: clock.now(), consent_source: 'staff', consent_wording_encrypted: hotline.cipher.seal('Can we share? — Yes') });
      const { agent } = await signIn('a');
      const summary = (await agent.get(`/console/cases/${kase.reference}/summary`).expect(200)).text;
      expect(summary).toContain('class="consent-badge consent-given"');
      expect(summary).toContain('Can we share? — Yes');
      for (const personal of [PHONE, EMPLOYER, 'We will call your employer']) expect(summary).toContain(personal);
      expect(summary).not.toContain('has not agreed to share their details');
      expect(await auditOf(kase.id, 'case.summary_viewed')).toEqual([{ action: 'case.summary_viewed', details: { view: 'full' } }]);
    });

    it('does not exist for another organisation\'s caseworker, and the attempt is audited', async () => {
      const kase = await buildCase();
      const { agent } = await signIn('other');
      await agent.get(`/console/cases/${kase.reference}/summary`).expect(404);
      expect(await auditOf(kase.id, 'case.access_denied')).toEqual([{ action: 'case.access_denied', details: { attempted: 'case.summary_viewed' } }]);
      expect(await auditOf(kase.id, 'case.summary_viewed')).toEqual([]);
    });
  });
});
