import { fromAcceptLanguage, negotiateLanguage } from './negotiation';
import { LANGUAGE_NAMES } from './language-names';

describe('language negotiation', () => {
  it('prefers the query, then the cookie, then Accept-Language, then English', () => {
    expect(negotiateLanguage({ query: 'km', cookie: 'my', acceptLanguage: 'th' })).toBe('km');
    expect(negotiateLanguage({ query: 'xx', cookie: 'my', acceptLanguage: 'th' })).toBe('my');
    expect(negotiateLanguage({ acceptLanguage: 'fr-FR, lo;q=0.8, en;q=0.5' })).toBe('lo');
    expect(negotiateLanguage({})).toBe('en');
  });

  it('honours quality values and regional tags', () => {
    expect(fromAcceptLanguage('en;q=0.4, vi-VN;q=0.9')).toBe('vi');
    expect(fromAcceptLanguage('th-TH')).toBe('th');
    expect(fromAcceptLanguage('my;q=0, en')).toBe('en');
    expect(fromAcceptLanguage('mya')).toBe('my');
    expect(fromAcceptLanguage('de, fr')).toBeUndefined();
  });

  it('names each language in its own script', () => {
    expect(LANGUAGE_NAMES).toEqual({ my: 'မြန်မာ', km: 'ខ្មែរ', lo: 'ລາວ', th: 'ไทย', vi: 'Tiếng Việt', en: 'English' });
  });
});
