import { REDACTED, redactContactDetails } from './redaction';

describe('redactContactDetails', () => {
  it.each([
    ['call me 081 234 5678 please', `call me ${REDACTED} please`],
    ['my number +66-81-234-5678', `my number ${REDACTED}`],
    ['ဖုန်း ၀၉၁၂၃၄၅၆၇၈ ပါ', `ဖုန်း ${REDACTED} ပါ`],
    ['លេខ ០១២៣៤៥៦៧៨', `លេខ ${REDACTED}`],
    ['write to mya.mya@example.com', `write to ${REDACTED}`],
    ['see https://facebook.com/someone now', `see ${REDACTED} now`],
    ['line: myamya99 thanks', `${REDACTED} thanks`],
    ['add @somchai_k', `add ${REDACTED}`],
    ['passport MB1234567 kept by boss', `passport ${REDACTED} kept by boss`],
  ])('removes contact details from %j', (input, expected) => {
    expect(redactContactDetails(input)).toBe(expected);
  });

  it.each([
    'boss owes me 15000 baht for 3 months',
    'they took 1,500,000 kyat for the job',
    'we are 12 workers since 2024',
    'ပိုက်ဆံ မရဘူး ၃ လ',
  ])('keeps %j as it is', (input) => {
    expect(redactContactDetails(input)).toBe(input);
  });
});
