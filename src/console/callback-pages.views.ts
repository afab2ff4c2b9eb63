import type { TFunction } from 'i18next';
import { CALLER_OUTCOMES, type CallBackRefusal, type QueuedCallback } from '../channels/voice/callback.service';
import { SAFE_WINDOWS } from '../channels/voice/callback-window';
import { html, type SafeHtml } from '../http/html';
import { consolePage, formatTime, type ConsolePageContext } from './console-shell';

// The call-back queue: each worker who asked to be called back, their message, when it is safe,
// the tries so far, and "call back now". No phone number is ever on this page: the caseworker's
// own is on their profile, the worker's goes only to Twilio.

/** The notices the queue page can show after an action (by a fixed code, never free text). */
export const CALLBACK_NOTICES = ['calling', 'recorded', 'closed_now', 'phone_saved', 'phone_removed', 'phone_invalid'] as const;
export type CallbackNotice = (typeof CALLBACK_NOTICES)[number] | CallBackRefusal;

/** The form on a staff member's own profile that sets the phone Twilio rings for call-backs. */
export function phoneForm(t: TFunction, csrf: string, hasPhone: boolean): SafeHtml {
  return html`<form method="post" action="/console/phone" id="phone"><input type="hidden" name="_csrf" value="${csrf}">
<div class="field"><label for="own-phone">${t('console:callbacks.phone.label')}</label>
<p class="hint" id="own-phone-hint">${t(hasPhone ? 'console:callbacks.phone.set' : 'console:callbacks.phone.unset')} ${t('console:callbacks.phone.hint')}</p>
<input id="own-phone" name="phone" type="tel" inputmode="tel" autocomplete="tel" maxlength="20" aria-describedby="own-phone-hint" placeholder="+66812345678"></div>
<p><button type="submit" class="secondary">${t('console:callbacks.phone.save')}</button>${hasPhone ? html` <button type="submit" class="secondary" name="remove" value="yes">${t('console:callbacks.phone.remove')}</button>` : ''}</p></form>`;
}

/** The safe time in words, with its hours and zone: "Evening, 18:00–22:00 (Indochina Time)". */
function safeTimeText(context: ConsolePageContext, row: QueuedCallback): string {
  const { t } = context;
  const words = t(`console:callbacks.safe_time.${row.safeTime}`);
  if (row.safeTime === 'any') return words;
  const window = SAFE_WINDOWS[row.safeTime];
  const zone = new Intl.DateTimeFormat(context.language, { timeZone: row.timeZone, timeZoneName: 'long' })
    .formatToParts(row.dueAt).find((part) => part.type === 'timeZoneName')?.value ?? row.timeZone;
  const hour = (value: number) => `${String(value).padStart(2, '0')}:00`;
  return t('console:callbacks.safe_time_hours', { time: words, from: hour(window.from), to: hour(window.to), zone });
}

function statusText(context: ConsolePageContext, row: QueuedCallback): string {
  const { t } = context;
  if (row.unfinished) return t(`console:callbacks.status.${row.unfinished.status === 'dialling' ? 'ringing_you' : 'in_call'}`);
  if (row.lastOutcome) return t('console:callbacks.status.last', { outcome: t(`console:callbacks.outcome.${row.lastOutcome}`) });
  return t('console:callbacks.status.waiting');
}

/** The words to say if someone else answers, and what to do on a voicemail: shown while calling. */
function script(t: TFunction): SafeHtml {
  return html`<div class="callback-script" role="note"><p><strong>${t('console:callbacks.script.title')}</strong></p>
<p>${t('console:callbacks.script.someone_else')}</p><p class="script-words">“${t('console:callbacks.script.words')}”</p>
<p>${t('console:callbacks.script.voicemail')}</p></div>`;
}

