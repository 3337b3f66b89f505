/**
 * Cells that a spreadsheet would run as a formula (=, +, -, @, and tab/CR which some programs
 * strip before looking) get a leading apostrophe, the OWASP advice against CSV injection.
 */
export function escapeFormula(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

export function csvCell(value: unknown): string {
  const s = escapeFormula(value == null ? '' : String(value));
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(values: unknown[]): string {
  return values.map(csvCell).join(',') + '\r\n';
}
