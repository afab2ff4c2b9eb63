import type { CaseDetail } from '../cases/case-view';
import type { Principal } from '../http/access';
import { mayRecordConsent, mayReferOnward } from '../cases/case.policy';
import { html, type SafeHtml } from '../http/html';
import { formatTime, type ConsolePageContext } from './console-shell';
import { fieldError, formError, messagesFor, type FormProblem } from './form-problem';

// The parts of a case page about who else works the case: the limited-view banner with the
// consent form, the referrals with the actions each side may take, and the embassy escalations.

type Referral = CaseDetail['referrals'][number];
type Escalation = CaseDetail['escalations'][number];

/** An organisation a case can be referred to. */
export interface ReferralTarget {
  slug: string;
  name: string;
  country: string;
  city: string | null;
}

/** What the sections need besides the case: who reads, when, and a refused form to show again. */
export interface CaseWorkView {
  context: ConsolePageContext;
  reference: string;
  viewer: Pick<Principal, 'role' | 'organisationId'>;
  now: Date;
  problem?: FormProblem | undefined;
}

const csrfField = (view: CaseWorkView) => html`<input type="hidden" name="_csrf" value="${view.context.csrf}">`;

/** What a refused form held, to put back in its field. */
const draft = (view: CaseWorkView, form: string, field: string): string => (view.problem?.form === form ? (view.problem.values?.[field] ?? '') : '');

/** The ids an input is described by: its hint, and its error when it has one. */
function describedBy(view: CaseWorkView, form: string, field: string, ids: { hint?: string; error: string }): SafeHtml {
  const list = [ids.hint, messagesFor(view.problem, form, field).length > 0 ? ids.error : undefined].filter(Boolean).join(' ');
  return list ? html` aria-describedby="${list}"` : html``;
}

/** Where on the page each form starts, for the summary's links. */
function anchorOf(form: string): string {
  if (form.startsWith('referral-')) return `#${form}`;
  return `#${form}-heading`;
}

/** At the top of a page drawn again after a refused form: what went wrong, each linking to its form. */
export function problemSummary(view: CaseWorkView): SafeHtml {
  const { problem } = view;
  if (!problem) return html``;
  return html`<div class="error-summary" role="alert"><p>${view.context.t('console:problem.summary')}</p>
<ul>${problem.messages.map((item) => html`<li><a href="${anchorOf(problem.form)}">${item.message}</a></li>`)}</ul></div>`;
}

/** The form to record the worker's answer on sharing their details with partners. */
function consentForm(view: CaseWorkView): SafeHtml {
  const { t } = view.context;
  const form = 'consent';
  return html`<details class="fold"${view.problem?.form === form ? html` open` : ''}><summary id="consent-heading">${t('console:consent_form.title')}</summary>
<form method="post" action="/console/cases/${view.reference}/consent" aria-labelledby="consent-heading">
${csrfField(view)}
<fieldset class="field"><legend>${t('console:consent_form.given')}</legend>
<label class="choice"><input type="radio" name="given" value="yes" required> ${t('console:consent_form.yes')}</label>
<label class="choice"><input type="radio" name="given" value="no"> ${t('console:consent_form.no')}</label>
${fieldError(view.problem, form, 'given', 'consent-given-error')}</fieldset>
${wordingField(view)}
${formError(view.problem, form, ['given', 'wording'])}
<p><button type="submit" class="secondary">${t('console:consent_form.submit')}</button></p>
</form></details>`;
}

function wordingField(view: CaseWorkView): SafeHtml {
  const { t } = view.context;
  const form = 'consent';
  return html`<div class="field"><label for="consent-wording">${t('console:consent_form.wording')}</label>
<p class="hint" id="consent-wording-hint">${t('console:consent_form.wording_hint')}</p>
<textarea id="consent-wording" name="wording" rows="2" maxlength="1000" required${describedBy(view, form, 'wording', { hint: 'consent-wording-hint', error: 'consent-wording-error' })}>${draft(view, form, 'wording')}</textarea>
${fieldError(view.problem, form, 'wording', 'consent-wording-error')}</div>`;
}

