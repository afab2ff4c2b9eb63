import type { Dimension } from './stats.schema';

// Statistical disclosure control for one published table: its cells (broken down by every dimension
// asked for) and all of its marginal totals (broken down by each subset of those dimensions, down to
// the grand total). Pure functions over counts; nothing here reads the database.
//
// Primary suppression: an entry (cell or total) counting 1 to k-1 cases is hidden.
//
// Secondary suppression: each entry broken down by dimensions S lies, for each d in S, on one
// "line": the entries with the same values on S\{d} and any value on d, whose total is the entry
// broken down by S\{d}. If exactly one entry of a line (its members and its total) is hidden, it
// equals the total minus the published members (or the sum of the members, for a hidden total), so
// a second one is hidden: the smallest published member (ties broken by the entry's key), or the
// total when no member is left. Hiding an entry can leave another line with exactly one hidden
// entry, so the lines it lies on are checked again, until every line has none or at least two.
// Every step hides one more entry, so this ends; the order of work is fixed, so one table always
// gives the same result.
//
// What this does not do: it does not solve the published equations jointly (a hidden cell can in
// rare patterns be pinned down by combining several lines), and it does not bound what a reader can
// infer about a hidden cell's size. Multi-valued dimensions (categories, indicators) are treated as
// if their totals were sums, which is stricter than needed: there a total counts each case once.

/** What disclosure control needs to know of an entry. */
export interface DisclosureEntry {
  /** The dimensions the entry is broken down by, in the order of the breakdown. */
  by: readonly Dimension[];
  values: Readonly<Partial<Record<Dimension, string | null>>>;
  /** Cases counted in the entry. */
  count: number;
  suppressed: boolean;
}

/** A stable key for an entry: its dimensions and their values (quoted, so no value can fake another). */
export function entryKey(by: readonly Dimension[], values: DisclosureEntry['values']): string {
  let key = '';
  for (const dimension of by) {
    const value = values[dimension];
    key += `${dimension}=${value === null || value === undefined ? '-' : JSON.stringify(value)};`;
  }
  return key;
}

interface Line {
  total: number | undefined;
  members: number[];
}

/** Every line of the table, each with the indexes of its members and of its total. */
export function linesOf(entries: readonly DisclosureEntry[]): Line[] {
  const index = new Map(entries.map((entry, position) => [entryKey(entry.by, entry.values), position]));
  const lines = new Map<string, Line>();
  entries.forEach((entry, position) => {
    for (const dimension of entry.by) {
      const rest = entry.by.filter((other) => other !== dimension);
      const totalKey = entryKey(rest, entry.values);
      const id = `${entry.by.join(',')}|${dimension}|${totalKey}`;
      const line = lines.get(id) ?? { total: index.get(totalKey), members: [] };
      line.members.push(position);
      lines.set(id, line);
    }
  });
  return [...lines.keys()].sort().map((id) => lines.get(id) ?? { total: undefined, members: [] });
}

/** Hides one more entry of a line that has exactly one hidden; the index hidden, if any. */
function complementOf(line: Line, entries: readonly DisclosureEntry[], keys: readonly string[], hidden: boolean[]): number | undefined {
  if (line.total === undefined) return undefined;
  const hiddenCount = line.members.filter((member) => hidden[member]).length + (hidden[line.total] ? 1 : 0);
  if (hiddenCount !== 1) return undefined;
  const published = line.members.filter((member) => !hidden[member]);
  const smallest = published.sort((a, b) => (entries[a]?.count ?? 0) - (entries[b]?.count ?? 0) || compareKeys(keys[a], keys[b]))[0];
  if (smallest !== undefined) return smallest;
  return hidden[line.total] ? undefined : line.total;
}

function compareKeys(a = '', b = ''): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Primary suppression: true for each entry counting 1..k-1 cases, or already hidden. */
export function primarySuppression(entries: readonly DisclosureEntry[], k: number): boolean[] {
  return entries.map((entry) => entry.suppressed || (entry.count > 0 && entry.count < k));
}

/**
 * Primary and secondary suppression (see the top of this file): the entries again, with
 * `suppressed` set on every one that must not be published. Entries that come in suppressed stay
 * so, and count as hidden for their lines.
 */
