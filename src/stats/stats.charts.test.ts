import { axisTicks, barChart, lineChart, linePath } from './stats.charts';

const text = { id: 'c', title: 'Cases <by> sector', description: 'A & B', hiddenLabel: 'hidden', formatNumber: (value: number) => String(value) };

describe('server-side charts', () => {
  it('choose round axis ticks from zero past the largest value', () => {
    expect(axisTicks(93)).toEqual([0, 25, 50, 75, 100]);
    expect(axisTicks(0.8)).toEqual([0, 0.2, 0.4, 0.6, 0.8]);
    expect(axisTicks(0)).toEqual([0, 1]);
  });

  it('break a line where a value is hidden', () => {
    expect(linePath([1, 2, null, 4, 5], (index) => index * 10, (value) => value)).toBe('M0.0 1.0 L10.0 2.0 M30.0 4.0 L40.0 5.0');
    expect(linePath([null, null], (index) => index, (value) => value)).toBe('');
  });

  it('label each chart with an escaped title and description, without style attributes', () => {
    const svg = barChart(text, [{ label: '<script>', value: 12 }, { label: 'fishing', value: null }]).value;
    expect(svg).toContain('aria-labelledby="c-title c-desc"');
    expect(svg).toContain('<title id="c-title">Cases &lt;by&gt; sector</title>');
    expect(svg).toContain('<desc id="c-desc">A &amp; B</desc>');
    expect(svg).toContain('&lt;script&gt;');
    expect(svg).toContain('>hidden</text>');
    expect(svg).not.toContain('style=');
    const line = lineChart(text, ['2026-01', '2026-02'], [{ name: 'a', values: [1, null] }, { name: 'b', values: [2, 3] }]).value;
    expect(line).toContain('<path d="M');
    expect(line).not.toContain('style=');
  });
});
