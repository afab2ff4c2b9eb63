import { LANGUAGES } from '../../cases/case.vocabulary';
import { parseYesNo } from './yes-no';
import { YES_NO_SAMPLES } from './yes-no.samples';

describe.each(LANGUAGES)('parseYesNo in %s', (language) => {
  const samples = YES_NO_SAMPLES[language];

  it('has at least 15 yes and 10 no forms to check', () => {
    expect(samples.yes.length).toBeGreaterThanOrEqual(15);
    expect(samples.no.length).toBeGreaterThanOrEqual(10);
  });

  it.each(samples.yes)('reads %j as yes', (answer) => {
    expect(parseYesNo(answer, language)).toBe(true);
  });

  it.each(samples.no)('reads %j as no', (answer) => {
    expect(parseYesNo(answer, language)).toBe(false);
  });

  it.each(samples.unknown)('leaves %j unknown', (answer) => {
    expect(parseYesNo(answer, language)).toBeUndefined();
  });
});

describe('parseYesNo across languages', () => {
  it('reads another language\'s answer when the contact\'s language is wrong or unknown', () => {
    expect(parseYesNo('ได้ครับ', 'lo')).toBe(true);
    expect(parseYesNo('មិនបាន', 'en')).toBe(false);
    expect(parseYesNo('ရပါတယ်', null)).toBe(true);
    expect(parseYesNo('không được')).toBe(false);
  });

  it('reads "k" as "không" only from a Vietnamese contact (elsewhere it may mean "ok")', () => {
    expect(parseYesNo('k', 'vi')).toBe(false);
    expect(parseYesNo('k', 'en')).toBeUndefined();
    expect(parseYesNo('k', 'th')).toBeUndefined();
  });

  it('does not read "dừng" (stop) or an unmarked "dung" as "đúng" (right)', () => {
    expect(parseYesNo('đúng', 'vi')).toBe(true);
    expect(parseYesNo('dừng', 'vi')).toBeUndefined();
    expect(parseYesNo('dung', 'vi')).toBeUndefined();
  });

  it('leaves Unicode Burmese as it is rather than reading it as Zawgyi', () => {
    // "ရပါတယ်" converted as if it were Zawgyi is nonsense; it must still read as yes.
    expect(parseYesNo('ရပါတယ်', 'my')).toBe(true);
    expect(parseYesNo('', 'my')).toBeUndefined();
    expect(parseYesNo('   ', 'th')).toBeUndefined();
  });
});
