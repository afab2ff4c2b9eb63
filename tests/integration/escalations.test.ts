import type { DatabaseHandle } from '../../src/db/database';
import type { TestHotline } from '../support/app';
import type { FakeClock } from '../support/clock';
import { useTestNetwork, type TestNetwork } from '../support/network';
import { openStored } from '../support/sealed';

describe('escalations to embassy labour liaisons', () => {
  const testbed = useTestNetwork();
  let handle: DatabaseHandle;
  let hotline: TestHotline;
  let clock: FakeClock;
  let network: TestNetwork;
  beforeAll(() => ({ handle, hotline, clock, network } = testbed));

  const unreadOf = async (userId: string) =>
    (await handle.db.selectFrom('notifications').select('kind').where('user_id', '=', userId).where('read_at', 'is', null).execute()).map((row) => row.kind);

  /** A Burmese worker's case in Bangkok, held by the Bangkok legal aid desk. */
  async function heldCase(extra: { consent?: boolean; categories?: string[] } = {}) {
    const created = await network.openRoutedCase({
      destinationCountry: 'TH', destinationProvince: 'TH-10', originCountry: 'MM', categories: extra.categories ?? ['wages'], employer: 'Golden Sea Foods',
      gender: 'female', ageBand: '25_34', locationRaw: 'Soi 7, Bang Na', ...(extra.consent === undefined ? {} : { consent: { given: extra.consent, wording: 'May we share?' } }),
    });
    const referral = await handle.db.selectFrom('referrals').select('id').where('case_id', '=', created.id).executeTakeFirstOrThrow();
    await network.as('bangkok', 'patch', `/api/v1/referrals/${referral.id}`, { status: 'accepted' }).expect(204);
    await network.as('bangkok', 'patch', `/api/v1/cases/${created.reference}`, { assigned_user_id: network.user.bangkok }).expect(200);
    return created;
  }

  it('escalates by hand, with a reason, to the liaison of the worker\'s nationality', async () => {
    const { reference } = await heldCase();
    await network.as('bangkok', 'post', `/api/v1/cases/${reference}/escalations`, {}).expect(400);
    const made = await network.as('bangkok', 'post', `/api/v1/cases/${reference}/escalations`, { reason: 'Employer threatens to report him to immigration' }).expect(201);
    await network.as('bangkok', 'post', `/api/v1/cases/${reference}/escalations`, { reason: 'again' }).expect(409);
    expect(await unreadOf(network.user.liaisonMM)).toEqual(['escalation.opened']);
    const row = await handle.db.selectFrom('escalations').select(['embassy_organisation_id', 'reason_encrypted']).where('id', '=', made.body.id).executeTakeFirstOrThrow();
    expect(row.embassy_organisation_id).toBe(network.org['embassy-mm-th']);
    expect(await openStored(handle.db, hotline.cipher, row.reason_encrypted)).toBe('Employer threatens to report him to immigration');
  });

  it('refuses to escalate when the network has no liaison for the worker\'s nationality there', async () => {
    const created = await network.openRoutedCase({ destinationCountry: 'TH', destinationProvince: 'TH-10', originCountry: 'LA', categories: ['wages'] });
    const refused = await network.as('coordinator', 'post', `/api/v1/cases/${created.reference}/escalations`, { reason: 'Arrested' }).expect(409);
    expect(refused.body.error.fields).toEqual([expect.objectContaining({ field: 'origin_country', reason: 'no_embassy' })]);
  });

  it('lists the open escalations of the liaison\'s own embassy only, oldest first', async () => {
    const first = await heldCase({ categories: ['arrest'] });
    clock.advance(3600_000);
    const second = await heldCase({ categories: ['trafficking'] });
    const khmer = await network.openRoutedCase({ destinationCountry: 'TH', originCountry: 'KH', categories: ['arrest'] });
    const mine = await network.as('liaisonMM', 'get', '/api/v1/escalations').expect(200);
    expect(mine.body.data.map((row: { reference: string }) => row.reference)).toEqual([first.reference, second.reference]);
    const theirs = await network.as('liaisonKH', 'get', '/api/v1/escalations').expect(200);
    expect(theirs.body.data.map((row: { reference: string }) => row.reference)).toEqual([khmer.reference]);
    const [other] = theirs.body.data as { id: string }[];
    await network.as('liaisonMM', 'get', `/api/v1/escalations/${other?.id}`).expect(404);
    await network.as('bangkok', 'get', '/api/v1/escalations').expect(403);
    await network.as('researcher', 'get', '/api/v1/escalations').expect(403);
  });

  it('shows a liaison only non-identifying facts and the worker\'s words without contact details, until the worker consents', async () => {
    const { reference } = await heldCase({ categories: ['arrest'] });
    const [escalation] = (await network.as('liaisonMM', 'get', '/api/v1/escalations').expect(200)).body.data as { id: string }[];
    const limited = await network.as('liaisonMM', 'get', `/api/v1/escalations/${escalation?.id}`).expect(200);
    expect(limited.body.case).toMatchObject({
      reference, view: 'limited', categories: ['arrest'], destination_province: 'TH-10', origin_country: 'MM',
      employer: null, gender: null, age_band: null, location_as_written: null,
      summary: 'They keep my passport. Call me on […].',
    });
    expect(JSON.stringify(limited.body)).not.toContain('234 5678');
    await network.as('bangkok', 'patch', `/api/v1/cases/${reference}`, { consent: { given: true, wording: 'May we share your case with your embassy? YES' } }).expect(200);
    const full = await network.as('liaisonMM', 'get', `/api/v1/escalations/${escalation?.id}`).expect(200);
    expect(full.body.case).toMatchObject({ view: 'full', employer: 'Golden Sea Foods', summary: 'They keep my passport. Call me on 081 234 5678.' });
    const reads = await handle.db.selectFrom('audit_log').select(['action', 'details']).where('action', '=', 'escalation.read').execute();
    expect(reads.map((row) => (row.details as { view: string }).view)).toEqual(['limited', 'full']);
  });

  it('is acknowledged, noted and closed with an outcome by the liaison, and the caseworker sees each step', async () => {
    const { reference } = await heldCase({ categories: ['arrest'] });
    const [escalation] = (await network.as('liaisonMM', 'get', '/api/v1/escalations').expect(200)).body.data as { id: string }[];
    const path = `/api/v1/escalations/${escalation?.id}`;
    await network.as('liaisonMM', 'patch', path, { status: 'acknowledged' }).expect(204);
    await network.as('liaisonMM', 'patch', path, { status: 'acknowledged' }).expect(409);
    await network.as('liaisonMM', 'post', `${path}/notes`, { body: 'Consular officer visits the station today' }).expect(201);
    await network.as('liaisonMM', 'patch', path, { status: 'closed' }).expect(400);
    await network.as('liaisonMM', 'patch', path, { status: 'closed', outcome: 'Released without charge' }).expect(204);
    await network.as('liaisonMM', 'post', `${path}/notes`, { body: 'late' }).expect(409);
    expect(await unreadOf(network.user.bangkok)).toEqual(expect.arrayContaining(['escalation.acknowledged', 'escalation.noted', 'escalation.closed']));
    const detail = await network.as('bangkok', 'get', `/api/v1/cases/${reference}`).expect(200);
    expect(detail.body.escalations).toMatchObject([{ status: 'closed', outcome: 'Released without charge', embassy: { slug: 'embassy-mm-th' }, rule: 'arrest to the embassy' }]);
    expect(detail.body.notes.map((note: { body: string }) => note.body)).toContain('Consular officer visits the station today');
    const events = await handle.db.selectFrom('case_events').innerJoin('cases', 'cases.id', 'case_events.case_id').select('case_events.type').where('cases.reference', '=', reference).where('case_events.type', 'like', 'escalation.%').orderBy('case_events.id').execute();
    expect(events.map((row) => row.type).sort()).toEqual(['escalation.acknowledged', 'escalation.closed', 'escalation.created', 'escalation.noted']);
  });
});
