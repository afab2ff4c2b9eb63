import { MAX_ATTACHMENT_BYTES } from '../attachments/inspect';
import type { LanguagePrompts, PromptRefusal } from '../channels/voice/voice-prompts.service';
import type { PromptKey } from '../channels/voice/voice-call';
import type { Language } from '../cases/case.vocabulary';
import { html } from '../http/html';
import { LANGUAGE_NAMES } from '../language/language-names';
import { adminShell, type AdminViewContext } from './admin.views';

// The phone line's recorded prompts for admins: per language, which prompts are recorded (to
// listen to), which are placeholders from espeak-ng, which are missing, and whether the language
// is in the phone menu. Each prompt has its own upload form (plain HTML, no script).

/** A refused upload: the prompt it was for and why. */
export interface PromptUploadProblem {
  key: PromptKey;
  reason: PromptRefusal;
}

/** Every language: Twilio voice or not, how many prompts are recorded, and whether it is offered. */
export function voicePromptsPage(context: AdminViewContext, overview: readonly LanguagePrompts[]): string {
  const { t } = context;
  const yesNo = (value: boolean) => t(value ? 'console:admin.yes' : 'console:admin.no');
  return adminShell(context, t('console:voice_prompts.title'), html`<h1>${t('console:voice_prompts.title')}</h1>
<p>${t('console:voice_prompts.intro')}</p>
<table class="cases"><caption>${t('console:voice_prompts.title')}</caption>
<thead><tr><th scope="col">${t('console:voice_prompts.language')}</th><th scope="col">${t('console:voice_prompts.say_voice')}</th><th scope="col">${t('console:voice_prompts.recorded')}</th><th scope="col">${t('console:voice_prompts.placeholders')}</th><th scope="col">${t('console:voice_prompts.offered')}</th><th scope="col">${t('console:admin.action')}</th></tr></thead>
<tbody>${overview.map((entry) => html`<tr><td lang="${entry.language}">${LANGUAGE_NAMES[entry.language]}</td><td>${yesNo(entry.sayVoice)}</td>
<td>${t('console:voice_prompts.recorded_count', { recorded: entry.recorded, total: entry.prompts.length })}</td><td>${entry.placeholders}</td><td>${yesNo(entry.offered)}</td>
<td><a href="/console/admin/voice/${entry.language}">${t('console:voice_prompts.open', { language: LANGUAGE_NAMES[entry.language] })}</a></td></tr>`)}</tbody></table>`);
}

/** One language's prompts, each with its words, its recording (to listen to) and an upload form. */
export function voiceLanguagePage(
  context: AdminViewContext,
  entry: LanguagePrompts,
  words: (key: PromptKey, language: Language) => string,
  options: { saved?: PromptKey | undefined; problem?: PromptUploadProblem | undefined } = {},
): string {
  const { t } = context;
  const name = LANGUAGE_NAMES[entry.language];
  const status = entry.offered
    ? t('console:voice_prompts.offered_yes')
    : t('console:voice_prompts.offered_no', { count: entry.missing.length });
  const title = t('console:voice_prompts.language_title', { language: name });
  return adminShell(context, title, html`<h1>${title}</h1>
<p><a href="/console/admin/voice">${t('console:voice_prompts.back')}</a></p>
${options.problem ? html`<div class="error-summary" role="alert"><p>${t('console:problem.summary')}</p>
<ul><li><a href="#audio-${anchorOf(options.problem.key)}">${refusalText(context, options.problem.reason)}</a></li></ul></div>` : ''}
${options.saved ? html`<p class="notice" role="status">${t('console:voice_prompts.saved')}</p>` : ''}
<p class="voice-offered">${status}${entry.sayVoice ? html` ${t('console:voice_prompts.say_voice_note')}` : ''}</p>
${entry.prompts.map((slot) => {
    const id = anchorOf(slot.key);
    const problem = options.problem?.key === slot.key ? options.problem : undefined;
    const state = slot.promptId === null
      ? t(entry.sayVoice ? 'console:voice_prompts.status.spoken' : 'console:voice_prompts.status.missing')
      : t(slot.placeholder ? 'console:voice_prompts.status.placeholder' : 'console:voice_prompts.status.recorded');
    // The audio's URL names its version: a replaced recording keeps the prompt's id, and the route
    // lets caches keep audio for a few minutes.
    const adminWords = context.language === entry.language ? '' : html`<p class="hint">${words(slot.key, context.language)}</p>`;
    return html`<section class="voice-prompt" aria-labelledby="prompt-${id}">
<h2 id="prompt-${id}"><code>${slot.key}</code> · ${state}</h2>
<p lang="${entry.language}">${words(slot.key, entry.language)}</p>
${adminWords}
${slot.promptId ? html`<p><audio controls preload="none" src="/voice/prompts/${slot.promptId}?v=${slot.storedAt ? new Date(slot.storedAt).getTime() : 0}" aria-label="${t('console:voice_prompts.listen', { prompt: slot.key })}"></audio></p>` : ''}
<form method="post" action="/console/admin/voice/${entry.language}/${slot.key}" enctype="multipart/form-data">
<input type="hidden" name="_csrf" value="${context.csrf}">
<div class="field"><label for="audio-${id}">${t('console:voice_prompts.file')}</label>
<input id="audio-${id}" name="audio" type="file" accept="audio/*" required${problem ? html` aria-invalid="true" aria-describedby="audio-${id}-error"` : ''}>
${problem ? html`<p class="field-error" id="audio-${id}-error">${refusalText(context, problem.reason)}</p>` : ''}</div>
<p><button type="submit" class="secondary">${t(slot.promptId ? 'console:voice_prompts.replace' : 'console:voice_prompts.upload')}</button></p>
</form></section>`;
  })}`);
}

/** A prompt key as an id: `menu.language` → `menu-language`. */
function anchorOf(key: PromptKey): string {
  return key.replace('.', '-');
}

function refusalText(context: AdminViewContext, reason: PromptRefusal): string {
  return context.t(`console:voice_prompts.refused.${reason}`, { maximum: MAX_ATTACHMENT_BYTES / (1024 * 1024) });
}
