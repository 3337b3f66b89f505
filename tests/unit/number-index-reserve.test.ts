import { describe, expect, it } from 'vitest';
import { createNumberIndex } from '../../electron/engine/lists/numberIndex.ts';

describe('number index set aside for a whole file', () => {
  it('gives the same first rows whether it was sized up front, sized too small, or grew as it filled', () => {
    const numbers = Array.from({ length: 30_000 }, (_, i) => String(2348030000000 + ((i * 7919) % 20_000)));
    const answers = (reserve: number | null) => {
      const idx = createNumberIndex(4);
      if (reserve !== null) idx.reserve(reserve);
      const out = numbers.map((m, i) => idx.firstOrSet(m, i + 2));
      idx.reserve(10); // smaller than what it holds: nothing lost
      return { out, size: idx.size, again: numbers.slice(0, 50).map((m) => idx.get(m)) };
    };
    const grown = answers(null);
    expect(grown.size).toBe(20_000);
    expect(grown.out.filter((r) => r !== undefined)).toHaveLength(10_000); // the second 20,000-cycle repeats the first
    expect(grown.out[20_000]).toBe(2); // first seen on row 2
    expect(answers(30_000)).toEqual(grown);
    expect(answers(1_000)).toEqual(grown);
  });
});