export function suppressSmallCounts<E extends DisclosureEntry>(entries: readonly E[], k: number): E[] {
  const hidden = primarySuppression(entries, k);
  const keys = entries.map((entry) => entryKey(entry.by, entry.values));
  const lines = linesOf(entries);
  const linesOfEntry = new Map<number, number[]>();
  lines.forEach((line, position) => {
    for (const member of [...line.members, ...(line.total === undefined ? [] : [line.total])]) {
      linesOfEntry.set(member, [...(linesOfEntry.get(member) ?? []), position]);
    }
  });
  const queue = lines.map((_, position) => position);
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const line = lines[next];
    const complement = line ? complementOf(line, entries, keys, hidden) : undefined;
    if (complement === undefined) continue;
    hidden[complement] = true;
    queue.push(...(linesOfEntry.get(complement) ?? []));
  }
  return entries.map((entry, position) => ({ ...entry, suppressed: hidden[position] ?? true }));
}

/** The country part of an ISO 3166-2 province code (`TH` of `TH-10`), or null. */
export function countryOfProvince(province: string): string | null {
  return /^([A-Z]{2})-[A-Z0-9]{1,3}$/.exec(province)?.[1] ?? null;
}

/** An entry that can be merged with another of the same key. */
export interface RollableEntry extends DisclosureEntry {
  rolledUp: boolean;
}

/**
 * Rolls small provinces up to their country: a destination province with fewer than k cases in
 * the table (or one the hotline does not know, which may be free text) is replaced by its country
 * code, marked `rolledUp`, and merged with the other provinces so replaced. `merge` adds two
 * entries' measures up; provinces are single-valued, so every measure adds up exactly.
 */
export function rollUpSmallProvinces<E extends RollableEntry>(
  entries: readonly E[],
  k: number,
  knownProvinces: ReadonlySet<string>,
  merge: (a: E, b: E) => E,
): E[] {
  const provinceTotals = new Map<string, number>();
  for (const entry of entries) {
    const value = entry.values.destination_province;
    if (entry.by.length === 1 && entry.by[0] === 'destination_province' && typeof value === 'string') {
      provinceTotals.set(value, entry.count);
    }
  }
  const isSmall = (province: string) => !knownProvinces.has(province) || (provinceTotals.get(province) ?? 0) < k;
  const merged = new Map<string, E>();
  for (const entry of entries) {
    const province = entry.values.destination_province;
    const rolled = typeof province === 'string' && isSmall(province)
      ? { ...entry, values: { ...entry.values, destination_province: countryOfProvince(province) }, rolledUp: true }
      : entry;
    const key = entryKey(rolled.by, rolled.values);
    const earlier = merged.get(key);
    merged.set(key, earlier ? { ...merge(earlier, rolled), rolledUp: earlier.rolledUp || rolled.rolledUp } : rolled);
  }
  return [...merged.values()];
}

/**
 * Amounts recovered are sums of money per currency, and a sum can single a group out as well as a
 * count can. For each currency, the entries with at least one case that recovered an amount in it
 * form a table of their own, counted in those cases: an amount is published only where at least k
 * cases are behind it and its entry is published, and secondary suppression runs along the same
 * lines, so that no hidden amount is a published total minus the published amounts of its line.
 * Returns, for each entry, the currencies whose amount is hidden.
 */
export function suppressAmounts<E extends DisclosureEntry>(
  entries: readonly E[],
  k: number,
  casesWithAmount: (entry: E) => Readonly<Record<string, number>>,
): Set<string>[] {
  const hidden = entries.map(() => new Set<string>());
  const currencies = [...new Set(entries.flatMap((entry) => Object.keys(casesWithAmount(entry))))].sort();
  for (const currency of currencies) {
    const positions = entries.flatMap((entry, position) => ((casesWithAmount(entry)[currency] ?? 0) > 0 ? [position] : []));
    const table = positions.flatMap((position) => {
      const entry = entries[position];
      return entry ? [{ by: entry.by, values: entry.values, count: casesWithAmount(entry)[currency] ?? 0, suppressed: entry.suppressed }] : [];
    });
    suppressSmallCounts(table, k).forEach((entry, index) => {
      const position = positions[index];
      if (entry.suppressed && position !== undefined) hidden[position]?.add(currency);
    });
  }
  return hidden;
}
