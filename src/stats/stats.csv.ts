import type { Dimension } from './stats.schema';
import type { StatsRow, StatsTable } from './stats.service';

// The published table as JSON and as CSV (RFC 4180). Both carry the same rows in the same order,
// cells first, then totals (`*` in a dimension means "all values"), and both say that the counts
// are perturbed, so that nobody takes a table that does not add up for an error.

type Field = string | number | boolean | null;

/** What a reader of a published table must know to read it right (the JSON `note`, the CSV `note` column). */
export const PUBLICATION_NOTE =
  'Counts are perturbed: each moves by at most 2 (3% from 50 up), the same way each time it is asked. ' +
  'Totals are perturbed on their own, so cells need not add up to them. Counts below k are suppressed; ' +
  'amounts are rounded to 2 significant figures.';

/** A spreadsheet runs a field starting with one of these as a formula; such text is prefixed with '. */
const FORMULA_START = /^[=+\-@\t\r]/;

function csvField(value: Field): string {
  if (value === null) return '';
  if (typeof value !== 'string') return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV record: fields quoted where needed, quotes doubled, ended by CRLF. */
export function csvRecord(fields: readonly Field[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

const MEASURE_COLUMNS = [
  'cases', 'workers_affected', 'median_days_to_first_response', 'median_days_to_resolution', 'share_resolved',
] as const;

/** The CSV header: the dimensions, the flags, the measures, one amount column per currency, k, the note. */
export function csvHeader(table: Pick<StatsTable, 'groupBy' | 'currencies'>): string[] {
  return [
    ...table.groupBy, 'suppressed', 'rolled_up', ...MEASURE_COLUMNS,
    ...table.currencies.map((currency) => `amount_recovered_${currency}`), 'k', 'perturbed', 'note',
  ];
}

/** A row as the JSON API publishes it. */
export function jsonRow(row: StatsRow, groupBy: readonly Dimension[]): Record<string, unknown> {
  const measures = row.measures;
  return {
    ...Object.fromEntries(groupBy.map((dimension) => [dimension, row.values[dimension] ?? null])),
    suppressed: row.suppressed,
    rolled_up: row.rolledUp,
    cases: measures?.cases ?? null,
    workers_affected: measures?.workersAffected ?? null,
    median_days_to_first_response: measures?.medianDaysToFirstResponse ?? null,
    median_days_to_resolution: measures?.medianDaysToResolution ?? null,
    share_resolved: measures?.shareResolved ?? null,
    amounts_recovered: measures ? measures.amountsRecovered : null,
  };
}

/** The whole table as the JSON API publishes it. */
export function jsonTable(table: StatsTable): Record<string, unknown> {
  return {
    k: table.k,
    perturbed: table.perturbed,
    note: PUBLICATION_NOTE,
    group_by: table.groupBy,
    filters: { from: table.filters.from ?? null, to: table.filters.to ?? null, ...withoutPeriod(table.filters) },
    cells: table.cells.map((row) => jsonRow(row, table.groupBy)),
    totals: table.totals.map((row) => jsonRow(row, table.groupBy)),
  };
}

function withoutPeriod(filters: StatsTable['filters']) {
  const { origin_country, destination_country, category, sector } = filters;
  return { origin_country, destination_country, category, sector };
}

function csvFields(row: StatsRow, table: StatsTable): Field[] {
  const measures = row.measures;
  return [
    ...table.groupBy.map((dimension) => row.values[dimension] ?? null),
    row.suppressed,
    row.rolledUp,
    measures?.cases ?? null,
    measures?.workersAffected ?? null,
    measures?.medianDaysToFirstResponse ?? null,
    measures?.medianDaysToResolution ?? null,
    measures?.shareResolved ?? null,
    ...table.currencies.map((currency) => measures?.amountsRecovered[currency] ?? null),
    table.k,
    table.perturbed,
    PUBLICATION_NOTE,
  ];
}

/** The table as CSV records, one at a time, header first: written as they are formatted. */
export function* csvRecords(table: StatsTable): Generator<string> {
  yield csvRecord(csvHeader(table));
  for (const row of [...table.cells, ...table.totals]) yield csvRecord(csvFields(row, table));
}
