import {
  getCountryCallingCode,
  isSupportedCountry,
  parsePhoneNumberFromString,
  validatePhoneNumberLength,
  type CountryCode,
} from 'libphonenumber-js/max';
import { nigerianNetwork } from './networks.ts';

export type NormalizeResult =
  { ok: true; msisdn: string; country: string; network: string | null } | { ok: false; reason: string };

// Nigerian mobile numbers: 10 national digits starting 70/71/80/81/90/91. Anything else
// (landlines, short codes, foreign numbers) takes the slow, exact libphonenumber path.
const NG_NATIONAL = /^[789][01]\d{8}$/;
// Dashes include the Unicode ones a word processor puts between digit groups ("0803–123–4567"):
// hyphen, non-breaking hyphen, figure/en/em dash, horizontal bar, minus sign, small and fullwidth hyphen-minus.
const SEPARATORS = /[\s\u00a0\u200b\u2060\ufeff().\-/\u2010-\u2015\u2212\ufe63\uff0d]/g;
const SCIENTIFIC = /^[+-]?\d+(?:[.,]\d+)?e[+-]?\d+$/i;
const LETTERS = /\p{L}/u;
const MOBILE_TYPES = new Set(['MOBILE', 'FIXED_LINE_OR_MOBILE']);
const NOT_MOBILE: Record<string, string> = {
  FIXED_LINE: 'not a mobile number (it looks like a landline)',
  TOLL_FREE: 'not a mobile number (it is a toll-free number)',
  PREMIUM_RATE: 'not a mobile number (it is a premium-rate number)',
  SHARED_COST: 'not a mobile number (it is a shared-cost number)',
  VOIP: 'not a mobile number (it is an internet phone number)',
  UAN: 'not a mobile number (it is a company switchboard number)',
  VOICEMAIL: 'not a mobile number (it is a voicemail number)',
  PAGER: 'not a mobile number (it is a pager number)',
};

function ok(msisdn: string, country: string, network: string | null): NormalizeResult {
  return { ok: true, msisdn, country, network };
}
function bad(reason: string): NormalizeResult {
  return { ok: false, reason };
}

function numberToText(n: number): string | null {
  if (!Number.isFinite(n) || n < 0) return null;
  if (!Number.isInteger(n)) return null;
  return n < 1e21 ? n.toFixed(0) : BigInt(n).toString();
}

/**
 * One phone cell (text, or a number cell read raw from a spreadsheet) to an MSISDN: digits
 * only, country code first, as the 9bits gateway wants. Reasons are written for the user.
 */
export function normalizeMsisdn(raw: string | number, defaultCountry = 'NG'): NormalizeResult {
  const plain = typeof raw === 'string' ? plainDigits(raw) : null;
  if (plain) return fromDigits(plain.digits, plain.plus, defaultCountry);
  let text: string;
  if (typeof raw === 'number') {
    const t = numberToText(raw);
    if (t === null) return bad('not a phone number (it is a fraction or negative number)');
    text = t;
  } else {
    text = String(raw ?? '').trim();
    // Excel's "force text" apostrophe survives some exports; our own rejects export adds it too.
    if (text.startsWith("'")) text = text.slice(1).trim();
  }
  if (text === '') return bad('no phone number in this row');
  if (SCIENTIFIC.test(text)) {
    return bad(
      'the number was shortened by a spreadsheet (like 2.34803E+12); format the column as Text and export again',
    );
  }
  if (/[,;]/.test(text) && (text.match(/\d/g)?.length ?? 0) > 15)
    return bad('more than one number in the cell; keep one number per row');
  if (LETTERS.test(text)) return bad('letters in the number');

  let compact = text.replace(SEPARATORS, '');
  if (compact.startsWith('00')) compact = '+' + compact.slice(2);
  const plus = compact.startsWith('+');
  const digits = plus ? compact.slice(1) : compact;
  if (!/^\d+$/.test(digits)) return bad('unexpected characters in the number; use digits only');
  return fromDigits(digits, plus, defaultCountry);
}

/**
 * The usual cell (digits, spaces, ASCII dashes, dots, slashes, brackets, one leading +) in one
 * pass without regular expressions: the digits and whether a + (or 00) led them, exactly as the
 * checks in normalizeMsisdn would leave them. Null for anything else (letters, an apostrophe,
 * other characters, no digits), which takes those checks.
 */
function plainDigits(text: string): { digits: string; plus: boolean } | null {
  let digits = '';
  let runStart = -1;
  let plus = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (runStart < 0) runStart = i;
      continue;
    }
    if (runStart >= 0) {
      digits += text.slice(runStart, i);
      runStart = -1;
    }
    if (c === 43) {
      // "+" counts only before the first digit, once
      if (plus || digits !== '') return null;
      plus = true;
    } else if (c !== 32 && c !== 45 && c !== 46 && c !== 40 && c !== 41 && c !== 47) {
      return null;
    }
  }
  if (runStart >= 0) digits += runStart === 0 ? text : text.slice(runStart);
  if (!plus && digits.startsWith('00')) {
    plus = true;
    digits = digits.slice(2);
  }
  return digits === '' ? null : { digits, plus };
}

