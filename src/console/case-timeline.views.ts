import type { CaseDetail } from '../cases/case-view';
import type { listCaseEvents } from '../cases/case-read.service';
import { html, type SafeHtml } from '../http/html';
import { formatTime, type ConsolePageContext } from './console-shell';

// Events of a case's timeline besides messages and notes: referrals, escalations, triage,
// consent, status changes, assignments, the voice line's calls, erasure requests and legal holds. Events carry ids only; names come from the case's own referrals and escalations.

/** The event types the case page shows on its timeline. */
export const TIMELINE_EVENT_TYPES = [
  'referral.created', 'referral.accepted', 'referral.declined', 'referral.withdrawn', 'referral.completed', 'referral.expired',
  'escalation.created', 'escalation.acknowledged', 'escalation.noted', 'escalation.closed',
  'case.needs_triage', 'case.consent_recorded', 'case.consent_unclear', 'case.status_changed', 'case.assigned', 'case.overdue',
  'case.reply_channel_set', 'person.merged', 'person.merge_undone',
  'call.message_left', 'call.missed', 'call.callback_requested', 'call.safe_time_given', 'call.callback_attempted', 'call.callback_window_missed',
  'erasure.requested', 'erasure.proposed', 'erasure.confirmed', 'erasure.refused', 'erasure.worker_told', 'erasure.worker_not_told', 'legal_hold.placed', 'legal_hold.released',
] as const;

type CaseEventRow = Awaited<ReturnType<typeof listCaseEvents>>[number];

/** One line of the timeline, to sort among messages and notes. */
export interface TimelineEntry {
  at: Date;
  item: SafeHtml;
}

const idIn = (data: Record<string, unknown>, key: string): string | undefined => (typeof data[key] === 'string' ? data[key] : undefined);

/** What an event says, in the reader's language, with the organisations named. */
function eventText(context: ConsolePageContext, event: CaseEventRow, found: Pick<CaseDetail, 'referrals' | 'escalations'>): string {
  const { t } = context;
  const data = event.data;
  const unknown = t('console:event.unknown_organisation');
  if (event.type.startsWith('referral.')) {
    const referral = found.referrals.find((item) => item.id === idIn(data, 'referralId'));
    const to = referral?.to.name ?? unknown;
    if (event.type === 'referral.created' && event.actor_kind === 'system') return t('console:event.referral.created_by_rule', { to });
    return t(`console:event.${event.type}`, { to });
  }
  if (event.type.startsWith('escalation.')) {
    const escalation = found.escalations.find((item) => item.id === idIn(data, 'escalationId'));
    const embassy = escalation?.embassy.name ?? unknown;
    if (event.type === 'escalation.created' && event.actor_kind === 'system') return t('console:event.escalation.created_by_rule', { embassy });
    return t(`console:event.${event.type}`, { embassy });
  }
  if (event.type === 'case.consent_recorded') {
    const said = t(data['given'] === true ? 'console:event.case.consent_given' : 'console:event.case.consent_refused');
    const source = idIn(data, 'source');
    return source ? `${said} (${t(`console:consent.source.${source}`, { defaultValue: source })})` : said;
  }
  if (event.type === 'case.status_changed') {
    const status = (key: string) => t(`console:status.${idIn(data, key) ?? ''}`, { defaultValue: idIn(data, key) ?? '' });
    return t('console:event.case.status_changed', { from: status('from'), to: status('to') });
  }
  if (event.type === 'case.reply_channel_set') {
    const channel = idIn(data, 'channel');
    return channel ? t('console:event.case.reply_channel_set', { channel: t(`console:channel.${channel}`, { defaultValue: channel }) }) : t('console:event.case.reply_channel_last_used');
  }
  if (event.type === 'person.merged') return t('console:event.person.merged', { kept: idIn(data, 'keptReference') ?? '', merged: idIn(data, 'mergedReference') ?? '' });
  if (event.type === 'person.merge_undone') {
    const cases = Array.isArray(data['mergedReferences']) ? data['mergedReferences'].map(String).join(', ') : '';
    return t('console:event.person.merge_undone', { cases });
  }
  if (event.type === 'case.assigned') return t(idIn(data, 'to') ? 'console:event.case.assigned' : 'console:event.case.unassigned');
  if (event.type === 'call.callback_attempted') {
    const outcome = t(`console:callbacks.outcome.${idIn(data, 'outcome') ?? 'unknown'}`, { defaultValue: idIn(data, 'outcome') ?? '' });
    return t('console:event.call.callback_attempted', { attempt: Number(data['attempt'] ?? 0), max: Number(data['maxAttempts'] ?? 0), outcome });
  }
  if (event.type === 'erasure.worker_told') {
    const channel = idIn(data, 'channel') ?? '';
    return t(data['held'] === true ? 'console:event.erasure.worker_told_held' : 'console:event.erasure.worker_told', { channel: t(`console:channel.${channel}`, { defaultValue: channel }) });
  }
  if (event.type === 'erasure.worker_not_told') return t(`console:event.erasure.worker_not_told.${idIn(data, 'why') ?? 'no_channel'}`);
  if (event.type === 'call.safe_time_given') return t('console:event.call.safe_time_given', { time: t(`console:event.call.safe_time.${idIn(data, 'safeTime') ?? 'unknown'}`) });
  return t(`console:event.${event.type}`);
}

/** The timeline entries of a case's events. */
export function eventEntries(context: ConsolePageContext, events: readonly CaseEventRow[], found: Pick<CaseDetail, 'referrals' | 'escalations'>): TimelineEntry[] {
  return events.map((event) => ({
    at: new Date(event.created_at),
    item: html`<li class="event">
<p class="meta">${event.organisation ? html`${event.organisation} · ` : ''}${formatTime(event.created_at, context)}</p>
<p class="body">${eventText(context, event, found)}</p></li>`,
  }));
}

/**
 * The flag asking a caseworker to clarify consent, while the worker's last answer to the consent
 * question was not understood and no answer has been recorded since; it quotes their words.
 */
export function consentUnclearNotice(
  context: ConsolePageContext,
  events: readonly CaseEventRow[],
  found: Pick<CaseDetail, 'consent' | 'messages'>,
): SafeHtml | '' {
  if (found.consent !== null) return '';
  const unclear = events.filter((event) => event.type === 'case.consent_unclear').at(-1);
  if (!unclear) return '';
  const message = found.messages.find((item) => item.id === idIn(unclear.data, 'messageId'));
  return html`<p class="notice consent-unclear" role="status">${context.t('console:consent.unclear', { words: message?.body ?? '' })}</p>`;
}
