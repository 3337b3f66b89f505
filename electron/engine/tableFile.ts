import fs from 'node:fs';
import path from 'node:path';
import { csvLine } from '../../shared/export.ts';
import { localStamp } from '../../shared/localTime.ts';
import { UserError } from './errors.ts';
import { SheetFullError, writeXlsxFile } from './xlsxWrite.ts';
import type { ExportResult } from '../../shared/exports.ts';

let writes = 0;

/** Rows an export reads at a time (a few ms of the engine's thread), the event loop turning between pages. */
export const EXPORT_PAGE = 2000;

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
 * phone number never turns into 2.34803E+12. Numbers stay numbers. Both formats are written as
 * the rows come, a page (an array of rows) at a time (an XLSX sheet's XML is never held whole:
 * xlsxWrite.ts), so a million rows cost little memory, and an async source of pages lets the
 * engine go on between them. An XLSX text cell longer than Excel holds (32,767 characters) is cut
 * to fit, or Excel would call the file damaged; `cutCells` counts them (always 0 for CSV, which
 * keeps every character) so the caller can say so and point to CSV for the whole text.
 */
export async function writeTable(
  file: string,
  format: 'csv' | 'xlsx',
  header: string[],
  pages: Iterable<unknown[][]> | AsyncIterable<unknown[][]>,
  sheetName: string,
): Promise<ExportResult> {
  const target = path.resolve(file);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  // its own name per call: two exports to one path can now overlap (each renames its own at the end)
  const tmp = `${target}.${process.pid}-${++writes}.tmp`;
  let count = 0;
  let cutCells = 0;
  try {
    if (format === 'csv') {
      // phone numbers and message texts: readable by the user only, like the ledger
      const fh = await fs.promises.open(tmp, 'w', 0o600);
      try {
        let buf = '\ufeff' + csvLine(header);
        for await (const page of pages) {
          for (const r of page) buf += csvLine(r.map((v) => (v instanceof Date ? localStamp(v.getTime()) : v)));
          count += page.length;
          if (buf.length > 1 << 20) {
            await fh.write(buf);
            buf = '';
          }
        }
        await fh.write(buf);
      } finally {
        await fh.close();
      }
    } else {
      try {
        ({ rows: count, cutCells } = await writeXlsxFile(tmp, sheetName, header, pages));
      } catch (e) {
        if (!(e instanceof SheetFullError)) throw e;
        throw new UserError(
          'TOO_MANY_ROWS',
          `${path.basename(target)}: this has ${e.message}. Export it as CSV instead: a CSV holds every row.`,
        );
      }
    }
    fs.renameSync(tmp, target);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  return { file: target, rows: count, cutCells };
}
