import type { Language } from '../cases/case.vocabulary';
import { html, type SafeHtml } from '../http/html';
import { LANGUAGE_NAMES } from '../language/language-names';
import type { getCaseFor } from '../cases/case-work.service';
import type { Principal } from '../http/access';
import type { listCaseEvents } from '../cases/case-read.service';
import type { CaseChannels, MergeOfCase } from '../people/person.service';
import { consentSection, escalationsSection, limitedViewBanner, problemSummary, referralsSection, type CaseWorkView, type ReferralTarget } from './case-referrals.views';
import { channelsSection } from './case-channels.views';
import { consentUnclearNotice, eventEntries } from './case-timeline.views';
import { attachmentEntries, attachmentsOfMessage, withheldAttachments } from './case-attachments.views';
import { consolePage, formatTime, type ConsolePageContext } from './console-shell';
import type { FormProblem } from './form-problem';
import { triageForm } from './case-triage.views';
import { placeOf } from './inbox.views';
import { dataRightsSection, erasureBanners, legalHoldBadges } from './case-erasure.views';
import type { CaseErasureState } from '../erasures/case-erasure.service';

// The console's case pages: server-rendered HTML that works without JavaScript on a slow
// connection, in the caseworker's own language.

/** The reader's language, the CSRF token of the page's forms and the console menu. */
export type CasePageContext = ConsolePageContext;

type CaseDetail = Awaited<ReturnType<typeof getCaseFor>>;

export interface ReplyPreview {
  body: string;
  encoding: string;
  segments: number;
  units: number;
}

/** What a case page shows besides the case itself. */
export interface CasePageOptions {
  preview?: ReplyPreview;
  notice?: string;
  cannedReplies?: { title: string; body: string }[];
  colleagues?: { id: string; name: string }[];
  /** Referral, escalation, triage and consent events for the timeline. */
  events?: Awaited<ReturnType<typeof listCaseEvents>>;
  /** The worker's channel identities and where the next reply goes. */
  channels?: CaseChannels | undefined;
  /** Merges of this worker with another, not undone (coordinators). */
  merges?: readonly MergeOfCase[];
  /** Organisations the case can be referred to. */
  referralTargets?: readonly ReferralTarget[];
  /** Who reads the page, for the actions each side of a referral may take. */
  viewer: Pick<Principal, 'role' | 'organisationId'>;
  now: Date;
  /** A refused form, shown again with its reason. */
  problem?: FormProblem | undefined;
  /** The version of the case drawn, sent back by the triage form to detect a change made meanwhile. */
  version?: string;
  /** The worker's data rights on this case: erasure open or done, legal holds. */
  erasure?: CaseErasureState | undefined;
}

/** The consent state as a badge: given, refused, or not asked yet. */
export function consentBadge(context: Pick<ConsolePageContext, 't'>, consent: CaseDetail['consent']): SafeHtml {
  const { t } = context;
  const state = consent === null ? 'unknown' : consent.given ? 'given' : 'refused';
  const answer = consent === null ? t('console:consent.unknown') : t(consent.given ? 'console:consent.yes' : 'console:consent.no');
  return html`<span class="consent-badge consent-${state}">${t('console:field.consent')}: ${answer}${consent?.source ? html` (${t(`console:consent.source.${consent.source}`)})` : ''}</span>`;
}

