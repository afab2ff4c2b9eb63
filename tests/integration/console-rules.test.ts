import type { DatabaseHandle } from '../../src/db/database';
import { hashPassword } from '../../src/users/password';
import { upsertUser } from '../../src/users/user.repository';
import { buildTestHotline, type TestHotline } from '../support/app';
import { csrfOf, signedInAgent } from '../support/console';
import { openTestDatabase } from '../support/database';

const PASSWORD = 'a long staff password';

describe('console routing rule pages', () => {
  let handle: DatabaseHandle;
  let hotline: TestHotline;

  beforeAll(async () => {
    handle = await openTestDatabase();
    hotline = buildTestHotline(handle);
    const network = await handle.db.insertInto('organisations').values({ slug: 'mekong-network', name: 'Mekong Network', kind: 'network', country: 'TH' }).returning('id').executeTakeFirstOrThrow();
    const maeSot = await handle.db.insertInto('organisations').values({ slug: 'mae-sot-help', name: 'Mae Sot Help', kind: 'ngo', country: 'TH' }).returning('id').executeTakeFirstOrThrow();
    await handle.db.insertInto('organisations').values({ slug: 'mm-embassy-bangkok', name: 'Myanmar Embassy Bangkok', kind: 'embassy', country: 'TH', nationalities: ['MM'] }).execute();
    const hash = await hashPassword(PASSWORD);
    await upsertUser(handle.db, { organisationId: network.id, email: 'coordinator@example.org', displayName: 'Coordinator', role: 'coordinator', locale: 'en', passwordHash: hash });
    await upsertUser(handle.db, { organisationId: maeSot.id, email: 'cw@example.org', displayName: 'Caseworker', role: 'caseworker', locale: 'en', passwordHash: hash });
  });
  afterAll(async () => {
    await handle.close();
  });

  const coordinator = () => signedInAgent(hotline.app, 'coordinator@example.org', PASSWORD);
  const countRules = async () => Number((await handle.db.selectFrom('routing_rules').select((eb) => eb.fn.countAll<string>().as('count')).executeTakeFirstOrThrow()).count);
  const wagesRule = {
    name: 'Mae Sot wages', priority: '10', is_active: 'yes', rule_action: 'refer', target_organisation: 'mae-sot-help', response_hours: '24',
    'conditions.destination_country': 'TH', 'conditions.categories': ['wages', 'documents'],
  };

  it('creates a rule through the form and lists it with its conditions in words', async () => {
    const { agent } = await coordinator();
    const form = await agent.get('/console/rules/new').expect(200);
    expect(form.text).toContain('Mae Sot Help');
    expect(form.text).not.toContain('Myanmar Embassy Bangkok'); // embassies are reached by escalation, not referral
    await agent.post('/console/rules').type('form').send({ ...wagesRule, action: 'save', _csrf: csrfOf(form.text) }).expect(303).expect('Location', '/console/rules');

    const saved = await handle.db.selectFrom('routing_rules').select(['name', 'priority', 'is_active', 'conditions', 'action', 'response_hours']).executeTakeFirstOrThrow();
    expect(saved).toEqual({ name: 'Mae Sot wages', priority: 10, is_active: true, conditions: { destination_country: ['TH'], categories: ['wages', 'documents'] }, action: 'refer', response_hours: 24 });
    const list = await agent.get('/console/rules').expect(200);
    expect(list.text).toContain('Mae Sot wages');
    expect(list.text).toContain('Country of work: Thailand · Problem: Wages or Documents kept');
    expect(list.text).toContain('Refer to Mae Sot Help');
    expect(list.text).toContain('href="/console/rules/new"');
  });

  it('refuses a referral rule without an organisation, beside the field, keeping what was typed and saving nothing', async () => {
    const { agent, csrf } = await coordinator();
    const before = await countRules();
    const refused = await agent
      .post('/console/rules')
      .type('form')
      .send({ ...wagesRule, name: 'Nowhere to go', target_organisation: '', action: 'save', _csrf: csrf })
      .expect(400);
    expect(refused.text).toMatch(/<p class="field-error" id="target-organisation-error">A referral needs an organisation to refer to\.<\/p>/);
    expect(refused.text).toContain('aria-describedby="target-organisation-hint target-organisation-error"');
    expect(refused.text).toContain('value="Nowhere to go"');
    expect(refused.text).toMatch(/id="condition-categories-wages" name="conditions.categories" value="wages" checked/);
    expect(await countRules()).toBe(before);
  });

  it('tries a rule on a sample case: shows the match, each condition and the planned referral, and saves nothing', async () => {
    const { agent, csrf } = await coordinator();
    const before = await countRules();
    const tried = await agent
      .post('/console/rules')
      .type('form')
      .send({
        ...wagesRule, name: 'Tried rule', priority: '5', action: 'try', case_reference: '',
        'sample.destination_country': 'TH', 'sample.origin_country': 'MM', 'sample.categories': 'wages', 'sample.language': 'my', 'sample.urgency': 'normal', 'sample.channel': 'sms', _csrf: csrf,
      })
      .expect(200);
    expect(tried.text).toContain('✓ The rule matches this case.');
    expect(tried.text).toContain('✓ Met');
    expect(tried.text).toContain('On its own, the rule would refer the case to Mae Sot Help, to be answered within 24 hours.');
    expect(tried.text).toContain('Referral to Mae Sot Help, by the rule “Tried rule”. <strong>(this rule)</strong>');
    expect(tried.text).toContain('The rule “Mae Sot wages” matches but does nothing: an earlier rule already refers the case.');
    expect(tried.text).toContain('value="Tried rule"'); // the form comes back as typed
    expect(await countRules()).toBe(before);

    const missed = await agent
      .post('/console/rules')
      .type('form')
      .send({ ...wagesRule, name: 'Tried rule', action: 'try', 'sample.destination_country': 'MY', 'sample.categories': 'wages', _csrf: csrf })
      .expect(200);
    expect(missed.text).toContain('✗ The rule does not match this case.');
    expect(missed.text).toContain('✗ Not met');
    expect(await countRules()).toBe(before);
  });

  it('says when a case number to try the rule on does not exist', async () => {
    const { agent, csrf } = await coordinator();
    const refused = await agent.post('/console/rules').type('form').send({ ...wagesRule, action: 'try', case_reference: 'K7M-4QX', _csrf: csrf }).expect(400);
    expect(refused.text).toMatch(/id="case-reference-error">No case has this number\./);
  });

  it('edits a rule, and deletes it only once the box is ticked', async () => {
    const { agent, csrf } = await coordinator();
    const { id } = await handle.db.selectFrom('routing_rules').select('id').where('name', '=', 'Mae Sot wages').executeTakeFirstOrThrow();
    const edit = await agent.get(`/console/rules/${id}`).expect(200);
    expect(edit.text).toContain('Routing rule: Mae Sot wages');
    await agent.post(`/console/rules/${id}`).type('form').send({ ...wagesRule, rule_action: 'escalate', 'conditions.categories': 'arrest', action: 'save', _csrf: csrf }).expect(303);
    expect(await handle.db.selectFrom('routing_rules').select(['action', 'target_organisation_id', 'conditions']).where('id', '=', id).executeTakeFirstOrThrow())
      .toEqual({ action: 'escalate', target_organisation_id: null, conditions: { destination_country: ['TH'], categories: ['arrest'] } });

    const unconfirmed = await agent.post(`/console/rules/${id}/delete`).type('form').send({ _csrf: csrf }).expect(400);
    expect(unconfirmed.text).toContain('id="confirm-delete-error">Tick the box to confirm.');
    expect(await countRules()).toBe(1);
    await agent.post(`/console/rules/${id}/delete`).type('form').send({ confirm: 'yes', _csrf: csrf }).expect(303).expect('Location', '/console/rules');
    expect(await countRules()).toBe(0);
  });

  it('refuses caseworkers', async () => {
    const { agent, csrf } = await signedInAgent(hotline.app, 'cw@example.org', PASSWORD);
    await agent.get('/console/rules').set('Accept', 'text/html').expect(403);
    await agent.get('/console/rules/new').set('Accept', 'text/html').expect(403);
    await agent.post('/console/rules').type('form').send({ ...wagesRule, action: 'save', _csrf: csrf }).expect(403);
    expect(await countRules()).toBe(0);
  });
});
