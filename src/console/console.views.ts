import type { TFunction } from 'i18next';
import { LANGUAGES, type Language, type Role } from '../cases/case.vocabulary';
import { LANGUAGE_NAMES } from '../language/language-names';
import { html, type SafeHtml } from '../http/html';
import { page } from '../http/layout';
import { phoneForm } from './callback-pages.views';
import { consoleTitle } from './console-shell';

export interface ConsoleViewContext {
  language: Language;
  t: TFunction;
  csrf: string;
  /** The console menu, once someone is signed in. */
  nav?: SafeHtml;
}

function consolePage(context: ConsoleViewContext, title: string, body: SafeHtml): string {
  return page({ language: context.language, title: consoleTitle(context.t, title), noIndex: true, body: context.nav ? html`${context.nav}
${body}` : body });
}

/** The sign-in form, with a generic message after a failed attempt. */
export function signInPage(context: ConsoleViewContext, values: { email?: string } = {}, notice?: string): string {
  const { t } = context;
  return consolePage(
    context,
    t('console:sign_in.title'),
    html`<h1>${t('console:sign_in.title')}</h1>
${notice ? html`<p class="error-summary" role="alert">${notice}</p>` : ''}
<form method="post" action="/console/sign-in" novalidate>
<input type="hidden" name="_csrf" value="${context.csrf}">
<div class="field"><label for="email">${t('console:sign_in.email')}</label>
<input id="email" name="email" type="email" autocomplete="username" required value="${values.email ?? ''}"></div>
<div class="field"><label for="password">${t('console:sign_in.password')}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required></div>
<p><button type="submit">${t('console:sign_in.submit')}</button></p>
</form>`,
  );
}

/** The console's landing page: who is signed in and where they can go. */
export function homePage(context: ConsoleViewContext, user: { displayName: string; role: Role; emailNotifications: boolean; hasPhone?: boolean }): string {
  const { t } = context;
  const links: SafeHtml[] = [];
  if (user.role === 'admin') {
    links.push(html`<li><a href="/console/admin/users">${t('console:admin.users')}</a></li>`, html`<li><a href="/console/admin/organisations">${t('console:admin.organisations')}</a></li>`, html`<li><a href="/console/admin/tokens">${t('console:admin.tokens')}</a></li>`, html`<li><a href="/console/admin/audit">${t('console:admin.audit')}</a></li>`);
  }
  if (user.role === 'coordinator') links.push(html`<li><a href="/console/canned-replies">${t('console:canned.title')}</a></li>`);
  if (user.role === 'caseworker' || user.role === 'coordinator') links.push(html`<li><a href="/console/cases">${t('console:inbox.title')}</a></li>`);
  if (user.role === 'researcher' || user.role === 'coordinator' || user.role === 'admin') {
    links.push(html`<li><a href="/console/stats">${t('console:home.stats')}</a></li>`);
  }
  return consolePage(
    context,
    t('console:home.title'),
    html`<h1>${t('console:home.title')}</h1>
<p>${t('console:home.signed_in_as', { name: user.displayName, role: t(`console:role.${user.role}`) })}</p>
${links.length > 0 ? html`<ul>${links}</ul>` : ''}
<form method="post" action="/console/language"><input type="hidden" name="_csrf" value="${context.csrf}">
<div class="field"><label for="language">${t('common:language')}</label><select id="language" name="language">${LANGUAGES.map((code) => html`<option value="${code}" lang="${code}"${code === context.language ? html` selected` : ''}>${LANGUAGE_NAMES[code]}</option>`)}</select></div>
<p><button type="submit" class="secondary">${t('console:home.change_language')}</button></p></form>
<form method="post" action="/console/email-notifications"><input type="hidden" name="_csrf" value="${context.csrf}">
<fieldset class="field"><legend>${t('console:home.email_notifications')}</legend>
<p class="hint">${t('console:home.email_notifications_hint')}</p>
<label class="choice"><input type="radio" name="email_notifications" value="yes"${user.emailNotifications ? html` checked` : ''}> ${t('console:home.email_on')}</label>
<label class="choice"><input type="radio" name="email_notifications" value="no"${user.emailNotifications ? '' : html` checked`}> ${t('console:home.email_off')}</label></fieldset>
<p><button type="submit" class="secondary">${t('console:home.save_email')}</button></p></form>
${user.role === 'caseworker' || user.role === 'coordinator' ? phoneForm(t, context.csrf, user.hasPhone === true) : ''}
<form method="post" action="/console/sign-out"><input type="hidden" name="_csrf" value="${context.csrf}">
<button type="submit" class="secondary">${t('console:sign_out')}</button></form>`,
  );
}