/** The form to record that the worker took their consent back, folded until used. */
function withdrawalForm(view: CaseWorkView): SafeHtml {
  const { t } = view.context;
  return html`<details class="fold"${view.problem?.form === 'consent' ? html` open` : ''}><summary id="consent-heading">${t('console:consent_form.withdraw_title')}</summary>
<form method="post" action="/console/cases/${view.reference}/consent" aria-labelledby="consent-heading">
${csrfField(view)}
<input type="hidden" name="given" value="no">
<p class="hint">${t('console:consent_form.withdraw_hint')}</p>
${wordingField(view)}
${formError(view.problem, 'consent', ['given', 'wording'])}
<p><button type="submit" class="secondary">${t('console:consent_form.withdraw_submit')}</button></p>
</form></details>`;
}

/** The banner of the limited view, with the consent form for those who may record the worker's answer. */
export function limitedViewBanner(view: CaseWorkView, ownerOrganisationId: string | null): SafeHtml {
  const { t } = view.context;
  return html`<section class="notice limited-view" aria-labelledby="limited-heading">
<h2 id="limited-heading">${t('console:limited.title')}</h2>
<p>${t('console:limited.text')}</p>
${mayRecordConsent(view.viewer, ownerOrganisationId) ? consentForm(view) : html`<p>${t('console:limited.who_records')}</p>`}
</section>`;
}

/**
 * For a reader who sees the whole case: the consent form while the worker has not said yes, and
 * the form to record a withdrawal once they have; nothing for those who may not record it.
 */
export function consentSection(view: CaseWorkView, ownerOrganisationId: string | null, given: boolean | null): SafeHtml {
  if (!mayRecordConsent(view.viewer, ownerOrganisationId)) return html``;
  return html`<section class="consent-record">${given === true ? withdrawalForm(view) : consentForm(view)}</section>`;
}

/** Which sides of a referral the viewer may act for: the receiving and the referring organisation; coordinators both. */
function sidesOf(view: CaseWorkView, referral: Referral): { receiving: boolean; referring: boolean } {
  const coordinator = view.viewer.role === 'coordinator';
  return {
    receiving: coordinator || referral.to.id === view.viewer.organisationId,
    referring: coordinator || (referral.from !== null && referral.from.id === view.viewer.organisationId),
  };
}

function statusButton(view: CaseWorkView, referral: Referral, status: 'accepted' | 'completed' | 'withdrawn', label: string, secondary: boolean): SafeHtml {
  return html`<form method="post" action="/console/referrals/${referral.id}" class="referral-action">${csrfField(view)}
<input type="hidden" name="status" value="${status}"><button type="submit"${secondary ? html` class="secondary"` : ''}>${label}</button></form>`;
}

/** The forms a viewer may use on one referral, and nothing for the side that may not act. */
function referralActions(view: CaseWorkView, referral: Referral): SafeHtml {
  const { t } = view.context;
  const sides = sidesOf(view, referral);
  const form = `referral-${referral.id}`;
  const reasonId = `decline-reason-${referral.id}`;
  const actions: SafeHtml[] = [];
  if (referral.status === 'pending' && sides.receiving) {
    actions.push(statusButton(view, referral, 'accepted', t('console:referral.accept'), false));
    actions.push(html`<form method="post" action="/console/referrals/${referral.id}" class="referral-action">${csrfField(view)}
<input type="hidden" name="status" value="declined">
<div class="field"><label for="${reasonId}">${t('console:referral.decline_reason_label')}</label>
<textarea id="${reasonId}" name="reason" rows="2" maxlength="2000" required${describedBy(view, form, 'reason', { error: `${reasonId}-error` })}>${draft(view, form, 'reason')}</textarea>
${fieldError(view.problem, form, 'reason', `${reasonId}-error`)}</div>
<button type="submit" class="secondary">${t('console:referral.decline')}</button></form>`);
  }
  if (referral.status === 'accepted' && sides.receiving) actions.push(statusButton(view, referral, 'completed', t('console:referral.complete'), false));
  if (referral.status === 'pending' && sides.referring) actions.push(statusButton(view, referral, 'withdrawn', t('console:referral.withdraw'), true));
  if (actions.length === 0) return html``;
  return html`<div class="referral-actions">${formError(view.problem, form, ['reason'])}${actions}</div>`;
}

