import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Language } from '../../cases/case.vocabulary';
import { LANGUAGE_MENU } from '../sms/conversation';
import { hasSayVoice } from './prompt-coverage';
import type { PromptKey } from './voice-call';
import { adoptPromptAudio, takeInPromptAudio, voicePromptOverview, type LanguagePrompts, type VoicePromptDeps } from './voice-prompts.service';

// Placeholder recordings for trying the phone line out before anyone has recorded its prompts:
// Debian's espeak-ng speaks each prompt's words (locales/*/voice.json) into a WAV file, taken in
// like an admin's upload and marked as a placeholder (the console says "placeholder (espeak-ng)").
// espeak-ng speaks Burmese, Thai, Vietnamese and English, not Khmer or Lao. A placeholder may be
// made again at any time; an admin's own recording is overwritten only when asked (`replace`).

/** The languages espeak-ng speaks, with its voice for each. */
export const ESPEAK_VOICES: Partial<Record<Language, string>> = { my: 'my', th: 'th', vi: 'vi', en: 'en' };

/** Made when no language is named: those espeak-ng speaks that Twilio has no voice for (Burmese). */
export const DEFAULT_PLACEHOLDER_LANGUAGES: readonly Language[] = LANGUAGE_MENU.filter((language) => ESPEAK_VOICES[language] !== undefined && !hasSayVoice(language));

/** What is done for one prompt of one language. */
export interface PlaceholderStep {
  language: Language;
  key: PromptKey;
  /** What the prompt has now. */
  now: 'missing' | 'placeholder' | 'recording';
  /** True when a placeholder is made for it (false: an admin's recording is kept). */
  make: boolean;
}

/** Why a list of languages cannot be used, in words for an operator; undefined when it can. */
export function placeholderLanguagesProblem(languages: readonly string[]): string | undefined {
  const unknown = languages.filter((language) => !(LANGUAGE_MENU as readonly string[]).includes(language));
  if (unknown.length > 0) return `unknown language: ${unknown.join(', ')} (the line's languages are ${LANGUAGE_MENU.join(', ')})`;
  const unspoken = languages.filter((language) => ESPEAK_VOICES[language as Language] === undefined);
  if (unspoken.length > 0) {
    return `espeak-ng has no voice for ${unspoken.join(', ')} (it speaks ${Object.keys(ESPEAK_VOICES).join(', ')}): ` +
      `record these prompts in the console instead (/console/admin/voice/${unspoken[0] ?? ''})`;
  }
  return undefined;
}

/** Every prompt of the languages, and whether a placeholder is made for it. */
export function planPlaceholders(overview: readonly LanguagePrompts[], languages: readonly Language[], options: { replace: boolean }): PlaceholderStep[] {
  return overview
    .filter((entry) => languages.includes(entry.language))
    .flatMap((entry) => entry.prompts.map((slot): PlaceholderStep => {
      const now = slot.promptId === null ? 'missing' : slot.placeholder ? 'placeholder' : 'recording';
      return { language: entry.language, key: slot.key, now, make: now !== 'recording' || options.replace };
    }));
}

/** The current plan for these languages, from the database. */
export async function placeholderPlan(deps: Pick<VoicePromptDeps, 'db'>, languages: readonly Language[], options: { replace: boolean }): Promise<PlaceholderStep[]> {
  return planPlaceholders(await voicePromptOverview(deps), languages, options);
}

/** Resolves true when espeak-ng can be run. */
export function espeakAvailable(): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('espeak-ng', ['--version'], { stdio: 'ignore' });
    child.on('error', () => resolve(false));
    child.on('close', (code) => resolve(code === 0));
  });
}

/**
 * The words as espeak-ng should get them. Its Burmese voice (1.51) does not end a sentence at the
 * Burmese full stop ။ and aborts ("buffer overflow") on a paragraph as long as the problem menu: a
 * Latin full stop after each ။ makes each sentence its own.
 */
export function espeakText(text: string): string {
  return text.replace(/။/g, '။. ');
}

/** Speaks `text` with espeak-ng's voice into a WAV file (the words go on stdin, never as arguments). */
export function speakToWav(voice: string, text: string, file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('espeak-ng', ['-v', voice, '-w', file, '--stdin'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`espeak-ng failed (${code ?? 'signal'}): ${stderr.trim()}`))));
    child.stdin.end(espeakText(text));
  });
}

/**
 * Makes the plan's placeholders: each prompt's words spoken by espeak-ng, taken in as audio and
 * made the prompt's recording (audited, by the CLI). Calls `done` after each one.
 */
export async function makePlaceholders(
  deps: VoicePromptDeps & { words: (key: PromptKey, language: Language) => string },
  steps: readonly PlaceholderStep[],
  done: (step: PlaceholderStep) => void,
): Promise<number> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'hotline-placeholders-'));
  let made = 0;
  try {
    for (const step of steps.filter((item) => item.make)) {
      const voice = ESPEAK_VOICES[step.language];
      if (!voice) throw new Error(`espeak-ng has no voice for ${step.language}`);
      const file = path.join(directory, `${step.language}-${step.key}.wav`);
      await speakToWav(voice, deps.words(step.key, step.language), file);
      const taken = await takeInPromptAudio(deps, fs.createReadStream(file));
      if (taken.status !== 'stored') throw new Error(`espeak-ng's audio for ${step.language} ${step.key} was refused: ${taken.reason}`);
      await adoptPromptAudio(deps, { actorKind: 'cli' }, { key: step.key, language: step.language, placeholder: true }, taken.attachmentId);
      fs.rmSync(file, { force: true });
      made += 1;
      done(step);
    }
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
  return made;
}
