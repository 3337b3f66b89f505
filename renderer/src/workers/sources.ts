/**
 * A contact file as a source of string rows, for the parsing worker. CSV is streamed (memory stays
 * flat however long the file is), and so is .xlsx (shared/import/xlsx-stream.ts: the sheet is
 * inflated and scanned piece by piece from the File); .xls, .ods and the .xlsx the streaming reader
 * hands back (strict OOXML, xlsb, ZIP64) are read whole by SheetJS.
 *
 * Same checks and the same one-sentence errors as `smsdesk import` (shared/import): format by magic
 * bytes, zip bombs inflated-and-counted before SheetJS sees them, password-protected workbooks refused,
 * sheets walked by their real cells (never by the declared `!ref`, which may claim 17 billion cells).
 * createTextImport is not used for CSV because it bundles the contact-row builder, which would
 * re-decide the header and phone column; here the user's mapping from the preview must win.
 */
import {
  NotStreamable,
  blobSource,
  checkZipInflation,
  createCsvReader,
  createStreamDecoder,
  detectFormat,
  encodingOf,
  looksBinary,
  looksLikePhone,
  openXlsxStream,
  readHead,
  readWorkbook,
  sheetRowCount,
  sheetRows,
  sniffEncoding,
  type StreamedWorkbook,
  type TextEncodingName,
  type Workbook,
} from '../../../shared/import/index.ts';
import type { SheetInfo } from './protocol.ts';

/** Called with consecutive rows; resolves when the consumer wants more (backpressure). */
export type RowSink = (rows: string[][], firstRow: number, progress: { done: number; total: number }) => Promise<void>;

export interface Source {
  kind: 'csv' | 'sheet';
  sheets: SheetInfo[];
  /** CSV: the encoding read so far (a guessed UTF-8 may turn out to be windows-1252 further down) */
  readonly encoding: TextEncodingName | null;
  /** the first `n` rows of a sheet (CSV: of the file) */
  head(sheet: string | null, n: number): Promise<string[][]>;
  rowCount(sheet: string | null): number | null;
  /** every row of the sheet from the top, in order */
  stream(sheet: string | null, sink: RowSink, signal: { cancelled: boolean }): Promise<void>;
  /** the sheet most likely to hold the contacts, and why */
  bestSheet(): Promise<{ sheet: string | null; reason: string }>;
}

/** Rows handed to the sink at a time when streaming a sheet (the page stores them per chunk). */
export const SHEET_STEP = 2000;
const SNIFF_BYTES = 65536;

export async function openSource(file: File): Promise<Source> {
  if (file.size === 0) throw new Error(`${file.name} is empty: choose the file that holds your contacts.`);
  const head = new Uint8Array(await file.slice(0, SNIFF_BYTES).arrayBuffer());
  const format = detectFormat(head, file.name); // PDFs, images and archives refused here
  if (format === 'text') return openCsv(file, head);
  if (format === 'zip') {
    try {
      return await openStreamedSheet(file.name, await openXlsxStream(blobSource(file), file.name));
    } catch (e) {
      if (!(e instanceof NotStreamable)) throw e; // else SheetJS below, with its whole-file checks
    }
  }
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (format === 'zip') await checkZipInflation(bytes, file.name);
  return openSheet(file.name, readWorkbook(bytes, file.name));
}

/** Trailing blank cells (formatted but empty) would show as blank columns in the mapping step. */
function trimRow(row: string[]): string[] {
  let n = row.length;
  while (n > 0 && row[n - 1] === '') n--;
  return n === row.length ? row : row.slice(0, n);
}

export function openSheet(fileName: string, wb: Workbook): Source {
  const first = wb.SheetNames[0] ?? '';
  const name = (sheet: string | null) => sheet ?? first;
  const sheets: SheetInfo[] = wb.SheetNames.map((n) => ({ name: n, rows: sheetRowCount(wb, n) }));
  return {
    kind: 'sheet',
    sheets,
    encoding: null,
    async head(sheet, n) {
      return sheetRows(wb, name(sheet), fileName, 0, n).map(trimRow);
    },
    rowCount(sheet) {
      return sheetRowCount(wb, name(sheet));
    },
    async stream(sheet, sink, signal) {
      const s = name(sheet);
      const total = sheetRowCount(wb, s);
      for (let i = 0; i < total && !signal.cancelled; i += SHEET_STEP) {
        await sink(sheetRows(wb, s, fileName, i, i + SHEET_STEP), i + 1, {
          done: Math.min(total, i + SHEET_STEP),
          total,
        });
      }
    },
    async bestSheet() {
      return bestOf(fileName, sheets, (n) => sheetRows(wb, n, fileName, 0, 60));
    },
  };
}

