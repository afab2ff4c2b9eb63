import type { Principal } from '../http/access';
import { html, type SafeHtml } from '../http/html';
import type { CaseChannel, CaseChannels, MergeOfCase } from '../people/person.service';
import { formatTime, type ConsolePageContext } from './console-shell';
import { fieldError, formError, type FormProblem } from './form-problem';
import { personExportForm } from './person-export.views';

// The case page's "Channels" panel: every identity the worker wrote from, whether a reply can go
// there now, which one the next reply goes to (and the form to pick another), and, for
// coordinators, the merges of this worker with another and the form to make one.

/** What the channels panel needs besides the page's context. */
export interface ChannelsPanel {
  context: ConsolePageContext;
  reference: string;
  channels: CaseChannels | undefined;
  merges: readonly MergeOfCase[];
  viewer: Pick<Principal, 'role'>;
  problem: FormProblem | undefined;
}

function addressOf(context: ConsolePageContext, identity: CaseChannel): string {
  if (identity.maskedAddress === null) return context.t('console:channels.address_hidden');
  if (['sms', 'whatsapp', 'voice'].includes(identity.channel)) return identity.maskedAddress;
  return context.t('console:channels.account', { channel: context.t(`console:channel.${identity.channel}`), tail: identity.maskedAddress });
}

function windowOf(context: ConsolePageContext, identity: CaseChannel): string {
  const { t } = context;
  if (identity.window.kind === 'none') return '';
  if (identity.window.kind === 'open') return t('console:channels.window_open', { until: formatTime(identity.window.closesAt, context) });
  return t(identity.whenClosed === 'held' ? 'console:channels.window_closed_held' : 'console:channels.window_closed_refused');
}

function identityRow(context: ConsolePageContext, identity: CaseChannel): SafeHtml {
  const { t } = context;
  const window = windowOf(context, identity);
  return html`<tr${identity.isNext ? html` class="reply-target"` : ''}>
<td>${t(`console:channel.${identity.channel}`)}</td>
<td>${addressOf(context, identity)}</td>
<td>${identity.lastMessageAt ? formatTime(identity.lastMessageAt, context) : '—'}</td>
<td>${identity.isOptedOut ? t('console:channels.opted_out') : t('console:channels.reachable')}${window ? html`<br>${window}` : ''}</td>
<td>${identity.isNext ? html`<strong>${t('console:channels.next_reply')}</strong>` : ''}</td></tr>`;
}

function pickerForm(panel: ChannelsPanel, channels: CaseChannels): SafeHtml {
  const { t, csrf } = panel.context;
  const choosable = channels.identities.filter((identity) => !identity.isOptedOut);
  return html`<form method="post" action="/console/cases/${panel.reference}/reply-channel" class="reply-channel">
<input type="hidden" name="_csrf" value="${csrf}">
<div class="field"><label for="reply_contact_id">${t('console:channels.pick')}</label>
<select id="reply_contact_id" name="reply_contact_id"${panel.problem?.form === 'reply-channel' ? html` aria-describedby="reply_contact_id-error"` : ''}>
<option value=""${channels.pickedId === null ? html` selected` : ''}>${t('console:channels.last_used')}</option>
${choosable.map((identity) => html`<option value="${identity.id}"${channels.pickedId === identity.id ? html` selected` : ''}>${t(`console:channel.${identity.channel}`)}${identity.maskedAddress ? html` · ${addressOf(panel.context, identity)}` : ''}</option>`)}
</select></div>
${fieldError(panel.problem, 'reply-channel', 'reply_contact_id', 'reply_contact_id-error')}
${formError(panel.problem, 'reply-channel', ['reply_contact_id'])}
<p><button type="submit">${t('console:channels.save')}</button></p>
</form>`;
}

function mergesPart(panel: ChannelsPanel): SafeHtml {
  const { t, csrf } = panel.context;
  const problemId = 'other_reference-error';
  return html`<h3 id="merge-heading">${t('console:merge.title')}</h3>
${panel.merges.length === 0 ? '' : html`<ul class="merges">${panel.merges.map((merge) => html`<li>
${t('console:merge.listed', { cases: merge.mergedReferences.join(', '), at: formatTime(merge.mergedAt, panel.context) })}
<form method="post" action="/console/cases/${panel.reference}/merges/${merge.id}/undo" class="inline">
<input type="hidden" name="_csrf" value="${csrf}">
<button type="submit" class="secondary">${t('console:merge.undo')}</button></form></li>`)}</ul>`}
${formError(panel.problem, 'undo-merge', [])}
<form method="post" action="/console/cases/${panel.reference}/merges" aria-labelledby="merge-heading">
<input type="hidden" name="_csrf" value="${csrf}">
<div class="field"><label for="other_reference">${t('console:merge.other_reference')}</label>
<input id="other_reference" name="other_reference" type="text" autocomplete="off" value="${panel.problem?.form === 'merge' ? panel.problem.values?.['other_reference'] ?? '' : ''}"${panel.problem?.form === 'merge' ? html` aria-describedby="${problemId}"` : ''}></div>
${fieldError(panel.problem, 'merge', 'other_reference', problemId)}
${formError(panel.problem, 'merge', ['other_reference'])}
<p class="hint">${t('console:merge.hint')}</p>
<p><button type="submit">${t('console:merge.submit')}</button></p>
</form>`;
}

/** The channels panel of a case page. */
export function channelsSection(panel: ChannelsPanel): SafeHtml {
  const { t } = panel.context;
  const channels = panel.channels;
  if (!channels) return html``;
  return html`<section class="channels" aria-labelledby="channels-heading">
<h2 id="channels-heading">${t('console:channels.title')}</h2>
${channels.identities.length === 0 ? html`<p>${t('console:channels.none')}</p>` : html`<table>
<caption>${t('console:channels.caption')}</caption>
<thead><tr><th scope="col">${t('console:field.channel')}</th><th scope="col">${t('console:channels.address')}</th><th scope="col">${t('console:channels.last_message')}</th><th scope="col">${t('console:channels.state')}</th><th scope="col">${t('console:channels.reply')}</th></tr></thead>
<tbody>${channels.identities.map((identity) => identityRow(panel.context, identity))}</tbody></table>
${pickerForm(panel, channels)}`}
${panel.viewer.role === 'coordinator' ? html`${mergesPart(panel)}
${personExportForm(panel.context, panel.reference)}` : ''}
</section>`;
}
