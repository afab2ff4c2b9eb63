import type { Category, Language } from '../../cases/case.vocabulary';
import { CATEGORY_MENU, LANGUAGE_MENU } from '../sms/conversation';

// The phone call as a pure function, like the SMS conversation: given where the call is and the
// keys the caller pressed (or the recording they left), decide what happens (actions) and what the
// line says and does next (verbs, written as TwiML by twiml.ts). No I/O here.
//
// The call: language menu (fixed keys, 1 Burmese … 6 English, each option in its own language;
// languages the line cannot speak are left out) → "hang up if you cannot talk safely" → problem
// menu (skipped when the caller already has an open case, which the message joins) → message after
// the tone → "may we call you back?" → "when is it safe?" → the case number, twice → goodbye.
// A menu left unanswered (or answered with a key it does not have) is asked once more, then a
// default is taken, so a caller who cannot use the keypad still reaches the recording.

/** Every prompt the line speaks; a language without a Twilio voice needs a recording of each. */
export const PROMPT_KEYS = [
  'menu.language',
  'safety',
  'case_open',
  'menu.category',
  'record',
  'record_none',
  'menu.callback',
  'menu.safe_time',
  'reference',
  'reference_again',
  'retry',
  'goodbye',
] as const;
export type PromptKey = (typeof PROMPT_KEYS)[number];

export const SAFE_TIMES = ['morning', 'afternoon', 'evening', 'any'] as const;
export type SafeTime = (typeof SAFE_TIMES)[number];

/** The menus that wait for a key; `record` waits for the caller's message. */
export const CALL_STEPS = ['language', 'category', 'record', 'callback', 'safe_time', 'done'] as const;
export type CallStep = (typeof CALL_STEPS)[number];

/** What is remembered between a call's requests, in calls.state (no personal data). */
export interface CallState {
  step: CallStep;
  /** Times the current question was asked again. */
  retries: number;
  /** The caller left a message (Twilio reported a recording). */
  recorded: boolean;
  /** A <Record> was played and its answer has not come: a message may still be on its way. */
  recordPending: boolean;
  /** The fetch of the message's audio was queued (the service's bookkeeping). */
  fetchQueued: boolean;
  /** The call ended and what it left (a message, or a missed call) was recorded (the service's bookkeeping). */
  settled: boolean;
  /** The message opened a new case rather than joining an open one (the service's bookkeeping, for the job that files it). */
  openedCase: boolean;
}

/** What the call knows of its line and caller when it decides. */
export interface CallSetting {
  /** The languages the line can speak, in menu order. */
  offered: readonly Language[];
  /** Taken when the language menu goes unanswered twice. */
  defaultLanguage: Language;
  /** The language chosen in this call, once chosen. */
  language: Language | null;
  /** The caller's number has an open case: their message joins it. */
  hasOpenCase: boolean;
  /** The number is known (not withheld): the line may offer to call back. */
  canCallBack: boolean;
}

/** One thing the line says: a prompt in a language, or the case number read out. */
export type Utterance = { kind: 'prompt'; key: PromptKey; language: Language } | { kind: 'reference'; language: Language };

/** What the line does next. */
export type VoiceVerb =
  | { verb: 'speak'; utterance: Utterance }
  | { verb: 'gather'; step: CallStep; utterances: Utterance[] }
  | { verb: 'record' }
  | { verb: 'hangup' };

/** A recording the caller left, as Twilio reports it. */
export interface CallRecording {
  url: string;
  sid: string;
}

export type CallAction =
  | { type: 'set_language'; language: Language }
  | { type: 'set_category'; category: Category }
  | { type: 'recorded'; recording: CallRecording }
  | { type: 'set_callback'; wanted: boolean }
  | { type: 'set_safe_time'; time: SafeTime | null };

export interface CallTurn {
  state: CallState;
  actions: CallAction[];
  verbs: VoiceVerb[];
}

