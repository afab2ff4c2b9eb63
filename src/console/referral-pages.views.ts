import type { Role } from '../cases/case.vocabulary';
import { html, type SafeHtml } from '../http/html';
import type { listReferralsFor } from '../referrals/referral.service';
import { consolePage, formatTime, type ConsolePageContext } from './console-shell';

// The referrals page: what other organisations sent us, what we sent them, and what waits for
// an answer past its time.

type ReferralRow = Awaited<ReturnType<typeof listReferralsFor>>[number];

/** The three lists of the page; for coordinators all three are the whole network's (pending, accepted, overdue). */
export interface ReferralLists {
  incoming: readonly ReferralRow[];
  outgoing: readonly ReferralRow[];
  overdue: readonly ReferralRow[];
}

/** Whether the reader can open the case: a caseworker loses sight of a case referred to them once the referral ends. */
function opens(role: Role, list: keyof ReferralLists, row: ReferralRow): boolean {
  return role === 'coordinator' || list !== 'incoming' || row.status === 'pending' || row.status === 'accepted';
}

function referralTable(context: ConsolePageContext, role: Role, list: keyof ReferralLists, rows: readonly ReferralRow[]): SafeHtml {
  const { t } = context;
  const headingId = `${list}-heading`;
  const empty = role === 'coordinator' && list !== 'overdue' ? `${list}_network` : list;
  if (rows.length === 0) return html`<p>${t(`console:referrals_page.empty.${empty}`)}</p>`;
  return html`<table class="cases" aria-labelledby="${headingId}">
<thead><tr><th scope="col">${t('console:field.reference')}</th><th scope="col">${t('console:referrals_page.from')}</th><th scope="col">${t('console:referrals_page.to')}</th><th scope="col">${t('console:field.status')}</th><th scope="col">${t('console:referrals_page.due')}</th></tr></thead>
<tbody>${rows.map((row) => html`<tr>
<td>${opens(role, list, row) ? html`<a href="/console/cases/${row.reference}">${row.reference}</a>` : row.reference}</td>
<td>${row.from?.name ?? t('console:referral.by_rules')}</td><td>${row.to.name}</td>
<td>${t(`console:referral.status.${row.status}`)}</td>
<td>${row.status === 'pending' ? formatTime(row.due_at, context) : ''}${row.overdue ? html` <span class="badge">${t('console:referral.overdue')}</span>` : ''}</td></tr>`)}</tbody></table>`;
}

/** Incoming, outgoing and overdue referrals, each with its empty state. */
export function referralsPage(context: ConsolePageContext, role: Role, lists: ReferralLists): string {
  const { t } = context;
  const section = (list: keyof ReferralLists, title: string) => html`<section aria-labelledby="${list}-heading">
<h2 id="${list}-heading">${title}</h2>
${referralTable(context, role, list, lists[list])}
</section>`;
  const body = html`<h1>${t('console:referrals_page.title')}</h1>
${section('incoming', t(role === 'coordinator' ? 'console:referrals_page.incoming_network' : 'console:referrals_page.incoming'))}
${section('outgoing', t(role === 'coordinator' ? 'console:referrals_page.outgoing_network' : 'console:referrals_page.outgoing'))}
${section('overdue', t(role === 'coordinator' ? 'console:referrals_page.overdue_network' : 'console:referrals_page.overdue'))}`;
  return consolePage(context, t('console:referrals_page.title'), body);
}
