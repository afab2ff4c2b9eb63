import type { TFunction } from 'i18next';
import { consoleTitle } from '../console/console-shell';
import type { Language } from '../cases/case.vocabulary';
import { html, type SafeHtml } from '../http/html';
import { page } from '../http/layout';
import { LANGUAGE_TAGS } from '../language/language-names';
import { barChart, lineChart, type Bar, type ChartText } from './stats.charts';
import { csvLink, type Dashboard, type DashboardChart } from './stats.dashboard';
import type { Dimension } from './stats.schema';
import { ALL_VALUES, compareValues, type Measures, type StatsRow, type StatsTable } from './stats.service';

// The researchers' dashboard page. Every number shown comes from a published (suppressed) table;
// a hidden number is written as "hidden", never as 0 or left out.

const TIMELINE_SERIES = 6;

interface View {
  t: TFunction;
  k: number;
  number: (value: number) => string;
  percent: (value: number) => string;
  amount: (value: number) => string;
}

function viewFor(language: Language, t: TFunction, k: number): View {
  const tag = LANGUAGE_TAGS[language];
  const number = new Intl.NumberFormat(tag, { numberingSystem: 'latn', maximumFractionDigits: 1 });
  const percent = new Intl.NumberFormat(tag, { numberingSystem: 'latn', style: 'percent', maximumFractionDigits: 0 });
  const amount = new Intl.NumberFormat(tag, { numberingSystem: 'latn', minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return { t, k, number: (value) => number.format(value), percent: (value) => percent.format(value), amount: (value) => amount.format(value) };
}

/** The name of a dimension's value in the reader's language. */
function label(view: View, dimension: Dimension, value: string | null | undefined): string {
  if (value === null || value === undefined) return view.t(dimension === 'outcome' ? 'noOutcome' : 'notRecorded');
  const namespace: Partial<Record<Dimension, string>> = {
    category: 'category', sector: 'sector', outcome: 'outcome', origin_country: 'country', destination_country: 'country',
  };
  const group = namespace[dimension];
  return group ? view.t(`${group}.${value}`, { defaultValue: value }) : value;
}

/** A measure of a row as table text: "hidden" when suppressed, "–" when too few for a median. */
function measureText(view: View, row: StatsRow | undefined, pick: (measures: Measures) => number | null, format = view.number): string {
  if (!row) return format(0);
  if (!row.measures) return view.t('hidden');
  const value = pick(row.measures);
  return value === null ? '–' : format(value);
}

function chartText(view: View, id: string, title: string, description: string): ChartText {
  return { id, title, description, hiddenLabel: view.t('hidden'), formatNumber: view.number };
}

function findRow(rows: readonly StatsRow[], values: Partial<Record<Dimension, string | null>>): StatsRow | undefined {
  return rows.find((row) => Object.entries(values).every(([dimension, value]) => (row.values[dimension as Dimension] ?? null) === value));
}

function section(id: DashboardChart, title: string, figure: SafeHtml, table: SafeHtml, view: View, dashboard: Dashboard): SafeHtml {
  return html`<section class="stats-section" aria-labelledby="${id}-heading">
<h2 id="${id}-heading">${title}</h2>
<figure class="stats-figure">${figure}</figure>
<div class="stats-table-wrap" role="region" tabindex="0" aria-labelledby="${id}-heading">${table}</div>
<p class="stats-csv"><a href="${csvLink(id, dashboard.period)}">${view.t('downloadCsv')}</a></p>
</section>`;
}

function table(caption: string, headings: readonly string[], rows: readonly (readonly string[])[]): SafeHtml {
  return html`<table class="stats-table"><caption>${caption}</caption>
<thead><tr>${headings.map((heading, index) => (index === 0 ? html`<th scope="col">${heading}</th>` : html`<th scope="col" class="number">${heading}</th>`))}</tr></thead>
<tbody>${rows.map((cells) => html`<tr>${cells.map((cell, index) => (index === 0 ? html`<th scope="row">${cell}</th>` : html`<td class="number">${cell}</td>`))}</tr>`)}</tbody>
</table>`;
}

// --- cases over time ----------------------------------------------------------------------------

/** The most frequent categories whose totals are published, most frequent first. */
function leadingCategories(timeline: StatsTable): (string | null)[] {
  return timeline.totals
    .filter((row) => row.values.month === ALL_VALUES && row.values.category !== ALL_VALUES && row.measures)
    .sort((a, b) => (b.measures?.cases ?? 0) - (a.measures?.cases ?? 0) || compareValues('category', a.values.category, b.values.category))
    .slice(0, TIMELINE_SERIES)
    .map((row) => row.values.category ?? null);
}

/** A month with no row had no case: 0. A suppressed row is a gap. */
function casesIn(row: StatsRow | undefined): number | null {
  if (!row) return 0;
  return row.measures ? row.measures.cases : null;
}

function timelineSection(dashboard: Dashboard, view: View): SafeHtml {
  const timeline = dashboard.tables.timeline;
  const categories = leadingCategories(timeline);
  const series = categories.map((category) => ({
    name: label(view, 'category', category),
    values: dashboard.months.map((month) => casesIn(findRow(timeline.cells, { month, category }))),
  }));
  const title = view.t('chart.timeline');
  const chart = lineChart(chartText(view, 'timeline-chart', title, view.t('chart.timelineDescription', { number: categories.length })), dashboard.months, series);
  const rows = dashboard.months.map((month) => [
    month,
    ...categories.map((category) => measureText(view, findRow(timeline.cells, { month, category }), (measures) => measures.cases)),
    measureText(view, findRow(timeline.totals, { month, category: ALL_VALUES }), (measures) => measures.cases),
  ]);
  const headings = [view.t('column.month'), ...series.map((line) => line.name), view.t('allCategories')];
  return section('timeline', title, chart, table(title, headings, rows), view, dashboard);
}

// --- response and resolution times --------------------------------------------------------------

function timesSection(dashboard: Dashboard, view: View): SafeHtml {
  const cells = dashboard.tables.times.cells;
  const median = (month: string, pick: (measures: Measures) => number | null) => {
    const measures = findRow(cells, { month })?.measures;
    return measures ? pick(measures) : null;
  };
  const response = dashboard.months.map((month) => median(month, (measures) => measures.medianDaysToFirstResponse));
  const resolution = dashboard.months.map((month) => median(month, (measures) => measures.medianDaysToResolution));
  const charts = html`${lineChart(chartText(view, 'response-chart', view.t('chart.response'), view.t('chart.responseDescription')), dashboard.months, [{ name: view.t('chart.response'), values: response }])}
${lineChart(chartText(view, 'resolution-chart', view.t('chart.resolution'), view.t('chart.resolutionDescription')), dashboard.months, [{ name: view.t('chart.resolution'), values: resolution }])}`;
  const rows = dashboard.months.map((month) => {
    const row = findRow(cells, { month });
    return [
      month,
      measureText(view, row, (measures) => measures.cases),
      row ? measureText(view, row, (measures) => measures.medianDaysToFirstResponse) : '–',
      row ? measureText(view, row, (measures) => measures.medianDaysToResolution) : '–',
      row ? measureText(view, row, (measures) => measures.shareResolved, view.percent) : '–',
    ];
  });
  const headings = ['month', 'cases', 'medianResponse', 'medianResolution', 'shareResolved'].map((key) => view.t(`column.${key}`));
  return section('times', view.t('chart.times'), charts, table(view.t('chart.times'), headings, rows), view, dashboard);
}

// --- one-dimensional and corridor breakdowns ----------------------------------------------------

/** Published cells largest first, then the hidden ones in vocabulary order. */
function byCases(rows: readonly StatsRow[], dimensions: readonly Dimension[]): StatsRow[] {
  const order = (a: StatsRow, b: StatsRow) => {
    for (const dimension of dimensions) {
      const compared = compareValues(dimension, a.values[dimension], b.values[dimension]);
      if (compared !== 0) return compared;
    }
    return 0;
  };
  return [...rows].sort((a, b) => (b.measures?.cases ?? -1) - (a.measures?.cases ?? -1) || order(a, b));
}

function bars(rows: readonly StatsRow[], name: (row: StatsRow) => string): Bar[] {
  return rows.map((row) => ({ label: name(row), value: row.measures ? row.measures.cases : null }));
}

function corridorsSection(dashboard: Dashboard, view: View): SafeHtml {
  const rows = byCases(dashboard.tables.corridors.cells, ['origin_country', 'destination_country']);
  const name = (row: StatsRow) =>
    view.t('corridor', { origin: label(view, 'origin_country', row.values.origin_country), destination: label(view, 'destination_country', row.values.destination_country) });
  const title = view.t('chart.corridors');
  const chart = barChart(chartText(view, 'corridors-chart', title, view.t('chart.corridorsDescription')), bars(rows, name));
  const cells = rows.map((row) => [
    label(view, 'origin_country', row.values.origin_country),
    label(view, 'destination_country', row.values.destination_country),
    measureText(view, row, (measures) => measures.cases),
    measureText(view, row, (measures) => measures.workersAffected),
  ]);
  const headings = ['from', 'to', 'cases', 'workers'].map((key) => view.t(`column.${key}`));
  return section('corridors', title, chart, tableWithTwoLabels(title, headings, cells), view, dashboard);
}

/** Like `table`, for rows labelled by two columns (origin and destination). */
function tableWithTwoLabels(caption: string, headings: readonly string[], rows: readonly (readonly string[])[]): SafeHtml {
  return html`<table class="stats-table"><caption>${caption}</caption>
<thead><tr>${headings.map((heading, index) => (index < 2 ? html`<th scope="col">${heading}</th>` : html`<th scope="col" class="number">${heading}</th>`))}</tr></thead>
<tbody>${rows.map((cells) => html`<tr>${cells.map((cell, index) => (index < 2 ? html`<th scope="row">${cell}</th>` : html`<td class="number">${cell}</td>`))}</tr>`)}</tbody>
</table>`;
}

function sectorsSection(dashboard: Dashboard, view: View): SafeHtml {
  const rows = byCases(dashboard.tables.sectors.cells, ['sector']);
  const name = (row: StatsRow) => label(view, 'sector', row.values.sector);
  const title = view.t('chart.sectors');
  const chart = barChart(chartText(view, 'sectors-chart', title, view.t('chart.sectorsDescription')), bars(rows, name));
  const cells = rows.map((row) => [
    name(row),
    measureText(view, row, (measures) => measures.cases),
    measureText(view, row, (measures) => measures.workersAffected),
    measureText(view, row, (measures) => measures.shareResolved, view.percent),
  ]);
  const headings = ['sector', 'cases', 'workers', 'shareResolved'].map((key) => view.t(`column.${key}`));
  return section('sectors', title, chart, table(title, headings, cells), view, dashboard);
}

/** An amount as table text: "hidden" when withheld, "–" when nothing was recovered in it. */
function amountText(view: View, row: StatsRow, currency: string): string {
  const amount = row.measures?.amountsRecovered[currency];
  if (!row.measures || amount === null) return view.t('hidden');
  return amount === undefined ? '–' : view.amount(Number(amount));
}

function outcomesSection(dashboard: Dashboard, view: View): SafeHtml {
  const outcomes = dashboard.tables.outcomes;
  const rows = byCases(outcomes.cells, ['outcome']);
  const name = (row: StatsRow) => label(view, 'outcome', row.values.outcome);
  const title = view.t('chart.outcomes');
  const chart = barChart(chartText(view, 'outcomes-chart', title, view.t('chart.outcomesDescription')), bars(rows, name));
  const cells = rows.map((row) => [
    name(row),
    measureText(view, row, (measures) => measures.cases),
    ...outcomes.currencies.map((currency) => amountText(view, row, currency)),
  ]);
  const headings = [view.t('column.outcome'), view.t('column.cases'), ...outcomes.currencies.map((currency) => view.t('column.recovered', { currency }))];
  return section('outcomes', title, chart, table(title, headings, cells), view, dashboard);
}

// --- the page -----------------------------------------------------------------------------------

function summary(dashboard: Dashboard, view: View): SafeHtml {
  const total = findRow(dashboard.tables.times.totals, { month: ALL_VALUES })?.measures;
  if (!total) return html``;
  return html`<p class="stats-summary">${view.t('summary', { cases: view.number(total.cases), workers: view.number(total.workersAffected) })}</p>`;
}

/** The dashboard page, in the reader's language. */
export function renderDashboard(dashboard: Dashboard, language: Language, t: TFunction, nav?: SafeHtml): string {
  const view = viewFor(language, t, dashboard.k);
  const { from, to } = dashboard.period;
  return page({
    language,
    // Only the console draws the dashboard (with its menu): titled as every console page.
    title: nav ? consoleTitle(t, t('title')) : t('title'),
    noIndex: true,
    body: html`${nav ?? ''}<div class="stats-dashboard">
<h1>${t('title')}</h1>
<p>${t('intro', { from, to, k: dashboard.k })}</p>
${summary(dashboard, view)}
<p class="stats-note">${t('hiddenNote', { k: dashboard.k })} ${t('tooFew')}</p>
<p class="stats-note stats-perturbed">${t('perturbedNote')}</p>
${timelineSection(dashboard, view)}
${timesSection(dashboard, view)}
${corridorsSection(dashboard, view)}
${sectorsSection(dashboard, view)}
${outcomesSection(dashboard, view)}
</div>`,
  });
}
