import type { Language } from '../cases/case.vocabulary';
import { LANGUAGE_TAGS } from '../language/language-names';
import { html, type SafeHtml } from './html';

export interface PageOptions {
  language: Language;
  title: string;
  body: SafeHtml;
  /** Pages showing case data are kept out of search engines. */
  noIndex?: boolean;
}

/** The document around every page: no inline script or style (the CSP forbids them). */
export function page({ language, title, body, noIndex = false }: PageOptions): string {
  return html`<!doctype html>
<html lang="${LANGUAGE_TAGS[language]}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${noIndex ? html`<meta name="robots" content="noindex, nofollow">` : ''}
<title>${title}</title>
<link rel="stylesheet" href="/assets/hotline.css">
</head>
<body>
<main id="main">
${body}
</main>
</body>
</html>
`.value;
}
