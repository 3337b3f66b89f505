/**
 * A contact file as a source of string rows, for the parsing worker. CSV is streamed (memory stays
 * flat however long the file is); spreadsheets are read whole by SheetJS, which is how the format works.
 */
import * as XLSX from '@e965/xlsx';
import { createCsvReader } from '../../../shared/import/csv.ts';
import { createStreamDecoder, encodingOf, looksBinary, sniffEncoding, type TextEncodingName } from '../../../shared/import/encoding.ts';
import { looksLikePhone } from '../../../shared/import/columns.ts';
import type { SheetInfo } from './protocol.ts';

/** Called with consecutive rows; resolves when the consumer wants more (backpressure). */
export type RowSink = (rows: string[][], firstRow: number, progress: { done: number; total: number }) => Promise<void>;

export interface Source {
  kind: 'csv' | 'sheet';
  sheets: SheetInfo[];
  encoding: TextEncodingName | null;
  /** the first `n` rows of a sheet (CSV: of the file) */
  head(sheet: string | null, n: number): Promise<string[][]>;
  rowCount(sheet: string | null): number | null;
  /** every row of the sheet from the top, in order */
  stream(sheet: string | null, sink: RowSink, signal: { cancelled: boolean }): Promise<void>;
  /** the sheet most likely to hold the contacts, and why */
  bestSheet(): Promise<{ sheet: string | null; reason: string }>;
}

const SPREADSHEET = /\.(xlsx|xlsm|xlsb|xls|ods|fods|numbers)$/i;
const ZIP = [0x50, 0x4b, 0x03, 0x04];
const OLE = [0xd0, 0xcf, 0x11, 0xe0];

function startsWith(bytes: Uint8Array, sig: number[]): boolean {
  return sig.every((b, i) => bytes[i] === b);
}

export async function openSource(file: File): Promise<Source> {
  if (file.size === 0) throw new Error(`${file.name} is empty: choose the file that holds your contacts.`);
  const head = new Uint8Array(await file.slice(0, 65536).arrayBuffer());
  if (SPREADSHEET.test(file.name) || startsWith(head, ZIP) || startsWith(head, OLE)) return openSheet(file);
  return openCsv(file, head);
}

function cellText(c: XLSX.CellObject | undefined): string {
  if (!c || c.v == null) return '';
  // Numbers as digits, never "2.34803E+12": phone numbers are often stored as numbers in Excel.
  if (c.t === 'n' && typeof c.v === 'number' && Number.isInteger(c.v)) return String(c.v);
  if (c.t === 'b') return c.v ? 'TRUE' : 'FALSE';
  if (c.w != null) return c.w;
  return String(c.v);
}

async function openSheet(file: File): Promise<Source> {
  let wb: XLSX.WorkBook;
  try {
    wb = XLSX.read(new Uint8Array(await file.arrayBuffer()), { type: 'array', dense: true, cellDates: false, cellHTML: false, cellFormula: false });
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (/password|encrypt/i.test(msg)) throw new Error(`${file.name} is protected by a password: open it in Excel, remove the password (File → Info → Protect Workbook), save, and import again.`);
    throw new Error(`${file.name} could not be read as a spreadsheet: open it in Excel or LibreOffice and save it again as .xlsx or .csv.`);
  }
  const rows = (name: string): string[][] => {
    const ws = wb.Sheets[name];
    if (!ws || !ws['!ref']) return [];
    const range = XLSX.utils.decode_range(ws['!ref']);
    const data = (ws as unknown as { '!data'?: XLSX.CellObject[][] })['!data'] ?? [];
    const out: string[][] = [];
    for (let r = range.s.r; r <= range.e.r; r++) {
      const src = data[r] ?? [];
      const row: string[] = [];
      for (let c = range.s.c; c <= range.e.c; c++) row.push(cellText(src[c]));
      while (row.length > 0 && row[row.length - 1] === '') row.pop();
      out.push(row);
    }
    return out;
  };
  const cache = new Map<string, string[][]>();
  const get = (name: string | null) => {
    const n = name ?? wb.SheetNames[0];
    let r = cache.get(n);
    if (!r) { r = rows(n); cache.set(n, r); }
    return r;
  };
  const sheets: SheetInfo[] = wb.SheetNames.map((name) => ({ name, rows: get(name).length }));
  return {
    kind: 'sheet', sheets, encoding: null,
    async head(sheet, n) { return get(sheet).slice(0, n); },
    rowCount(sheet) { return get(sheet).length; },
    async stream(sheet, sink, signal) {
      const all = get(sheet);
      const step = 2000;
      for (let i = 0; i < all.length && !signal.cancelled; i += step) {
        await sink(all.slice(i, i + step), i + 1, { done: Math.min(all.length, i + step), total: all.length });
      }
    },
    async bestSheet() {
      if (sheets.length === 0) throw new Error(`${file.name} has no sheets: open it in Excel and check that it holds your contacts.`);
      if (sheets.length === 1) return { sheet: sheets[0].name, reason: `Sheet “${sheets[0].name}”, the only one in the file.` };
      let best = sheets[0].name;
      let bestScore = -1;
      for (const s of sheets) {
        const sample = get(s.name).slice(0, 60);
        let phones = 0;
        for (const r of sample) for (const c of r) if (looksLikePhone(c)) phones++;
        if (phones > bestScore) { best = s.name; bestScore = phones; }
      }
      return bestScore > 0
        ? { sheet: best, reason: `Sheet “${best}” of ${sheets.length}: it has the most phone numbers.` }
        : { sheet: best, reason: `Sheet “${best}” of ${sheets.length}: no sheet has phone-like numbers in its first rows, so the first was taken.` };
    },
  };
}

async function openCsv(file: File, head: Uint8Array): Promise<Source> {
  const encoding = encodingOf(sniffEncoding(head));
  if (looksBinary(head, encoding)) {
    throw new Error(`${file.name} is not a text or spreadsheet file: open it in Excel and save it as CSV or XLSX, then import that file.`);
  }
  const readRows = async (limit: number | null, sink: RowSink | null, signal: { cancelled: boolean }): Promise<string[][]> => {
    const decoder = createStreamDecoder(encoding, file.name);
    const collected: string[][] = [];
    let queue: Array<{ rows: string[][]; first: number }> = [];
    const reader = createCsvReader({
      fileName: file.name,
      onRows(rows, first) {
        if (limit !== null) { for (const r of rows) if (collected.length < limit) collected.push(r); }
        else queue.push({ rows, first });
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
        if (limit !== null && collected.length >= limit) return collected;
        if (sink) {
          const q = queue; queue = [];
          for (const b of q) await sink(b.rows, b.first, { done: bytes, total: file.size });
        }
      }
      reader.push(decoder.end());
      reader.end();
      if (sink) for (const b of queue) await sink(b.rows, b.first, { done: file.size, total: file.size });
      return collected;
    } finally {
      void stream.cancel().catch(() => undefined);
    }
  };
  let headCache: string[][] | null = null;
  return {
    kind: 'csv', sheets: [], encoding,
    async head(_sheet, n) {
      if (!headCache || headCache.length < n) headCache = await readRows(n, null, { cancelled: false });
      return headCache.slice(0, n);
    },
    rowCount: () => null,
    async stream(_sheet, sink, signal) { await readRows(null, sink, signal); },
    async bestSheet() { return { sheet: null, reason: `Text file read as ${encoding.toUpperCase()}.` }; },
  };
}
