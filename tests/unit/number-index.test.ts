import { describe, expect, it } from 'vitest';
import { createNumberIndex } from '../../electron/engine/lists/numberIndex.ts';

describe('number index (import de-duplication)', () => {
  it('remembers the first row of every number across growth, and nothing else', () => {
    const idx = createNumberIndex(4);
    const n = 50_000;
    for (let i = 0; i < n; i++) {
      const msisdn = String(2348030000000 + i * 7919);
      expect(idx.get(msisdn)).toBeUndefined();
      idx.set(msisdn, i + 2);
    }
    expect(idx.size).toBe(n);
    for (let i = 0; i < n; i += 97) expect(idx.get(String(2348030000000 + i * 7919))).toBe(i + 2);
    expect(idx.get('2348030000001')).toBeUndefined();
    // 15-digit international numbers are exact in a double
    idx.set('999999999999999', 7);
    expect(idx.get('999999999999999')).toBe(7);
    expect(idx.get('999999999999998')).toBeUndefined();
  });
});
