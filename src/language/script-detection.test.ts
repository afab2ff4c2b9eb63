import { detectLanguage, hasMyanmarScript } from './script-detection';

describe('detectLanguage', () => {
  it.each([
    ['my', 'သူဌေးက လစာ နှစ်လ မပေးသေးဘူး'],
    ['km', 'ថៅកែមិនបើកប្រាក់ខែឲ្យខ្ញុំទេ'],
    ['lo', 'ນາຍຈ້າງບໍ່ຈ່າຍເງິນເດືອນ'],
    ['th', 'นายจ้างไม่จ่ายเงินเดือนสองเดือนแล้ว'],
    ['vi', 'Chủ không trả lương hai tháng rồi'],
    ['en', 'My boss keeps my passport and will not give it back'],
  ])('recognises a typical worker message in %s', (language, text) => {
    expect(detectLanguage(text)).toBe(language);
  });

  it('lets the worker\'s own script outweigh Latin words mixed into it', () => {
    expect(detectLanguage('boss မပေးဘူး')).toBe('my');
    expect(detectLanguage('นายจ้างไม่คืน passport')).toBe('th');
    expect(detectLanguage('ថៅកែ យក passport')).toBe('km');
  });

  it('ignores a single stray letter of another script in a Latin message', () => {
    expect(detectLanguage('hello က')).toBe('en');
  });

  it('reads Vietnamese by its letters and tone marks, whether composed or not', () => {
    expect(detectLanguage('Chủ không trả lương')).toBe('vi');
    expect(detectLanguage('Chủ không trả lương'.normalize('NFD'))).toBe('vi');
    expect(detectLanguage('đi làm')).toBe('vi');
  });

  it('takes Vietnamese without diacritics for English, which script alone cannot avoid', () => {
    expect(detectLanguage('chu khong tra luong')).toBe('en');
  });

  it('counts digits, punctuation, emoji and spaces for nothing', () => {
    expect(detectLanguage('1234')).toBeUndefined();
    expect(detectLanguage('၁၂၃ ១២៣ ๑๒๓')).toBeUndefined();
    expect(detectLanguage('🙏🙏 !!! ...')).toBeUndefined();
    expect(detectLanguage('')).toBeUndefined();
    expect(detectLanguage('၁၂ OK')).toBe('en');
  });

  it('tells Lao from Thai by their separate blocks', () => {
    expect(detectLanguage('ສະບາຍດີ')).toBe('lo');
    expect(detectLanguage('สวัสดี')).toBe('th');
  });
});

describe('hasMyanmarScript', () => {
  it('finds Burmese, Shan and Myanmar digits, and nothing in other scripts', () => {
    expect(hasMyanmarScript('boss မပေးဘူး')).toBe(true);
    expect(hasMyanmarScript('ၽႃႇသႃႇတႆး')).toBe(true);
    expect(hasMyanmarScript('၁')).toBe(true);
    expect(hasMyanmarScript('นายจ้าง boss 1')).toBe(false);
  });
});