/** Whether a referral waits for an answer past its due time. */
export function isOverdue(referral: { status: string; due_at: Date | string }, now: Date): boolean {
  return referral.status === 'pending' && new Date(referral.due_at).getTime() < now.getTime();
}

function referralItem(view: CaseWorkView, referral: Referral): SafeHtml {
  const { t } = view.context;
  const from = referral.from?.name ?? t('console:referral.by_rules');
  const times = [
    t('console:referral.sent_at', { time: formatTime(referral.created_at, view.context) }),
    referral.status === 'pending' ? t('console:referral.due_at', { time: formatTime(referral.due_at, view.context) }) : null,
    referral.responded_at ? t('console:referral.answered_at', { time: formatTime(referral.responded_at, view.context) }) : null,
    referral.completed_at ? t('console:referral.completed_at', { time: formatTime(referral.completed_at, view.context) }) : null,
  ].filter((text): text is string => text !== null);
  return html`<li class="referral" id="referral-${referral.id}">
<p><strong>${t('console:referral.from_to', { from, to: referral.to.name })}</strong> · <span class="referral-status">${t(`console:referral.status.${referral.status}`)}</span>${isOverdue(referral, view.now) ? html` <span class="badge">${t('console:referral.overdue')}</span>` : ''}</p>
<p class="meta">${times.join(' · ')}</p>
${referral.rule ? html`<p>${t('console:referral.rule', { rule: referral.rule })}</p>` : ''}
${referral.reason ? html`<p>${t('console:referral.reason', { reason: referral.reason })}</p>` : ''}
${referral.decline_reason ? html`<p>${t('console:referral.decline_reason', { reason: referral.decline_reason })}</p>` : ''}
${referralActions(view, referral)}
</li>`;
}

function referForm(view: CaseWorkView, targets: readonly ReferralTarget[]): SafeHtml {
  const { t } = view.context;
  const form = 'refer';
  const chosen = draft(view, form, 'to_organisation');
  const hours = draft(view, form, 'response_hours') || '48';
  if (targets.length === 0) return html`<p>${t('console:referral.no_targets')}</p>`;
  return html`<form method="post" action="/console/cases/${view.reference}/referrals" aria-labelledby="refer-heading">
${csrfField(view)}
<div class="field"><label for="refer-to">${t('console:referral.organisation')}</label>
<select id="refer-to" name="to_organisation" required${describedBy(view, form, 'to_organisation', { error: 'refer-to-error' })}><option value="">${t('console:referral.choose')}</option>${targets.map((target) => html`<option value="${target.slug}"${target.slug === chosen ? html` selected` : ''}>${target.name} (${[target.city, t(`web:country.${target.country}`, { defaultValue: target.country })].filter(Boolean).join(', ')})</option>`)}</select>
${fieldError(view.problem, form, 'to_organisation', 'refer-to-error')}</div>
<div class="field"><label for="refer-reason">${t('console:referral.reason_label')}</label>
<textarea id="refer-reason" name="reason" rows="3" maxlength="2000" required${describedBy(view, form, 'reason', { error: 'refer-reason-error' })}>${draft(view, form, 'reason')}</textarea>
${fieldError(view.problem, form, 'reason', 'refer-reason-error')}</div>
<div class="field"><label for="refer-hours">${t('console:referral.hours_label')}</label>
<input id="refer-hours" name="response_hours" type="number" inputmode="numeric" min="1" max="720" value="${hours}" required${describedBy(view, form, 'response_hours', { error: 'refer-hours-error' })}>
${fieldError(view.problem, form, 'response_hours', 'refer-hours-error')}</div>
${formError(view.problem, form, ['to_organisation', 'reason', 'response_hours'])}
<p><button type="submit">${t('console:referral.submit')}</button></p>
</form>`;
}

