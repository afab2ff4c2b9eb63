import { countSegments, fitsInSegments, MAX_REPLY_SEGMENTS } from './segments';

const THAI_KO = 'ก';
const BURMESE_KA = 'က';

describe('countSegments', () => {
  it('counts an empty text as one empty GSM-7 segment', () => {
    expect(countSegments('')).toEqual({ encoding: 'GSM-7', segments: 1, units: 0 });
  });

  it.each([
    [160, 1],
    [161, 2],
    [306, 2],
    [307, 3],
  ])('puts %i GSM-7 characters in %i segment(s)', (length, segments) => {
    expect(countSegments('a'.repeat(length))).toEqual({ encoding: 'GSM-7', segments, units: length });
  });

  it('charges two septets for an extension character', () => {
    expect(countSegments('a'.repeat(159) + '€')).toEqual({ encoding: 'GSM-7', segments: 2, units: 161 });
    expect(countSegments('{[~]}^|\\\f')).toEqual({ encoding: 'GSM-7', segments: 1, units: 18 });
  });

  it('never splits an escape pair across segments', () => {
    // 152 + 2 would straddle the 153-septet boundary, so the euro starts segment 2.
    expect(countSegments('a'.repeat(152) + '€' + 'a'.repeat(152)).segments).toBe(3);
    expect(countSegments('a'.repeat(151) + '€' + 'a'.repeat(153)).segments).toBe(2);
  });

  it('knows the whole basic GSM-7 table', () => {
    const table = '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ÄÖÑÜ§¿äöñüà';
    expect(countSegments(table).encoding).toBe('GSM-7');
    expect(countSegments('ç').encoding).toBe('UCS-2');
  });

  it.each([
    [70, 1],
    [71, 2],
    [134, 2],
    [135, 3],
  ])('puts %i Thai characters in %i UCS-2 segment(s)', (length, segments) => {
    expect(countSegments(THAI_KO.repeat(length))).toEqual({ encoding: 'UCS-2', segments, units: length });
  });

  it('moves an emoji that would straddle a segment boundary whole into the next segment', () => {
    const text = THAI_KO.repeat(66) + '😀' + THAI_KO.repeat(66);
    expect(countSegments(text)).toEqual({ encoding: 'UCS-2', segments: 3, units: 134 });
  });

  it('moves a Burmese cluster with stacked marks whole into the next segment', () => {
    // နှို is one grapheme of four code units: na, medial ha, vowel i, vowel u.
    const text = BURMESE_KA.repeat(65) + 'နှို' + BURMESE_KA.repeat(65);
    expect(countSegments(text)).toEqual({ encoding: 'UCS-2', segments: 3, units: 134 });
  });

  it('sends Vietnamese with diacritics as UCS-2 and without as GSM-7', () => {
    expect(countSegments('Chủ không trả lương').encoding).toBe('UCS-2');
    expect(countSegments('Chu khong tra luong').encoding).toBe('GSM-7');
  });

  it('switches the whole message to UCS-2 for one character outside GSM-7', () => {
    expect(countSegments('a'.repeat(100) + 'မ')).toEqual({ encoding: 'UCS-2', segments: 2, units: 101 });
  });
});

describe('fitsInSegments', () => {
  it('allows a reply of up to three UCS-2 segments', () => {
    expect(MAX_REPLY_SEGMENTS).toBe(3);
    expect(fitsInSegments(THAI_KO.repeat(201), MAX_REPLY_SEGMENTS)).toBe(true);
    expect(fitsInSegments(THAI_KO.repeat(202), MAX_REPLY_SEGMENTS)).toBe(false);
  });
});
