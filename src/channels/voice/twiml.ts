import type { Language } from '../../cases/case.vocabulary';
import type { CallStep, PromptKey, Utterance, VoiceVerb } from './voice-call';

// A small TwiML writer: the voice line's verbs as XML, every attribute and text escaped. Twilio's
// own builder would do as well; this keeps the answer to one string join on the webhook's hot path.

/** The Twilio text-to-speech voice of each language that has one (Burmese, Khmer and Lao have none). */
export const SAY_VOICES: Partial<Record<Language, { voice: string; language: string }>> = {
  th: { voice: 'Google.th-TH-Standard-A', language: 'th-TH' },
  vi: { voice: 'Google.vi-VN-Standard-A', language: 'vi-VN' },
  en: { voice: 'Google.en-US-Standard-C', language: 'en-US' },
};

/** How long a menu waits for a key, in seconds. */
const GATHER_TIMEOUT_SECONDS = 6;
/** The longest message: three minutes. */
export const RECORD_MAX_SECONDS = 180;

/** Where the words of each prompt come from, and where Twilio posts what happens next. */
export interface PromptBook {
  /** The URL of the prompt's recording in this language, if the deployment has one. */
  recordingUrl(key: PromptKey, language: Language): string | undefined;
  /** The prompt's words, for text-to-speech. */
  words(key: PromptKey, language: Language): string;
  /** The case number to read out; undefined when the caller has none. */
  reference: string | undefined;
  /** The absolute URL each menu's answer is posted to. */
  stepUrl(step: CallStep): string;
  /** The absolute URL of the recording status callback. */
  recordingCallbackUrl: string;
}

/** Escapes text for an XML attribute value or element content. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ENTITIES[character] ?? character);
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

function element(name: string, attributes: Record<string, string>, content?: string): string {
  const attrs = Object.entries(attributes).map(([key, value]) => ` ${key}="${escapeXml(value)}"`).join('');
  return content === undefined ? `<${name}${attrs}/>` : `<${name}${attrs}>${content}</${name}>`;
}

/** A whole TwiML document around already-written verbs. */
export function twimlDocument(verbs: string[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Response>${verbs.join('')}</Response>`;
}

/** The verbs as a TwiML document. */
export function renderTwiml(verbs: readonly VoiceVerb[], book: PromptBook): string {
  return twimlDocument(verbs.flatMap((verb) => renderVerb(verb, book)));
}

function renderVerb(verb: VoiceVerb, book: PromptBook): string[] {
  switch (verb.verb) {
    case 'speak':
      return renderUtterance(verb.utterance, book);
    case 'gather':
      return [element('Gather', {
        input: 'dtmf',
        numDigits: '1',
        timeout: String(GATHER_TIMEOUT_SECONDS),
        // An unanswered menu still posts to the action, so the call decides (ask again, or a default).
        actionOnEmptyResult: 'true',
        action: book.stepUrl(verb.step),
        method: 'POST',
      }, verb.utterances.flatMap((utterance) => renderUtterance(utterance, book)).join(''))];
    case 'record':
      return [element('Record', {
        action: book.stepUrl('record'),
        method: 'POST',
        maxLength: String(RECORD_MAX_SECONDS),
        finishOnKey: '#',
        playBeep: 'true',
        timeout: '10',
        recordingStatusCallback: book.recordingCallbackUrl,
        recordingStatusCallbackMethod: 'POST',
        recordingStatusCallbackEvent: 'completed absent',
      })];
    case 'hangup':
      return [element('Hangup', {})];
  }
}

function renderUtterance(utterance: Utterance, book: PromptBook): string[] {
  if (utterance.kind === 'reference') {
    if (!book.reference) return [];
    // One character at a time, with a pause between: "K, 7, M, 4, Q, X". Burmese, Khmer and Lao have
    // no voice, so their callers hear the letters and digits in English, as they are written.
    const spelled = [...book.reference].filter((character) => /[0-9A-Za-z]/.test(character)).join(', ');
    return [say(spelled, SAY_VOICES[utterance.language] ?? SAY_VOICES.en)];
  }
  const recording = book.recordingUrl(utterance.key, utterance.language);
  if (recording) return [element('Play', {}, escapeXml(recording))];
  const voice = SAY_VOICES[utterance.language];
  // A language without a voice is offered only when all its prompts are recorded; English otherwise.
  if (!voice) return [say(book.words(utterance.key, 'en'), SAY_VOICES.en)];
  return [say(book.words(utterance.key, utterance.language), voice)];
}

function say(text: string, voice: { voice: string; language: string } | undefined): string {
  return element('Say', voice ? { voice: voice.voice, language: voice.language } : {}, escapeXml(text));
}
