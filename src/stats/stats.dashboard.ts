import type { Dimension } from './stats.schema';
import { caseStatistics, type StatsServiceDeps, type StatsTable } from './stats.service';

// The researchers' dashboard: five published tables over the last 24 months, each also offered as
// CSV through the public API with the same query, so the download is what the chart shows.

/** How far back the dashboard looks, in calendar months including the current one. */
export const DASHBOARD_MONTHS = 24;

/** The breakdown behind each chart of the dashboard. */
export const DASHBOARD_BREAKDOWNS = {
  timeline: ['month', 'category'],
  times: ['month'],
  corridors: ['origin_country', 'destination_country'],
  sectors: ['sector'],
  outcomes: ['outcome'],
} as const satisfies Record<string, readonly Dimension[]>;

/** One chart of the dashboard. */
export type DashboardChart = keyof typeof DASHBOARD_BREAKDOWNS;

/** First and last month shown, `YYYY-MM`, both included. */
export interface Period {
  from: string;
  to: string;
}

/** Everything the dashboard page shows. */
export interface Dashboard {
  k: number;
  period: Period;
  /** Every month of the period, in order. */
  months: string[];
  tables: Record<DashboardChart, StatsTable>;
}

function monthOf(date: Date): string {
  return date.toISOString().slice(0, 7);
}

/** The `count` calendar months (UTC) up to and including the one of `now`. */
export function monthsUpTo(now: Date, count = DASHBOARD_MONTHS): string[] {
  return Array.from({ length: count }, (_, index) => monthOf(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - (count - 1 - index), 1))));
}

/** The API address of a chart's data as CSV. */
export function csvLink(chart: DashboardChart, period: Period): string {
  const query = new URLSearchParams({ group_by: DASHBOARD_BREAKDOWNS[chart].join(','), from: period.from, to: period.to, format: 'csv' });
  return `/api/v1/stats/cases?${query.toString().replace(/%2C/g, ',')}`;
}

/** Loads the dashboard's tables for the 24 months up to `now`. */
export async function loadDashboard(deps: StatsServiceDeps, now: Date): Promise<Dashboard> {
  const months = monthsUpTo(now);
  const period = { from: months[0] ?? monthOf(now), to: months[months.length - 1] ?? monthOf(now) };
  const load = (chart: DashboardChart) =>
    caseStatistics(deps, { ...period, group_by: [...DASHBOARD_BREAKDOWNS[chart]], origin_country: [], destination_country: [], category: [], sector: [] });
  const [timeline, times, corridors, sectors, outcomes] = await Promise.all([
    load('timeline'), load('times'), load('corridors'), load('sectors'), load('outcomes'),
  ]);
  return { k: deps.statsMinCell, period, months, tables: { timeline, times, corridors, sectors, outcomes } };
}
