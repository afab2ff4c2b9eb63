import { CELL_KEY_RANGE } from './stats.disclosure';
import { measuresOf, roundToSignificant, type Aggregate } from './stats.service';

// The published measures of one entry: amounts rounded and published only behind k perturbed
// cases, the other counts within 2 of the truth.

function aggregate(overrides: Partial<Aggregate>): Aggregate {
  return {
    cases: 40, workers: 90, resolved: 30, amounts: {}, amountCases: {}, amountKeys: {},
    responseHistogram: [], resolutionHistogram: [], keySum: 123_456, ...overrides,
  };
}

describe('published measures', () => {
  it('rounds amounts to 2 significant figures, half away from zero, keeping two decimals', () => {
    expect(roundToSignificant('37500.00', 2)).toBe('38000.00');
    expect(roundToSignificant('1234567.89', 2)).toBe('1200000.00');
    expect(roundToSignificant('949.99', 2)).toBe('950.00');
    expect(roundToSignificant('0.05', 2)).toBe('0.05');
    expect(roundToSignificant('0.00', 2)).toBe('0.00');
    expect(roundToSignificant('-1250.00', 2)).toBe('-1300.00');
  });

  it('publishes an amount only where at least k cases recovered one in that currency', () => {
    const measures = measuresOf(
      aggregate({ amounts: { THB: '151234.50', MYR: '900.50' }, amountCases: { THB: 12, MYR: 3 }, amountKeys: { THB: 77, MYR: CELL_KEY_RANGE - 1 } }),
      10,
      41,
    );
    expect(measures.amountsRecovered).toEqual({ MYR: null, THB: '150000.00' });
  });

  it('keeps workers and the share resolved within the noise of the counts behind them', () => {
    for (let keySum = 0; keySum < CELL_KEY_RANGE; keySum += 4096) {
      const measures = measuresOf(aggregate({ keySum }), 10, 40);
      expect(measures.cases).toBe(40);
      expect(Math.abs(measures.workersAffected - 90)).toBeLessThanOrEqual(2);
      expect(Math.abs(measures.shareResolved * 40 - 30)).toBeLessThanOrEqual(2.01);
    }
  });
});
