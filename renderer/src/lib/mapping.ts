/** Column-mapping suggestions for the import step: which column holds phone numbers, what each merge field is called. */

const PHONE_HEADER = /(phone|mobile|msisdn|gsm|cell|number|tel|whatsapp|contact)/i;
const NOT_PHONE_HEADER = /(name|email|address|id$|amount|date)/i;

/** `First Name` → `first_name`: what the user types between braces. */
export function fieldName(header: string): string {
  const s = header
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return s === '' ? 'field' : /^[0-9]/.test(s) ? `f_${s}` : s;
}

function phoneLike(cell: string): boolean {
  const digits = cell.replace(/[\s\-().+]/g, '');
  return /^\d{7,15}$/.test(digits);
}

/**
 * The column whose header says phone and whose cells look like numbers wins; failing a header,
 * the column with the most number-like cells (at least half the sample).
 */
export function suggestPhoneColumn(headers: string[], sample: string[][]): number {
  const score = headers.map((h, i) => {
    const cells = sample.map((r) => (r[i] ?? '').trim()).filter((c) => c !== '');
    const ratio = cells.length === 0 ? 0 : cells.filter(phoneLike).length / cells.length;
    const named = PHONE_HEADER.test(h) && !NOT_PHONE_HEADER.test(h) ? 1 : 0;
    return named * 2 + ratio;
  });
  let best = -1;
  let bestScore = 0.5;
  score.forEach((s, i) => {
    if (s > bestScore) {
      best = i;
      bestScore = s;
    }
  });
  return best;
}

/**
 * Merge-field names for the columns: the header as written (templates match `{First Name}` and
 * `{first_name}` alike), `column_3` for a blank header, and a suffix when two headers would match
 * the same field, so `{name}` is never ambiguous.
 */
export function uniqueFieldNames(headers: string[]): string[] {
  const seen = new Map<string, number>();
  return headers.map((h, i) => {
    const base = h.trim() === '' ? `column_${i + 1}` : h.trim().replace(/[{}|]/g, '');
    const key = fieldName(base);
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    return n === 1 ? base : `${base}_${n}`;
  });
}
