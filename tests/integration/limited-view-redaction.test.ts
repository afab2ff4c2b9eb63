import type { DatabaseHandle } from '../../src/db/database';
import { REDACTED } from '../../src/privacy/redaction';
import { hashPassword } from '../../src/users/password';
import type { TestHotline } from '../support/app';
import { signedInAgent } from '../support/console';
import { useTestNetwork, type TestNetwork } from '../support/network';

// Issue #11, part 3: without the worker's consent, no free text of a case reaches another
// organisation with a way to reach the worker in it — not the worker's words, and not what staff
// wrote (referral and decline reasons, escalation reasons and outcomes).

const PASSWORD = 'a long staff password';
const PHONE = '081 - 234 - 5678';
/** The text with its UUIDs set aside: a random id may hold "234" by chance (one did, in CI). */
const withoutIds = (text: string) => text.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<id>');

describe('the limited view of a case', () => {
  const testbed = useTestNetwork();
  let handle: DatabaseHandle;
  let hotline: TestHotline;
  let network: TestNetwork;
  beforeAll(async () => {
    ({ handle, hotline, network } = testbed);
    await handle.db.updateTable('users').set({ password_hash: await hashPassword(PASSWORD) }).execute();
  });

  /** A case held by the Bangkok legal aid desk, without the worker's consent (unless given). */
  async function heldCase(input: { story?: string; consent?: boolean } = {}) {
    const created = await network.openRoutedCase({
      destinationCountry: 'TH', destinationProvince: 'TH-10', originCountry: 'MM', categories: ['wages'],
      ...(input.story ? { story: input.story } : {}),
      ...(input.consent === undefined ? {} : { consent: { given: input.consent, wording: 'May we share?' } }),
    });
    const referral = await handle.db.selectFrom('referrals').select('id').where('case_id', '=', created.id).executeTakeFirstOrThrow();
    await network.as('bangkok', 'patch', `/api/v1/referrals/${referral.id}`, { status: 'accepted' }).expect(204);
    return created;
  }

  async function escalatedCase(reason: string, consent?: boolean) {
    const created = await heldCase(consent === undefined ? {} : { consent });
    const made = await network.as('bangkok', 'post', `/api/v1/cases/${created.reference}/escalations`, { reason }).expect(201);
    return { ...created, escalationId: made.body.id as string };
  }

  it('takes the phone number out of an escalation reason before it reaches the liaison (API)', async () => {
    const { escalationId } = await escalatedCase(`Detained at the border, his wife is on ${PHONE}`);
    const read = await network.as('liaisonMM', 'get', `/api/v1/escalations/${escalationId}`).expect(200);
    expect(read.body.case.view).toBe('limited');
    expect(read.body.escalation.reason).toBe(`Detained at the border, his wife is on ${REDACTED}`);
    expect(read.body.case.escalations[0].reason).toBe(`Detained at the border, his wife is on ${REDACTED}`);
    expect(withoutIds(JSON.stringify(read.body))).not.toMatch(/234/);
  });

  it('takes the phone number out of an escalation reason on the liaison\'s console page', async () => {
    const { escalationId } = await escalatedCase(`Detained at the border, his wife is on ${PHONE}`);
    const { agent } = await signedInAgent(hotline.app, 'liaisonmm@network.test', PASSWORD);
    const page = await agent.get(`/console/escalations/${escalationId}`).expect(200);
    expect(page.text).toContain('Detained at the border, his wife is on');
    expect(withoutIds(page.text)).not.toMatch(/234/);
  });

  it('shows the liaison the whole reason once the worker has consented', async () => {
    const { escalationId } = await escalatedCase(`Detained at the border, his wife is on ${PHONE}`, true);
    const read = await network.as('liaisonMM', 'get', `/api/v1/escalations/${escalationId}`).expect(200);
    expect(read.body.case.view).toBe('full');
    expect(read.body.escalation.reason).toBe(`Detained at the border, his wife is on ${PHONE}`);
  });

  it('leaves the organisation that wrote a reason its own words, and takes the contact out of an outcome written by the embassy', async () => {
    const { reference, escalationId } = await escalatedCase(`Detained, his wife is on ${PHONE}`);
    await network.as('liaisonMM', 'patch', `/api/v1/escalations/${escalationId}`, { status: 'closed', outcome: 'Released; call the officer on 02-123-4567' }).expect(204);
    const read = await network.as('bangkok', 'get', `/api/v1/cases/${reference}`).expect(200);
    expect(read.body.view).toBe('limited');
    expect(read.body.escalations[0]).toMatchObject({ reason: `Detained, his wife is on ${PHONE}`, outcome: `Released; call the officer on ${REDACTED}` });
  });

  it('takes the phone number out of a referral reason and a decline reason for the other side', async () => {
    const { reference } = await heldCase();
    await network.as('bangkok', 'post', `/api/v1/cases/${reference}/referrals`, { to_organisation: 'mae-sot', reason: `Worker moved to Mae Sot, new number ${PHONE}`, response_hours: 24 }).expect(201);
    const received = await network.as('maesot', 'get', `/api/v1/cases/${reference}`).expect(200);
    const toMaeSot = (received.body.referrals as { to: { slug: string }; reason: string }[]).find((referral) => referral.to.slug === 'mae-sot');
    expect(received.body.view).toBe('limited');
    expect(toMaeSot?.reason).toBe(`Worker moved to Mae Sot, new number ${REDACTED}`);
    expect(withoutIds(JSON.stringify(received.body))).not.toMatch(/234/);

    const [incoming] = (await network.as('maesot', 'get', '/api/v1/referrals?direction=incoming').expect(200)).body.data as { id: string }[];
    await network.as('maesot', 'patch', `/api/v1/referrals/${incoming?.id}`, { status: 'declined', reason: 'No room; ask Ko Aung at aung.legal at gmail dot com' }).expect(204);
    const referring = await network.as('bangkok', 'get', `/api/v1/cases/${reference}`).expect(200);
    const declined = (referring.body.referrals as { to: { slug: string }; reason: string; decline_reason: string }[]).find((referral) => referral.to.slug === 'mae-sot');
    expect(declined).toMatchObject({ reason: `Worker moved to Mae Sot, new number ${PHONE}`, decline_reason: `No room; ask Ko Aung at ${REDACTED}` });
  });

  it('takes the phone number out of a referral reason on the receiving side\'s console case page', async () => {
    const { reference } = await heldCase();
    await network.as('bangkok', 'post', `/api/v1/cases/${reference}/referrals`, { to_organisation: 'mae-sot', reason: `Worker moved to Mae Sot, new number ${PHONE}`, response_hours: 24 }).expect(201);
    const { agent } = await signedInAgent(hotline.app, 'maesot@network.test', PASSWORD);
    const page = await agent.get(`/console/cases/${reference}`).expect(200);
    expect(page.text).toContain('Worker moved to Mae Sot, new number');
    expect(withoutIds(page.text)).not.toMatch(/234/);
  });

  it.each([
    ['a t.me link', 'Boss took my passport. Write to me on t.me/myamya99 please', 'myamya99'],
    ['an e-mail written out', 'Boss took my passport. Write to myamya at gmail dot com please', 'myamya'],
    ['a phone number with spaced dashes', `Boss took my passport. Call ${PHONE} please`, '5678'],
  ])('takes %s out of the worker\'s words', async (_form, story, detail) => {
    const { reference } = await heldCase({ story });
    const read = await network.as('bangkok', 'get', `/api/v1/cases/${reference}`).expect(200);
    expect(read.body.view).toBe('limited');
    expect(read.body.summary).toContain('Boss took my passport.');
    expect(read.body.summary).toContain(REDACTED);
    expect(withoutIds(JSON.stringify(read.body))).not.toContain(detail);
  });
});
