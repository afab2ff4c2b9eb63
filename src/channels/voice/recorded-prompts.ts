import type { Kysely } from 'kysely';
import type { Language } from '../../cases/case.vocabulary';
import type { Clock } from '../../clock';
import type { Database } from '../../db/schema';
import { offeredLanguages } from './prompt-coverage';
import type { PromptKey } from './voice-call';
import { listRecordedPrompts } from './voice.repository';

// Which prompts the deployment has recorded, kept in the process for a few seconds: every webhook
// of every call needs it (the language menu, the <Play> URLs), and it changes only when an admin
// records a prompt. An upload in the console forgets it at once in the process that took it; other
// processes (more web processes, the CLI's placeholders) are heard within PROMPT_COVERAGE_TTL_MS.

/** How long the recorded prompts are kept in a process before they are read again. */
export const PROMPT_COVERAGE_TTL_MS = 5_000;

/** The recorded prompts at one moment: the public id of each (language, key) and the languages offered. */
export interface PromptCoverage {
  /** The public id of the prompt's recording in a language; undefined when it has none. */
  promptId(language: Language, key: PromptKey): string | undefined;
  /** The languages the line offers, in the language menu's order. */
  offered: readonly Language[];
}

export interface RecordedPrompts {
  /** The recorded prompts, at most PROMPT_COVERAGE_TTL_MS old (or fresh after `forget`). */
  current(): Promise<PromptCoverage>;
  /** Forgets what was read: a prompt was recorded or replaced in this process. */
  forget(): void;
}

/** The recorded prompts of the line, read through a short-lived in-process copy. */
export function createRecordedPrompts(deps: { db: Kysely<Database>; clock: Clock; ttlMs?: number }): RecordedPrompts {
  const ttlMs = deps.ttlMs ?? PROMPT_COVERAGE_TTL_MS;
  let kept: { coverage: PromptCoverage; readAt: number } | undefined;
  // One read at a time, shared by every request that finds the copy stale (50 calls at once make one read).
  let reading: Promise<PromptCoverage> | undefined;
  // Bumped by `forget`: a read begun before a recording changed is used once but not kept.
  let generation = 0;

  async function read(): Promise<PromptCoverage> {
    const startedIn = generation;
    const readAt = deps.clock.now().getTime();
    const ids = new Map((await listRecordedPrompts(deps.db)).map((row) => [`${row.language}:${row.prompt_key}`, row.id]));
    const promptId = (language: Language, key: PromptKey) => ids.get(`${language}:${key}`);
    const coverage: PromptCoverage = { promptId, offered: offeredLanguages((language, key) => promptId(language, key) !== undefined) };
    if (startedIn === generation) kept = { coverage, readAt };
    return coverage;
  }

  return {
    async current() {
      if (kept && deps.clock.now().getTime() - kept.readAt < ttlMs) return kept.coverage;
      if (!reading) {
        const pending: Promise<PromptCoverage> = read().finally(() => {
          if (reading === pending) reading = undefined;
        });
        reading = pending;
      }
      return reading;
    },
    forget() {
      generation += 1;
      kept = undefined;
      reading = undefined;
    },
  };
}