export interface StepInput {
  /** The step the answer is for (from the action URL). */
  step: CallStep;
  /** The keys pressed; empty when the menu went unanswered. */
  digits: string;
  /** Only on the answer to `record`: the message, if one was made. */
  recording?: CallRecording | undefined;
  state: CallState;
  setting: CallSetting;
}

const MAX_RETRIES = 1;

/** A new call's state. */
export function initialCallState(): CallState {
  return { step: 'language', retries: 0, recorded: false, recordPending: false, fetchQueued: false, settled: false, openedCase: false };
}

/** Reads a stored state, falling back to a new call's for anything unknown. */
export function readCallState(stored: unknown): CallState {
  const initial = initialCallState();
  if (typeof stored !== 'object' || stored === null) return initial;
  const value = stored as Partial<Record<keyof CallState, unknown>>;
  return {
    step: (CALL_STEPS as readonly unknown[]).includes(value.step) ? (value.step as CallStep) : initial.step,
    retries: typeof value.retries === 'number' ? value.retries : 0,
    recorded: value.recorded === true,
    recordPending: value.recordPending === true,
    fetchQueued: value.fetchQueued === true,
    settled: value.settled === true,
    openedCase: value.openedCase === true,
  };
}

/** The call's first answer: the language menu, or straight on when the line speaks one language. */
export function startCall(setting: CallSetting): CallTurn {
  const state = initialCallState();
  const [only, ...others] = setting.offered;
  if (only && others.length === 0) return afterLanguage(state, setting, only);
  return { state, actions: [], verbs: [languageMenu(setting)] };
}

/** The question the call is waiting on, asked again (Twilio repeated a request). */
export function repeatQuestion(state: CallState, setting: CallSetting): VoiceVerb[] {
  return ask(state, setting);
}

/** Decides what an answer to one of the call's questions leads to. */
export function answerStep(input: StepInput): CallTurn {
  const { state, setting } = input;
  // A replayed or stale request (the step in its URL is not the one waiting) hears the question again.
  if (input.step !== state.step) return { state, actions: [], verbs: ask(state, setting) };
  const key = /^[1-9]$/.test(input.digits) ? Number(input.digits) : undefined;
  switch (state.step) {
    case 'language': {
      const language = key ? LANGUAGE_MENU[key - 1] : undefined;
      if (language && setting.offered.includes(language)) return afterLanguage(state, setting, language);
      return retryOr(state, setting, () => afterLanguage(state, setting, setting.defaultLanguage));
    }
    case 'category': {
      const category = key ? CATEGORY_MENU[key - 1] : undefined;
      if (category) return withAction(recordAsk(state, setting), { type: 'set_category', category });
      return retryOr(state, setting, () => withAction(recordAsk(state, setting), { type: 'set_category', category: 'other' }));
    }
    case 'record':
      return afterRecord(state, setting, input.recording);
    case 'callback':
      if (key === 1) return withAction(moveTo({ ...state, step: 'safe_time' }, setting), { type: 'set_callback', wanted: true });
      if (key === 2) return withAction(finish(state, setting), { type: 'set_callback', wanted: false });
      // Unanswered: no call-back. Calling a worker who did not say yes may not be safe.
      return retryOr(state, setting, () => withAction(finish(state, setting), { type: 'set_callback', wanted: false }));
    case 'safe_time': {
      const time = key ? SAFE_TIMES[key - 1] : undefined;
      if (time) return withAction(finish(state, setting), { type: 'set_safe_time', time });
      // They asked for a call-back but named no time: left for the caseworker to judge.
      return retryOr(state, setting, () => withAction(finish(state, setting), { type: 'set_safe_time', time: null }));
    }
    case 'done':
      return { state, actions: [], verbs: [{ verb: 'hangup' }] };
  }
}

function afterLanguage(state: CallState, setting: CallSetting, language: Language): CallTurn {
  const chosen: CallSetting = { ...setting, language };
  const safety: VoiceVerb = { verb: 'speak', utterance: prompt('safety', language) };
  const next = setting.hasOpenCase
    ? recordAsk(state, chosen, [{ verb: 'speak', utterance: prompt('case_open', language) }])
    : moveTo({ ...state, step: 'category' }, chosen);
  return { state: next.state, actions: [{ type: 'set_language', language }], verbs: [safety, ...next.verbs] };
}

