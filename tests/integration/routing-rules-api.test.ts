import type { DatabaseHandle } from '../../src/db/database';
import { buildTestHotline, type TestHotline } from '../support/app';
import { createFakeClock } from '../support/clock';
import { openTestDatabase } from '../support/database';
import { seedTestNetwork, type TestNetwork } from '../support/network';

describe('the routing rules API', () => {
  let handle: DatabaseHandle;
  let hotline: TestHotline;
  let network: TestNetwork;

  beforeAll(async () => {
    handle = await openTestDatabase();
    const clock = createFakeClock();
    hotline = buildTestHotline(handle, { clock });
    network = await seedTestNetwork(handle, hotline, clock);
  });
  afterAll(async () => {
    await handle.close();
  });

  const fishing = { name: 'Fishing in Thailand', priority: 15, conditions: { destination_country: ['TH'], sector: ['fishing'] }, action: 'refer', target_organisation: 'bangkok-legal', response_hours: 12 };

  it('lets coordinators only manage rules', async () => {
    for (const person of ['maesot', 'liaisonMM', 'researcher'] as const) await network.as(person, 'get', '/api/v1/routing-rules').expect(403);
    const listed = await network.as('coordinator', 'get', '/api/v1/routing-rules').expect(200);
    expect(listed.body.data.map((rule: { name: string }) => rule.name)).toEqual(['arrest to the embassy', 'Tak to Mae Sot', 'Thailand to Bangkok', 'returnees to Yangon']);
  });

  it('creates, changes and deletes a rule, each change audited', async () => {
    const created = await network.as('coordinator', 'post', '/api/v1/routing-rules', fishing).expect(201);
    expect(created.body).toMatchObject({ name: fishing.name, is_active: true, target_organisation: { slug: 'bangkok-legal' }, response_hours: 12 });
    const changed = await network.as('coordinator', 'patch', `/api/v1/routing-rules/${created.body.id}`, { is_active: false, conditions: { sector: ['fishing'] } }).expect(200);
    expect(changed.body).toMatchObject({ is_active: false, conditions: { sector: ['fishing'] } });
    await network.as('coordinator', 'delete', `/api/v1/routing-rules/${created.body.id}`).expect(204);
    await network.as('coordinator', 'get', `/api/v1/routing-rules/${created.body.id}`).expect(404);
    const audit = await handle.db.selectFrom('audit_log').select('action').where('subject_id', '=', created.body.id).orderBy('id').execute();
    expect(audit.map((row) => row.action)).toEqual(['routing_rule.created', 'routing_rule.updated', 'routing_rule.deleted']);
  });

  it.each([
    [{ ...fishing, target_organisation: null }, 'target_organisation', 'refer_needs_target_escalate_has_none'],
    [{ ...fishing, action: 'escalate' }, 'target_organisation', 'refer_needs_target_escalate_has_none'],
    [{ ...fishing, target_organisation: 'embassy-mm-th' }, 'target_organisation', 'unknown_organisation'],
    [{ ...fishing, conditions: { sector: [] } }, 'conditions.sector', 'too_small'],
    [{ ...fishing, conditions: { planet: ['mars'] } }, 'conditions.planet', 'unknown_field'],
    [{ ...fishing, response_hours: 0 }, 'response_hours', 'too_small'],
  ])('refuses a bad rule, naming the field (%#)', async (body, field, reason) => {
    const before = (await network.as('coordinator', 'get', '/api/v1/routing-rules').expect(200)).body.data.length;
    const refused = await network.as('coordinator', 'post', '/api/v1/routing-rules', body).expect(400);
    expect(refused.body.error.fields).toEqual(expect.arrayContaining([expect.objectContaining({ field, reason })]));
    expect((await network.as('coordinator', 'get', '/api/v1/routing-rules').expect(200)).body.data).toHaveLength(before);
  });

  it('tries an unsaved rule on a sample case and shows what the whole rule set would do with it', async () => {
    const tried = await network.as('coordinator', 'post', '/api/v1/routing-rules/test', {
      rule: fishing,
      case: { destination_country: 'TH', destination_province: 'TH-63', sector: 'fishing', origin_country: 'MM', categories: ['arrest'] },
    }).expect(200);
    expect(tried.body).toMatchObject({
      matches: true,
      would: { action: 'refer', organisation: { slug: 'bangkok-legal' }, response_hours: 12 },
      rule_set: {
        referral: { rule: 'Fishing in Thailand', organisation: { slug: 'bangkok-legal' }, by_this_rule: true },
        escalations: [{ rule: 'arrest to the embassy', embassy: { slug: 'embassy-mm-th' }, by_this_rule: false }],
        to_triage: false,
      },
    });
    expect(tried.body.rule_set.skipped.map((item: { rule: string; reason: string }) => [item.rule, item.reason])).toEqual([['Tak to Mae Sot', 'later_rule'], ['Thailand to Bangkok', 'later_rule']]);
    expect((await network.as('coordinator', 'get', '/api/v1/routing-rules').expect(200)).body.data).toHaveLength(4);
  });

  it('tries a rule on a real case, saying which condition fails', async () => {
    const created = await network.openRoutedCase({ destinationCountry: 'TH', destinationProvince: 'TH-10', sector: 'garment', categories: ['wages'] });
    const tried = await network.as('coordinator', 'post', '/api/v1/routing-rules/test', { rule: fishing, case: { reference: created.reference } }).expect(200);
    expect(tried.body.matches).toBe(false);
    expect(tried.body.checks).toEqual([
      { condition: 'destination_country', expected: ['TH'], actual: 'TH', met: true },
      { condition: 'sector', expected: ['fishing'], actual: 'garment', met: false },
    ]);
    // The case is already with Bangkok legal aid: no new referral would be made.
    expect(tried.body.rule_set).toMatchObject({ referral: null, to_triage: false });
    await network.as('coordinator', 'post', '/api/v1/routing-rules/test', { rule: fishing, case: { reference: 'ZZZ-ZZZ' } }).expect(404);
  });
});
