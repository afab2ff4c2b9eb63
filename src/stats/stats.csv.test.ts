import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { csvHeader, csvRecord, csvRecords, PUBLICATION_NOTE } from './stats.csv';
import type { StatsTable } from './stats.service';

describe('the CSV writer', () => {
  it('quotes fields with commas, quotes or line breaks, and doubles the quotes', () => {
    expect(csvRecord(['a', 'b,c', 'say "hi"', 'two\nlines', null, 3, true])).toBe('a,"b,c","say ""hi""","two\nlines",,3,true\r\n');
  });

  it('keeps a spreadsheet from running text as a formula', () => {
    expect(csvRecord(['=SUM(A1)', '+1', '-1', '@cmd', 'safe'])).toBe("'=SUM(A1),'+1,'-1,'@cmd,safe\r\n");
    expect(csvRecord([-1])).toBe('-1\r\n');
  });

  it('writes records a CSV parser reads back field for field', () => {
    const text = fc.string({ unit: 'grapheme' }).filter((value) => !/^[=+\-@\t\r]/.test(value));
    fc.assert(
      fc.property(fc.array(fc.array(text, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 5 }), (records) => {
        const width = records[0]?.length ?? 1;
        const rows = records.map((record) => Array.from({ length: width }, (_, index) => record[index] ?? ''));
        const parsed = parse(rows.map(csvRecord).join(''), { relax_column_count: false }) as string[][];
        expect(parsed).toEqual(rows);
      }),
      { numRuns: 300 },
    );
  });

  it('writes the header, then the cells, then the totals, each saying the counts are perturbed', () => {
    const table: StatsTable = {
      k: 10,
      perturbed: true,
      groupBy: ['sector'],
      filters: { origin_country: [], destination_country: [], category: [], sector: [] },
      currencies: ['THB'],
      cells: [
        { values: { sector: 'fishing' }, isTotal: false, suppressed: false, rolledUp: false, measures: { cases: 12, workersAffected: 40, medianDaysToFirstResponse: 0.3, medianDaysToResolution: null, shareResolved: 0.5, amountsRecovered: { THB: '1200.00' } } },
        { values: { sector: 'garment' }, isTotal: false, suppressed: true, rolledUp: false, measures: null },
      ],
      totals: [{ values: { sector: '*' }, isTotal: true, suppressed: true, rolledUp: false, measures: null }],
    };
    expect(csvHeader(table)).toEqual([
      'sector', 'suppressed', 'rolled_up', 'cases', 'workers_affected', 'median_days_to_first_response', 'median_days_to_resolution',
      'share_resolved', 'amount_recovered_THB', 'k', 'perturbed', 'note',
    ]);
    const note = csvRecord([PUBLICATION_NOTE]).trimEnd();
    expect([...csvRecords(table)].join('')).toBe(
      'sector,suppressed,rolled_up,cases,workers_affected,median_days_to_first_response,median_days_to_resolution,share_resolved,amount_recovered_THB,k,perturbed,note\r\n' +
        `fishing,false,false,12,40,0.3,,0.5,1200.00,10,true,${note}\r\n` +
        `garment,true,false,,,,,,,10,true,${note}\r\n` +
        `*,true,false,,,,,,,10,true,${note}\r\n`,
    );
    expect(PUBLICATION_NOTE).toMatch(/perturbed.*need not add up/s);
  });
});