/** Messages, notes, files and events of a case in the order they happened, oldest first. */
function timelineOf(context: CasePageContext, found: CaseDetail, events: NonNullable<CasePageOptions['events']>): SafeHtml[] {
  const { t } = context;
  // The limited view has no attachment list (counts only): nothing of a file reaches the timeline.
  const attachments = found.attachments ?? [];
  // Calls (voice, issue #15) join here as entries of their own, in time order like the rest.
  return [
    ...eventEntries(context, events, found),
    ...found.messages.map((message) => ({ at: new Date(message.created_at), item: html`<li class="message ${message.direction}">
<p class="meta">${t(`console:timeline.${message.direction === 'in' ? 'from_worker' : 'to_worker'}`)} · ${formatTime(message.created_at, context)}${message.direction === 'out' ? html` · <span class="delivery">${t(`console:delivery.${message.status}`)}</span>` : ''}</p>
<p class="body">${message.body ?? ''}</p>${attachmentsOfMessage(context, found.reference, attachments, message.id)}</li>` })),
    ...attachmentEntries(context, found.reference, attachments, new Set(found.messages.map((message) => message.id))),
    ...found.notes.map((note) => ({ at: new Date(note.created_at), item: html`<li class="note">
<p class="meta">${t('console:timeline.note', { author: note.author })}${note.organisation ? html` (${note.organisation})` : ''} · ${t(`console:visibility.${note.visibility}`)} · ${formatTime(note.created_at, context)}</p>
<p class="body">${note.body}</p></li>` })),
  ].sort((a, b) => a.at.getTime() - b.at.getTime()).map((entry) => entry.item);
}

function replyForm(context: CasePageContext, reference: string, options: CasePageOptions): SafeHtml {
  const { t } = context;
  const canned = options.cannedReplies ?? [];
  return html`<form method="post" action="/console/cases/${reference}/reply" class="reply-form" aria-labelledby="reply-heading">
<input type="hidden" name="_csrf" value="${context.csrf}">
<div class="field"><label for="reply-body" id="reply-heading">${t('console:reply.title')}</label>
<textarea id="reply-body" name="body" rows="3" maxlength="1600" aria-describedby="reply-counter">${options.preview?.body ?? ''}</textarea>
<p class="hint" id="reply-counter" aria-live="polite" data-template="${t('console:reply.counter', { encoding: '{{encoding}}', segments: '{{segments}}', units: '{{units}}', interpolation: { escapeValue: false } })}">${options.preview ? t('console:reply.counter', { encoding: options.preview.encoding, segments: options.preview.segments, units: options.preview.units }) : t('console:reply.counter_hint')}</p></div>
<div class="reply-actions"><button type="submit" name="action" value="preview" class="secondary">${t('console:reply.preview')}</button> <button type="submit" name="action" value="send">${t('console:reply.send')}</button>
${canned.length > 0 ? html`<details class="canned"><summary>${t('console:reply.canned')}</summary><ul>${canned.map((item) => html`<li><strong>${item.title}</strong>: ${item.body}</li>`)}</ul></details>` : ''}</div>
</form>`;
}

function noteForm(context: CasePageContext, reference: string): SafeHtml {
  const { t } = context;
  return html`<details class="note-form"><summary id="note-heading">${t('console:note.title')}</summary>
<form method="post" action="/console/cases/${reference}/notes" aria-labelledby="note-heading">
<input type="hidden" name="_csrf" value="${context.csrf}">
<div class="field"><label for="note-body">${t('console:note.body')}</label><textarea id="note-body" name="body" rows="3" maxlength="5000"></textarea></div>
<fieldset class="field"><legend>${t('console:note.visibility')}</legend>
<label class="choice"><input type="radio" name="visibility" value="organisation" checked> ${t('console:visibility.organisation')}</label>
<label class="choice"><input type="radio" name="visibility" value="partners"> ${t('console:visibility.partners')}</label></fieldset>
<p><button type="submit">${t('console:note.add')}</button></p>
</form></details>`;
}

/**
 * The left pane: the conversation, oldest first, scrolling in its own box so that the reply box
 * below it stays in the first screen (console.js scrolls it to the newest entry).
 */
function conversationPane(context: CasePageContext, found: CaseDetail, options: CasePageOptions): SafeHtml {
  const { t } = context;
  const entries = timelineOf(context, found, options.events ?? []);
  return html`<section class="conversation" aria-labelledby="conversation-heading">
<h2 id="conversation-heading">${t('console:case.timeline')}</h2>
<div class="timeline-scroll" id="timeline" tabindex="0" role="region" aria-labelledby="conversation-heading">
${entries.length === 0 ? html`<p>${t('console:case.no_messages')}</p>` : html`<ol class="timeline">${entries}</ol>`}
</div>
${replyForm(context, found.reference, options)}
${noteForm(context, found.reference)}
</section>`;
}

