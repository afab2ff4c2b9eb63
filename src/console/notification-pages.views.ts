import type { Role } from '../cases/case.vocabulary';
import { html, type SafeHtml } from '../http/html';
import type { listNotificationsOf } from '../notifications/notification-inbox.service';
import { consolePage, formatTime, type ConsolePageContext } from './console-shell';

// A person's notices, newest first. Unread ones say so in words as well as in weight.

type NotificationRow = Awaited<ReturnType<typeof listNotificationsOf>>[number];

/** Where a notice leads: the case for those who work cases, the escalation for a liaison, the erasure request for a coordinator. */
export function notificationHref(role: Role, row: Pick<NotificationRow, 'kind' | 'reference' | 'subject_id'>): string | null {
  if (role === 'liaison') return row.kind.startsWith('escalation.') && row.subject_id ? `/console/escalations/${row.subject_id}` : null;
  if (role === 'coordinator' && row.kind.startsWith('erasure.') && row.subject_id) return `/console/erasures/${row.subject_id}`;
  if ((role === 'caseworker' || role === 'coordinator') && row.reference) return `/console/cases/${row.reference}`;
  return null;
}

function notificationRow(context: ConsolePageContext, role: Role, row: NotificationRow): SafeHtml {
  const { t } = context;
  const unread = row.read_at === null;
  const label = t(`console:notifications.kind.${row.kind}`, { defaultValue: row.kind });
  const href = notificationHref(role, row);
  return html`<tr${unread ? html` class="unread"` : ''}>
<td>${unread ? html`<span class="badge">${t('console:notifications.unread')}</span> ` : ''}${href ? html`<a href="${href}">${label}</a>` : label}</td>
<td>${row.reference ?? ''}</td>
<td>${formatTime(row.created_at, context)}</td></tr>`;
}

/** The notices page, with a button to mark them all read. */
export function notificationsPage(context: ConsolePageContext, role: Role, rows: readonly NotificationRow[]): string {
  const { t } = context;
  const anyUnread = rows.some((row) => row.read_at === null);
  const body = html`<h1 id="notifications-heading">${t('console:notifications.title')}</h1>
${anyUnread ? html`<form method="post" action="/console/notifications/read"><input type="hidden" name="_csrf" value="${context.csrf}">
<button type="submit" class="secondary">${t('console:notifications.mark_all_read')}</button></form>` : ''}
${rows.length === 0 ? html`<p>${t('console:notifications.empty')}</p>` : html`<table class="cases notifications" aria-labelledby="notifications-heading">
<thead><tr><th scope="col">${t('console:notifications.what')}</th><th scope="col">${t('console:field.reference')}</th><th scope="col">${t('console:notifications.when')}</th></tr></thead>
<tbody>${rows.map((row) => notificationRow(context, role, row))}</tbody></table>`}`;
  return consolePage(context, t('console:notifications.title'), body);
}
