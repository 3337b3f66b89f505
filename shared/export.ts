/**
 * Spreadsheet-safe cells, the OWASP advice against CSV injection: a cell that a spreadsheet
 * could run as a formula gets a single quote in front, and keeps the rest of its text.
 *
 * A formula can start at more places than the start of the cell, so each of these is checked:
 * - the start of the cell and of every line inside it: a reader that splits rows at line breaks
 *   (any reader using another separator than ours no longer sees our quotes) starts a cell there;
 * - after a `;` or a tab inside the cell: a reader opening the file with `;` or tab as separator
 *   (LibreOffice asks; Excel in many locales uses `;`) starts a new cell there, and our quotes,
 *   which sit mid-cell for it, do not hold it together. Commas need no such care: a cell with a
 *   comma is quoted, and only a comma-reader splits at commas, and it honours the quotes.
 * The trigger may follow spaces or a double quote (" =1+1" is run after trimming): =, +, -, @,
 * their full-width forms ＝ ＋ － ＠ (read as formulas by CJK Excel), and tab or CR first.
 *
 * Phone numbers get the same rule, no exception: "+2348031234567" becomes "'+2348031234567",
 * which every spreadsheet shows as text with its plus and all its digits (no 2.34803E+12), and
 * which the importer reads back as the same number. An exception for "looks like a phone" would
 * be exactly the gap a crafted value ("+234-1+cmd|…") aims for.
 */
const TRIGGER_CHAR = /[=+\-@\uFF1D\uFF0B\uFF0D\uFF20\t\r]/;
/** where a reader may start a cell: after a line break, a `;` or a tab (and at index 0) */
const CELL_BREAK = /[\r\n;\t]/g;
/** what makes a cell start a formula, tried at one position (sticky) */
const FORMULA_AHEAD = /[\t\r]|(?:[^\S\r\n]|")*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]/y;

export function escapeFormula(value: string): string {
  if (!TRIGGER_CHAR.test(value)) return value; // most cells: numbers, names
  const starts = [0];
  for (const m of value.matchAll(CELL_BREAK)) starts.push(m.index + 1);
  let out = '';
  let done = 0;
  for (const at of starts) {
    if (at >= value.length) continue;
    FORMULA_AHEAD.lastIndex = at;
    if (!FORMULA_AHEAD.test(value)) continue;
    out += `${value.slice(done, at)}'`;
    done = at;
  }
  return out + value.slice(done);
}

export function csvCell(value: unknown): string {
  const s = escapeFormula(value == null ? '' : String(value));
  return /[",;\t\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(values: unknown[]): string {
  return values.map(csvCell).join(',') + '\r\n';
}
