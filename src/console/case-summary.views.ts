import type { Language } from '../cases/case.vocabulary';
import type { CaseDetail } from '../cases/case-view';
import { html, type SafeHtml } from '../http/html';
import { LANGUAGE_NAMES } from '../language/language-names';
import { consentBadge } from './case-pages.views';
import { placeOf } from './inbox.views';
import { consolePage, formatTime, type ConsolePageContext } from './console-shell';

// The printable summary of a case, for a labour inspector or a lawyer: what happened, when, what
// was recovered and how it ended, and the worker's answer on sharing. The worker's own words and
// anything that identifies them appear only in the full view (the same rule as the case page:
// src/cases/case.policy.ts caseViewOf); the limited view says what was left out and why.

function row(label: string, value: SafeHtml | string | null | undefined): SafeHtml | '' {
  if (value === null || value === undefined || value === '') return '';
  return html`<dt>${label}</dt><dd>${value}</dd>`;
}

/** An amount in the reader's language with its currency ("฿12,000.00"), or the bare number without one. */
function amountOf(context: ConsolePageContext, found: CaseDetail): string | null {
  if (found.amount_recovered === null || found.amount_recovered === undefined) return null;
  const amount = Number(found.amount_recovered);
  if (!Number.isFinite(amount)) return String(found.amount_recovered);
  if (!found.recovered_currency) return new Intl.NumberFormat(context.language).format(amount);
  return new Intl.NumberFormat(context.language, { style: 'currency', currency: found.recovered_currency }).format(amount);
}

function whatHappened(context: ConsolePageContext, found: CaseDetail): SafeHtml {
  const { t } = context;
  const full = found.view === 'full';
  return html`<section aria-labelledby="what-heading">
<h2 id="what-heading">${t('console:summary.what_happened')}</h2>
<dl class="facts">
${row(t('console:field.categories'), found.categories.map((category) => t(`web:category.${category}`)).join(', '))}
${row(t('console:field.indicators'), found.forced_labour_indicators.map((indicator) => t(`console:indicator.${indicator}`)).join(', '))}
${row(t('console:field.sector'), found.sector ? t(`web:sector.${found.sector}`) : null)}
${row(t('console:field.place'), placeOf(t, found))}
${row(t('console:field.origin_country'), found.origin_country ? t(`web:country.${found.origin_country}`) : null)}
${row(t('console:summary.workers_affected'), found.workers_affected === null ? null : String(found.workers_affected))}
${row(t('console:field.channel'), `${t(`console:channel.${found.channel}`)} · ${LANGUAGE_NAMES[found.language as Language] ?? found.language}`)}
${full ? row(t('console:summary.employer'), found.employer) : ''}
${full ? row(t('console:summary.location_written'), found.location_as_written) : ''}
</dl>
${full && found.summary ? html`<h3>${t('console:case.story')}</h3><blockquote class="reply">${found.summary}</blockquote>` : ''}
</section>`;
}

function dates(context: ConsolePageContext, found: CaseDetail): SafeHtml {
  const { t } = context;
  const fromWorker = found.messages.filter((message) => message.direction === 'in');
  return html`<section aria-labelledby="dates-heading">
<h2 id="dates-heading">${t('console:summary.dates')}</h2>
<dl class="facts">
${row(t('console:summary.opened'), formatTime(found.created_at, context))}
${row(t('console:summary.first_message'), formatTime(fromWorker[0]?.created_at ?? null, context))}
${row(t('console:summary.last_message'), formatTime(found.messages.at(-1)?.created_at ?? null, context))}
${row(t('console:field.updated'), formatTime(found.updated_at, context))}
</dl>
</section>`;
}

function outcome(context: ConsolePageContext, found: CaseDetail): SafeHtml {
  const { t } = context;
  return html`<section aria-labelledby="outcome-heading">
<h2 id="outcome-heading">${t('console:field.outcome')}</h2>
<dl class="facts">
${row(t('console:field.status'), t(`console:status.${found.status}`))}
${row(t('console:field.outcome'), found.outcome ? t(`console:outcome.${found.outcome}`) : t('console:summary.none'))}
${row(t('console:field.amount'), amountOf(context, found) ?? t('console:summary.none'))}
</dl>
${found.referrals.length === 0 ? '' : html`<h3>${t('console:referral.title')}</h3>
<ul>${found.referrals.map((referral) => html`<li>${t('console:referral.from_to', { from: referral.from?.name ?? t('console:referral.by_rules'), to: referral.to.name })} · ${t(`console:referral.status.${referral.status}`)} · ${t('console:referral.sent_at', { time: formatTime(referral.created_at, context) })}</li>`)}</ul>`}
${found.escalations.length === 0 ? '' : html`<h3>${t('console:escalation.title')}</h3>
<ul>${found.escalations.map((escalation) => html`<li>${escalation.embassy.name} · ${t(`console:escalation.status.${escalation.status}`)} · ${t('console:escalation.opened_at', { time: formatTime(escalation.created_at, context) })}</li>`)}</ul>`}
</section>`;
}

function consent(context: ConsolePageContext, found: CaseDetail): SafeHtml {
  const { t } = context;
  return html`<section aria-labelledby="consent-summary-heading">
<h2 id="consent-summary-heading">${t('console:summary.consent_heading')}</h2>
<p>${consentBadge(context, found.consent)}${found.consent?.at ? html` · ${t('console:summary.consent_at', { time: formatTime(found.consent.at, context) })}` : ''}</p>
${found.view === 'full' && found.consent?.wording ? html`<dl class="facts">${row(t('console:consent_form.wording'), found.consent.wording)}</dl>` : ''}
</section>`;
}

function messages(context: ConsolePageContext, found: CaseDetail): SafeHtml | '' {
  const { t } = context;
  if (found.view !== 'full' || found.messages.length === 0) return '';
  return html`<section aria-labelledby="messages-heading">
<h2 id="messages-heading">${t('console:summary.messages')}</h2>
<ol class="summary-messages">${found.messages.map((message) => html`<li><p class="meta">${t(`console:timeline.${message.direction === 'in' ? 'from_worker' : 'to_worker'}`)} · ${formatTime(message.created_at, context)}</p>
<p class="body">${message.body ?? ''}</p></li>`)}</ol>
</section>`;
}

/** The printable summary of a case as its reader may see it. */
export function caseSummaryPage(context: ConsolePageContext, found: CaseDetail, now: Date): string {
  const { t } = context;
  const title = t('console:summary.title', { reference: found.reference });
  const body = html`<article class="case-summary">
<h1>${title}</h1>
<p class="print-note">${t('console:summary.print_hint')} <a href="/console/cases/${found.reference}">${t('console:case.title', { reference: found.reference })}</a></p>
<p>${t('console:summary.prepared', { time: formatTime(now, context) })}</p>
${found.view === 'limited' ? html`<p class="notice">${t('console:summary.withheld')}</p>` : ''}
${consent(context, found)}
${whatHappened(context, found)}
${dates(context, found)}
${outcome(context, found)}
${messages(context, found)}
</article>`;
  return consolePage(context, title, body);
}
