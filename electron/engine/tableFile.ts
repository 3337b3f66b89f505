import fs from 'node:fs';
import path from 'node:path';
import * as XLSX from '@e965/xlsx';
import { csvLine, escapeFormula } from '../../shared/export.ts';

/**
 * Writes a table as CSV (UTF-8 with BOM, which Excel needs for é and ñ) or XLSX, through a
 * temporary file renamed at the end, so a failed export never leaves half a file behind.
 * Text cells that a spreadsheet could run as a formula get a leading apostrophe in both formats,
 * header included, by one rule (shared/export.ts: also at each line start, after a `;` or tab);
 * XLSX cells are text (a phone number never turns into 2.34803E+12), numbers stay numbers.
 */
export function writeTable(file: string, format: 'csv' | 'xlsx', header: string[], rows: Iterable<unknown[]>, sheetName: string): { file: string; rows: number } {
  const target = path.resolve(file);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = `${target}.${process.pid}.tmp`;
  let count = 0;
  try {
    if (format === 'csv') {
      // phone numbers and message texts: readable by the user only, like the ledger
      const fd = fs.openSync(tmp, 'w', 0o600);
      try {
        let buf = '\ufeff' + csvLine(header);
        for (const r of rows) {
          buf += csvLine(r);
          count++;
          if (buf.length > 1 << 20) { fs.writeSync(fd, buf); buf = ''; }
        }
        fs.writeSync(fd, buf);
      } finally {
        fs.closeSync(fd);
      }
    } else {
      // Header cells too: a list's column names come from the imported file.
      const aoa: unknown[][] = [header.map((h) => escapeFormula(h))];
      for (const r of rows) {
        aoa.push(r.map((v) => (typeof v === 'number' ? v : escapeFormula(v == null ? '' : String(v)))));
        count++;
      }
      const wb = XLSX.utils.book_new();
      XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(aoa, { cellDates: false }), sheetName);
      fs.writeFileSync(tmp, XLSX.write(wb, { type: 'buffer', bookType: 'xlsx', compression: true }) as Buffer, { mode: 0o600 });
    }
    fs.renameSync(tmp, target);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  return { file: target, rows: count };
}
