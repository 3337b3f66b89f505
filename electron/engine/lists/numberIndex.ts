/**
 * Phone number → first row, for de-duplicating an import in memory. Numbers are digit strings of
 * at most 15 digits (E.164), so they fit a double exactly; an open-addressing table in typed arrays
 * costs 12 bytes a slot (~24 MB for a million numbers) where a Map of strings costs ~100 bytes an
 * entry, and keeps memory close to flat as the file grows.
 */
export function createNumberIndex(initialCapacity = 1 << 12) {
  let cap = initialCapacity;
  let keys = new Float64Array(cap);
  let rows = new Int32Array(cap); // 0 = empty slot; rows are stored + 1
  let size = 0;

  const slot = (k: number, mask: number) => {
    const lo = k % 4294967296, hi = Math.floor(k / 4294967296);
    return (Math.imul(lo | 0, 0x9e3779b1) ^ Math.imul(hi | 0, 0x85ebca6b)) & mask;
  };

  function find(k: number): number {
    const mask = cap - 1;
    let i = slot(k, mask);
    while (rows[i] !== 0 && keys[i] !== k) i = (i + 1) & mask;
    return i;
  }

  function grow() {
    const oldKeys = keys, oldRows = rows;
    cap *= 2;
    keys = new Float64Array(cap);
    rows = new Int32Array(cap);
    for (let j = 0; j < oldRows.length; j++) {
      if (oldRows[j] === 0) continue;
      const i = find(oldKeys[j]);
      keys[i] = oldKeys[j];
      rows[i] = oldRows[j];
    }
  }

  return {
    /** the row first seen with this number, or undefined */
    get(msisdn: string): number | undefined {
      const i = find(Number(msisdn));
      return rows[i] === 0 ? undefined : rows[i] - 1;
    },
    set(msisdn: string, row: number): void {
      if ((size + 1) * 2 > cap) grow();
      const k = Number(msisdn);
      const i = find(k);
      if (rows[i] === 0) size++;
      keys[i] = k;
      rows[i] = row + 1;
    },
    get size() { return size; },
  };
}
