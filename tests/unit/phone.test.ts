import { describe, expect, it } from 'vitest';
import { normalizeMsisdn, nigerianNetwork, networkPrefixes } from '../../shared/phone/index.ts';

const SAME = [
  '08031234567',
  '8031234567',
  '+234 803 123 4567',
  '234-803-123-4567',
  '(0803) 123 4567',
  '002348031234567',
  '2348031234567',
  '+2348031234567',
  '+234 (0) 803 123 4567',
  '0803.123.4567',
  ' 0803 123 4567 ',
  "'08031234567",
  '0803\u00a0123\u00a04567',
];

describe('normalizeMsisdn', () => {
  it.each(SAME)('turns %j into 2348031234567 on MTN', (raw) => {
    expect(normalizeMsisdn(raw)).toEqual({ ok: true, msisdn: '2348031234567', country: 'NG', network: 'MTN' });
  });

  it('reads number cells raw, including one that lost its leading zero', () => {
    expect(normalizeMsisdn(8031234567)).toMatchObject({ ok: true, msisdn: '2348031234567' });
    expect(normalizeMsisdn(2348031234567)).toMatchObject({ ok: true, msisdn: '2348031234567' });
  });

  it('keeps foreign numbers in their own country', () => {
    expect(normalizeMsisdn('+447400123456')).toMatchObject({
      ok: true,
      msisdn: '447400123456',
      country: 'GB',
      network: null,
    });
    expect(normalizeMsisdn('+254 712 345 678')).toMatchObject({ ok: true, msisdn: '254712345678', country: 'KE' });
    expect(normalizeMsisdn('00447911123456')).toMatchObject({ ok: true, msisdn: '447911123456' });
    expect(normalizeMsisdn(447911123456)).toMatchObject({ ok: true, msisdn: '447911123456' });
    expect(normalizeMsisdn('07911 123456', 'GB')).toMatchObject({ ok: true, msisdn: '447911123456' });
  });

  it('accepts valid Nigerian prefixes outside the network table, without a network', () => {
    expect(normalizeMsisdn('08041234567')).toEqual({ ok: true, msisdn: '2348041234567', country: 'NG', network: null });
  });

  it.each([
    ['0803123', /too short/],
    ['080312345678901234', /too long/],
    ['0803ABC4567', /letters/],
    ['call me', /letters/],
    ['0201 234 5678', /landline/],
    ['2.34803E+12', /shortened by a spreadsheet/],
    ['', /no phone number/],
    ['0803-123-4567, 0806-123-4567', /more than one number/],
    ['0803*123*4567', /unexpected characters/],
    ['06031234567', /not a Nigerian mobile number|not a mobile number/],
  ])('rejects %j with a reason a user understands', (raw, reason) => {
    const r = normalizeMsisdn(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });

  // Word and Excel put typographic dashes between digit groups; a pasted number must still read.
  it.each([
    ['en dash', '0803\u2013123\u20134567'],
    ['em dash', '0803\u2014123\u20144567'],
    ['minus sign', '0803\u2212123\u22124567'],
    ['non-breaking hyphen', '0803\u2011123\u20114567'],
    ['mixed, with a country code', '+234\u2011803\u2013123\u20144567'],
  ])('reads a number written with a %s between the digit groups', (_name, raw) => {
    expect(normalizeMsisdn(raw)).toEqual({ ok: true, msisdn: '2348031234567', country: 'NG', network: 'MTN' });
  });

  it('calls a foreign landline that lost its "+" a landline, not a number that is too long', () => {
    for (const raw of ['33123456789', 33123456789, '0033 1 23 45 67 89', '+33 1 23 45 67 89']) {
      const r = normalizeMsisdn(raw);
      expect(r).toMatchObject({ ok: false, reason: expect.stringMatching(/landline/) });
      if (!r.ok) expect(r.reason).not.toMatch(/too long/);
    }
  });

  // Right length for the country, but in a range no operator holds: the gateway would bill and then fail it.
  it.each([
    ['+49 152 1234567', 'DE'],
    ['+61 5 1234 5678', 'AU'],
    ['+27 89 123 4567', 'ZA'],
    ['0044 7700 900456', 'GB'],
    ['+1 555 123 4567', 'US'],
  ])('refuses %j, a number that cannot exist in %s', (raw, country) => {
    const r = normalizeMsisdn(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(new RegExp(`not a number that exists in ${country}.*check the digits`));
  });

  it('names MTN for 0707 and Airtel for 0911, in every form', () => {
    for (const raw of ['07071234567', '+234 707 765 4321', 7079876543])
      expect(normalizeMsisdn(raw)).toMatchObject({ ok: true, country: 'NG', network: 'MTN' });
    for (const raw of ['09111234567', '+234 911 765 4321', 9119876543])
      expect(normalizeMsisdn(raw)).toMatchObject({ ok: true, country: 'NG', network: 'Airtel' });
  });

  it('rejects fraction cells', () => {
    expect(normalizeMsisdn(803.5)).toMatchObject({ ok: false });
  });

  it('knows the four networks by prefix', () => {
    expect(normalizeMsisdn('07025123456')).toMatchObject({ network: 'MTN' });
    expect(normalizeMsisdn('07021234567')).not.toMatchObject({ network: 'MTN' });
    expect(normalizeMsisdn('08021234567')).toMatchObject({ network: 'Airtel' });
    expect(normalizeMsisdn('08051234567')).toMatchObject({ network: 'Glo' });
    expect(normalizeMsisdn('09091234567')).toMatchObject({ network: '9mobile' });
    for (const [network, prefixes] of Object.entries(networkPrefixes())) {
      for (const p of prefixes) expect(nigerianNetwork(p.slice(1).padEnd(10, '1'))).toBe(network);
    }
  });

  it('normalises a million common numbers in a few seconds', () => {
    const forms = ['0803', '+234 806 ', '234-813-', '(0903) ', '00234905', '809'];
    const start = performance.now();
    let valid = 0;
    for (let i = 0; i < 1_000_000; i++) {
      const r = normalizeMsisdn(forms[i % forms.length] + String(1_000_000 + (i % 9_000_000)).padStart(7, '0'));
      if (r.ok) valid++;
    }
    const ms = performance.now() - start;
    expect(valid).toBe(1_000_000);
    expect(ms).toBeLessThan(8000);
  });
});
