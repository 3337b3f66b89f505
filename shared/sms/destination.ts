/**
 * Where a stored number goes, and what a part costs there. Gateways price foreign destinations
 * differently from Nigerian ones; until the user enters a country's price, the Nigerian price
 * stands in and is marked as a guess.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** ISO country of an MSISDN (digits, country code first); '' when no country can be told. */
export function countryOfMsisdn(msisdn: string): string {
  if (msisdn.startsWith('234')) return 'NG';
  return parsePhoneNumberFromString('+' + msisdn)?.country ?? '';
}

export interface PartPrice {
  price: number;
  guessed: boolean;
}

export function partPrice(country: string, home: number, perCountry: Readonly<Record<string, number>>): PartPrice {
  if (country === 'NG') return { price: home, guessed: false };
  const set = perCountry[country];
  return typeof set === 'number' ? { price: set, guessed: false } : { price: home, guessed: true };
}
