import { html } from './html';

describe('html templates', () => {
  it('escapes interpolated text', () => {
    expect(html`<p>${'<script>alert("x")</script>'}</p>`.value).toBe('<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</p>');
  });

  it('keeps nested templates and lists as markup, and drops empty values', () => {
    const items = ['a&b', 'c'].map((item) => html`<li>${item}</li>`);
    expect(html`<ul>${items}</ul>${null}${false}${undefined}`.value).toBe('<ul><li>a&amp;b</li><li>c</li></ul>');
  });
});