function recordAsk(state: CallState, setting: CallSetting, before: VoiceVerb[] = []): CallTurn {
  const next: CallState = { ...state, step: 'record', retries: 0, recordPending: true };
  return { state: next, actions: [], verbs: [...before, ...ask(next, setting)] };
}

function afterRecord(state: CallState, setting: CallSetting, recording: CallRecording | undefined): CallTurn {
  const answered: CallState = { ...state, recordPending: false };
  if (recording) {
    const recorded: CallState = { ...answered, recorded: true };
    const next = setting.canCallBack ? moveTo({ ...recorded, step: 'callback' }, setting) : finish(recorded, setting);
    return withAction(next, { type: 'recorded', recording });
  }
  if (state.retries < MAX_RETRIES) {
    const language = languageOf(setting);
    const again: CallState = { ...state, retries: state.retries + 1, recordPending: true };
    return { state: again, actions: [], verbs: [{ verb: 'speak', utterance: prompt('record_none', language) }, { verb: 'record' }] };
  }
  return finish(answered, setting);
}

function finish(state: CallState, setting: CallSetting): CallTurn {
  const language = languageOf(setting);
  const next: CallState = { ...state, step: 'done', retries: 0 };
  const reference: VoiceVerb[] = state.recorded || setting.hasOpenCase
    ? [
      { verb: 'speak', utterance: prompt('reference', language) },
      { verb: 'speak', utterance: { kind: 'reference', language } },
      { verb: 'speak', utterance: prompt('reference_again', language) },
      { verb: 'speak', utterance: { kind: 'reference', language } },
    ]
    : [];
  return { state: next, actions: [], verbs: [...reference, { verb: 'speak', utterance: prompt('goodbye', language) }, { verb: 'hangup' }] };
}

function moveTo(state: CallState, setting: CallSetting): CallTurn {
  const next = { ...state, retries: 0 };
  return { state: next, actions: [], verbs: ask(next, setting) };
}

function retryOr(state: CallState, setting: CallSetting, fallback: () => CallTurn): CallTurn {
  if (state.retries >= MAX_RETRIES) return fallback();
  const next = { ...state, retries: state.retries + 1 };
  // The language menu is repeated as it was (no language is chosen yet to say "sorry" in).
  const sorry: VoiceVerb[] = state.step === 'language' ? [] : [{ verb: 'speak', utterance: prompt('retry', languageOf(setting)) }];
  return { state: next, actions: [], verbs: [...sorry, ...ask(next, setting)] };
}

/** The verbs that ask the question of a step. */
function ask(state: CallState, setting: CallSetting): VoiceVerb[] {
  const language = languageOf(setting);
  switch (state.step) {
    case 'language':
      return [languageMenu(setting)];
    case 'category':
      return [{ verb: 'gather', step: 'category', utterances: [prompt('menu.category', language)] }];
    case 'record':
      return [{ verb: 'speak', utterance: prompt('record', language) }, { verb: 'record' }];
    case 'callback':
      return [{ verb: 'gather', step: 'callback', utterances: [prompt('menu.callback', language)] }];
    case 'safe_time':
      return [{ verb: 'gather', step: 'safe_time', utterances: [prompt('menu.safe_time', language)] }];
    case 'done':
      return [{ verb: 'hangup' }];
  }
}

function languageMenu(setting: CallSetting): VoiceVerb {
  return { verb: 'gather', step: 'language', utterances: setting.offered.map((language) => prompt('menu.language', language)) };
}

function languageOf(setting: CallSetting): Language {
  return setting.language ?? setting.defaultLanguage;
}

function prompt(key: PromptKey, language: Language): Utterance {
  return { kind: 'prompt', key, language };
}

function withAction(turn: CallTurn, action: CallAction): CallTurn {
  return { ...turn, actions: [action, ...turn.actions] };
}
