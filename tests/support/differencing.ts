import type { Dimension, StatsFilters } from '../../src/stats/stats.schema';
import { ALL_VALUES, type StatsTable } from '../../src/stats/stats.service';
import { SYNTHETIC_MONTHS, type SyntheticCase } from './stats';

// The differencing attack of issue #11, as a reader of the public API would run it: ask many
// overlapping questions (period ranges, quarters against months, comma lists of origins with and
// without one country, breakdowns with and without a dimension), note what each published row
// counts, and subtract. Every row counts a "box" of cases: a set of months × a set of origins × a
// set of values of one more dimension X. Two published boxes that differ in one coordinate, one
// inside the other, give the box between them by subtraction; a published total minus the other
// published members of its line gives the remaining member. The attack aims at every hidden box.

/** A single-valued dimension the attack breaks down by, beside month and origin. */
export interface AttackDimension {
  dimension: Dimension;
  values: readonly (string | null)[];
  of: (item: SyntheticCase) => string | null;
}

/** Origins the synthetic cases come from (tests/support/stats.ts), null for "not recorded". */
export const ORIGINS: readonly (string | null)[] = ['MM', 'KH', 'LA', null];

/** The dimensions X of the attack. */
export const ATTACK_DIMENSIONS: readonly AttackDimension[] = [
  { dimension: 'sector', values: ['fishing', 'construction', 'domestic_work', null], of: (item) => item.sector },
  { dimension: 'status', values: ['new', 'open', 'resolved', 'closed'], of: (item) => item.status },
];

/** Cases counted by a published row: months × origins × values of X. */
export interface Box {
  months: readonly string[];
  origins: readonly (string | null)[];
  xs: readonly (string | null)[];
}

/** One question: a breakdown and its filters. */
export interface AttackQuery {
  groupBy: Dimension[];
  filters: StatsFilters;
}

/** What one box was published as, in every answer it appeared in (null: suppressed). */
interface Sighting {
  box: Box;
  published: Set<number | null>;
}

/** The attack's results over one or more data sets. */
export interface AttackFigures {
  /** Hidden boxes attacked. */
  hidden: number;
  /** Hidden boxes whose true count the attacker's best guess gives (ties shared). */
  recovered: number;
  /** Hidden boxes with at least one subtraction leading to them. */
  reachable: number;
  /** Subtractions made, and how many of them gave the true count exactly. */
  differences: number;
  exact: number;
  /** Subtractions that gave a count the attacker can see is impossible for a hidden box (below 1, above the largest hidden). */
  impossible: number;
  /** Boxes seen with more than one value across answers (or published in one, hidden in another). */
  inconsistent: number;
  /** Absolute errors of every published count, and the relative errors of those of 50 or more. */
  absoluteErrors: number[];
  largeRelativeErrors: number[];
}

/** Empty figures, to add data sets into. */
export function noFigures(): AttackFigures {
  return { hidden: 0, recovered: 0, reachable: 0, differences: 0, exact: 0, impossible: 0, inconsistent: 0, absoluteErrors: [], largeRelativeErrors: [] };
}

const NO_FILTERS: StatsFilters = { origin_country: [], destination_country: [], category: [], sector: [] };

function subsetsOf<T>(items: readonly T[]): T[][] {
  return items.reduce<T[][]>((sets, item) => [...sets, ...sets.map((set) => [...set, item])], [[]]).filter((set) => set.length > 0);
}

/** Every question of the attack on dimension X. */
export function attackQueries(x: AttackDimension): AttackQuery[] {
  const months = SYNTHETIC_MONTHS;
  const ranges = months.flatMap((from, start) => months.slice(start).map((to) => ({ from, to })));
  const origins = subsetsOf(['MM', 'KH', 'LA']);
  return [
    ...ranges.map((range) => ({ groupBy: ['origin_country', x.dimension] as Dimension[], filters: { ...NO_FILTERS, ...range } })),
    ...ranges.flatMap((range) => origins.map((list) => ({ groupBy: [x.dimension], filters: { ...NO_FILTERS, ...range, origin_country: list } }))),
    ...origins.map((list) => ({ groupBy: ['month', x.dimension] as Dimension[], filters: { ...NO_FILTERS, origin_country: list } })),
    { groupBy: ['month', 'origin_country', x.dimension], filters: NO_FILTERS },
    { groupBy: ['quarter', 'origin_country'], filters: NO_FILTERS },
    { groupBy: ['month'], filters: NO_FILTERS },
  ];
}

