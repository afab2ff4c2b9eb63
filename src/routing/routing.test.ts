import { checkRule, planRouting, type RoutableCase, type Rule, type RoutingSituation } from './routing';

const facts = (overrides: Partial<RoutableCase> = {}): RoutableCase => ({
  destination_country: 'TH', destination_province: 'TH-63', origin_country: 'MM', categories: ['wages'], sector: 'garment',
  language: 'my', urgency: 'normal', channel: 'sms', ...overrides,
});

const rule = (id: string, priority: number, conditions: Rule['conditions'], action: Rule['action'] = 'refer', target: string | null = `org-${id}`): Rule => ({
  id, name: id, priority, conditions, action, targetOrganisationId: action === 'refer' ? target : null, responseHours: 48,
});

const situation = (overrides: Partial<RoutingSituation> = {}): RoutingSituation => ({
  placed: false, referredOrganisationIds: new Set(), escalatedEmbassyIds: new Set(),
  embassies: [{ id: 'mm-in-th', country: 'TH', nationalities: ['MM'] }, { id: 'kh-in-th', country: 'TH', nationalities: ['KH'] }],
  ...overrides,
});

describe('checkRule', () => {
  it('matches when every condition holds and reports each one', () => {
    const result = checkRule({ destination_country: ['TH'], categories: ['arrest', 'wages'], urgency: ['high'] }, facts());
    expect(result.matches).toBe(false);
    expect(result.checks.map((check) => [check.key, check.met])).toEqual([['destination_country', true], ['categories', true], ['urgency', false]]);
  });

  it('matches any case when a rule has no conditions, and no case on a missing field', () => {
    expect(checkRule({}, facts()).matches).toBe(true);
    expect(checkRule({ sector: ['fishing'] }, facts({ sector: null })).matches).toBe(false);
  });
});

describe('planRouting', () => {
  const rules = [
    rule('escalate-arrest', 10, { categories: ['arrest'] }, 'escalate'),
    rule('tak', 20, { destination_province: ['TH-63'] }),
    rule('thailand', 30, { destination_country: ['TH'] }),
  ];

  it('refers to the first matching rule\'s organisation only', () => {
    const plan = planRouting(facts(), rules, situation());
    expect(plan.referral?.rule.id).toBe('tak');
    expect(plan.skipped).toEqual([{ rule: rules[2], reason: 'later_rule' }]);
  });

  it('skips an organisation that already had the case and takes the next rule', () => {
    const plan = planRouting(facts(), rules, situation({ referredOrganisationIds: new Set(['org-tak']) }));
    expect(plan.referral?.organisationId).toBe('org-thailand');
  });

  it('refers nothing while someone holds the case, but still escalates', () => {
    const plan = planRouting(facts({ categories: ['arrest'] }), rules, situation({ placed: true }));
    expect(plan.referral).toBeNull();
    expect(plan.escalations.map((item) => item.embassyId)).toEqual(['mm-in-th']);
  });

  it('escalates once per embassy, and not where the worker\'s nationality has no liaison', () => {
    const twice = [...rules, rule('escalate-again', 40, { categories: ['arrest'] }, 'escalate')];
    expect(planRouting(facts({ categories: ['arrest'] }), twice, situation()).escalations).toHaveLength(1);
    expect(planRouting(facts({ categories: ['arrest'] }), rules, situation({ escalatedEmbassyIds: new Set(['mm-in-th']) })).escalations).toEqual([]);
    const lao = planRouting(facts({ categories: ['arrest'], origin_country: 'LA' }), rules, situation());
    expect(lao.escalations).toEqual([]);
    expect(lao.skipped[0]).toEqual({ rule: rules[0], reason: 'no_embassy' });
  });
});

describe('the demo rules', () => {
  it('are all valid rules', async () => {
    const { DEMO_ROUTING_RULES } = await import('../seed/demo-network');
    const { routingConditions } = await import('./routing-rule.schema');
    for (const rule of DEMO_ROUTING_RULES) expect({ rule: rule.name, valid: routingConditions.safeParse(rule.conditions).success }).toEqual({ rule: rule.name, valid: true });
  });
});
