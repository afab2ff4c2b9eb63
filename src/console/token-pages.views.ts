import { html, type SafeHtml } from '../http/html';
import type { listApiTokens } from '../users/admin.service';
import { consolePage, type ConsolePageContext } from './console-shell';

type Tokens = Awaited<ReturnType<typeof listApiTokens>>;

const stamp = (date: Date | string | null) => (date ? new Date(date).toISOString().slice(0, 16).replace('T', ' ') : '—');

/** A token just issued, shown this once, or nothing. */
export function issuedToken(context: ConsolePageContext, issued: string | undefined): SafeHtml {
  return issued ? html`<p class="notice" role="status">${context.t('console:admin.token_issued')}</p><p><code class="token">${issued}</code></p>` : html``;
}

/** A table of API tokens with a revoke button each (posting to `revokeBase/{id}/revoke`), the holder's email when asked. */
export function tokenTable(context: ConsolePageContext, tokens: Tokens, options: { revokeBase: string; withEmail: boolean; caption: string }): SafeHtml {
  const { t } = context;
  return html`<table class="cases"><caption>${options.caption}</caption>
<thead><tr><th scope="col">${t('console:admin.token_name')}</th>${options.withEmail ? html`<th scope="col">${t('console:sign_in.email')}</th>` : ''}<th scope="col">${t('console:admin.created')}</th><th scope="col">${t('console:admin.last_used')}</th><th scope="col">${t('console:admin.action')}</th></tr></thead>
<tbody>${tokens.map((token) => html`<tr><td>${token.name} <code>${token.prefix}…</code></td>${options.withEmail ? html`<td>${token.email}</td>` : ''}<td>${stamp(token.created_at)}</td><td>${stamp(token.last_used_at)}</td>
<td>${token.revoked_at ? t('console:admin.revoked') : html`<form method="post" action="${options.revokeBase}/${token.id}/revoke"><input type="hidden" name="_csrf" value="${context.csrf}"><button type="submit" class="secondary">${t('console:admin.revoke')}</button></form>`}</td></tr>`)}</tbody></table>`;
}

/** A person's own API tokens: issue one (shown once) and revoke. */
export function ownTokensPage(context: ConsolePageContext, tokens: Tokens, issued?: string): string {
  const { t } = context;
  return consolePage(context, t('console:tokens.title'), html`<h1>${t('console:tokens.title')}</h1>
<p>${t('console:tokens.intro')}</p>
${issuedToken(context, issued)}
<form method="post" action="/console/tokens"><input type="hidden" name="_csrf" value="${context.csrf}">
<div class="field"><label for="name">${t('console:admin.token_name')}</label><input id="name" name="name" type="text" maxlength="100"></div>
<p><button type="submit">${t('console:admin.issue')}</button></p></form>
${tokens.length === 0 ? html`<p>${t('console:tokens.none')}</p>` : tokenTable(context, tokens, { revokeBase: '/console/tokens', withEmail: false, caption: t('console:tokens.title') })}`);
}
