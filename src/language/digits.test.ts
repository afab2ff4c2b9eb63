import { asciiDigits, parseMenuNumbers } from './digits';

describe('asciiDigits', () => {
  it.each([
    ['Myanmar', '၀၁၂၃၄၅၆၇၈၉'],
    ['Shan', '႐႑႒႓႔႕႖႗႘႙'],
    ['Khmer', '០១២៣៤៥៦៧៨៩'],
    ['Thai', '๐๑๒๓๔๕๖๗๘๙'],
    ['Lao', '໐໑໒໓໔໕໖໗໘໙'],
    ['full-width', '０１２３４５６７８９'],
  ])('maps %s digits to 0–9', (_system, digits) => {
    expect(asciiDigits(digits)).toBe('0123456789');
  });

  it('leaves letters, ASCII digits and other text alone', () => {
    expect(asciiDigits('လစာ ၁၆၀၀ ဘတ် / 1600 baht')).toBe('လစာ 1600 ဘတ် / 1600 baht');
  });
});

describe('parseMenuNumbers', () => {
  it.each([
    ['1', [1]],
    ['၁', [1]],
    ['១', [1]],
    ['๓', [3]],
    ['໒', [2]],
    ['２', [2]],
    ['1 3', [1, 3]],
    ['1,3', [1, 3]],
    ['1 and 3', [1, 3]],
    ['#2', [2]],
    ['2.', [2]],
    ['၃ နဲ့ ၁', [3, 1]],
    ['3 1 3', [3, 1]],
  ])('reads %j as %j', (answer, expected) => {
    expect(parseMenuNumbers(answer, 5)).toEqual(expected);
  });

  it('ignores numbers outside the menu, amounts and phone numbers', () => {
    expect(parseMenuNumbers('1600 baht', 5)).toEqual([]);
    expect(parseMenuNumbers('1,600 baht', 5)).toEqual([]);
    expect(parseMenuNumbers('၁၆၀၀ ဘတ်', 5)).toEqual([]);
    expect(parseMenuNumbers('0812345678', 5)).toEqual([]);
    expect(parseMenuNumbers('0 or 6', 5)).toEqual([]);
    expect(parseMenuNumbers('no number', 5)).toEqual([]);
  });

  it('accepts two-digit menu numbers when the menu is that long', () => {
    expect(parseMenuNumbers('10', 12)).toEqual([10]);
    expect(parseMenuNumbers('10', 9)).toEqual([]);
  });
});
