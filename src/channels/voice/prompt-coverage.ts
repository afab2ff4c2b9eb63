import type { Language } from '../../cases/case.vocabulary';
import { LANGUAGE_MENU } from '../sms/conversation';
import { SAY_VOICES } from './twiml';
import { PROMPT_KEYS, type PromptKey } from './voice-call';

// Which languages the phone line can offer: one rule, used by the call (its language menu) and by
// the console (which shows admins what each language still lacks). A language is offered when
// Twilio has a voice for it, or when every one of its prompts is recorded: a caller must never
// hear half a call in their language and half in another.

/** True when Twilio's text-to-speech has a voice for the language (th, vi, en). */
export function hasSayVoice(language: Language): boolean {
  return SAY_VOICES[language] !== undefined;
}

/** The prompts of a language that have no recording yet. */
export function missingPrompts(language: Language, isRecorded: (language: Language, key: PromptKey) => boolean): PromptKey[] {
  return PROMPT_KEYS.filter((key) => !isRecorded(language, key));
}

/** The languages the line offers, in the language menu's order. */
export function offeredLanguages(isRecorded: (language: Language, key: PromptKey) => boolean): Language[] {
  return LANGUAGE_MENU.filter((language) => hasSayVoice(language) || missingPrompts(language, isRecorded).length === 0);
}