function monthsOf(filters: StatsFilters): string[] {
  return SYNTHETIC_MONTHS.filter((month) => (!filters.from || month >= filters.from) && (!filters.to || month <= filters.to));
}

function quarterOf(month: string): string {
  const [year = '', number = '1'] = month.split('-');
  return `${year}-Q${Math.ceil(Number(number) / 3)}`;
}

/** The box a published row counts. */
export function boxOf(values: Readonly<Partial<Record<Dimension, string | null>>>, query: AttackQuery, x: AttackDimension): Box {
  const inPeriod = monthsOf(query.filters);
  const month = values.month;
  const quarter = values.quarter;
  const months = month !== undefined && month !== ALL_VALUES ? inPeriod.filter((candidate) => candidate === month)
    : quarter !== undefined && quarter !== ALL_VALUES ? inPeriod.filter((candidate) => quarterOf(candidate) === quarter)
      : inPeriod;
  const listed = query.filters.origin_country.length > 0 ? ORIGINS.filter((origin) => origin !== null && query.filters.origin_country.includes(origin)) : ORIGINS;
  const origin = values.origin_country;
  const origins = origin !== undefined && origin !== ALL_VALUES ? listed.filter((candidate) => candidate === origin) : listed;
  const value = values[x.dimension];
  const xs = value !== undefined && value !== ALL_VALUES ? x.values.filter((candidate) => candidate === value) : x.values;
  return { months, origins, xs };
}

function keyOf(box: Box): string {
  return JSON.stringify([box.months, box.origins, box.xs]);
}

/** Cases in a box, counted by hand. */
export function countIn(items: readonly SyntheticCase[], box: Box, x: AttackDimension): number {
  return items.filter((item) => box.months.includes(item.createdAt.toISOString().slice(0, 7)) && box.origins.includes(item.origin) && box.xs.includes(x.of(item))).length;
}

type Coordinate = keyof Box;
const COORDINATES: Coordinate[] = ['months', 'origins', 'xs'];

function without<T>(items: readonly T[], removed: readonly T[]): T[] {
  return items.filter((item) => !removed.includes(item));
}

function isInside<T>(inner: readonly T[], outer: readonly T[]): boolean {
  return inner.length < outer.length && inner.every((item) => outer.includes(item));
}

/** The published answers to the attack's questions, box by box. */
export function collectSightings(answers: readonly { query: AttackQuery; table: StatsTable }[], x: AttackDimension): Map<string, Sighting> {
  const sightings = new Map<string, Sighting>();
  for (const { query, table } of answers) {
    for (const row of [...table.cells, ...table.totals]) {
      const box = boxOf(row.values, query, x);
      const key = keyOf(box);
      const sighting = sightings.get(key) ?? { box, published: new Set<number | null>() };
      sighting.published.add(row.suppressed ? null : (row.measures?.cases ?? null));
      sightings.set(key, sighting);
    }
  }
  return sightings;
}

/** The one published value of a box, if it was published (the first, if answers disagree). */
function publishedValue(sighting: Sighting | undefined): number | undefined {
  if (!sighting) return undefined;
  for (const value of sighting.published) if (value !== null) return value;
  return undefined;
}

function isHidden(sighting: Sighting): boolean {
  return sighting.published.has(null);
}

