import { ImportError } from './errors.ts';
import {
  createStreamDecoder,
  encodingOf,
  looksBinary,
  parseEncodingName,
  sniffEncoding,
  type StreamDecoder,
  type TextEncodingName,
} from './encoding.ts';
import { createCsvReader, type CsvReader, type Delimiter } from './csv.ts';
import { createContactRowBuilder, type ContactRowBuilder, type ImportPlan, type ParsedContactRow } from './rows.ts';
import { detectFormat } from './format.ts';
import {
  chooseSheet,
  pickSheet,
  readWorkbook,
  sheetRowCount,
  sheetRows,
  SHEET_HEAD_ROWS,
  type SheetLimits,
} from './sheet.ts';
import { openXlsxStream, readHead, type ByteSource, type SheetProgress, type XlsxStreamLimits } from './xlsx-stream.ts';

export interface SourceOptions {
  fileName: string;
  encoding?: string;
  sheet?: string;
  headerRow?: number;
  phoneColumn?: string;
  defaultCountry?: string;
  /** called once, before the first rows, when the header row and phone column are known */
  onPlan?(plan: ImportPlan): void;
  onRows(rows: ParsedContactRow[]): void;
}

export interface ParsedSource {
  plan: ImportPlan;
  rows: number;
  sheet: string | null;
  encoding: TextEncodingName | null;
  delimiter: Delimiter | null;
}

export interface TextImport {
  /** raw bytes of the file, in order; the first chunk should be at least a few KB for sniffing */
  write(bytes: Uint8Array): void;
  end(): ParsedSource;
}

/** The contact-row builder every source feeds, with the caller's header, phone column and callbacks. */
function rowBuilder(opts: SourceOptions): ContactRowBuilder {
  return createContactRowBuilder({
    fileName: opts.fileName,
    headerRow: opts.headerRow,
    phoneColumn: opts.phoneColumn,
    defaultCountry: opts.defaultCountry,
    onPlan: opts.onPlan,
    onRows: opts.onRows,
  });
}

/**
 * CSV/TSV bytes to contact rows, chunk by chunk: sniff the encoding on the first chunk,
 * decode with a streaming decoder, parse strings, find header and phone column.
 */
export function createTextImport(opts: SourceOptions): TextImport {
  let decoder: StreamDecoder | null = null;
  let csv: CsvReader | null = null;
  const builder: ContactRowBuilder = rowBuilder(opts);

  const first = (bytes: Uint8Array) => {
    detectFormat(bytes, opts.fileName); // refuses PDFs, images and archives by magic bytes
    let encoding: TextEncodingName;
    if (opts.encoding) {
      const e = parseEncodingName(opts.encoding);
      if (!e)
        throw new ImportError(
          'IMPORT_ENCODING',
          `The encoding "${opts.encoding}" for ${opts.fileName} is not one SMS Desk knows: use utf-8, utf-16le, utf-16be or windows-1252.`,
        );
      encoding = e;
    } else {
      encoding = encodingOf(sniffEncoding(bytes));
    }
    if (looksBinary(bytes, encoding)) {
      throw new ImportError(
        'IMPORT_BINARY',
        `${opts.fileName} contains binary data, not text: open it in Excel and save it as CSV or XLSX, then import that file.`,
      );
    }
    decoder = createStreamDecoder(encoding, opts.fileName, { asciiFallback: !opts.encoding });
    csv = createCsvReader({ fileName: opts.fileName, onRows: (rows, firstRow) => builder.add(rows, firstRow) });
  };

  return {
    write(bytes) {
      if (bytes.length === 0) return;
      if (!decoder) first(bytes);
      csv!.push(decoder!.write(bytes));
    },
    end() {
      if (decoder && csv) {
        csv.push(decoder.end());
        csv.end();
      }
      const plan = builder.end();
      return {
        plan,
        rows: builder.dataRows,
        sheet: null,
        encoding: decoder ? (decoder as StreamDecoder).encoding : null,
        delimiter: csv ? (csv as CsvReader).delimiter : null,
      };
    },
  };
}

