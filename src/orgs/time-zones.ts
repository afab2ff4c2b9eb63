// Organisations read times in their own zone: Thailand and Malaysia keep different hours.

const COUNTRY_TIME_ZONES: Record<string, string> = {
  TH: 'Asia/Bangkok',
  MY: 'Asia/Kuala_Lumpur',
  MM: 'Asia/Yangon',
  KH: 'Asia/Phnom_Penh',
  LA: 'Asia/Vientiane',
  VN: 'Asia/Ho_Chi_Minh',
};

/** The zones of the hotline's countries, offered on the organisation form. */
export const REGION_TIME_ZONES: readonly string[] = Object.values(COUNTRY_TIME_ZONES);

/** The time zone of a country (ISO 3166 alpha-2); Bangkok's for a country the hotline does not list. */
export function timeZoneOfCountry(country: string): string {
  return COUNTRY_TIME_ZONES[country.toUpperCase()] ?? 'Asia/Bangkok';
}

/** True when the runtime knows this IANA time zone name. */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
