import { html, type SafeHtml } from '../http/html';

// Checkbox groups shared by the inbox's filters and the case page's triage form.

/** The countries a case can be in or come from. */
export const COUNTRIES = ['TH', 'MY', 'MM', 'KH', 'LA', 'VN'] as const;

/** One checkbox per option, those in `selected` ticked. */
export function choices(name: string, options: readonly string[], selected: readonly string[], label: (option: string) => string): SafeHtml {
  return html`${options.map((option) => html`<label class="choice"><input type="checkbox" name="${name}" value="${option}"${selected.includes(option) ? html` checked` : ''}> ${label(option)}</label>`)}`;
}
