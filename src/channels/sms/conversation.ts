import type { Category, Language } from '../../cases/case.vocabulary';
import { parseMenuNumbers } from '../../language/digits';
import { detectLanguage } from '../../language/script-detection';
import { matchPlace } from '../../places/place-matcher';
import type { CountryCode } from '../../places/places';
import { isResubscribeWord, parseKeyword, type Keyword } from './keywords';
import { parseYesNo } from './yes-no';

// The SMS conversation as a pure function: given what the contact's conversation looks like and
// one inbound text, decide what happens (actions) and what to answer (one reply template). The
// inbound processor applies the actions in one transaction. No I/O here, so every path is testable.

export const INTAKE_STEPS = ['category', 'location', 'nationality', 'consent'] as const;
export type IntakeStep = (typeof INTAKE_STEPS)[number];
export type Step = IntakeStep | 'idle' | 'language' | 'awaiting_story';

/** What is remembered between messages, in contacts.conversation (no personal data). */
export interface ConversationState {
  step: Step;
  /** The step to go back to after the language menu. */
  resumeStep?: Step;
  /** Wrong answers given to the current question. */
  retries?: number;
  /** True once the worker picked a language themselves; then it is never guessed again. */
  languageChosen?: boolean;
}

/** The numbered problem menu, in the order of the `intake.category` template. */
export const CATEGORY_MENU: readonly Category[] = ['wages', 'documents', 'recruitment', 'injury', 'violence', 'arrest', 'contract', 'other'];
/** The numbered nationality menu, in the order of the `intake.nationality` template. */
export const NATIONALITY_MENU: readonly (CountryCode | null)[] = ['MM', 'KH', 'LA', 'VN', null];
/** The numbered language menu of the `language.menu` template. */
export const LANGUAGE_MENU: readonly Language[] = ['my', 'km', 'lo', 'th', 'vi', 'en'];

const NATIONALITY_OF_LANGUAGE: Partial<Record<Language, CountryCode>> = { my: 'MM', km: 'KH', lo: 'LA', vi: 'VN' };
const MAX_RETRIES = 1;

export type ConversationAction =
  | { type: 'open_case'; story: string }
  | { type: 'attach_to_case' }
  | { type: 'set_categories'; categories: Category[] }
  | { type: 'set_location'; country: CountryCode | null; province: string | null; raw: string }
  | { type: 'set_origin'; country: CountryCode }
  | { type: 'set_consent'; given: boolean; wordingTemplate: string }
  /** The answer to the consent question was still not understood after asking again: a caseworker clarifies. */
  | { type: 'consent_unclear' }
  | { type: 'complete_intake' }
  | { type: 'set_language'; language: Language }
  | { type: 'set_discreet'; on: boolean }
  | { type: 'opt_out' }
  | { type: 'opt_in' }
  /** STATUS <reference> <PIN>: join this channel identity to the case's worker, after the PIN check. */
  | { type: 'link_identity'; reference: string; pin: string }
  /** DELETE: file a request to erase the worker's personal data (one open request per person). */
  | { type: 'request_erasure' };

export interface Reply {
  template: string;
  /**
   * `status` replies need the case looked up; the processor fills `reference` and `status`. `link`
   * replies say how the link went; `erasure` replies whether the request is new or was already open.
   */
  lookup?: { kind: 'status'; reference?: string } | { kind: 'link' } | { kind: 'erasure' };
  params?: Record<string, string>;
}

export interface TurnInput {
  text: string;
  /**
   * Not words the worker wrote: following the hotline's account (LINE follow, Viber's conversation
   * start), leaving it (unfollow, unsubscribe), a sticker or a location.
   */
  event?: 'follow' | 'unfollow' | 'sticker' | 'location';
  /** The message carries files (photos, documents, voice notes); with no words it answers nothing. */
  hasMedia?: boolean;
  state: ConversationState;
  contact: {
    language: Language | null;
    isOptedOut: boolean;
    isDiscreet: boolean;
    /** Country of the phone number's prefix, a hint for nationality and destination. */
    phoneCountry: CountryCode | undefined;
  };
  /** The contact's most recent case that is not resolved or closed, if any. */
  openCase: { intakeComplete: boolean; originCountry: string | null } | undefined;
}

export interface Turn {
  state: ConversationState;
  actions: ConversationAction[];
  reply: Reply | undefined;
}

