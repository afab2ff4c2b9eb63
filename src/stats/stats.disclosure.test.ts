import fc from 'fast-check';
import {
  countryOfProvince, entryKey, linesOf, rollUpSmallProvinces, suppressAmounts, suppressSmallCounts, type DisclosureEntry,
  type RollableEntry,
} from './stats.disclosure';
import type { Dimension } from './stats.schema';
import { groupingSets } from './stats.service';

// Disclosure control over random tables: every cell of a breakdown and every marginal total,
// as the repository returns them, then checked the way a reader would attack them.

const RUNS = 300;
const DIMENSIONS: Dimension[] = ['month', 'sector', 'origin_country'];

interface RandomTable {
  groupBy: Dimension[];
  entries: DisclosureEntry[];
  k: number;
}

/** Small counts often, large ones too, and empty cells (which are not published at all). */
const count = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 10, max: 80 }));

function tableArbitrary(additive = true): fc.Arbitrary<RandomTable> {
  return fc
    .record({
      dimensions: fc.integer({ min: 1, max: 3 }),
      sizes: fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 })),
      k: fc.integer({ min: 2, max: 12 }),
      seed: fc.integer(),
    })
    .chain(({ dimensions, sizes, k }) => {
      const groupBy = DIMENSIONS.slice(0, dimensions);
      const cellsCount = sizes.slice(0, dimensions).reduce((product, size) => product * size, 1);
      return fc.record({ counts: fc.array(count, { minLength: cellsCount, maxLength: cellsCount }), extra: fc.array(fc.nat(5), { minLength: 200, maxLength: 200 }) }).map(({ counts, extra }) => ({
        groupBy,
        k,
        entries: buildTable(groupBy, sizes.slice(0, dimensions), counts, additive ? undefined : extra),
      }));
    });
}

/** Every cell and every marginal total of a table with these cell counts (zero cells left out). */
function buildTable(groupBy: Dimension[], sizes: number[], counts: number[], overlap?: number[]): DisclosureEntry[] {
  const cells = counts.map((value, index) => {
    const values: Partial<Record<Dimension, string>> = {};
    let rest = index;
    groupBy.forEach((dimension, position) => {
      const size = sizes[position] ?? 1;
      values[dimension] = `v${rest % size}`;
      rest = Math.floor(rest / size);
    });
    return { values, count: value };
  });
  const entries: DisclosureEntry[] = [];
  groupingSets(groupBy).forEach((set, setIndex) => {
    const sums = new Map<string, { values: Partial<Record<Dimension, string>>; count: number; largest: number }>();
    for (const cell of cells) {
      const values = Object.fromEntries(set.map((dimension) => [dimension, cell.values[dimension]]));
      const key = entryKey(set, values);
      const earlier = sums.get(key) ?? { values, count: 0, largest: 0 };
      sums.set(key, { values, count: earlier.count + cell.count, largest: Math.max(earlier.largest, cell.count) });
    }
    for (const [index, sum] of [...sums.values()].entries()) {
      // Without `overlap`, totals are sums. With it, a total counts less than the sum (never less
      // than its largest member), as for categories, where one case can be in several cells.
      const shrink = overlap && set.length < groupBy.length ? (overlap[(setIndex * 31 + index) % overlap.length] ?? 0) : 0;
      const total = Math.max(sum.largest, sum.count - shrink);
      if (total > 0) entries.push({ by: set, values: sum.values, count: total, suppressed: false });
    }
  });
  return entries;
}

function linesWithTotals(entries: readonly DisclosureEntry[]) {
  return linesOf(entries).flatMap((line) => {
    const total = line.total === undefined ? undefined : entries[line.total];
    const members = line.members.map((member) => entries[member]).filter((member): member is DisclosureEntry => member !== undefined);
    return total ? [{ total, members }] : [];
  });
}

