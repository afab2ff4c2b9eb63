import { html, type SafeHtml } from '../http/html';

// Charts drawn on the server as inline SVG: no script and no style attribute (the CSP allows
// neither), colours and sizes as SVG presentation attributes, classes for the rest. Every chart is
// an image labelled by its <title> and <desc>; its numbers are in the table printed below it.

const WIDTH = 640;
/** Okabe–Ito colours (told apart with colour-blindness), with a dash pattern each for print. */
const SERIES_STYLES = [
  { colour: '#0072B2', dash: '' },
  { colour: '#D55E00', dash: '6 3' },
  { colour: '#009E73', dash: '2 3' },
  { colour: '#CC79A7', dash: '8 3 2 3' },
  { colour: '#E69F00', dash: '12 4' },
  { colour: '#56B4E9', dash: '3 6' },
  { colour: '#000000', dash: '1 2' },
] as const;
const BAR_COLOUR = '#0072B2';
const MUTED = '#6b6b6b';

/** What a chart says about itself, in the reader's language. */
export interface ChartText {
  /** Unique in the page: ids of the title and description derive from it. */
  id: string;
  title: string;
  description: string;
  /** Shown where a number is hidden by disclosure control. */
  hiddenLabel: string;
  formatNumber: (value: number) => string;
}

/** One bar: a label and its value, or null when the value is hidden. */
export interface Bar {
  label: string;
  value: number | null;
}

/** One line of a line chart: a value per x position, null for a gap. */
export interface Series {
  name: string;
  values: readonly (number | null)[];
}

function svgOpen(text: ChartText, height: number): SafeHtml {
  return html`<svg class="stats-svg" role="img" aria-labelledby="${text.id}-title ${text.id}-desc" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" xmlns="http://www.w3.org/2000/svg">
<title id="${text.id}-title">${text.title}</title>
<desc id="${text.id}-desc">${text.description}</desc>`;
}

/** Round numbers for an axis from 0 to at least `maximum`. */
export function axisTicks(maximum: number, count = 4): number[] {
  if (!(maximum > 0)) return [0, 1];
  const rough = maximum / count;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((factor) => factor * magnitude).find((candidate) => candidate >= rough) ?? magnitude * 10;
  const ticks: number[] = [];
  for (let tick = 0; tick < maximum + step; tick += step) ticks.push(Number(tick.toPrecision(12)));
  return ticks;
}

/** A horizontal bar chart; hidden values are drawn as an outlined stub labelled as hidden. */
export function barChart(text: ChartText, bars: readonly Bar[]): SafeHtml {
  const [labelWidth, valueWidth, rowHeight, top] = [210, 70, 26, 8];
  const height = top * 2 + Math.max(1, bars.length) * rowHeight;
  const maximum = Math.max(1, ...bars.map((bar) => bar.value ?? 0));
  const scale = (WIDTH - labelWidth - valueWidth) / maximum;
  const rows = bars.map((bar, index) => {
    const y = top + index * rowHeight;
    const label = html`<text x="${labelWidth - 8}" y="${y + 17}" text-anchor="end" font-size="13" fill="#1b1b1b">${bar.label}</text>`;
    if (bar.value === null) {
      return html`${label}<rect x="${labelWidth}" y="${y + 5}" width="24" height="16" fill="none" stroke="${MUTED}" stroke-dasharray="3 2"/><text x="${labelWidth + 32}" y="${y + 17}" font-size="12" fill="${MUTED}">${text.hiddenLabel}</text>`;
    }
    const width = Math.max(1, bar.value * scale);
    return html`${label}<rect x="${labelWidth}" y="${y + 5}" width="${width.toFixed(1)}" height="16" fill="${BAR_COLOUR}"/><text x="${(labelWidth + width + 6).toFixed(1)}" y="${y + 17}" font-size="12" fill="#1b1b1b">${text.formatNumber(bar.value)}</text>`;
  });
  return html`${svgOpen(text, height)}${rows}</svg>`;
}

interface Plot {
  left: number;
  right: number;
  top: number;
  bottom: number;
  maximum: number;
  points: number;
}

function xOf(plot: Plot, index: number): number {
  return plot.points <= 1 ? (plot.left + plot.right) / 2 : plot.left + ((plot.right - plot.left) * index) / (plot.points - 1);
}

