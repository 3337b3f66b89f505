import { normalizeMsisdn } from '../phone/normalize.ts';

// Whole-cell header names (lower-cased, punctuation squeezed) that mean "the phone number".
const PHONE_NAMES_STRONG = new Set([
  'phone',
  'phone number',
  'phone no',
  'phone num',
  'phonenumber',
  'mobile',
  'mobile number',
  'mobile no',
  'mobile phone',
  'msisdn',
  'gsm',
  'gsm number',
  'gsm no',
  'cell',
  'cell phone',
  'cellphone',
  'cell number',
  'whatsapp',
  'whatsapp number',
  'telephone',
  'telephone number',
  'tel',
  'tel no',
  'phone numbers',
  'mobile numbers',
  'recipient',
  'recipients',
]);
const PHONE_NAMES_WEAK = new Set([
  'number',
  'numbers',
  'contact',
  'contact number',
  'contact no',
  'contacts',
  'no',
  'line',
]);
const NAME_HEADER = /\b(name|first|last|surname|firstname|lastname|fullname|given|other ?names?)\b/i;

export function headerKey(cell: string): string {
  return cell
    .trim()
    .toLowerCase()
    .replace(/[_.:#\-/]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function phoneNameScore(cell: string): number {
  const k = headerKey(cell);
  if (PHONE_NAMES_STRONG.has(k)) return 2;
  if (PHONE_NAMES_WEAK.has(k)) return 1;
  return 0;
}

/** A cell that is probably a phone number: 7-15 digits once separators are gone, few letters. */
export function looksLikePhone(cell: string): boolean {
  const t = cell.trim();
  if (t.length < 7 || t.length > 25) return false;
  if (!/^[+'(]?[\d\s().\-+/]+$/.test(t)) return false;
  const digits = t.replace(/\D/g, '').length;
  return digits >= 7 && digits <= 15;
}

function nonEmpty(row: string[]): number {
  let n = 0;
  for (const c of row) if (c != null && String(c).trim() !== '') n++;
  return n;
}

/**
 * 0-based index of the header row among the first rows, or -1 when the file has no header
 * (its first non-empty row is already data). Title rows ("Customer list, March") above the
 * header are skipped: the header is the first row naming a phone column, else the row just
 * above the first row holding a phone-like value.
 */
export function detectHeaderRow(firstRows: string[][]): number {
  const limit = Math.min(firstRows.length, 30);
  for (let i = 0; i < limit; i++) {
    const row = firstRows[i];
    if (row.some((c) => phoneNameScore(String(c ?? '')) === 2)) return i;
  }
  for (let i = 0; i < limit; i++) {
    const row = firstRows[i];
    if (!row.some((c) => looksLikePhone(String(c ?? '')))) continue;
    // the nearest non-empty row above with no phone-like value and at least as many filled cells
    for (let j = i - 1; j >= 0; j--) {
      const above = firstRows[j];
      if (nonEmpty(above) === 0) continue;
      if (above.some((c) => looksLikePhone(String(c ?? '')))) break;
      return j;
    }
    return -1;
  }
  for (let i = 0; i < limit; i++) {
    if (firstRows[i].some((c) => phoneNameScore(String(c ?? '')) > 0)) return i;
  }
  // nothing phone-like at all: take the first row with the most filled cells as the header
  let best = 0;
  for (let i = 0; i < limit; i++) if (nonEmpty(firstRows[i]) > nonEmpty(firstRows[best])) best = i;
  return limit === 0 ? -1 : best;
}

/**
 * The phone column (-1 if none) and the name-like columns. Content beats the header's name:
 * a column called "Contact" that holds names is not the phone column.
 */
export function detectColumns(
  header: string[],
  sampleRows: string[][],
  defaultCountry = 'NG',
): { phoneColumn: number; nameColumns: number[] } {
  const width = Math.max(header.length, ...sampleRows.map((r) => r.length), 0);
  let phoneColumn = -1;
  let bestScore = 0;
  for (let c = 0; c < width; c++) {
    let filled = 0,
      valid = 0,
      phoneLike = 0;
    for (const r of sampleRows) {
      const v = String(r[c] ?? '').trim();
      if (v === '') continue;
      filled++;
      if (looksLikePhone(v)) phoneLike++;
      if (normalizeMsisdn(v, defaultCountry).ok) valid++;
    }
    const content = filled === 0 ? 0 : (valid + phoneLike) / (2 * filled);
    const name = phoneNameScore(String(header[c] ?? ''));
    // a named column wins unless its content is clearly not phone numbers
    const score =
      filled === 0
        ? name * 0.3
        : content >= 0.3
          ? content + name * 0.5
          : name > 0 && content > 0
            ? content + name * 0.2
            : 0;
    if (score > bestScore + 1e-9) {
      bestScore = score;
      phoneColumn = c;
    }
  }
  const nameColumns: number[] = [];
  for (let c = 0; c < header.length; c++)
    if (c !== phoneColumn && NAME_HEADER.test(String(header[c] ?? ''))) nameColumns.push(c);
  return { phoneColumn, nameColumns };
}

/**
 * Header cells made usable as merge-field names: trimmed, blanks named after their column,
 * repeats numbered, so every cell of a row keeps a distinct key.
 */
export function fieldNames(header: string[], width: number): string[] {
  const out: string[] = [];
  const seen = new Map<string, number>();
  for (let c = 0; c < Math.max(width, header.length); c++) {
    let name = String(header[c] ?? '')
      .replace(/^\ufeff/, '')
      .replace(/\s+/g, ' ')
      .trim();
    if (name === '') name = `column ${columnLetter(c)}`;
    const key = name.toLowerCase();
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    out.push(n === 1 ? name : `${name} (${n})`);
  }
  return out;
}

export function columnLetter(index: number): string {
  let s = '';
  let n = index + 1;
  while (n > 0) {
    const m = (n - 1) % 26;
    s = String.fromCharCode(65 + m) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}