/** Decides one turn of the conversation. */
export function takeTurn(input: TurnInput): Turn {
  const { text, contact } = input;
  if (input.event) return onEvent(input.event, input);
  const keyword = keywordFor(input);

  if (contact.isOptedOut) {
    // Nothing is sent to an opted-out contact, but nothing they send is dropped either.
    if (keyword?.kind === 'start' || isResubscribeWord(text)) {
      return { state: input.state, actions: [{ type: 'opt_in' }, ...attach(input)], reply: { template: 'optin' } };
    }
    // A worker who stopped our messages may still ask for their data to go; they are not answered.
    if (keyword?.kind === 'erase') return { state: input.state, actions: [{ type: 'request_erasure' }, ...attach(input)], reply: undefined };
    return { state: input.state, actions: attach(input), reply: undefined };
  }
  if (keyword) return onKeyword(keyword, input);
  if (input.hasMedia && text.trim() === '') return onFilesOnly(input);
  return onText(input);
}

/**
 * Files without words: evidence, not an answer. They start a case when there is none (a pay slip
 * is often the first thing a worker sends); otherwise they join the open case and the question
 * asked stays asked, so a worker sending three photos in a row is not asked it three times.
 */
function onFilesOnly(input: TurnInput): Turn {
  if (input.state.step !== 'language' && (!input.openCase || input.state.step === 'awaiting_story')) return openCase('', input);
  return { state: input.state, actions: attach(input), reply: undefined };
}

function onEvent(event: NonNullable<TurnInput['event']>, input: TurnInput): Turn {
  const { state } = input;
  switch (event) {
    case 'unfollow':
      // Blocking or leaving the account is this channel's STOP: nothing more is sent on it.
      return { state, actions: input.contact.isOptedOut ? [] : [{ type: 'opt_out' }], reply: undefined };
    case 'follow': {
      // A new follower (or one coming back) is welcomed with the language menu, each language in its own script.
      const optIn: ConversationAction[] = input.contact.isOptedOut ? [{ type: 'opt_in' }] : [];
      const resumeStep = state.step === 'language' ? (state.resumeStep ?? 'idle') : state.step;
      return { state: { ...state, step: 'language', resumeStep, retries: 0 }, actions: optIn, reply: { template: 'language.menu' } };
    }
    case 'sticker':
    case 'location':
      // Kept on the case for the caseworker; never read as an answer to a question.
      return { state, actions: attach(input), reply: undefined };
  }
}

function keywordFor(input: TurnInput): Keyword | undefined {
  const keyword = parseKeyword(input.text);
  // "ไทย" or "ລາວ" answering "where do you work / where are you from" is a place, not a language switch.
  if (keyword?.kind === 'language' && (input.state.step === 'location' || input.state.step === 'nationality')) return undefined;
  // YES answers the consent question; it is not Twilio's re-subscribe here.
  if (keyword?.kind === 'start' && input.state.step === 'consent') return undefined;
  return keyword;
}

function attach(input: TurnInput): ConversationAction[] {
  return input.openCase ? [{ type: 'attach_to_case' }] : [];
}

function onKeyword(keyword: Keyword, input: TurnInput): Turn {
  const { state } = input;
  switch (keyword.kind) {
    case 'stop':
      return { state: { ...state }, actions: [{ type: 'opt_out' }, ...attach(input)], reply: undefined };
    case 'start':
      return { state, actions: attach(input), reply: { template: 'help' } };
    case 'help':
      return { state, actions: attach(input), reply: { template: 'help' } };
    case 'status':
      // The message carries a PIN: it is not attached to any case (caseworkers never see PINs).
      if (keyword.reference && keyword.pin) {
        return { state, actions: [{ type: 'link_identity', reference: keyword.reference, pin: keyword.pin }], reply: { template: 'link.done', lookup: { kind: 'link' } } };
      }
      return {
        state,
        actions: attach(input),
        reply: { template: 'status', lookup: { kind: 'status', ...(keyword.reference ? { reference: keyword.reference } : {}) } },
      };
    case 'language_menu':
      return {
        state: { ...state, step: 'language', resumeStep: state.step === 'language' ? state.resumeStep : state.step, retries: 0 },
        actions: attach(input),
        reply: { template: 'language.menu' },
      };
    case 'language':
      return switchLanguage(keyword.language, input);
    case 'discreet':
      return { state, actions: [{ type: 'set_discreet', on: keyword.on }, ...attach(input)], reply: { template: keyword.on ? 'discreet.on' : 'discreet.off' } };
    case 'erase':
      return { state, actions: [{ type: 'request_erasure' }, ...attach(input)], reply: { template: 'erasure.requested', lookup: { kind: 'erasure' } } };
    case 'new':
      if (keyword.story.trim() === '') {
        return { state: { ...state, step: 'awaiting_story', retries: 0 }, actions: [], reply: { template: 'new.prompt' } };
      }
      return openCase(keyword.story, input);
  }
}

