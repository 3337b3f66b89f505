import { describe, expect, it } from 'vitest';
import { checkSenderId, estimateCost, summarizeParts } from '../../shared/sms/index.ts';

describe('checkSenderId', () => {
  it.each(['A', 'MyShop', 'Shop 24', 'ABCDEFGHIJK', 'A B C D E F', '12345', '234803123456789'])('accepts %j', (s) => {
    expect(checkSenderId(s)).toEqual({ ok: true });
  });

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    [' MyShop', /starts or ends with a space/],
    ['MyShop ', /starts or ends with a space/],
    ['ABCDEFGHIJKL', /12 characters.*at most 11/],
    ['My Shop Ltd', null],
    ['My Shop Ltd.', /"\."/],
    ['Shop-24', /"-"/],
    ['Ṣọlá', /"Ṣ"/],
    ['Shop\t1', /a tab/],
    ['2348031234567890', /16 digits.*at most 15/],
    ['+2348031234567', /"\+"/],
  ])('%j', (s, message) => {
    const r = checkSenderId(s);
    if (message === null) {
      expect(r).toEqual({ ok: true });
      return;
    }
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(message);
  });
});

describe('estimateCost', () => {
  it('multiplies parts by price and rounds to kobo/cents', () => {
    expect(estimateCost(0, 4)).toBe(0);
    expect(estimateCost(3, 4)).toBe(12);
    expect(estimateCost(3, 0.1)).toBe(0.3);
    expect(estimateCost(1, 1.005)).toBe(1.01);
    expect(estimateCost(7, 2.333)).toBe(16.33);
    expect(estimateCost(1_000_000, 3.99)).toBe(3_990_000);
  });

  it('refuses a negative or non-number input instead of returning a wrong total', () => {
    expect(() => estimateCost(-1, 4)).toThrow(/part count/);
    expect(() => estimateCost(1, Number.NaN)).toThrow(/price per part/);
  });
});

describe('summarizeParts', () => {
  it('finds the typical part count and how many recipients exceed it', () => {
    expect(summarizeParts([1, 1, 2, 1, 3, 1, 2])).toEqual({
      recipients: 7,
      totalParts: 11,
      maxParts: 3,
      typicalParts: 1,
      overTypical: 3,
    });
  });

  it('takes the smaller count on a tie', () => {
    expect(summarizeParts([2, 2, 1, 1, 3])).toEqual({
      recipients: 5,
      totalParts: 9,
      maxParts: 3,
      typicalParts: 1,
      overTypical: 3,
    });
  });

  it('works over any iterable, and gives zeros for no recipients', () => {
    function* gen() {
      yield 2;
      yield 2;
      yield 1;
    }
    expect(summarizeParts(gen())).toEqual({
      recipients: 3,
      totalParts: 5,
      maxParts: 2,
      typicalParts: 2,
      overTypical: 0,
    });
    expect(summarizeParts([])).toEqual({ recipients: 0, totalParts: 0, maxParts: 0, typicalParts: 0, overTypical: 0 });
  });

  it('rejects a part count that is not a whole number', () => {
    expect(() => summarizeParts([1, 1.5])).toThrow(/whole number/);
  });
});
