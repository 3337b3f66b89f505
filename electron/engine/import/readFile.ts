import fs from 'node:fs';
import zlib from 'node:zlib';
import { Duplex } from 'node:stream';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import {
  ImportError,
  NotStreamable,
  baseName,
  checkZipInflation,
  chooseSheet,
  createContactRowBuilder,
  createTextImport,
  detectFormat,
  parseXlsxSource,
  readWorkbook,
  sheetRowCount,
  sheetRows,
  type ByteSource,
  type ImportPlan,
  type ParsedContactRow,
  type ParsedSource,
} from '../../../shared/import/index.ts';

export interface ReadFileOptions {
  encoding?: string;
  sheet?: string;
  headerRow?: number;
  phoneColumn?: string;
  defaultCountry?: string;
  signal?: AbortSignal;
  /** called once, before the first rows, when the header and phone column are known */
  onPlan?(plan: ImportPlan): void;
  /** spreadsheets only: the sheet that will be read, before onPlan */
  onSheet?(sheet: string): void;
  /** contact rows in file order; synchronous, so the caller can store them before more are read */
  onRows(rows: ParsedContactRow[]): void;
  /** after each read's rows went to onRows, before the next read: where the caller stores them in slices, yielding between */
  afterRows?(): Promise<void>;
  onProgress?(p: { rows: number; bytesRead: number; totalBytes: number }): void;
}

// Each chunk is parsed and stored synchronously: 64 KB keeps every stretch of event-loop time short.
const READ_CHUNK = 64 * 1024;
const SHEET_SLICE = 5000;
// .xls, .ods and the .xlsx the streaming reader hands back are read whole by SheetJS (no
// streaming reader), which needs several times the file in memory; CSV and streamed .xlsx have
// no such limit (the streamed sheet's own limits are in shared/import/xlsx-stream.ts).
const MAX_SPREADSHEET_BYTES = 150 * 1024 * 1024;

export function cancelledError(fileName: string): ImportError {
  return new ImportError('IMPORT_CANCELLED', `The import of ${fileName} was cancelled; no list was created.`);
}

/**
 * Reads a contact file from disk. CSV/TSV streams (read stream -> streaming decoder -> CSV
 * reader), so a million-row file never sits in memory; spreadsheets are read whole, after the
 * zip-bomb checks, and handed over in slices with the event loop free in between.
 */
export async function readContactFile(file: string, opts: ReadFileOptions): Promise<ParsedSource> {
  const fileName = baseName(file);
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(file);
  } catch {
    throw new ImportError(
      'IMPORT_NOT_FOUND',
      `Cannot open ${fileName}: check that the file exists and that SMS Desk may read it.`,
    );
  }
  if (stat.isDirectory())
    throw new ImportError(
      'IMPORT_NOT_FOUND',
      `${fileName} is a folder, not a file: choose the contact file inside it.`,
    );
  if (stat.size === 0)
    throw new ImportError(
      'IMPORT_EMPTY',
      `${fileName} is empty: choose the file that holds your contacts, with one phone number per row.`,
    );
  const totalBytes = stat.size;
  const abortCheck = () => {
    if (opts.signal?.aborted) throw cancelledError(fileName);
  };
  abortCheck();

  const head = new Uint8Array(8);
  const fh = await fs.promises.open(file, 'r');
  try {
    await fh.read(head, 0, 8, 0);
  } finally {
    await fh.close();
  }
  const format = detectFormat(head, fileName);
  let rows = 0;
  const onRows = (r: ParsedContactRow[]) => {
    rows += r.length;
    opts.onRows(r);
  };

  if (format === 'text') {
    const text = createTextImport({
      fileName,
      encoding: opts.encoding,
      headerRow: opts.headerRow,
      phoneColumn: opts.phoneColumn,
      defaultCountry: opts.defaultCountry,
      onPlan: opts.onPlan,
      onRows,
    });
    let bytesRead = 0;
    const stream = fs.createReadStream(file, { highWaterMark: READ_CHUNK });
    try {
      for await (const chunk of stream) {
        abortCheck();
        const bytes = chunk as Buffer;
        bytesRead += bytes.length;
        text.write(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
        await opts.afterRows?.();
        opts.onProgress?.({ rows, bytesRead, totalBytes });
      }
    } finally {
      stream.destroy();
    }
    abortCheck();
    const parsed = text.end();
    opts.onProgress?.({ rows, bytesRead, totalBytes });
    return parsed;
  }

  if (format === 'zip') {
    // .xlsx streamed: the sheet is inflated and scanned piece by piece, never held whole
    const fh = await fs.promises.open(file, 'r');
    try {
      const src: ByteSource = {
        size: stat.size,
        async read(offset, length) {
          const buf = new Uint8Array(length);
          const { bytesRead } = await fh.read(buf, 0, length, offset);
          return bytesRead === length ? buf : buf.subarray(0, bytesRead);
        },
        // 1 MB per trip to zlib's thread instead of DecompressionStream's 16 KB
        inflateRaw: () =>
          Duplex.toWeb(zlib.createInflateRaw({ chunkSize: 1 << 20 })) as unknown as {
            readable: ReadableStream<Uint8Array>;
            writable: WritableStream<Uint8Array>;
          },
      };
      return await parseXlsxSource(src, {
        fileName,
        headerRow: opts.headerRow,
        phoneColumn: opts.phoneColumn,
        defaultCountry: opts.defaultCountry,
        sheet: opts.sheet,
        batchRows: SHEET_SLICE,
        onPlan: opts.onPlan,
        onSheet: opts.onSheet,
        onRows,
        async afterBatch(p) {
          await opts.afterRows?.();
          opts.onProgress?.({
            rows,
            bytesRead: Math.round(totalBytes * Math.min(1, p.bytesTotal ? p.bytesIn / p.bytesTotal : 1)),
            totalBytes,
          });
          await yieldToLoop();
          abortCheck();
        },
      });
    } catch (e) {
      if (!(e instanceof NotStreamable)) throw e; // else: not a workbook the streaming reader knows, SheetJS below
    } finally {
      await fh.close();
    }
  }

  if (stat.size > MAX_SPREADSHEET_BYTES) {
    throw new ImportError(
      'IMPORT_TOO_LARGE',
      `${fileName} is a ${Math.round(stat.size / 1048576)} MB spreadsheet, more than SMS Desk will open at once: save the contacts as CSV (which is read piece by piece), then import that file.`,
    );
  }
  const bytes = new Uint8Array(await fs.promises.readFile(file));
  abortCheck();
  if (format === 'zip') await checkZipInflation(bytes, fileName);
  abortCheck();
  const wb = readWorkbook(bytes, fileName);
  const sheet = chooseSheet(wb, fileName, opts.sheet, opts.defaultCountry);
  opts.onSheet?.(sheet);
  const builder = createContactRowBuilder({
    fileName,
    headerRow: opts.headerRow,
    phoneColumn: opts.phoneColumn,
    defaultCountry: opts.defaultCountry,
    onPlan: opts.onPlan,
    onRows,
  });
  const total = sheetRowCount(wb, sheet);
  for (let r = 0; r < total; r += SHEET_SLICE) {
    builder.add(sheetRows(wb, sheet, fileName, r, r + SHEET_SLICE), r + 1);
    await opts.afterRows?.();
    opts.onProgress?.({ rows, bytesRead: Math.round(totalBytes * Math.min(1, (r + SHEET_SLICE) / total)), totalBytes });
    await yieldToLoop();
    abortCheck();
  }
  const plan = builder.end();
  return { plan, rows, sheet, encoding: null, delimiter: null };
}
