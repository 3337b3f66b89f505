import type { CellObject, DenseSheet } from '@e965/xlsx';

/**
 * Text formulas of an .xls worked out again. An Excel 97 file keeps a formula's last result next
 * to it, and a text result needs a STRING record after the formula; LibreOffice writes a plain 0
 * instead whenever it saves a result it loaded rather than computed (any .xls saved from an .ods
 * or .xlsx it did not recalculate), so `=CONCAT(A2;" ";B2)` came in as "0" and the SMS read
 * "Hello 0". Excel and Calc recalculate an .xls on opening, so the user sees the names; so do we,
 * for the small set of text formulas a contact sheet uses to build a name: `&`, CONCAT,
 * CONCATENATE, TRIM, UPPER, LOWER, PROPER over cells of the same sheet and literals.
 *
 * Only a cell whose saved result is not text and whose formula we can read fully and that gives
 * text is changed; anything else (sums, other sheets, ranges, unknown functions) keeps the saved
 * result, which for a number is right.
 */
export function recalcTextFormulas(sheet: DenseSheet): number {
  const data = sheet['!data'] ?? [];
  let changed = 0;
  const done = new Map<CellObject, Value | undefined>();
  const evalCell = (cell: CellObject | undefined, depth: number): Value | undefined => {
    if (!cell || cell.v == null) return '';
    if (typeof cell.f === 'string' && cell.t !== 's') {
      if (done.has(cell)) return done.get(cell);
      done.set(cell, undefined); // a cycle reads as "cannot work out"
      const v = depth > 32 ? undefined : evaluate(cell.f, (r, c) => evalCell(data[r]?.[c], depth + 1));
      done.set(cell, v);
      return v;
    }
    switch (cell.t) {
      case 's':
        return String(cell.v);
      case 'n':
        return cell.v as number;
      case 'b':
        return Boolean(cell.v);
      case 'e':
      case 'd':
      case 'z':
      default:
        return undefined; // errors, dates, blanks (or a type the file made up): not for a name
    }
  };
  for (const row of data) {
    if (!row) continue;
    for (const cell of row) {
      if (!cell || typeof cell.f !== 'string' || cell.t === 's') continue;
      const v = evalCell(cell, 0);
      if (typeof v !== 'string') continue;
      cell.t = 's';
      cell.v = v;
      delete cell.w;
      changed++;
    }
  }
  return changed;
}

type Value = string | number | boolean;
type Lookup = (row: number, col: number) => Value | undefined;

const TOKEN =
  /\s*(?:("(?:[^"]|"")*")|(\$?[A-Z]{1,3}\$?\d+)(?![A-Za-z0-9_.(!:])|((?:_xlfn\.)?[A-Z][A-Z0-9.]*)\s*\(|(-?\d+(?:\.\d+)?(?:E[+-]?\d+)?)|([(),&]))/iy;

function tokenize(f: string): string[] | null {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  const src = f.replace(/^=/, '');
  while (TOKEN.lastIndex < src.length) {
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(src);
    if (!m || m.index !== at) {
      if (/^\s*$/.test(src.slice(at))) break;
      return null;
    }
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(`@${m[2]}`);
    else if (m[3] !== undefined) out.push(`${m[3].replace(/^_xlfn\./i, '').toUpperCase()}(`);
    else if (m[4] !== undefined) out.push(`#${m[4]}`);
    else out.push(m[5]!);
  }
  return out;
}

const FUNCTIONS: Record<string, (args: string[]) => string> = {
  CONCAT: (a) => a.join(''),
  CONCATENATE: (a) => a.join(''),
  TRIM: (a) => (a.length === 1 ? a[0]!.replace(/ +/g, ' ').replace(/^ | $/g, '') : fail()),
  UPPER: (a) => (a.length === 1 ? a[0]!.toUpperCase() : fail()),
  LOWER: (a) => (a.length === 1 ? a[0]!.toLowerCase() : fail()),
  PROPER: (a) =>
    a.length === 1
      ? a[0]!.toLowerCase().replace(/(^|[^\p{L}])(\p{L})/gu, (_, p: string, l: string) => p + l.toUpperCase())
      : fail(),
};

class Unreadable extends Error {}
function fail(): never {
  throw new Unreadable();
}

/** As Excel turns a value into text for `&`: whole numbers in full, TRUE/FALSE. */
function asText(v: Value): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return v.toFixed(0);
  return String(Number(v.toPrecision(15)));
}

function colIndex(letters: string): number {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

/** The formula's value, or undefined when it is not one of the text formulas read here. */
export function evaluate(formula: string, lookup: Lookup): Value | undefined {
  const tokens = tokenize(formula);
  if (!tokens || tokens.length === 0) return undefined;
  let i = 0;
  const peek = () => tokens[i];
  // concat := primary ('&' primary)*
  const concat = (): Value => {
    let v = primary();
    if (peek() !== '&') return v;
    let s = asText(v);
    while (peek() === '&') {
      i++;
      s += asText(primary());
    }
    v = s;
    return v;
  };
  const primary = (): Value => {
    const t = tokens[i++];
    if (t === undefined) fail();
    if (t.startsWith('"')) return t.slice(1, -1).replace(/""/g, '"');
    if (t.startsWith('#')) return Number(t.slice(1));
    if (t.startsWith('@')) {
      const m = /^\$?([A-Z]{1,3})\$?(\d+)$/i.exec(t.slice(1))!;
      const v = lookup(Number(m[2]) - 1, colIndex(m[1]!));
      if (v === undefined) fail();
      return v;
    }
    if (t === '(') {
      const v = concat();
      if (tokens[i++] !== ')') fail();
      return v;
    }
    if (t.endsWith('(')) {
      const fn = FUNCTIONS[t.slice(0, -1)];
      if (!fn) fail();
      const args: string[] = [];
      if (peek() === ')') {
        i++;
        return fn(args);
      }
      for (;;) {
        args.push(asText(concat()));
        const sep = tokens[i++];
        if (sep === ')') break;
        if (sep !== ',') fail();
      }
      return fn(args);
    }
    return fail();
  };
  try {
    const v = concat();
    return i === tokens.length ? v : undefined;
  } catch (e) {
    if (e instanceof Unreadable) return undefined;
    throw e;
  }
}
