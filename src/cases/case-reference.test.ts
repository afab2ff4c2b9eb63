import { generateCaseReference, normaliseCaseReference, REFERENCE_ALPHABET } from './case-reference';

describe('case references', () => {
  it('are two groups of three unambiguous characters', () => {
    for (let i = 0; i < 2000; i += 1) {
      expect(generateCaseReference()).toMatch(/^[2-9A-HJKMNP-Z]{3}-[2-9A-HJKMNP-Z]{3}$/);
    }
    expect(REFERENCE_ALPHABET).not.toMatch(/[01OIL]/);
  });

  it('are not guessable from one another (no repeats or sequences in a large draw)', () => {
    const draws = Array.from({ length: 20_000 }, () => generateCaseReference());
    expect(new Set(draws).size).toBeGreaterThan(19_990);
    const firstCharacters = new Set(draws.map((reference) => reference[0]));
    expect(firstCharacters.size).toBe(REFERENCE_ALPHABET.length);
  });

  it('accept what a person types and refuse what cannot be one', () => {
    expect(normaliseCaseReference('k7m-4qx')).toBe('K7M-4QX');
    expect(normaliseCaseReference(' K7M 4QX ')).toBe('K7M-4QX');
    expect(normaliseCaseReference('K7M4QX')).toBe('K7M-4QX');
    expect(normaliseCaseReference('ｋ７ｍ－４ｑｘ')).toBe('K7M-4QX');
    expect(normaliseCaseReference('K0M-4QX')).toBeUndefined();
    expect(normaliseCaseReference('K7M-4Q')).toBeUndefined();
  });
});