/** Best sheet by phone-like cells in the first rows. */
function bestOf(
  fileName: string,
  sheets: SheetInfo[],
  heads: (name: string) => string[][],
): { sheet: string | null; reason: string } {
  if (sheets.length === 0)
    throw new Error(`${fileName} has no sheets: open it in Excel and check that it holds your contacts.`);
  if (sheets.length === 1)
    return { sheet: sheets[0].name, reason: `Sheet “${sheets[0].name}”, the only one in the file.` };
  let best = sheets[0].name;
  let bestScore = -1;
  for (const s of sheets) {
    let phones = 0;
    for (const r of heads(s.name)) for (const c of r) if (looksLikePhone(c)) phones++;
    if (phones > bestScore) {
      best = s.name;
      bestScore = phones;
    }
  }
  return bestScore > 0
    ? { sheet: best, reason: `Sheet “${best}” of ${sheets.length}: it has the most phone numbers.` }
    : {
        sheet: best,
        reason: `Sheet “${best}” of ${sheets.length}: no sheet has phone-like numbers in its first rows, so the first was taken.`,
      };
}

const HEAD_CACHE = 60;

/**
 * An .xlsx read by the streaming reader. Each sheet is scanned once on opening to count its rows
 * (the page shows them; the declared <dimension> may claim the whole grid) and to meet a bad cell
 * before the mapping step rather than halfway through the import; memory stays flat throughout.
 */
async function openStreamedSheet(fileName: string, wb: StreamedWorkbook): Promise<Source> {
  const first = wb.sheets[0] ?? '';
  const name = (sheet: string | null) => sheet ?? first;
  const sheets: SheetInfo[] = [];
  const heads = new Map<string, string[][]>();
  for (const n of wb.sheets) {
    const head: string[][] = [];
    const { lastRow } = await wb.readRows(n, {
      batchRows: SHEET_STEP,
      onRows: (rows) => {
        for (const r of rows) if (head.length < HEAD_CACHE) head.push(r);
      },
    });
    heads.set(n, head);
    sheets.push({ name: n, rows: lastRow });
  }
  const rows = (sheet: string) => sheets.find((s) => s.name === sheet)?.rows ?? 0;
  return {
    kind: 'sheet',
    sheets,
    encoding: null,
    async head(sheet, n) {
      const s = name(sheet);
      const cached = heads.get(s);
      return (cached && n <= HEAD_CACHE ? cached.slice(0, n) : await readHead(wb, s, n)).map(trimRow);
    },
    rowCount(sheet) {
      return rows(name(sheet));
    },
    async stream(sheet, sink, signal) {
      const s = name(sheet);
      const total = rows(s);
      if (signal.cancelled) return;
      await wb.readRows(s, {
        batchRows: SHEET_STEP,
        async onRows(batch, firstRow) {
          await sink(batch, firstRow, { done: Math.min(total, firstRow + batch.length - 1), total });
          return !signal.cancelled;
        },
      });
    },
    async bestSheet() {
      return bestOf(fileName, sheets, (n) => heads.get(n) ?? []);
    },
  };
}

function openCsv(file: File, head: Uint8Array): Source {
  // Guessed from the first 64 KB, so the decoder may fall back to windows-1252 later on:
  // an Excel "CSV (Comma delimited)" whose first accented name is on row 5,000.
  let encoding = encodingOf(sniffEncoding(head));
  if (looksBinary(head, encoding)) {
    throw new Error(
      `${file.name} contains binary data, not text: open it in Excel and save it as CSV or XLSX, then import that file.`,
    );
  }
  const readRows = async (
    limit: number | null,
    sink: RowSink | null,
    signal: { cancelled: boolean },
  ): Promise<string[][]> => {
    const decoder = createStreamDecoder(encoding, file.name, { asciiFallback: true });
    const collected: string[][] = [];
    let queue: Array<{ rows: string[][]; first: number }> = [];
    const reader = createCsvReader({
      fileName: file.name,
      onRows(rows, first) {
        if (limit !== null) {
          for (const r of rows) if (collected.length < limit) collected.push(r);
        } else queue.push({ rows, first });
      },
    });
    const stream = file.stream().getReader();
    let bytes = 0;
    try {
      for (;;) {
        if (signal.cancelled) return collected;
        const { value, done } = await stream.read();
        if (done) break;
        bytes += value.length;
        reader.push(decoder.write(value));
        encoding = decoder.encoding;
        if (limit !== null && collected.length >= limit) return collected;
        if (sink) {
          const q = queue;
          queue = [];
          for (const b of q) await sink(b.rows, b.first, { done: bytes, total: file.size });
        }
      }
      reader.push(decoder.end());
      encoding = decoder.encoding;
      reader.end();
      if (sink) for (const b of queue) await sink(b.rows, b.first, { done: file.size, total: file.size });
      return collected;
    } finally {
      void stream.cancel().catch(() => undefined);
    }
  };
  let headCache: string[][] | null = null;
  return {
    kind: 'csv',
    sheets: [],
    get encoding() {
      return encoding;
    },
    async head(_sheet, n) {
      if (!headCache || headCache.length < n) headCache = await readRows(n, null, { cancelled: false });
      return headCache.slice(0, n);
    },
    rowCount: () => null,
    async stream(_sheet, sink, signal) {
      await readRows(null, sink, signal);
    },
    async bestSheet() {
      return { sheet: null, reason: `Text file read as ${encoding.toUpperCase()}.` };
    },
  };
}