/** Whole text file at once (opt-out lists, small files in the renderer), fed in slices. */
export function parseTextBytes(bytes: Uint8Array, opts: SourceOptions): ParsedSource {
  const t = createTextImport(opts);
  const step = 256 * 1024;
  for (let i = 0; i < bytes.length; i += step) t.write(bytes.subarray(i, i + step));
  return t.end();
}

/** XLSX/XLS/ODS bytes to contact rows, in slices of rows so the caller can store as it goes. */
export function parseSheetBytes(
  bytes: Uint8Array,
  opts: SourceOptions & { limits?: SheetLimits; onProgress?(rowsDone: number, rowsTotal: number): void },
): ParsedSource {
  const wb = readWorkbook(bytes, opts.fileName, opts.limits);
  const sheet = chooseSheet(wb, opts.fileName, opts.sheet, opts.defaultCountry);
  const builder = rowBuilder(opts);
  const total = sheetRowCount(wb, sheet);
  const step = 5000;
  for (let r = 0; r < total; r += step) {
    builder.add(sheetRows(wb, sheet, opts.fileName, r, r + step), r + 1);
    opts.onProgress?.(Math.min(r + step, total), total);
  }
  const plan = builder.end();
  return { plan, rows: builder.dataRows, sheet, encoding: null, delimiter: null };
}

export interface XlsxSourceOptions extends SourceOptions {
  limits?: XlsxStreamLimits;
  /** rows per batch handed to the row builder (5000) */
  batchRows?: number;
  /** the sheet that will be read, before onPlan */
  onSheet?(sheet: string): void;
  /** after each batch, once its contact rows went to onRows: the place to yield, report or cancel (throw) */
  afterBatch?(p: SheetProgress & { contacts: number }): void | Promise<void>;
}

/**
 * An .xlsx streamed (xlsx-stream.ts) to contact rows: the same sheet choice, header detection
 * and cell text as parseSheetBytes, with memory that does not grow with the sheet. Throws
 * NotStreamable, before any row went to onRows, for a file only SheetJS reads.
 */
export async function parseXlsxSource(src: ByteSource, opts: XlsxSourceOptions): Promise<ParsedSource> {
  const wb = await openXlsxStream(src, opts.fileName, opts.limits);
  let sheet: string;
  if (opts.sheet) {
    sheet = pickSheet(wb.sheets, () => [], opts.fileName, opts.sheet, opts.defaultCountry);
  } else if (wb.sheets.length === 1) {
    sheet = wb.sheets[0]; // what pickSheet gives for one sheet, with or without data
  } else {
    const heads = new Map<string, string[][]>();
    for (const name of wb.sheets) heads.set(name, await readHead(wb, name, SHEET_HEAD_ROWS));
    sheet = pickSheet(wb.sheets, (n) => heads.get(n) ?? [], opts.fileName, undefined, opts.defaultCountry);
  }
  opts.onSheet?.(sheet);
  const builder = rowBuilder(opts);
  await wb.readRows(sheet, {
    batchRows: opts.batchRows,
    onRows: async (rows, first, progress) => {
      builder.add(rows, first);
      await opts.afterBatch?.({ ...progress, contacts: builder.dataRows });
    },
  });
  const plan = builder.end();
  return { plan, rows: builder.dataRows, sheet, encoding: null, delimiter: null };
}

/** Any supported file's bytes, dispatched on magic bytes. */
export function parseContactBytes(bytes: Uint8Array, opts: SourceOptions): ParsedSource {
  if (bytes.length === 0) {
    throw new ImportError(
      'IMPORT_EMPTY',
      `${opts.fileName} is empty: choose the file that holds your contacts, with one phone number per row.`,
    );
  }
  const format = detectFormat(bytes, opts.fileName);
  return format === 'text' ? parseTextBytes(bytes, opts) : parseSheetBytes(bytes, opts);
}
