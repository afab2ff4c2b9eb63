import { html } from '../http/html';
import type { listApiTokens } from '../users/admin.repository';
import { consolePage, type ConsolePageContext } from './console-shell';

const stamp = (date: Date | string | null) => (date ? new Date(date).toISOString().slice(0, 16).replace('T', ' ') : '—');

/** A person's own API tokens: issue one (shown once) and revoke. */
export function ownTokensPage(context: ConsolePageContext, tokens: Awaited<ReturnType<typeof listApiTokens>>, issued?: string): string {
  const { t } = context;
  return consolePage(context, t('console:tokens.title'), html`<h1>${t('console:tokens.title')}</h1>
<p>${t('console:tokens.intro')}</p>
${issued ? html`<p class="notice" role="status">${t('console:admin.token_issued')}</p><p><code class="token">${issued}</code></p>` : ''}
<form method="post" action="/console/tokens"><input type="hidden" name="_csrf" value="${context.csrf}">
<div class="field"><label for="name">${t('console:admin.token_name')}</label><input id="name" name="name" type="text" maxlength="100"></div>
<p><button type="submit">${t('console:admin.issue')}</button></p></form>
${tokens.length === 0 ? html`<p>${t('console:tokens.none')}</p>` : html`<table class="cases"><caption>${t('console:tokens.title')}</caption>
<thead><tr><th scope="col">${t('console:admin.token_name')}</th><th scope="col">${t('console:admin.created')}</th><th scope="col">${t('console:admin.last_used')}</th><th scope="col">${t('console:admin.action')}</th></tr></thead>
<tbody>${tokens.map((token) => html`<tr><td>${token.name} <code>${token.prefix}…</code></td><td>${stamp(token.created_at)}</td><td>${stamp(token.last_used_at)}</td>
<td>${token.revoked_at ? t('console:admin.revoked') : html`<form method="post" action="/console/tokens/${token.id}/revoke"><input type="hidden" name="_csrf" value="${context.csrf}"><button type="submit" class="secondary">${t('console:admin.revoke')}</button></form>`}</td></tr>`)}</tbody></table>`}`);
}