/** The case's referrals with the actions the viewer may take, and the form to refer it onward for those who hold it. */
export function referralsSection(view: CaseWorkView, referrals: readonly Referral[], targets: readonly ReferralTarget[], ownerOrganisationId: string | null): SafeHtml {
  const { t } = view.context;
  const holding = { ownerOrganisationId, referrals: referrals.map((referral) => ({ toOrganisationId: referral.to.id, status: referral.status })) };
  const mayRefer = mayReferOnward(view.viewer, holding);
  return html`<section aria-labelledby="referrals-heading">
<h2 id="referrals-heading">${t('console:referral.title')}</h2>
${referrals.length === 0 ? html`<p>${t('console:referral.none')}</p>` : html`<ul class="referral-list">${referrals.map((referral) => referralItem(view, referral))}</ul>`}
${mayRefer ? html`<details class="fold"${view.problem?.form === 'refer' ? html` open` : ''}><summary id="refer-heading">${t('console:referral.new_title')}</summary>
${referForm(view, targets)}</details>` : html`<h3 id="refer-heading">${t('console:referral.new_title')}</h3>
<p>${t('console:referral.accept_first')}</p>`}
</section>`;
}

function escalationItem(view: CaseWorkView, escalation: Escalation): SafeHtml {
  const { t } = view.context;
  const times = [
    t('console:escalation.opened_at', { time: formatTime(escalation.created_at, view.context) }),
    escalation.acknowledged_at ? t('console:escalation.acknowledged_at', { time: formatTime(escalation.acknowledged_at, view.context) }) : null,
    escalation.closed_at ? t('console:escalation.closed_at', { time: formatTime(escalation.closed_at, view.context) }) : null,
  ].filter((text): text is string => text !== null);
  return html`<li class="escalation">
<p><strong>${escalation.embassy.name}</strong> · <span class="escalation-status">${t(`console:escalation.status.${escalation.status}`)}</span></p>
<p class="meta">${times.join(' · ')}</p>
${escalation.reason ? html`<p>${t('console:escalation.reason', { reason: escalation.reason })}</p>` : ''}
${escalation.rule ? html`<p>${t('console:escalation.rule', { rule: escalation.rule })}</p>` : ''}
${escalation.outcome ? html`<p>${t('console:escalation.outcome', { outcome: escalation.outcome })}</p>` : ''}
</li>`;
}

/** The case's escalations to embassy labour liaisons, and the form to escalate it. */
export function escalationsSection(view: CaseWorkView, escalations: readonly Escalation[]): SafeHtml {
  const { t } = view.context;
  // While an escalation is open the embassy already has the case: the list says so, no form.
  const open = escalations.some((escalation) => escalation.status !== 'closed');
  return html`<section aria-labelledby="escalations-heading">
<h2 id="escalations-heading">${t('console:escalation.title')}</h2>
${escalations.length === 0 ? html`<p>${t('console:escalation.none')}</p>` : html`<ul class="escalation-list">${escalations.map((escalation) => escalationItem(view, escalation))}</ul>`}
${open && view.problem?.form !== 'escalate' ? '' : escalateForm(view)}
</section>`;
}

/** The form to escalate the case to the embassy by hand. */
function escalateForm(view: CaseWorkView): SafeHtml {
  const { t } = view.context;
  const form = 'escalate';
  return html`<details class="fold"${view.problem?.form === form ? html` open` : ''}><summary id="escalate-heading">${t('console:escalation.new_title')}</summary>
<form method="post" action="/console/cases/${view.reference}/escalations" aria-labelledby="escalate-heading">
${csrfField(view)}
<div class="field"><label for="escalate-reason">${t('console:escalation.reason_label')}</label>
<p class="hint" id="escalate-reason-hint">${t('console:escalation.hint')}</p>
<textarea id="escalate-reason" name="reason" rows="3" maxlength="2000" required${describedBy(view, form, 'reason', { hint: 'escalate-reason-hint', error: 'escalate-reason-error' })}>${draft(view, form, 'reason')}</textarea>
${fieldError(view.problem, form, 'reason', 'escalate-reason-error')}</div>
${formError(view.problem, form, ['reason'])}
<p><button type="submit">${t('console:escalation.submit')}</button></p>
</form></details>`;
}
