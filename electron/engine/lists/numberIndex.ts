/**
 * Phone number → first row, for de-duplicating an import in memory. Numbers are digit strings of
 * at most 15 digits (E.164), so they fit a double exactly and split into two 32-bit words; an
 * open-addressing table in one typed array costs 12 bytes a slot (~24 MB for a million numbers)
 * where a Map of strings costs ~100 bytes an entry, and keeps memory close to flat as the file grows.
 * A slot's three words sit side by side (low, high, row), so a probe touches one cache line.
 */
/** reserve() goes no further (2^23 slots, 96 MB: 4 million numbers); past that the table grows as it fills */
const MAX_RESERVE_SLOTS = 1 << 23;

export function createNumberIndex(initialCapacity = 1 << 12) {
  let cap = initialCapacity;
  let table = new Uint32Array(cap * 3); // [lo, hi, row + 1]; row word 0 = empty slot
  let size = 0;
  let lo = 0,
    hi = 0; // the key being looked for, set by key()

  /** digits to the two words of their value; no Number(string) (whitespace, hex, exponents) on the hot path */
  function key(msisdn: string): void {
    let k = 0;
    for (let i = 0; i < msisdn.length; i++) k = k * 10 + (msisdn.charCodeAt(i) - 48);
    lo = k % 4294967296;
    hi = (k - lo) / 4294967296;
  }

  /** word offset of the slot holding (lo, hi), or of the empty slot where it belongs */
  function find(): number {
    const mask = cap - 1;
    let i = ((Math.imul(lo | 0, 0x9e3779b1) ^ Math.imul(hi | 0, 0x85ebca6b)) & mask) * 3;
    const end = cap * 3;
    while (table[i + 2] !== 0 && (table[i] !== lo || table[i + 1] !== hi)) {
      i += 3;
      if (i === end) i = 0;
    }
    return i;
  }

  function grow(to = cap * 2) {
    const old = table;
    cap = to;
    table = new Uint32Array(cap * 3);
    for (let j = 0; j < old.length; j += 3) {
      if (old[j + 2] === 0) continue;
      lo = old[j];
      hi = old[j + 1];
      const i = find();
      table[i] = lo;
      table[i + 1] = hi;
      table[i + 2] = old[j + 2];
    }
  }

  function put(i: number, row: number) {
    table[i] = lo;
    table[i + 1] = hi;
    table[i + 2] = row + 1;
    size++;
  }

  return {
    /** the row first seen with this number, or undefined */
    get(msisdn: string): number | undefined {
      key(msisdn);
      const i = find();
      return table[i + 2] === 0 ? undefined : table[i + 2] - 1;
    },
    set(msisdn: string, row: number): void {
      if ((size + 1) * 2 > cap) grow();
      key(msisdn);
      const i = find();
      if (table[i + 2] === 0) put(i, row);
      else table[i + 2] = row + 1;
    },
    /** get, and set when the number is new: one look-up instead of two */
    firstOrSet(msisdn: string, row: number): number | undefined {
      if ((size + 1) * 2 > cap) grow();
      key(msisdn);
      const i = find();
      if (table[i + 2] !== 0) return table[i + 2] - 1;
      put(i, row);
      return undefined;
    },
    /**
     * Room for this many numbers without growing again. Growing rehashes every number in one go
     * (50-90 ms at half a million): done while the table is small, it costs nothing.
     */
    reserve(numbers: number): void {
      let to = cap;
      while (numbers * 2 > to && to < MAX_RESERVE_SLOTS) to *= 2;
      if (to > cap) grow(to);
    },
    get size() {
      return size;
    },
  };
}
