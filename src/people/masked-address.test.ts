import { maskAddress } from './masked-address';

describe('maskAddress', () => {
  it('keeps a phone\'s country code and last four digits', () => {
    expect(maskAddress('sms', '+66812341234')).toBe('+66 •••• ••12 34');
    expect(maskAddress('whatsapp', '+855121234567')).toBe('+855 •••• ••45 67');
  });

  it('keeps the last four characters of a chat account', () => {
    expect(maskAddress('line', 'U4af4980629a0b1c2d3e4f5a6b7c83f2a')).toBe('••3f2a');
    expect(maskAddress('messenger', '1234567890123')).toBe('••0123');
  });
});
