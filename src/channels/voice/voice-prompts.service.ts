import type { Kysely } from 'kysely';
import { ingestAttachment } from '../../attachments/attachment-ingest';
import { deleteAttachments, insertAttachment } from '../../attachments/attachment.repository';
import { MAX_ATTACHMENT_BYTES } from '../../attachments/inspect';
import { recordAudit, type AuditEntry } from '../../audit/audit.repository';
import type { Language } from '../../cases/case.vocabulary';
import type { Clock } from '../../clock';
import type { Database } from '../../db/schema';
import type { PersonalDataCipher } from '../../privacy/personal-data';
import { LANGUAGE_MENU } from '../sms/conversation';
import { hasSayVoice, missingPrompts, offeredLanguages } from './prompt-coverage';
import type { RecordedPrompts } from './recorded-prompts';
import { PROMPT_KEYS, type PromptKey } from './voice-call';
import { listPromptRecordings, lockPromptRecording, markPlaceholderAudio, upsertVoicePrompt } from './voice.repository';

// The recorded prompts, as admins manage them: what each language has and lacks, and a new
// recording taken in (an admin's upload in the console, or a placeholder from the CLI). Audio is
// stored as an attachment like any file (type read from its bytes, sealed); only audio is kept
// here. A replaced recording's attachment is deleted in the same transaction: a prompt has one
// recording, and nothing is left behind unreferenced.

export interface VoicePromptDeps {
  db: Kysely<Database>;
  cipher: PersonalDataCipher;
  clock: Clock;
  /**
   * The process's copy of the recorded prompts, forgotten once a recording changes, so that the
   * next call plays it. Unset (the CLI): the web processes hear of it within PROMPT_COVERAGE_TTL_MS.
   */
  prompts?: Pick<RecordedPrompts, 'forget'> | undefined;
}

/** Who records a prompt, as the audit log names them. */
export type PromptActor = Pick<AuditEntry, 'actorKind' | 'actorUserId' | 'ip'>;

/** Why an upload was not kept as a prompt's recording. */
export type PromptRefusal = 'not_audio' | 'too_large' | 'missing';

/** One prompt of a language: recorded (by an admin, or a placeholder) or missing. */
export interface PromptSlot {
  key: PromptKey;
  /** The public id its audio is served under, when recorded. */
  promptId: string | null;
  placeholder: boolean;
  storedAt: Date | null;
}

/** A language's prompts and whether the phone line offers it. */
export interface LanguagePrompts {
  language: Language;
  /** Twilio has a voice for it: unrecorded prompts are read out. */
  sayVoice: boolean;
  offered: boolean;
  prompts: PromptSlot[];
  recorded: number;
  placeholders: number;
  missing: PromptKey[];
}

/** Audio taken in and sealed, not yet any prompt's; `discardPromptAudio` removes it. */
export type TakenAudio = { status: 'stored'; attachmentId: string } | { status: 'refused'; reason: PromptRefusal };

/** Every language of the menu with its prompts, recorded or missing, and whether it is offered. */
export async function voicePromptOverview(deps: Pick<VoicePromptDeps, 'db'>): Promise<LanguagePrompts[]> {
  const recordings = new Map((await listPromptRecordings(deps.db)).map((row) => [`${row.language}:${row.key}`, row]));
  const isRecorded = (language: Language, key: PromptKey) => recordings.has(`${language}:${key}`);
  const offered = offeredLanguages(isRecorded);
  return LANGUAGE_MENU.map((language) => {
    const prompts = PROMPT_KEYS.map((key): PromptSlot => {
      const found = recordings.get(`${language}:${key}`);
      return { key, promptId: found?.id ?? null, placeholder: found?.placeholder ?? false, storedAt: found?.storedAt ?? null };
    });
    return {
      language,
      sayVoice: hasSayVoice(language),
      offered: offered.includes(language),
      prompts,
      recorded: prompts.filter((slot) => slot.promptId !== null).length,
      placeholders: prompts.filter((slot) => slot.placeholder).length,
      missing: missingPrompts(language, isRecorded),
    };
  });
}

/**
 * Takes in an uploaded file as prompt audio: read, typed from its bytes and sealed. Anything but
 * audio (a photo, a PDF, an unknown type) is refused and nothing of it is kept.
 */
export async function takeInPromptAudio(deps: VoicePromptDeps, bytes: AsyncIterable<Uint8Array>): Promise<TakenAudio> {
  const attachmentId = await insertAttachment(deps.db, { source: 'console', at: deps.clock.now() });
  try {
    const result = await ingestAttachment(deps, attachmentId, bytes, { maxBytes: MAX_ATTACHMENT_BYTES });
    if (result.status === 'stored' && result.kind === 'audio') return { status: 'stored', attachmentId };
    await deleteAttachments(deps.db, [attachmentId]);
    return { status: 'refused', reason: result.status === 'refused' && result.reason === 'too_large' ? 'too_large' : 'not_audio' };
  } catch (error) {
    await deleteAttachments(deps.db, [attachmentId]);
    throw error;
  }
}

/** Removes audio taken in that will not be used (the form was refused). */
export async function discardPromptAudio(deps: Pick<VoicePromptDeps, 'db'>, attachmentId: string): Promise<void> {
  await deleteAttachments(deps.db, [attachmentId]);
}

/**
 * Makes stored audio a prompt's recording in a language, replacing (and deleting) the one it had;
 * audited as `voice_prompt.recorded` or `voice_prompt.replaced`. Returns the prompt's public id.
 */
export async function adoptPromptAudio(
  deps: VoicePromptDeps,
  actor: PromptActor,
  prompt: { key: PromptKey; language: Language; placeholder?: boolean },
  attachmentId: string,
): Promise<string> {
  const now = deps.clock.now();
  const promptId = await deps.db.transaction().execute(async (trx) => {
    const previous = await lockPromptRecording(trx, prompt.key, prompt.language);
    if (prompt.placeholder) await markPlaceholderAudio(trx, attachmentId);
    const promptId = await upsertVoicePrompt(trx, { key: prompt.key, language: prompt.language, attachmentId, at: now });
    if (previous && previous.attachmentId !== attachmentId) await deleteAttachments(trx, [previous.attachmentId]);
    await recordAudit(trx, {
      ...actor,
      action: previous ? 'voice_prompt.replaced' : 'voice_prompt.recorded',
      subjectType: 'voice_prompt',
      subjectId: promptId,
      details: {
        key: prompt.key,
        language: prompt.language,
        placeholder: prompt.placeholder === true,
        ...(previous ? { replaced: previous.placeholder ? 'placeholder' : 'recording' } : {}),
      },
      at: now,
    });
    return promptId;
  });
  deps.prompts?.forget();
  return promptId;
}