function switchLanguage(language: Language, input: TurnInput): Turn {
  const resumeStep = input.state.step === 'language' ? (input.state.resumeStep ?? 'idle') : input.state.step;
  const state: ConversationState = { step: resumeStep, retries: 0, languageChosen: true };
  const question = questionFor(resumeStep, input.contact.isDiscreet);
  return {
    state,
    actions: [{ type: 'set_language', language }, ...attach(input)],
    reply: { template: question ?? 'language.changed' },
  };
}

function onText(input: TurnInput): Turn {
  const { state, text } = input;
  if (state.step === 'language') {
    const [choice] = parseMenuNumbers(text, LANGUAGE_MENU.length);
    const language = choice === undefined ? undefined : LANGUAGE_MENU[choice - 1];
    if (language) return switchLanguage(language, input);
    return { state, actions: attach(input), reply: { template: 'language.menu' } };
  }
  if (!input.openCase || state.step === 'awaiting_story') return openCase(text, input);
  switch (state.step) {
    case 'category':
      return answerCategory(input);
    case 'location':
      return answerLocation(input);
    case 'nationality':
      return answerNationality(input);
    case 'consent':
      return answerConsent(input);
    default:
      // A follow-up to an open case: kept on the case for the caseworker, who answers in person.
      return { state: { step: 'idle' }, actions: [{ type: 'attach_to_case' }], reply: undefined };
  }
}

function guessedLanguage(input: TurnInput): ConversationAction[] {
  if (input.state.languageChosen) return [];
  const detected = detectLanguage(input.text);
  return detected && detected !== input.contact.language ? [{ type: 'set_language', language: detected }] : [];
}

function openCase(story: string, input: TurnInput): Turn {
  const actions: ConversationAction[] = [...guessedLanguage({ ...input, text: story }), { type: 'open_case', story }];
  const language = languageAfter(actions, input.contact.language);
  const origin = nationalityHint(language, input.contact.phoneCountry);
  if (origin) actions.push({ type: 'set_origin', country: origin });
  const base: ConversationState = { step: 'idle', retries: 0, ...(input.state.languageChosen ? { languageChosen: true } : {}) };
  // Discreet contacts are asked only for consent: the other questions would reveal the complaint.
  const first: IntakeStep = input.contact.isDiscreet ? 'consent' : 'category';
  return { state: { ...base, step: first }, actions, reply: { template: questionFor(first, input.contact.isDiscreet, true) ?? 'intake.category' } };
}

function languageAfter(actions: ConversationAction[], current: Language | null): Language {
  const set = actions.find((action): action is Extract<ConversationAction, { type: 'set_language' }> => action.type === 'set_language');
  return set?.language ?? current ?? 'en';
}

function nationalityHint(language: Language, phoneCountry: CountryCode | undefined): CountryCode | undefined {
  if (phoneCountry && ['MM', 'KH', 'LA', 'VN'].includes(phoneCountry)) return phoneCountry;
  return NATIONALITY_OF_LANGUAGE[language];
}

/** The question template of an intake step (the first question also thanks the worker). */
export function questionFor(step: Step, discreet: boolean, first = false): string | undefined {
  switch (step) {
    case 'category':
      return first ? 'intake.category_first' : 'intake.category';
    case 'location':
      return 'intake.location';
    case 'nationality':
      return 'intake.nationality';
    case 'consent':
      if (discreet) return first ? 'discreet.consent_first' : 'discreet.consent';
      return 'intake.consent';
    case 'awaiting_story':
      return 'new.prompt';
    default:
      return undefined;
  }
}

function retryOrSkip(input: TurnInput, retryTemplate: string, skip: () => Turn): Turn {
  const retries = input.state.retries ?? 0;
  if (retries < MAX_RETRIES) {
    return { state: { ...input.state, retries: retries + 1 }, actions: [{ type: 'attach_to_case' }], reply: { template: retryTemplate } };
  }
  return skip();
}

