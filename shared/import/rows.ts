import { ImportError, noContactsBelowHeader } from './errors.ts';
import { columnLetter, detectColumns, detectHeaderRow, fieldNames, headerKey } from './columns.ts';

/** One row handed to an import after parsing: the raw phone cell and every other cell by header (imports.add takes these). */
export interface RawContactRow {
  row: number;
  phone: string;
  fields: Record<string, string>;
}
/** the parser's name for the same row */
export type ParsedContactRow = RawContactRow;

export interface ImportPlan {
  /** 1-based row number of the header in the file or sheet; 0 when the file has no header */
  headerRow: number;
  /** merge-field names in column order (the phone column included) */
  fields: string[];
  phoneIndex: number;
  phoneColumn: string;
  nameColumns: string[];
}

export interface RowBuilderOptions {
  fileName: string;
  /** 1-based header row chosen by the user; detected when absent */
  headerRow?: number;
  /** header name, column letter ("C") or 1-based column number chosen by the user */
  phoneColumn?: string;
  defaultCountry?: string;
  onPlan?(plan: ImportPlan): void;
  onRows(rows: ParsedContactRow[]): void;
}

export interface ContactRowBuilder {
  /** consecutive rows; firstRow is the 1-based row number of rows[0] */
  add(rows: string[][], firstRow: number): void;
  end(): ImportPlan;
  readonly plan: ImportPlan | null;
  readonly dataRows: number;
}

const SAMPLE_ROWS = 60;

function isBlank(row: string[]): boolean {
  for (const c of row) if (c != null && c !== '' && String(c).trim() !== '') return false;
  return true;
}

/**
 * Rows (from CSV or a sheet) to contact rows. Buffers the first rows to find the header and
 * the phone column, then streams: memory stays flat however long the file is.
 */
export function createContactRowBuilder(opts: RowBuilderOptions): ContactRowBuilder {
  let buffered: Array<{ row: number; cells: string[] }> = [];
  let plan: ImportPlan | null = null;
  let dataRows = 0;
  let anyRow = false;

  const makePlan = () => {
    const rows = buffered.map((b) => b.cells);
    let headerIndex: number;
    if (opts.headerRow !== undefined && opts.headerRow > 0) {
      headerIndex = buffered.findIndex((b) => b.row === opts.headerRow);
      if (headerIndex === -1) {
        throw new ImportError(
          'IMPORT_NO_ROWS',
          `${opts.fileName} has no row ${opts.headerRow} to use as the header: choose a header row between 1 and ${buffered.length ? buffered[buffered.length - 1].row : 1}.`,
        );
      }
    } else if (opts.headerRow === 0) {
      headerIndex = -1;
    } else {
      headerIndex = detectHeaderRow(rows);
    }
    const header = headerIndex >= 0 ? rows[headerIndex] : [];
    const sample = rows.slice(headerIndex + 1).filter((r) => !isBlank(r));
    const width = Math.max(header.length, ...sample.map((r) => r.length), 1);
    const fields = fieldNames(header, width);
    let phoneIndex: number;
    if (opts.phoneColumn) {
      phoneIndex = findColumn(opts.phoneColumn, fields, width);
      if (phoneIndex < 0) {
        throw new ImportError(
          'IMPORT_NO_PHONE_COLUMN',
          `${opts.fileName} has no column called "${opts.phoneColumn}": choose one of ${fields.map((f) => `"${f}"`).join(', ')}.`,
        );
      }
    } else {
      phoneIndex = detectColumns(header, sample, opts.defaultCountry).phoneColumn;
      if (phoneIndex < 0) {
        throw new ImportError(
          'IMPORT_NO_PHONE_COLUMN',
          `${opts.fileName} has no column that looks like phone numbers: name the column "Phone" or choose it by name (columns: ${fields.map((f) => `"${f}"`).join(', ')}).`,
        );
      }
    }
    const { nameColumns } = detectColumns(header, [], opts.defaultCountry);
    plan = {
      headerRow: headerIndex >= 0 ? buffered[headerIndex].row : 0,
      fields,
      phoneIndex,
      phoneColumn: fields[phoneIndex],
      nameColumns: nameColumns.filter((c) => c !== phoneIndex).map((c) => fields[c]),
    };
    opts.onPlan?.(plan);
    const rest = buffered.slice(headerIndex + 1);
    buffered = [];
    emit(rest);
  };

  const emit = (rows: Array<{ row: number; cells: string[] }>) => {
    const p = plan!;
    const out: ParsedContactRow[] = [];
    for (const { row, cells } of rows) {
      if (isBlank(cells)) continue;
      const fields: Record<string, string> = {};
      for (let c = 0; c < p.fields.length; c++) fields[p.fields[c]] = cells[c] == null ? '' : String(cells[c]);
      out.push({ row, phone: fields[p.phoneColumn], fields });
    }
    dataRows += out.length;
    if (out.length) opts.onRows(out);
  };

  return {
    add(rows, firstRow) {
      if (rows.length === 0) return;
      anyRow ||= rows.some((r) => !isBlank(r));
      if (plan) {
        emit(rows.map((cells, i) => ({ row: firstRow + i, cells })));
        return;
      }
      for (let i = 0; i < rows.length; i++) buffered.push({ row: firstRow + i, cells: rows[i] });
      // enough rows to judge, and past the header row the user chose
      const last = buffered[buffered.length - 1].row;
      if ((opts.headerRow ?? 0) < last - 10 && buffered.filter((b) => !isBlank(b.cells)).length >= SAMPLE_ROWS)
        makePlan();
    },
    end() {
      if (!anyRow) {
        throw new ImportError(
          'IMPORT_EMPTY',
          `${opts.fileName} is empty: choose the file that holds your contacts, with one phone number per row.`,
        );
      }
      if (!plan) makePlan();
      if (dataRows === 0) {
        throw noContactsBelowHeader(opts.fileName, plan!.headerRow);
      }
      return plan!;
    },
    get plan() {
      return plan;
    },
    get dataRows() {
      return dataRows;
    },
  };
}

function findColumn(wanted: string, fields: string[], width: number): number {
  const key = headerKey(wanted);
  const byName = fields.findIndex((f) => headerKey(f) === key);
  if (byName >= 0) return byName;
  if (/^[A-Za-z]{1,3}$/.test(wanted.trim())) {
    for (let c = 0; c < width; c++) if (columnLetter(c) === wanted.trim().toUpperCase()) return c;
  }
  if (/^\d+$/.test(wanted.trim())) {
    const n = Number(wanted.trim()) - 1;
    if (n >= 0 && n < width) return n;
  }
  return -1;
}