function yOf(plot: Plot, value: number): number {
  return plot.bottom - ((plot.bottom - plot.top) * value) / plot.maximum;
}

/** SVG path data for a series, broken wherever a value is missing. */
export function linePath(values: readonly (number | null)[], x: (index: number) => number, y: (value: number) => number): string {
  let path = '';
  let drawing = false;
  values.forEach((value, index) => {
    if (value === null) {
      drawing = false;
      return;
    }
    path += `${drawing ? 'L' : 'M'}${x(index).toFixed(1)} ${y(value).toFixed(1)} `;
    drawing = true;
  });
  return path.trim();
}

function axes(plot: Plot, ticks: readonly number[], xLabels: readonly string[], text: ChartText): SafeHtml {
  const every = Math.max(1, Math.ceil(xLabels.length / 8));
  const yTicks = ticks.map((tick) => {
    const y = yOf(plot, tick).toFixed(1);
    return html`<line x1="${plot.left}" x2="${plot.right}" y1="${y}" y2="${y}" stroke="#d0d0d0" stroke-width="1"/><text x="${plot.left - 6}" y="${y}" dy="4" text-anchor="end" font-size="11" fill="${MUTED}">${text.formatNumber(tick)}</text>`;
  });
  const xTicks = xLabels.map((label, index) =>
    index % every === 0 || index === xLabels.length - 1
      ? html`<text x="${xOf(plot, index).toFixed(1)}" y="${plot.bottom + 16}" text-anchor="middle" font-size="11" fill="${MUTED}">${label}</text>`
      : '',
  );
  return html`${yTicks}${xTicks}`;
}

function legend(series: readonly Series[], y: number): SafeHtml {
  const columns = 3;
  const columnWidth = (WIDTH - 20) / columns;
  return html`${series.map((line, index) => {
    const style = SERIES_STYLES[index % SERIES_STYLES.length] ?? SERIES_STYLES[0];
    const x = 10 + (index % columns) * columnWidth;
    const rowY = y + Math.floor(index / columns) * 18;
    return html`<line x1="${x}" x2="${x + 24}" y1="${rowY}" y2="${rowY}" stroke="${style.colour}" stroke-width="3" stroke-dasharray="${style.dash}"/><text x="${x + 30}" y="${rowY + 4}" font-size="12" fill="#1b1b1b">${line.name}</text>`;
  })}`;
}

function seriesMarks(plot: Plot, series: readonly Series[]): SafeHtml {
  return html`${series.map((line, index) => {
    const style = SERIES_STYLES[index % SERIES_STYLES.length] ?? SERIES_STYLES[0];
    const path = linePath(line.values, (at) => xOf(plot, at), (value) => yOf(plot, value));
    const dots = line.values.map((value, at) =>
      value === null ? '' : html`<circle cx="${xOf(plot, at).toFixed(1)}" cy="${yOf(plot, value).toFixed(1)}" r="2.5" fill="${style.colour}"/>`,
    );
    return html`${path ? html`<path d="${path}" fill="none" stroke="${style.colour}" stroke-width="2" stroke-dasharray="${style.dash}"/>` : ''}${dots}`;
  })}`;
}

/** A line chart over labelled x positions (months); a hidden value leaves a gap in its line. */
export function lineChart(text: ChartText, xLabels: readonly string[], series: readonly Series[]): SafeHtml {
  const legendRows = series.length > 1 ? Math.ceil(series.length / 3) : 0;
  const legendHeight = legendRows * 18 + (legendRows > 0 ? 8 : 0);
  const plotHeight = 220;
  const values = series.flatMap((line) => line.values.filter((value): value is number => value !== null));
  const ticks = axisTicks(Math.max(0, ...values));
  const plot: Plot = { left: 56, right: WIDTH - 32, top: 12 + legendHeight, bottom: 12 + legendHeight + plotHeight, maximum: ticks[ticks.length - 1] ?? 1, points: xLabels.length };
  const height = plot.bottom + 28;
  return html`${svgOpen(text, height)}${series.length > 1 ? legend(series, 14) : ''}${axes(plot, ticks, xLabels, text)}<line x1="${plot.left}" x2="${plot.right}" y1="${plot.bottom}" y2="${plot.bottom}" stroke="#1b1b1b" stroke-width="1"/>${seriesMarks(plot, series)}</svg>`;
}