describe('disclosure control', () => {
  it('publishes no count between 1 and k-1', () => {
    fc.assert(
      fc.property(tableArbitrary(), ({ entries, k }) => {
        for (const entry of suppressSmallCounts(entries, k)) {
          if (!entry.suppressed) expect(entry.count === 0 || entry.count >= k).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('leaves no hidden count that a published total minus the published cells of its line gives back', () => {
    fc.assert(
      fc.property(tableArbitrary(), ({ entries, k }) => {
        const checked = suppressSmallCounts(entries, k);
        for (const { total, members } of linesWithTotals(checked)) {
          const hidden = members.filter((member) => member.suppressed);
          if (!total.suppressed) {
            const remainder = total.count - members.filter((member) => !member.suppressed).reduce((sum, member) => sum + member.count, 0);
            for (const member of hidden) expect(remainder === member.count && hidden.length === 1).toBe(false);
            expect(hidden.length).not.toBe(1);
          } else {
            // A hidden total with every member published is their sum.
            expect(hidden.length).not.toBe(0);
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('keeps at least two hidden entries per line also when totals count each case once (categories)', () => {
    fc.assert(
      fc.property(tableArbitrary(false), ({ entries, k }) => {
        const checked = suppressSmallCounts(entries, k);
        for (const { total, members } of linesWithTotals(checked)) {
          const hidden = members.filter((member) => member.suppressed).length + (total.suppressed ? 1 : 0);
          expect(hidden).not.toBe(1);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('gives the same answer for the same table, whatever order its entries come in', () => {
    fc.assert(
      fc.property(
        tableArbitrary().chain((table) => fc.shuffledSubarray(table.entries, { minLength: table.entries.length }).map((shuffled) => ({ table, shuffled }))),
        ({ table, shuffled }) => {
          const hiddenKeys = (entries: readonly DisclosureEntry[]) =>
            suppressSmallCounts(entries, table.k).filter((entry) => entry.suppressed).map((entry) => entryKey(entry.by, entry.values)).sort();
          expect(hiddenKeys(shuffled)).toEqual(hiddenKeys(table.entries));
          expect(suppressSmallCounts(table.entries, table.k)).toEqual(suppressSmallCounts(table.entries, table.k));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('hides nothing when no count is small', () => {
    fc.assert(
      fc.property(tableArbitrary(), ({ entries, k }) => {
        fc.pre(entries.every((entry) => entry.count >= k));
        expect(suppressSmallCounts(entries, k).some((entry) => entry.suppressed)).toBe(false);
      }),
      { numRuns: 100 },
    );
  });

  it('hides the next smallest cell along with a small one, and keeps the total', () => {
    const entries: DisclosureEntry[] = [
      { by: ['sector'], values: { sector: 'fishing' }, count: 3, suppressed: false },
      { by: ['sector'], values: { sector: 'garment' }, count: 50, suppressed: false },
      { by: ['sector'], values: { sector: 'construction' }, count: 40, suppressed: false },
      { by: [], values: {}, count: 93, suppressed: false },
    ];
    const hidden = suppressSmallCounts(entries, 10).map((entry) => entry.suppressed);
    expect(hidden).toEqual([true, false, true, false]);
  });

  it('hides the total when a small cell has no other cell beside it', () => {
    const entries: DisclosureEntry[] = [
      { by: ['sector'], values: { sector: 'fishing' }, count: 12, suppressed: false },
      { by: [], values: {}, count: 12, suppressed: false },
    ];
    expect(suppressSmallCounts(entries, 10).map((entry) => entry.suppressed)).toEqual([false, false]);
    const small = entries.map((entry) => ({ ...entry, count: 4 }));
    expect(suppressSmallCounts(small, 10).map((entry) => entry.suppressed)).toEqual([true, true]);
  });

  it('protects a two-way table along rows and columns, and the marginals too', () => {
    // month × sector; the 2 in (m1, fishing) must not come back from any row or column total.
    const cell = (month: string, sector: string, value: number): DisclosureEntry => ({ by: ['month', 'sector'], values: { month, sector }, count: value, suppressed: false });
    const entries: DisclosureEntry[] = [
      cell('m1', 'fishing', 2), cell('m1', 'garment', 30), cell('m1', 'other', 25),
      cell('m2', 'fishing', 20), cell('m2', 'garment', 40), cell('m2', 'other', 35),
      { by: ['month'], values: { month: 'm1' }, count: 57, suppressed: false },
      { by: ['month'], values: { month: 'm2' }, count: 95, suppressed: false },
      { by: ['sector'], values: { sector: 'fishing' }, count: 22, suppressed: false },
      { by: ['sector'], values: { sector: 'garment' }, count: 70, suppressed: false },
      { by: ['sector'], values: { sector: 'other' }, count: 60, suppressed: false },
      { by: [], values: {}, count: 152, suppressed: false },
    ];
    const hidden = suppressSmallCounts(entries, 10).filter((entry) => entry.suppressed).map((entry) => entryKey(entry.by, entry.values));
    // Row m1: 2 and the next smallest (25, other); column fishing: 2 and 20; column other: 25 and
    // then 35 (m2); row m2 now has 20 and 35 hidden. Every line has two hidden, all totals stay.
    expect(hidden.sort()).toEqual(
      [
        entryKey(['month', 'sector'], { month: 'm1', sector: 'fishing' }),
        entryKey(['month', 'sector'], { month: 'm1', sector: 'other' }),
        entryKey(['month', 'sector'], { month: 'm2', sector: 'fishing' }),
        entryKey(['month', 'sector'], { month: 'm2', sector: 'other' }),
      ].sort(),
    );
  });
});

describe('amounts recovered', () => {
  /** A table, and for each entry how many of its cases recovered an amount (in one currency). */
  const withAmounts = tableArbitrary().chain((table) =>
    fc.array(fc.nat(100), { minLength: table.entries.length, maxLength: table.entries.length }).map((shares) => {
      // Amount cases of a cell are a share of its cases; those of a total, the sum over its cells.
      const cells = table.entries.filter((entry) => entry.by.length === table.groupBy.length);
      const amountCases = new Map(cells.map((cell, index) => [entryKey(cell.by, cell.values), Math.floor((cell.count * (shares[index] ?? 0)) / 100)]));
      const of = (entry: DisclosureEntry) =>
        cells
          .filter((cell) => entry.by.every((dimension) => cell.values[dimension] === entry.values[dimension]))
          .reduce((sum, cell) => sum + (amountCases.get(entryKey(cell.by, cell.values)) ?? 0), 0);
      return { ...table, amountCasesOf: of };
    }),
  );

  it('publishes an amount only where at least k cases are behind it, and none of a hidden entry', () => {
    fc.assert(
      fc.property(withAmounts, ({ entries, k, amountCasesOf }) => {
        const checked = suppressSmallCounts(entries, k);
        const hidden = suppressAmounts(checked, k, (entry) => ({ THB: amountCasesOf(entry) }));
        checked.forEach((entry, index) => {
          const behind = amountCasesOf(entry);
          const published = behind > 0 && !hidden[index]?.has('THB');
          if (published) expect(behind >= k && !entry.suppressed).toBe(true);
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('leaves no line with exactly one hidden amount among the entries that have one', () => {
    fc.assert(
      fc.property(withAmounts, ({ entries, k, amountCasesOf }) => {
        const checked = suppressSmallCounts(entries, k);
        const hidden = suppressAmounts(checked, k, (entry) => ({ THB: amountCasesOf(entry) }));
        const withAmount = checked.flatMap((entry, index) =>
          amountCasesOf(entry) > 0 ? [{ ...entry, count: amountCasesOf(entry), suppressed: hidden[index]?.has('THB') ?? false }] : [],
        );
        for (const { total, members } of linesWithTotals(withAmount)) {
          expect(members.filter((member) => member.suppressed).length + (total.suppressed ? 1 : 0)).not.toBe(1);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe('province roll-up', () => {
  const province = (value: string | null, count: number, by: Dimension[] = ['destination_province']): RollableEntry & { sum: number } => ({
    by,
    values: by.length > 0 ? { destination_province: value } : {},
    count,
    suppressed: false,
    rolledUp: false,
    sum: count,
  });
  const merge = <E extends RollableEntry & { sum: number }>(a: E, b: E): E => ({ ...a, count: a.count + b.count, sum: a.sum + b.sum });
  const known = new Set(['TH-10', 'TH-63', 'TH-74', 'MY-14']);

  it('counts provinces with fewer than k cases, and unknown ones, under their country', () => {
    const rolled = rollUpSmallProvinces(
      [province('TH-10', 50), province('TH-63', 4), province('TH-74', 3), province('MY-14', 2), province('Near the river', 12), province(null, 5), province(null, 76, [])],
      10,
      known,
      merge,
    );
    expect(rolled.map((entry) => [entry.values.destination_province ?? null, entry.count, entry.rolledUp])).toEqual([
      ['TH-10', 50, false],
      ['TH', 7, true],
      ['MY', 2, true],
      [null, 17, true],
      [null, 76, false],
    ]);
  });

  it('reads the country of a province code only', () => {
    expect(countryOfProvince('TH-10')).toBe('TH');
    expect(countryOfProvince('LA-VT')).toBe('LA');
    expect(countryOfProvince('Mae Sot')).toBeNull();
    expect(countryOfProvince('TH-10; drop table')).toBeNull();
  });
});