function advance(input: TurnInput, from: IntakeStep, actions: ConversationAction[]): Turn {
  const next = nextStep(from, input, actions);
  const state: ConversationState = { ...input.state, step: next === 'done' ? 'idle' : next, retries: 0 };
  if (next === 'done') {
    return { state, actions: [...actions, { type: 'complete_intake' }], reply: { template: input.contact.isDiscreet ? 'discreet.done' : 'intake.done' } };
  }
  return { state, actions, reply: { template: questionFor(next, input.contact.isDiscreet) ?? 'intake.consent' } };
}

function nextStep(from: IntakeStep, input: TurnInput, actions: ConversationAction[]): IntakeStep | 'done' {
  const order: IntakeStep[] = input.contact.isDiscreet ? ['consent'] : [...INTAKE_STEPS];
  const knownOrigin = input.openCase?.originCountry ?? actions.find((action) => action.type === 'set_origin');
  for (const step of order.slice(order.indexOf(from) + 1)) {
    if (step === 'nationality' && knownOrigin) continue;
    return step;
  }
  return 'done';
}

function answerCategory(input: TurnInput): Turn {
  const choices = parseMenuNumbers(input.text, CATEGORY_MENU.length);
  const categories = choices.map((choice) => CATEGORY_MENU[choice - 1]).filter((category): category is Category => Boolean(category));
  if (categories.length === 0) {
    return retryOrSkip(input, 'intake.category_retry', () => advance(input, 'category', [{ type: 'attach_to_case' }]));
  }
  return advance(input, 'category', [{ type: 'attach_to_case' }, { type: 'set_categories', categories }]);
}

function answerLocation(input: TurnInput): Turn {
  const place = matchPlace(input.text);
  const country = place.country ?? (input.contact.phoneCountry === 'TH' || input.contact.phoneCountry === 'MY' ? input.contact.phoneCountry : null);
  return advance(input, 'location', [
    { type: 'attach_to_case' },
    { type: 'set_location', country, province: place.province ?? null, raw: input.text },
  ]);
}

function answerNationality(input: TurnInput): Turn {
  const [choice] = parseMenuNumbers(input.text, NATIONALITY_MENU.length);
  const fromMenu = choice === undefined ? undefined : NATIONALITY_MENU[choice - 1];
  const named = matchPlace(input.text).country;
  const country = fromMenu ?? (named && ['MM', 'KH', 'LA', 'VN'].includes(named) ? named : undefined);
  if (country) return advance(input, 'nationality', [{ type: 'attach_to_case' }, { type: 'set_origin', country }]);
  if (choice === NATIONALITY_MENU.length) return advance(input, 'nationality', [{ type: 'attach_to_case' }]);
  return retryOrSkip(input, 'intake.nationality', () => advance(input, 'nationality', [{ type: 'attach_to_case' }]));
}

function answerConsent(input: TurnInput): Turn {
  const given = parseYesNo(input.text, input.contact.language);
  const wordingTemplate = input.contact.isDiscreet ? 'discreet.consent' : 'intake.consent';
  if (given === undefined) {
    // No answer is guessed: consent stays unrecorded, and the case says so for a caseworker to ask.
    return retryOrSkip(input, wordingTemplate, () => advance(input, 'consent', [{ type: 'attach_to_case' }, { type: 'consent_unclear' }]));
  }
  return advance(input, 'consent', [{ type: 'attach_to_case' }, { type: 'set_consent', given, wordingTemplate }]);
}

/** True when a value is a known step (state read back from the database). */
export function isStep(value: unknown): value is Step {
  return typeof value === 'string' && [...INTAKE_STEPS, 'idle', 'language', 'awaiting_story'].includes(value);
}

/** Reads a stored conversation state, falling back to idle for anything unexpected. */
export function readState(stored: unknown): ConversationState {
  if (typeof stored !== 'object' || stored === null) return { step: 'idle' };
  const record = stored as Record<string, unknown>;
  return {
    step: isStep(record['step']) ? record['step'] : 'idle',
    ...(isStep(record['resumeStep']) ? { resumeStep: record['resumeStep'] } : {}),
    ...(typeof record['retries'] === 'number' ? { retries: record['retries'] } : {}),
    ...(record['languageChosen'] === true ? { languageChosen: true } : {}),
  };
}
