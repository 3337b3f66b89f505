import * as XLSX from '@e965/xlsx';
import { ImportError, MAX_CELL_CHARS } from './errors.ts';
import { checkZipSizes, detectFormat, isEncryptedOle2, otherOfficeDocument, type ZipLimits } from './format.ts';
import { recalcTextFormulas } from './xlsFormula.ts';
import { detectColumns, detectHeaderRow } from './columns.ts';

export type Workbook = XLSX.WorkBook;

export interface SheetLimits extends ZipLimits {
  maxRows: number;
  maxColumns: number;
}
export const DEFAULT_SHEET_LIMITS: SheetLimits = {
  maxUncompressedBytes: 300 * 1024 * 1024,
  maxEntries: 10_000,
  maxRows: 1_048_576,
  maxColumns: 16_384, // Excel's own sheet limits
};

function encrypted(fileName: string): ImportError {
  return new ImportError(
    'IMPORT_ENCRYPTED',
    `${fileName} is protected with a password: open it in Excel, remove the password (File > Info > Protect Workbook), save, then import again.`,
  );
}

/**
 * XLSX, XLS or ODS bytes to a workbook, after the zip-bomb and encryption checks. Cells keep
 * their raw values (numbers stay numbers: 8031234567, never "8.03E+09").
 */
export function readWorkbook(
  bytes: Uint8Array,
  fileName: string,
  limits: SheetLimits = DEFAULT_SHEET_LIMITS,
): Workbook {
  const format = detectFormat(bytes, fileName);
  if (format === 'zip') checkZipSizes(bytes, fileName, limits);
  if (format === 'ole2' && isEncryptedOle2(bytes)) throw encrypted(fileName);
  const other = otherOfficeDocument(bytes, format);
  if (other)
    throw new ImportError(
      'IMPORT_BINARY',
      `${fileName} is ${other}, not a spreadsheet: copy the contacts into Excel or LibreOffice Calc, save them as CSV or XLSX, then import that file.`,
    );
  let wb: Workbook;
  try {
    // .xls formulas are read to work out text results the file may have saved as 0 (xlsFormula.ts)
    wb = XLSX.read(bytes, {
      type: 'array',
      dense: true,
      cellDates: true,
      cellText: false,
      cellHTML: false,
      cellFormula: format === 'ole2',
      cellStyles: false,
      WTF: false,
    });
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (/password|encrypt/i.test(msg)) throw encrypted(fileName);
    throw new ImportError(
      'IMPORT_UNREADABLE',
      `${fileName} could not be read as a spreadsheet (${msg}): open it in Excel or LibreOffice, save it as XLSX or CSV, then import again.`,
    );
  }
  for (const name of wb.SheetNames) {
    if (format === 'ole2') recalcTextFormulas(wb.Sheets[name] as XLSX.DenseSheet);
    const data = (wb.Sheets[name] as XLSX.DenseSheet)['!data'] ?? [];
    let cols = 0;
    for (const r of data) if (r && r.length > cols) cols = r.length;
    if (data.length > limits.maxRows || cols > limits.maxColumns) {
      throw new ImportError(
        'IMPORT_TOO_LARGE',
        `${fileName} has a sheet "${name}" of ${data.length} rows by ${cols} columns, more than SMS Desk will open: delete the empty rows and columns or save the contacts as CSV, then import again.`,
      );
    }
  }
  return wb;
}

export function listSheets(workbook: Workbook): string[] {
  return [...workbook.SheetNames];
}

/** A raw cell as text: whole numbers in full digits, dates as YYYY-MM-DD, errors as empty. */
export function cellText(cell: XLSX.CellObject | undefined | null): string {
  if (!cell || cell.v == null) return '';
  const v = cell.v;
  switch (cell.t) {
    case 'n': {
      const n = v as number;
      if (Number.isInteger(n)) return Math.abs(n) < 1e21 ? n.toFixed(0) : BigInt(n).toString();
      return String(n);
    }
    case 'b':
      return v ? 'TRUE' : 'FALSE';
    case 'd': {
      const d = v instanceof Date ? v : new Date(v as string);
      if (Number.isNaN(d.getTime())) return '';
      const iso = d.toISOString();
      return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.slice(0, 19).replace('T', ' ');
    }
    case 'e':
      return '';
    case 's':
    case 'z':
    default:
      return String(v); // default: a type the file made up
  }
}

/** Rows of one sheet as text, row i of the result being sheet row i + 1; the cell limit applies. */
export function sheetRows(
  workbook: Workbook,
  sheetName: string,
  fileName: string,
  from = 0,
  to = Infinity,
): string[][] {
  const sheet = workbook.Sheets[sheetName] as XLSX.DenseSheet | undefined;
  const data = sheet?.['!data'] ?? [];
  const out: string[][] = [];
  const end = Math.min(data.length, to);
  for (let r = from; r < end; r++) {
    const row = data[r];
    const cells: string[] = [];
    if (row) {
      for (let c = 0; c < row.length; c++) {
        const t = cellText(row[c]);
        if (t.length > MAX_CELL_CHARS) {
          throw new ImportError(
            'IMPORT_CELL_TOO_LONG',
            `${fileName} has a cell longer than ${MAX_CELL_CHARS.toLocaleString('en-US')} characters on row ${r + 1} of sheet "${sheetName}": shorten that cell, then import again.`,
          );
        }
        cells.push(t);
      }
    }
    out.push(cells);
  }
  return out;
}

export function sheetRowCount(workbook: Workbook, sheetName: string): number {
  return ((workbook.Sheets[sheetName] as XLSX.DenseSheet | undefined)?.['!data'] ?? []).length;
}

/**
 * The requested sheet (by name, case-insensitive), or the first sheet holding a phone-like
 * column, or the first sheet with any data.
 */
export function chooseSheet(workbook: Workbook, fileName: string, requested?: string, defaultCountry = 'NG'): string {
  return pickSheet(
    listSheets(workbook),
    (name) => sheetRows(workbook, name, fileName, 0, SHEET_HEAD_ROWS),
    fileName,
    requested,
    defaultCountry,
  );
}

/** Rows of each sheet that chooseSheet looks at. */
export const SHEET_HEAD_ROWS = 60;

/** chooseSheet over any reader: `head(name)` gives the sheet's first SHEET_HEAD_ROWS rows. */
export function pickSheet(
  names: string[],
  head: (name: string) => string[][],
  fileName: string,
  requested?: string,
  defaultCountry = 'NG',
): string {
  if (requested) {
    const found =
      names.find((n) => n === requested) ?? names.find((n) => n.toLowerCase() === requested.trim().toLowerCase());
    if (!found)
      throw new ImportError(
        'IMPORT_NO_SHEET',
        `${fileName} has no sheet called "${requested}": choose one of ${names.map((n) => `"${n}"`).join(', ')}.`,
      );
    return found;
  }
  let firstWithData: string | null = null;
  for (const name of names) {
    const rows = head(name);
    if (!rows.some((r) => r.some((c) => c.trim() !== ''))) continue;
    firstWithData ??= name;
    const h = detectHeaderRow(rows);
    const { phoneColumn } = detectColumns(h >= 0 ? rows[h] : [], rows.slice(h + 1), defaultCountry);
    if (phoneColumn >= 0) return name;
  }
  return firstWithData ?? names[0] ?? '';
}