function outcomeForm(context: ConsolePageContext, row: QueuedCallback, attemptId: string): SafeHtml {
  const { t } = context;
  const name = `outcome-${attemptId}`;
  return html`<form method="post" action="/console/callbacks/attempts/${attemptId}/outcome"><input type="hidden" name="_csrf" value="${context.csrf}">
<fieldset class="field"><legend>${t('console:callbacks.outcome.legend', { reference: row.reference })}</legend>
${CALLER_OUTCOMES.map((outcome) => html`<label class="choice"><input type="radio" name="outcome" value="${outcome}" id="${name}-${outcome}" required> ${t(`console:callbacks.outcome.${outcome}`)}</label>`)}
</fieldset><p><button type="submit">${t('console:callbacks.outcome.save')}</button></p></form>`;
}

function action(context: ConsolePageContext, row: QueuedCallback): SafeHtml {
  const { t } = context;
  if (row.unfinished?.mine) return html`${script(t)}${outcomeForm(context, row, row.unfinished.attemptId)}`;
  if (row.unfinished) return html`<p>${t('console:callbacks.someone_calling')}</p>`;
  return html`<form method="post" action="/console/callbacks/${row.callId}/call"><input type="hidden" name="_csrf" value="${context.csrf}">
<button type="submit">${t('console:callbacks.call_now')}<span class="visually-hidden"> — ${row.reference}</span></button></form>`;
}

function row(context: ConsolePageContext, item: QueuedCallback, maxAttempts: number): SafeHtml {
  const { t } = context;
  // A case seen in the limited view keeps its files closed (the attachment route refuses them too).
  const audio = item.recordingAttachmentId && item.recordingStored && !item.recordingPlayable
    ? html`<span class="hint">${t('console:callbacks.recording_limited')}</span>`
    : item.recordingAttachmentId && item.recordingStored
    ? html`<audio controls preload="none" src="/console/cases/${item.reference}/attachments/${item.recordingAttachmentId}" aria-label="${t('console:callbacks.recording_of', { reference: item.reference })}"></audio>`
    : html`<span class="hint">${t('console:callbacks.no_recording')}</span>`;
  return html`<tr${item.flagged ? html` class="flagged"` : ''}>
<th scope="row"><a href="/console/cases/${item.reference}">${item.reference}</a></th>
<td>${audio}</td>
<td>${safeTimeText(context, item)}<br><span class="hint">${t('console:callbacks.call_by', { time: formatTime(item.dueAt, context) })}</span>${item.flagged ? html`<br><span class="badge">${t('console:callbacks.window_missed')}</span>` : ''}</td>
<td>${t('console:callbacks.tries', { done: item.attempts, max: maxAttempts })}</td>
<td>${statusText(context, item)}</td>
<td>${action(context, item)}</td></tr>`;
}

/** The queue page. */
export function callbacksPage(
  context: ConsolePageContext,
  page: { rows: readonly QueuedCallback[]; hasPhone: boolean; maxAttempts: number; notice?: CallbackNotice | undefined },
): string {
  const { t } = context;
  const notice = page.notice ? html`<p class="notice" role="status">${t(`console:callbacks.notice.${page.notice}`)}</p>` : '';
  const body = html`<h1 id="callbacks-heading">${t('console:callbacks.title')}</h1>
<p>${t('console:callbacks.intro')}</p>
${notice}
${page.hasPhone ? '' : html`<p class="notice">${t('console:callbacks.need_phone')}</p>`}
${page.rows.length === 0 ? html`<p>${t('console:callbacks.empty')}</p>` : html`<table class="cases callbacks" aria-labelledby="callbacks-heading">
<thead><tr><th scope="col">${t('console:field.reference')}</th><th scope="col">${t('console:callbacks.message')}</th><th scope="col">${t('console:callbacks.safe_time_heading')}</th><th scope="col">${t('console:callbacks.tries_heading')}</th><th scope="col">${t('console:callbacks.status_heading')}</th><th scope="col">${t('console:callbacks.action')}</th></tr></thead>
<tbody>${page.rows.map((item) => row(context, item, page.maxAttempts))}</tbody></table>`}
<h2>${t('console:callbacks.phone.title')}</h2>
${phoneForm(t, context.csrf, page.hasPhone)}`;
  return consolePage(context, t('console:callbacks.title'), body);
}