/** Every estimate of each hidden box: pairs of nested published boxes, and lines with one hidden member. */
export function estimatesOf(sightings: ReadonlyMap<string, Sighting>): Map<string, number[]> {
  const estimates = new Map<string, number[]>();
  const add = (target: Box, estimate: number) => {
    const key = keyOf(target);
    const sighting = sightings.get(key);
    if (!sighting || !isHidden(sighting)) return;
    estimates.set(key, [...(estimates.get(key) ?? []), estimate]);
  };
  const published = [...sightings.values()].filter((sighting) => publishedValue(sighting) !== undefined);
  for (const coordinate of COORDINATES) {
    // Pairs: same on the other coordinates, one inside the other on this one.
    const groups = new Map<string, Sighting[]>();
    for (const sighting of published) {
      const rest = JSON.stringify(COORDINATES.filter((other) => other !== coordinate).map((other) => sighting.box[other]));
      groups.set(rest, [...(groups.get(rest) ?? []), sighting]);
    }
    for (const group of groups.values()) {
      for (const outer of group) {
        for (const inner of group) {
          if (!isInside(inner.box[coordinate], outer.box[coordinate])) continue;
          const target = { ...outer.box, [coordinate]: without(outer.box[coordinate], inner.box[coordinate]) };
          add(target, (publishedValue(outer) ?? 0) - (publishedValue(inner) ?? 0));
        }
      }
    }
    // Lines: a published total minus its other members (an empty member is absent, so 0).
    for (const total of published) {
      const values = total.box[coordinate];
      if (values.length < 2) continue;
      const members = values.map((value) => sightings.get(keyOf({ ...total.box, [coordinate]: [value] })));
      const hidden = members.filter((member) => member !== undefined && isHidden(member));
      const [only] = hidden;
      if (hidden.length !== 1 || !only) continue;
      const others = members.filter((member) => member !== only).reduce((sum, member) => sum + (publishedValue(member) ?? 0), 0);
      add(only.box, (publishedValue(total) ?? 0) - others);
    }
  }
  return estimates;
}

/**
 * The attack on one data set's answers, added into `figures`. `largestHidden` is the largest count
 * the attacker believes a hidden box can hold: k-1 where only counts below k are hidden, unbounded
 * where secondary suppression hides larger ones too.
 */
export function attack(figures: AttackFigures, items: readonly SyntheticCase[], sightings: ReadonlyMap<string, Sighting>, x: AttackDimension, largestHidden: number): void {
  const estimates = estimatesOf(sightings);
  for (const [key, sighting] of sightings) {
    const truth = countIn(items, sighting.box, x);
    if (sighting.published.size > 1) figures.inconsistent += 1;
    const value = publishedValue(sighting);
    if (value !== undefined) {
      figures.absoluteErrors.push(Math.abs(value - truth));
      if (truth >= 50) figures.largeRelativeErrors.push(Math.abs(value - truth) / truth);
    }
    if (!isHidden(sighting)) continue;
    figures.hidden += 1;
    const found = estimates.get(key) ?? [];
    if (found.length > 0) figures.reachable += 1;
    figures.differences += found.length;
    figures.exact += found.filter((estimate) => estimate === truth).length;
    const plausible = found.filter((estimate) => estimate >= 1 && estimate <= largestHidden);
    figures.impossible += found.length - plausible.length;
    figures.recovered += bestGuessShare(plausible, truth);
  }
}

/**
 * The attacker's best guess is the value most of its plausible subtractions give; with a tie, it
 * picks one of the tied values, so a tie that includes the truth counts as that share of a success.
 */
function bestGuessShare(plausible: readonly number[], truth: number): number {
  const tally = new Map<number, number>();
  for (const estimate of plausible) tally.set(estimate, (tally.get(estimate) ?? 0) + 1);
  const most = Math.max(0, ...tally.values());
  if (most === 0) return 0;
  const tied = [...tally].filter(([, times]) => times === most).map(([estimate]) => estimate);
  return tied.includes(truth) ? 1 / tied.length : 0;
}

/** The figures as one line of text, for the test's output and docs/benchmarks.md. */
export function describeFigures(figures: AttackFigures): string {
  const share = (part: number, whole: number) => `${((100 * part) / Math.max(1, whole)).toFixed(1)}%`;
  const mae = figures.absoluteErrors.reduce((sum, error) => sum + error, 0) / Math.max(1, figures.absoluteErrors.length);
  const worstLarge = Math.max(0, ...figures.largeRelativeErrors);
  return [
    `hidden boxes ${figures.hidden} (reachable by subtraction ${figures.reachable})`,
    `recovered by the best guess ${figures.recovered.toFixed(1)} = ${share(figures.recovered, figures.hidden)}`,
    `subtractions ${figures.differences}: exact ${share(figures.exact, figures.differences)}, wrong or impossible ${share(figures.differences - figures.exact, figures.differences)} (impossible ${share(figures.impossible, figures.differences)})`,
    `published counts ${figures.absoluteErrors.length}: mean absolute error ${mae.toFixed(3)}; ${figures.largeRelativeErrors.length} of 50 or more, worst ${(100 * worstLarge).toFixed(2)}%`,
    `boxes published with two values ${figures.inconsistent}`,
  ].join('; ');
}