function factsList(context: CasePageContext, found: CaseDetail, options: CasePageOptions): SafeHtml {
  const { t } = context;
  const assignee = (options.colleagues ?? []).find((colleague) => colleague.id === found.assigned_user_id)?.name;
  return html`<dl class="facts">
<dt>${t('console:field.status')}</dt><dd>${t(`console:status.${found.status}`)}</dd>
<dt>${t('console:field.urgency')}</dt><dd>${t(`console:urgency.${found.urgency}`)}</dd>
<dt>${t('console:field.channel')}</dt><dd>${t(`console:channel.${found.channel}`)} · ${LANGUAGE_NAMES[found.language as Language] ?? found.language}</dd>
<dt>${t('console:field.categories')}</dt><dd>${found.categories.map((category) => t(`web:category.${category}`)).join(', ')}</dd>
<dt>${t('console:field.place')}</dt><dd>${placeOf(t, found)}${found.location_as_written ? html` (“${found.location_as_written}”)` : ''}</dd>
${found.assigned_user_id ? html`<dt>${t('console:update.assignee')}</dt><dd>${assignee ?? '—'}</dd>` : ''}
</dl>`;
}

/** The right pane: facts, the worker's words, triage, people and channels, referrals and escalations. */
function casePane(context: CasePageContext, found: CaseDetail, options: CasePageOptions, work: CaseWorkView): SafeHtml {
  const { t } = context;
  return html`<div class="case-side">
<section class="case-facts" aria-labelledby="facts-heading">
<h2 id="facts-heading">${t('console:case.facts')}</h2>
${factsList(context, found, options)}
<h3>${t('console:case.story')}</h3>
<blockquote class="reply">${found.summary ?? ''}</blockquote>
${found.view === 'limited' ? limitedViewBanner(work, found.owner_organisation_id) : consentSection(work, found.owner_organisation_id, found.consent?.given ?? null)}
</section>
${triageForm(context, found, { colleagues: options.colleagues ?? [], problem: options.problem, version: options.version })}
${dataRightsSection(context, found.reference, options.erasure, options.problem)}
${channelsSection({ context, reference: found.reference, channels: options.channels, merges: options.merges ?? [], viewer: options.viewer, problem: options.problem })}
${referralsSection(work, found.referrals, options.referralTargets ?? [], found.owner_organisation_id)}
${escalationsSection(work, found.escalations)}
${found.attachments === null ? withheldAttachments(context, found.attachment_counts) : ''}
</div>`;
}

/**
 * A case in two panes on a desk screen (one column on a phone): the conversation with the reply
 * box on the left, the case's facts and the forms to work it on the right.
 */
export function casePage(context: CasePageContext, found: CaseDetail, options: CasePageOptions): string {
  const { t } = context;
  const work: CaseWorkView = { context, reference: found.reference, viewer: options.viewer, now: options.now, problem: options.problem };
  const reference = found.reference;
  const body = html`<div class="case-header">
<h1>${t('console:case.title', { reference })}</h1>
<p class="case-badges"><span class="badge-plain">${t(`console:status.${found.status}`)}</span> <span class="badge-plain urgency-${found.urgency}">${t(`console:urgency.${found.urgency}`)}</span> ${consentBadge(context, found.consent)}${legalHoldBadges(context, options.erasure)}</p>
<p class="case-links"><a href="/console/cases/${reference}/summary">${t('console:summary.link')}</a></p>
</div>
${erasureBanners(context, options.erasure)}
${options.notice ? html`<p class="notice" role="status">${options.notice}</p>` : ''}
${problemSummary(work)}
${consentUnclearNotice(context, options.events ?? [], found)}
<div class="case-layout">
${conversationPane(context, found, options)}
${casePane(context, found, options, work)}
</div>
<script src="/assets/sms-segments.js" defer></script>
<script src="/assets/console.js" defer></script>`;
  return consolePage(context, t('console:case.title', { reference }), body);
}
