import { html, type SafeHtml } from '../http/html';
import { consolePage, type ConsolePageContext } from './console-shell';
import { issuedToken, tokenTable } from './token-pages.views';
import type { listApiTokens, listAudit, listOrganisations, listUsers } from '../users/admin.service';

/** The reader's language, the CSRF token of the page's forms and the console menu. */
export type AdminViewContext = ConsolePageContext;

/** An admin page: the console shell with the admin menu above the body. */
export function adminShell(context: AdminViewContext, title: string, body: SafeHtml): string {
  const { t } = context;
  return consolePage(context, title, html`<nav class="admin-nav" aria-label="${t('console:nav.admin')}"><a href="/console/admin/users">${t('console:admin.users')}</a> · <a href="/console/admin/organisations">${t('console:admin.organisations')}</a> · <a href="/console/admin/tokens">${t('console:admin.tokens')}</a> · <a href="/console/admin/audit">${t('console:admin.audit')}</a> · <a href="/console/admin/voice">${t('console:voice_prompts.title')}</a></nav>
${body}`);
}

const stamp = (date: Date | string | null) => (date ? new Date(date).toISOString().slice(0, 16).replace('T', ' ') : '—');

/** Users, with a button to disable (ending their sessions) or enable each. */
export function usersPage(context: AdminViewContext, users: Awaited<ReturnType<typeof listUsers>>): string {
  const { t } = context;
  return adminShell(context, t('console:admin.users'), html`<h1>${t('console:admin.users')}</h1>
<table class="cases"><caption>${t('console:admin.users')}</caption>
<thead><tr><th scope="col">${t('console:sign_in.email')}</th><th scope="col">${t('console:admin.role')}</th><th scope="col">${t('console:admin.organisation')}</th><th scope="col">${t('console:admin.last_sign_in')}</th><th scope="col">${t('console:admin.action')}</th></tr></thead>
<tbody>${users.map((user) => html`<tr><td>${user.email}</td><td>${t(`console:role.${user.role}`)}</td><td>${user.organisation}</td><td>${stamp(user.last_sign_in_at)}</td>
<td><form method="post" action="/console/admin/users/${user.id}/${user.disabled_at ? 'enable' : 'disable'}"><input type="hidden" name="_csrf" value="${context.csrf}">
<button type="submit" class="secondary">${t(user.disabled_at ? 'console:admin.enable' : 'console:admin.disable')}</button></form></td></tr>`)}</tbody></table>`);
}

/** API tokens: issue one for an account that may have one from an admin (shown once), and revoke any. */
export function tokensPage(context: AdminViewContext, tokens: Awaited<ReturnType<typeof listApiTokens>>, issued?: string): string {
  const { t } = context;
  return adminShell(context, t('console:admin.tokens'), html`<h1>${t('console:admin.tokens')}</h1>
<p>${t('console:admin.token_rule')}</p>
${issuedToken(context, issued)}
<form method="post" action="/console/admin/tokens"><input type="hidden" name="_csrf" value="${context.csrf}">
<div class="field"><label for="email">${t('console:sign_in.email')}</label><input id="email" name="email" type="email" required></div>
<div class="field"><label for="name">${t('console:admin.token_name')}</label><input id="name" name="name" type="text" maxlength="100"></div>
<p><button type="submit">${t('console:admin.issue')}</button></p></form>
${tokenTable(context, tokens, { revokeBase: '/console/admin/tokens', withEmail: true, caption: t('console:admin.tokens') })}`);
}

/** The audit log, newest first. */
export function auditPage(context: AdminViewContext, rows: Awaited<ReturnType<typeof listAudit>>, filters: { action: string; subject: string }, nextHref: string | null): string {
  const { t } = context;
  return adminShell(context, t('console:admin.audit'), html`<h1>${t('console:admin.audit')}</h1>
<form method="get" action="/console/admin/audit" class="filters">
<div class="field"><label for="action">${t('console:admin.audit_action')}</label><input id="action" name="action" type="text" value="${filters.action}"></div>
<div class="field"><label for="subject">${t('console:admin.audit_subject')}</label><input id="subject" name="subject" type="text" value="${filters.subject}"></div>
<p><button type="submit">${t('console:inbox.filter')}</button></p></form>
<table class="cases"><caption>${t('console:admin.audit')}</caption>
<thead><tr><th scope="col">${t('console:admin.when')}</th><th scope="col">${t('console:admin.who')}</th><th scope="col">${t('console:admin.audit_action')}</th><th scope="col">${t('console:admin.audit_subject')}</th><th scope="col">${t('console:admin.from')}</th></tr></thead>
<tbody>${rows.map((row) => html`<tr><td>${stamp(row.at)}</td><td>${row.actor ?? row.actor_kind}</td><td>${row.action}</td><td>${row.subject_type} ${row.subject_id ?? ''}</td><td>${row.ip ?? ''}</td></tr>`)}</tbody></table>
${nextHref ? html`<p><a href="${nextHref}" rel="next">${t('console:inbox.next')}</a></p>` : ''}`);
}

/** Organisations and their settings, each with a link to its edit page, and a link to add one. */
export function organisationsPage(context: AdminViewContext, organisations: Awaited<ReturnType<typeof listOrganisations>>): string {
  const { t } = context;
  const yesNo = (value: boolean) => t(value ? 'console:admin.yes' : 'console:admin.no');
  return adminShell(context, t('console:admin.organisations'), html`<h1>${t('console:admin.organisations')}</h1>
<p><a class="button" href="/console/admin/organisations/new">${t('console:admin.new_organisation')}</a></p>
<table class="cases"><caption>${t('console:admin.organisations')}</caption>
<thead><tr><th scope="col">${t('console:admin.organisation')}</th><th scope="col">${t('console:admin.kind')}</th><th scope="col">${t('console:admin.country')}</th><th scope="col">${t('console:admin.active')}</th><th scope="col">${t('console:admin.discreet')}</th><th scope="col">${t('console:admin.action')}</th></tr></thead>
<tbody>${organisations.map((organisation) => html`<tr><td>${organisation.name} <code>${organisation.slug}</code></td><td>${t(`console:admin.kinds.${organisation.kind}`, { defaultValue: organisation.kind })}</td>
<td>${t(`web:country.${organisation.country}`, { defaultValue: organisation.country })}${organisation.city ? html` · ${organisation.city}` : ''}</td><td>${yesNo(organisation.is_active)}</td><td>${yesNo(organisation.discreet_by_default)}</td>
<td><a href="/console/admin/organisations/${organisation.id}">${t('console:admin.edit')}</a></td></tr>`)}</tbody></table>`);
}
