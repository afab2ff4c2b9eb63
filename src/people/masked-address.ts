import { parsePhoneNumberFromString } from 'libphonenumber-js';

// A worker's address as the case page shows it: enough to tell two identities apart and to match
// what the worker says ("my number ending 1234"), never enough to contact them.

const DOT = '•';

/**
 * The masked form of an address: a phone keeps its country code and last four digits
 * (`+66 •••• ••12 34`); a chat account id keeps its last four characters (`••3f2a`).
 */
export function maskAddress(channel: string, address: string): string {
  if (channel === 'sms' || channel === 'whatsapp' || channel === 'voice') return maskPhone(address.replace(/^whatsapp:/, ''));
  return `${DOT.repeat(2)}${address.slice(-4)}`;
}

function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  const last = digits.slice(-4);
  const tail = `${DOT.repeat(2)}${last.slice(0, 2)} ${last.slice(2)}`;
  const parsed = parsePhoneNumberFromString(phone.startsWith('+') ? phone : `+${digits}`);
  const country = parsed ? `+${parsed.countryCallingCode} ` : '';
  return `${country}${DOT.repeat(4)} ${tail}`;
}