// What libphonenumber said about the last few thousand numbers it was asked about. A file's
// junk repeats ("0803123", "+1 555 0100" in every other row of a bad export) and each answer
// costs 5-25 µs; the answer depends on nothing but the digits and the country.
const SLOW_MEMO_SIZE = 4096;
const slowMemo = new Map<string, NormalizeResult>();

function fromDigits(digits: string, plus: boolean, defaultCountry: string): NormalizeResult {
  const fast = nigerianFastPath(digits, plus, defaultCountry);
  if (fast) return fast;
  const memoKey = `${defaultCountry}|${plus ? '+' : ''}${digits}`;
  const known = slowMemo.get(memoKey);
  if (known) return { ...known };
  const result = checkedSlowPath(digits, plus, defaultCountry);
  if (slowMemo.size >= SLOW_MEMO_SIZE) slowMemo.clear();
  slowMemo.set(memoKey, result);
  return { ...result };
}

function checkedSlowPath(digits: string, plus: boolean, defaultCountry: string): NormalizeResult {
  const result = slowPath(plus ? '+' + digits : digits, defaultCountry);
  // A spreadsheet number cell loses the "+": 447911123456 is a UK mobile, not a broken local one.
  // (No country calling code starts with 0, so "+0…" can never be one.)
  if (!result.ok && !plus && digits.length >= 11 && digits[0] !== '0') {
    const intl = parsePhoneNumberFromString('+' + digits);
    if (intl?.isValid()) {
      const type = intl.getType() ?? '';
      if (MOBILE_TYPES.has(type)) return ok(digits, intl.country ?? '', null);
      // A foreign landline: say so, rather than "too long", which would send the user hunting for a typo.
      return bad(NOT_MOBILE[type] ?? 'not a mobile number');
    }
  }
  return result;
}

function nigerianFastPath(digits: string, plus: boolean, defaultCountry: string): NormalizeResult | null {
  let national: string | null = null;
  if (digits.startsWith('234') && (digits.length === 13 || digits.length === 14)) {
    // "+234 (0) 803 ..." keeps the trunk zero after the country code.
    const rest = digits.length === 14 && digits[3] === '0' ? digits.slice(4) : digits.slice(3);
    if (NG_NATIONAL.test(rest)) national = rest;
  } else if (!plus && defaultCountry === 'NG') {
    if (digits.length === 11 && digits[0] === '0' && NG_NATIONAL.test(digits.slice(1))) national = digits.slice(1);
    else if (digits.length === 10 && NG_NATIONAL.test(digits)) national = digits; // Excel dropped the 0
  }
  if (national === null) return null;
  const network = nigerianNetwork(national);
  // Prefixes outside the table may still be valid: let libphonenumber decide those.
  if (network === null) return null;
  return ok('234' + national, 'NG', network);
}

function slowPath(input: string, defaultCountry: string): NormalizeResult {
  const country = (/^[A-Z]{2}$/.test(defaultCountry) ? defaultCountry : 'NG') as CountryCode;
  const digitCount = input.replace(/\D/g, '').length;
  if (digitCount < 7) return bad('too short to be a phone number');
  if (digitCount > 15) return bad('too long to be a phone number');
  const lengthProblem = validatePhoneNumberLength(input, country);
  if (lengthProblem === 'TOO_SHORT') return bad('too short for a mobile number');
  if (lengthProblem === 'TOO_LONG') return bad('too long for a mobile number');
  if (lengthProblem === 'INVALID_COUNTRY')
    return bad('unknown country code; write the number with + and its country code');
  const phone = parsePhoneNumberFromString(input, country);
  if (!phone) return bad('not a valid phone number');
  const msisdn = phone.number.slice(1);
  const region = phone.country ?? '';
  const national = phone.nationalNumber;
  if (phone.isValid()) {
    const type = phone.getType();
    if (type && !MOBILE_TYPES.has(type)) return bad(NOT_MOBILE[type] ?? 'not a mobile number');
    return ok(msisdn, region, region === 'NG' ? nigerianNetwork(national) : null);
  }
  if (phone.countryCallingCode === getCountryCallingCode(country)) {
    return bad(
      country === 'NG'
        ? 'not a Nigerian mobile number (unknown prefix or wrong length)'
        : 'not a valid mobile number for ' + country,
    );
  }
  // Strict abroad too: a number of the right length in a range no operator holds (or a
  // reserved one such as UK 07700 900xxx) would be billed by the gateway and then fail.
  const where = region || phone.getPossibleCountries()[0] || '+' + phone.countryCallingCode;
  return bad(`not a number that exists in ${where} (no operator holds numbers starting like this); check the digits`);
}

/** Whether a two-letter code (e.g. "NG", "GB") is a country libphonenumber knows numbers for. */
export function isKnownCountry(code: string): boolean {
  return /^[A-Z]{2}$/.test(code) && isSupportedCountry(code as CountryCode);
}
