import fs from 'node:fs';
import path from 'node:path';
import * as XLSX from '@e965/xlsx';
import { csvLine } from '../../shared/export.ts';
import { excelLocalSerial, localStamp } from '../../shared/localTime.ts';

/**
 * Writes a table as CSV (UTF-8 with BOM, which Excel needs for é and ñ) or XLSX, through a
 * temporary file renamed at the end, so a failed export never leaves half a file behind.
 * A Date is a moment: in XLSX a real date cell (a serial number with a date format) holding the
 * user's local wall-clock time, since Excel dates have no zone; in CSV local time with its offset
 * ("2026-12-01 08:25:49 +01:00"), so the text names the instant and a person can read it.
 * CSV text cells that a spreadsheet could run as a formula get a leading apostrophe, header
 * included, by one rule (shared/export.ts: also at each line start, after a `;` or tab). XLSX
 * needs none: a cell typed as a string is never a formula (a formula is a cell's `<f>` element,
 * which is never written), so "+2348031234567" and "=1+1" stay exactly the text they are, and a
 * phone number never turns into 2.34803E+12. Numbers stay numbers.
 */
export function writeTable(
  file: string,
  format: 'csv' | 'xlsx',
  header: string[],
  rows: Iterable<unknown[]>,
  sheetName: string,
): { file: string; rows: number } {
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
          buf += csvLine(r.map((v) => (v instanceof Date ? localStamp(v.getTime()) : v)));
          count++;
          if (buf.length > 1 << 20) {
            fs.writeSync(fd, buf);
            buf = '';
          }
        }
        fs.writeSync(fd, buf);
      } finally {
        fs.closeSync(fd);
      }
    } else {
      const aoa: unknown[][] = [header.map(textCell)];
      for (const r of rows) {
        aoa.push(r.map(xlsxCell));
        count++;
      }
      const wb = XLSX.utils.book_new();
      XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(aoa, { cellDates: false }), sheetName);
      fs.writeFileSync(tmp, XLSX.write(wb, { type: 'buffer', bookType: 'xlsx', compression: true }) as Buffer, {
        mode: 0o600,
      });
    }
    fs.renameSync(tmp, target);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  return { file: target, rows: count };
}

/** Excel shows this with the date and the seconds whatever the user's locale. */
export const XLSX_DATE_FORMAT = 'yyyy-mm-dd hh:mm:ss';

const textCell = (v: unknown): XLSX.CellObject => ({ t: 's', v: v == null ? '' : String(v) });

function xlsxCell(v: unknown): XLSX.CellObject {
  if (typeof v === 'number') return { t: 'n', v };
  if (v instanceof Date) return { t: 'n', v: excelLocalSerial(v.getTime()), z: XLSX_DATE_FORMAT };
  return textCell(v);
}
