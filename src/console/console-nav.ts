import type { TFunction } from 'i18next';
import type { Role } from '../cases/case.vocabulary';
import { html, type SafeHtml } from '../http/html';

// One menu for every console page, showing each role the places it may go, and the person's
// unread notices.

const LINKS: Record<Role, readonly (readonly [key: string, href: string])[]> = {
  caseworker: [['cases', '/console/cases'], ['callbacks', '/console/callbacks'], ['referrals', '/console/referrals']],
  coordinator: [
    ['cases', '/console/cases'], ['triage', '/console/cases?triage=true'], ['callbacks', '/console/callbacks'], ['referrals', '/console/referrals'],
    ['escalations', '/console/escalations'], ['erasures', '/console/erasures'], ['rules', '/console/rules'], ['stats', '/console/stats'],
  ],
  liaison: [['escalations', '/console/escalations']],
  researcher: [['stats', '/console/stats']],
  admin: [['admin', '/console/admin/users']],
};

/** The console menu for a role, with the unread count beside "Notifications". */
export function consoleNav(t: TFunction, role: Role, unread: number): SafeHtml {
  const links = LINKS[role].map(([key, href]) => html`<a href="${href}">${t(`console:nav.${key}`)}</a> · `);
  const badge = unread > 0 ? html` <span class="badge" aria-label="${t('console:nav.unread', { count: unread })}">${unread}</span>` : html``;
  return html`<nav class="console-nav" aria-label="${t('console:nav.label')}"><a href="/console">${t('console:product')}</a> · ${links}<a href="/console/notifications">${t('console:nav.notifications')}</a>${badge} · <a href="/console/tokens">${t('console:nav.tokens')}</a></nav>`;
}
