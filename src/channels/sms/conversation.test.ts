import { LANGUAGES } from '../../cases/case.vocabulary';
import { takeTurn, type ConversationState, type TurnInput } from './conversation';
import { YES_NO_SAMPLES } from './yes-no.samples';

const contact = (overrides: Partial<TurnInput['contact']> = {}): TurnInput['contact'] => ({
  language: null, isOptedOut: false, isDiscreet: false, phoneCountry: 'TH', ...overrides,
});

const turn = (text: string, state: ConversationState, overrides: Partial<TurnInput> = {}) =>
  takeTurn({ text, state, contact: contact(), openCase: undefined, ...overrides });

const openCase = { intakeComplete: false, originCountry: null };

describe('the SMS conversation', () => {
  it('opens a case with the first message and asks what the problem is', () => {
    const result = turn('ငွေမရဘူး', { step: 'idle' });
    expect(result.actions).toEqual([
      { type: 'set_language', language: 'my' },
      { type: 'open_case', story: 'ငွေမရဘူး' },
      { type: 'set_origin', country: 'MM' },
    ]);
    expect(result.reply).toEqual({ template: 'intake.category_first' });
    expect(result.state.step).toBe('category');
  });

  it('takes native digits as menu numbers and skips nationality when it is known', () => {
    const result = turn('၁ ၃', { step: 'category' }, { openCase: { intakeComplete: false, originCountry: 'MM' } });
    expect(result.actions).toContainEqual({ type: 'set_categories', categories: ['wages', 'recruitment'] });
    const location = turn('Mae Sot', result.state, { openCase: { intakeComplete: false, originCountry: 'MM' } });
    expect(location.actions).toContainEqual({ type: 'set_location', country: 'TH', province: 'TH-63', raw: 'Mae Sot' });
    expect(location.reply?.template).toBe('intake.consent');
  });

  it('asks nationality when neither language nor phone tells it', () => {
    const result = turn('Bangkok', { step: 'location' }, { openCase, contact: contact({ language: 'th' }) });
    expect(result.reply?.template).toBe('intake.nationality');
  });

  it('records consent with the wording that was asked, then completes the intake', () => {
    const result = turn('ใช่', { step: 'consent' }, { openCase });
    expect(result.actions).toEqual([
      { type: 'attach_to_case' },
      { type: 'set_consent', given: true, wordingTemplate: 'intake.consent' },
      { type: 'complete_intake' },
    ]);
    expect(result.reply?.template).toBe('intake.done');
    expect(result.state.step).toBe('idle');
  });

  it('keeps a place name that is also a language name as the answer to "where"', () => {
    const result = turn('ไทย', { step: 'location' }, { openCase });
    expect(result.actions).toContainEqual({ type: 'set_location', country: 'TH', province: null, raw: 'ไทย' });
  });

  it('sends nothing to an opted-out contact but keeps the message, and START brings them back', () => {
    const quiet = turn('hello?', { step: 'idle' }, { openCase, contact: contact({ isOptedOut: true }) });
    expect(quiet).toMatchObject({ actions: [{ type: 'attach_to_case' }], reply: undefined });
    const back = turn('START', { step: 'idle' }, { openCase, contact: contact({ isOptedOut: true }) });
    expect(back.actions).toContainEqual({ type: 'opt_in' });
    expect(back.reply?.template).toBe('optin');
  });

  it('files an erasure request on DELETE, keeps the message on the case, and answers with the outcome', () => {
    const result = turn('XÓA', { step: 'category' }, { openCase, contact: contact({ language: 'vi' }) });
    expect(result.actions).toEqual([{ type: 'request_erasure' }, { type: 'attach_to_case' }]);
    expect(result.reply).toEqual({ template: 'erasure.requested', lookup: { kind: 'erasure' } });
  });

  it('files the erasure request of an opted-out contact without answering them', () => {
    const result = turn('ဖျက်', { step: 'idle' }, { openCase, contact: contact({ isOptedOut: true }) });
    expect(result).toMatchObject({ actions: [{ type: 'request_erasure' }, { type: 'attach_to_case' }], reply: undefined });
  });

  it('asks a discreet contact only for consent, in neutral words', () => {
    const result = turn('my boss hits me', { step: 'idle' }, { contact: contact({ isDiscreet: true }) });
    expect(result.reply?.template).toBe('discreet.consent_first');
    expect(result.state.step).toBe('consent');
  });

  it('returns from the language menu to the question it interrupted', () => {
    const menu = turn('LANG', { step: 'location' }, { openCase });
    expect(menu.state).toMatchObject({ step: 'language', resumeStep: 'location' });
    const chosen = turn('໓', menu.state, { openCase });
    expect(chosen.actions).toContainEqual({ type: 'set_language', language: 'lo' });
    expect(chosen.reply?.template).toBe('intake.location');
    expect(chosen.state).toMatchObject({ step: 'location', languageChosen: true });
  });

  it('does not guess the language again once the worker chose it', () => {
    const result = turn('ငွေမရဘူး', { step: 'idle', languageChosen: true }, { contact: contact({ language: 'en' }) });
    expect(result.actions.find((action) => action.type === 'set_language')).toBeUndefined();
  });

  it('keeps "đúng" (right) as an answer to the consent question, while "dừng" still stops', () => {
    const right = turn('Đúng', { step: 'consent' }, { openCase, contact: contact({ language: 'vi' }) });
    expect(right.actions).toContainEqual({ type: 'set_consent', given: true, wordingTemplate: 'intake.consent' });
    const stop = turn('dừng', { step: 'consent' }, { openCase, contact: contact({ language: 'vi' }) });
    expect(stop.actions).toContainEqual({ type: 'opt_out' });
  });

  it('records an answer not understood twice as unclear, with no consent guessed, and moves on', () => {
    const first = turn('maybe', { step: 'consent' }, { openCase });
    expect(first.reply?.template).toBe('intake.consent');
    expect(first.actions).toEqual([{ type: 'attach_to_case' }]);
    const second = turn('who will see it?', first.state, { openCase });
    expect(second.actions).toEqual([{ type: 'attach_to_case' }, { type: 'consent_unclear' }, { type: 'complete_intake' }]);
    expect(second.reply?.template).toBe('intake.done');
  });
});

describe.each(LANGUAGES)('the consent question answered in %s', (language) => {
  const samples = YES_NO_SAMPLES[language];
  const ask = (text: string, discreet = false) =>
    turn(text, { step: 'consent' }, { openCase, contact: contact({ language, isDiscreet: discreet }) });

  it.each(samples.yes)('records %j as consent given', (answer) => {
    expect(ask(answer).actions).toContainEqual({ type: 'set_consent', given: true, wordingTemplate: 'intake.consent' });
    expect(ask(answer, true).actions).toContainEqual({ type: 'set_consent', given: true, wordingTemplate: 'discreet.consent' });
  });

  it.each(samples.no)('records %j as consent refused', (answer) => {
    expect(ask(answer).actions).toContainEqual({ type: 'set_consent', given: false, wordingTemplate: 'intake.consent' });
  });

  it.each(samples.unknown)('asks again after %j, recording nothing', (answer) => {
    const result = ask(answer);
    expect(result.actions).toEqual([{ type: 'attach_to_case' }]);
    expect(result.reply?.template).toBe('intake.consent');
    expect(result.state).toMatchObject({ step: 'consent', retries: 1 });
  });
});
