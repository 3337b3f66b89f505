/**
 * A streaming reader for .xlsx (OOXML transitional, the format Excel and LibreOffice write):
 * the zip's central directory is read, only workbook.xml, its rels, styles.xml, sharedStrings.xml
 * and the chosen sheet are inflated, piece by piece, and the sheet's rows are handed over in
 * batches. Memory holds the shared strings (packed in pages) and one batch of rows, never the
 * sheet, so a 1,048,576-row workbook does not need SheetJS's gigabyte and more.
 *
 * Cell values follow `readWorkbook` + `sheetRows` (SheetJS, raw cells) exactly: numbers in full
 * digits, booleans as TRUE/FALSE, errors empty, date-formatted numbers as YYYY-MM-DD. Anything
 * this reader does not understand (ZIP64, strict OOXML, xlsb, UTF-16 XML, comments or CDATA in
 * the sheet, unknown compression) is reported as `NotStreamable` before the first row, so the
 * caller can hand the file to SheetJS with its old limits.
 *
 * Browser-safe: DecompressionStream and TextDecoder only (Web Worker and Node 24).
 */
import * as XLSX from '@e965/xlsx';
import { ImportError, MAX_CELL_CHARS } from './errors.ts';
import { cellText } from './sheet.ts';

/** Random access to the file's bytes: a Uint8Array, a File (slice) or a Node file handle. */
export interface ByteSource {
  readonly size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
  /**
   * A raw-deflate inflater to use instead of DecompressionStream('deflate-raw'). Node's
   * DecompressionStream hands out 16 KB per trip to zlib's thread; the engine passes a zlib
   * stream with 1 MB chunks (shared code cannot import node:zlib).
   */
  inflateRaw?(): { readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> };
}

export function bytesSource(bytes: Uint8Array): ByteSource {
  return { size: bytes.length, read: async (offset, length) => bytes.subarray(offset, offset + length) };
}

export function blobSource(blob: Blob): ByteSource {
  return {
    size: blob.size,
    read: async (offset, length) => new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer()),
  };
}

export interface XlsxStreamLimits {
  /** inflated XML of the sheet being read (and of workbook/styles parts, which are small) */
  maxSheetBytes: number;
  /** inflated sharedStrings.xml, which is held (packed) in memory while the sheet is read */
  maxSharedStringsBytes: number;
  maxRows: number;
  maxColumns: number;
  maxEntries: number;
}

/**
 * 2 GiB of sheet XML is a full-height sheet (1,048,576 rows) of about 40 short columns: beyond
 * that the import would take many minutes. Memory does not grow with it, only time.
 */
export const DEFAULT_XLSX_STREAM_LIMITS: XlsxStreamLimits = {
  maxSheetBytes: 2 * 1024 * 1024 * 1024,
  maxSharedStringsBytes: 512 * 1024 * 1024,
  maxRows: 1_048_576,
  maxColumns: 16_384, // Excel's own sheet limits
  maxEntries: 10_000,
};

/** The streaming reader does not handle this file; SheetJS (with its whole-file limits) may. */
export class NotStreamable extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'NotStreamable';
  }
}

export interface ReadRowsOptions {
  /**
   * Consecutive sheet rows, rows[0] being sheet row `firstRow` (1-based); blank rows between
   * rows with cells are included as []. Return false (or a promise of it) to stop reading.
   */
  onRows(rows: string[][], firstRow: number, progress: SheetProgress): void | boolean | Promise<void | boolean>;
  /** rows per batch, 5000 unless given */
  batchRows?: number;
  /** read sheet rows 1..lastRow only (the head of a sheet, for choosing one) */
  lastRow?: number;
}

/** Compressed bytes of the sheet's part read so far, of `bytesTotal`; `rows`: sheet rows handed over. */
export interface SheetProgress {
  bytesIn: number;
  bytesTotal: number;
  rows: number;
}

export interface StreamedWorkbook {
  readonly sheets: string[];
  /** the compressed size of a sheet's part (progress is reported against it) */
  sheetBytes(sheet: string): number;
  /** resolves with the number of the last sheet row handed over (0 for an empty sheet) */
  readRows(sheet: string, opts: ReadRowsOptions): Promise<{ lastRow: number; stopped: boolean }>;
}

// --- zip ------------------------------------------------------------------------------------

interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  compressed: number;
  size: number;
  local: number;
}

function damaged(fileName: string): ImportError {
  return new ImportError(
    'IMPORT_UNREADABLE',
    `${fileName} is a damaged or incomplete spreadsheet: open it in Excel or LibreOffice, save it again, then import the new file.`,
  );
}

async function readCentralDirectory(
  src: ByteSource,
  fileName: string,
  limits: XlsxStreamLimits,
): Promise<Map<string, ZipEntry>> {
  const tailLen = Math.min(src.size, 22 + 65535);
  const tail = await src.read(src.size - tailLen, tailLen);
  const tv = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--)
    if (tv.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  if (eocd < 0) throw damaged(fileName);
  if (eocd >= 20 && tv.getUint32(eocd - 20, true) === 0x07064b50) throw new NotStreamable('ZIP64 archive');
  const count = tv.getUint16(eocd + 10, true);
  const cdSize = tv.getUint32(eocd + 12, true);
  const cdOffset = tv.getUint32(eocd + 16, true);
  if (count === 0xffff || cdOffset === 0xffffffff || cdSize === 0xffffffff) throw new NotStreamable('ZIP64 archive');
  if (count > limits.maxEntries) {
    throw new ImportError(
      'IMPORT_TOO_LARGE',
      `${fileName} holds ${count} files, more than a spreadsheet has: open it in Excel, save it as XLSX or CSV, then import again.`,
    );
  }
  if (cdOffset + cdSize > src.size) throw damaged(fileName);
  const cd = await src.read(cdOffset, cdSize);
  const v = new DataView(cd.buffer, cd.byteOffset, cd.byteLength);
  const utf8 = new TextDecoder('utf-8');
  const latin1 = new TextDecoder('latin1');
  const entries = new Map<string, ZipEntry>();
  let p = 0;
  let declared = 0;
  const most = limits.maxSheetBytes + limits.maxSharedStringsBytes;
  for (let n = 0; n < count; n++) {
    if (p + 46 > cd.length || v.getUint32(p, true) !== 0x02014b50) throw damaged(fileName);
    const flags = v.getUint16(p + 8, true);
    const nameLen = v.getUint16(p + 28, true);
    const entry: ZipEntry = {
      name: (flags & 0x800 ? utf8 : latin1).decode(cd.subarray(p + 46, p + 46 + nameLen)),
      method: v.getUint16(p + 10, true),
      flags,
      compressed: v.getUint32(p + 20, true),
      size: v.getUint32(p + 24, true),
      local: v.getUint32(p + 42, true),
    };
    if (entry.compressed === 0xffffffff || entry.size === 0xffffffff || entry.local === 0xffffffff)
      throw new NotStreamable('ZIP64 entry');
    // what the archive declares is checked before anything is inflated; what it really holds
    // is counted while inflating (Budget), since declared sizes can lie
    declared += entry.size;
    if (declared > most) throw unpacksTo(fileName, most);
    // OPC part names are case-insensitive
    entries.set(entry.name.replace(/^\//, '').toLowerCase(), entry);
    p += 46 + nameLen + v.getUint16(p + 30, true) + v.getUint16(p + 32, true);
  }
  return entries;
}

function unpacksTo(fileName: string, limit: number): ImportError {
  return new ImportError(
    'IMPORT_TOO_LARGE',
    `${fileName} would unpack to more than ${Math.round(limit / 1048576).toLocaleString('en-US')} MB, more than SMS Desk will open: split the workbook or save the contacts as CSV, then import again.`,
  );
}

/** Counts inflated bytes against a limit; the count is real, whatever the zip declares. */
interface Budget {
  left: number;
  tooLarge(): ImportError;
}

const READ_STEP = 256 * 1024;
const WRITE_SLICE = 64 * 1024;
const AHEAD = 4 * 1024 * 1024;

/**
 * The entry's bytes, inflated piece by piece. `onInput` sees how much compressed data was fed.
 * Each slice is written only once the previous one was taken, so output is counted as it comes.
 */
async function* entryBytes(
  src: ByteSource,
  e: ZipEntry,
  fileName: string,
  budget: Budget,
  onInput?: (n: number) => void,
): AsyncGenerator<Uint8Array> {
  if (e.flags & 1) throw new NotStreamable('zip entry encrypted');
  if (e.method !== 0 && e.method !== 8) throw new NotStreamable(`zip compression method ${e.method}`);
  const head = await src.read(e.local, 30);
  const hv = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (head.length < 30 || hv.getUint32(0, true) !== 0x04034b50) throw damaged(fileName);
  const start = e.local + 30 + hv.getUint16(26, true) + hv.getUint16(28, true);
  const end = start + e.compressed;
  if (end > src.size) throw damaged(fileName);
  if (e.method === 0) {
    for (let o = start; o < end; o += READ_STEP) {
      const chunk = await src.read(o, Math.min(READ_STEP, end - o));
      budget.left -= chunk.length;
      if (budget.left < 0) throw budget.tooLarge();
      onInput?.(o + chunk.length - start);
      yield chunk;
    }
    return;
  }
  const ds: { readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> } =
    src.inflateRaw?.() ??
    (new DecompressionStream('deflate-raw') as unknown as {
      readable: ReadableStream<Uint8Array>;
      writable: WritableStream<Uint8Array>;
    });
  const writer = ds.writable.getWriter();
  const reader = ds.readable.getReader();
  let stop = false;
  let fed = 0;
  const feeding = (async () => {
    try {
      for (let o = start; o < end && !stop; o += READ_STEP) {
        const chunk = await src.read(o, Math.min(READ_STEP, end - o));
        for (let i = 0; i < chunk.length && !stop; i += WRITE_SLICE) {
          const slice = chunk.subarray(i, i + WRITE_SLICE);
          await writer.write(slice as Uint8Array<ArrayBuffer>);
          fed += slice.length;
        }
      }
      if (!stop) await writer.close();
    } catch {
      /* the reader sees the same error */
    }
  })();
  // Inflating runs ahead of the scanner (up to AHEAD bytes): in Node zlib works on another
  // thread, so the two overlap instead of taking turns.
  const queue: Uint8Array[] = [];
  let queued = 0;
  let ended = false;
  let failure: Error | null = null;
  let finished = false;
  let wake: (() => void) | null = null;
  let room: (() => void) | null = null;
  const signal = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  const pumping = (async () => {
    try {
      for (;;) {
        while (queued >= AHEAD && !stop)
          await new Promise<void>((r) => {
            room = r;
          });
        if (stop) return;
        const res = await reader.read();
        if (res.done) {
          finished = true;
          break;
        }
        budget.left -= res.value.length;
        if (budget.left < 0) {
          failure = budget.tooLarge();
          break;
        }
        queue.push(res.value);
        queued += res.value.length;
        signal();
      }
    } catch {
      failure ??= damaged(fileName);
    } finally {
      ended = true;
      signal();
    }
  })();
  try {
    for (;;) {
      if (queue.length) {
        const c = queue.shift()!;
        queued -= c.length;
        const r = room as (() => void) | null;
        room = null;
        r?.();
        onInput?.(fed);
        yield c;
        continue;
      }
      if (failure) throw failure;
      if (ended) break;
      await new Promise<void>((r) => {
        wake = r;
      });
    }
  } finally {
    stop = true;
    const r = room as (() => void) | null;
    room = null;
    r?.();
    // stopped early (limit, error, consumer done): unblock the feeder waiting on a full stream
    if (!finished) {
      reader.cancel().catch(() => undefined);
      writer.abort().catch(() => undefined);
    }
    await pumping;
    await feeding;
  }
}

/** Inflated UTF-8 text in pieces of at least `min` bytes (fewer calls into the scanners). */
async function* entryText(bytes: AsyncGenerator<Uint8Array>, min = 512 * 1024): AsyncGenerator<string> {
  const dec = new TextDecoder('utf-8');
  let parts: Uint8Array[] = [];
  let have = 0;
  let first = true;
  const flush = (final: boolean) => {
    let all: Uint8Array;
    if (parts.length === 1) all = parts[0];
    else {
      all = new Uint8Array(have);
      let o = 0;
      for (const p of parts) {
        all.set(p, o);
        o += p.length;
      }
    }
    parts = [];
    have = 0;
    if (first && all.length >= 2) {
      first = false;
      if (
        (all[0] === 0xff && all[1] === 0xfe) ||
        (all[0] === 0xfe && all[1] === 0xff) ||
        (all[0] === 0x3c && all[1] === 0)
      )
        throw new NotStreamable('UTF-16 XML');
    }
    return dec.decode(all, { stream: !final });
  };
  for await (const chunk of bytes) {
    parts.push(chunk);
    have += chunk.length;
    if (have >= min) yield flush(false);
  }
  const last = parts.length ? flush(true) : dec.decode();
  if (last) yield last;
}

async function wholeText(src: ByteSource, e: ZipEntry, fileName: string, budget: Budget): Promise<string> {
  let s = '';
  for await (const t of entryText(entryBytes(src, e, fileName, budget))) s += t;
  return s;
}

// --- XML helpers (same decoding as SheetJS's unescapexml) -----------------------------------

const ENTITY = /&(?:quot|apos|gt|lt|amp|#x?([\da-fA-F]+));/gi;
const NAMED: Record<string, string> = { '&quot;': '"', '&apos;': "'", '&gt;': '>', '&lt;': '<', '&amp;': '&' };
const XCODE = /_x([\da-fA-F]{4})_/gi;

function unescapeXml(text: string, crlf = false): string {
  let s = text;
  if (s.indexOf('&') >= 0) {
    s = s.replace(ENTITY, (m, code: string | undefined) => {
      const named = NAMED[m];
      if (named) return named;
      const n = parseInt(code ?? '', m.indexOf('x') > -1 ? 16 : 10);
      return n >= 0 && n <= 0x10ffff ? String.fromCodePoint(n) : m;
    });
  }
  if (s.indexOf('_x') >= 0 || s.indexOf('_X') >= 0)
    s = s.replace(XCODE, (_m, c: string) => String.fromCharCode(parseInt(c, 16)));
  return crlf && s.indexOf('\r\n') >= 0 ? s.replace(/\r\n/g, '\n') : s;
}

const ATTR = /([^\s=/<>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

function attributes(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  ATTR.lastIndex = 0;
  for (let m = ATTR.exec(tag); m; m = ATTR.exec(tag)) out[m[1]] = m[2] ?? m[3];
  return out;
}

const SI_T = /^\s*<(?:\w+:)?t[^>]*>/;
const SI_T_END = /<\/(?:\w+:)?t>/;
const SI_RICH = /<(?:\w+:)?r\b[^<>]*>/;
const SI_RUN_T = /<(?:\w+:)?t\b[^<>]*>([^<]*)<\/(?:\w+:)?t>/g;
const SI_RPH = /<(?:\w+:)?rPh\b[^<>]*>[\s\S]*?<\/(?:\w+:)?rPh>/g;
const ANY_TAG = /<[^<>]*>/g;

/** The text of a shared or inline string (`<si>`/`<is>` content), as SheetJS's parse_si. */
function stringItem(x: string): string | undefined {
  if (!x) return '';
  if (x.startsWith('<t>') || x.startsWith('<t ')) {
    // the common <t>text</t> / <t xml:space="preserve">text</t>: what the regexes below give
    const open = x.indexOf('>');
    const close = x.indexOf('</t>', open);
    if (close >= 0) {
      const body = x.slice(open + 1, close);
      return body.indexOf('&') >= 0 || body.indexOf('_x') >= 0 || body.indexOf('_X') >= 0 || body.indexOf('\r') >= 0
        ? unescapeXml(body, true)
        : body;
    }
  }
  if (SI_T.test(x)) {
    const body = x.slice(x.indexOf('>') + 1);
    return unescapeXml(body.split(SI_T_END)[0] ?? '', true);
  }
  if (SI_RICH.test(x)) {
    const runs = x.replace(SI_RPH, '').match(SI_RUN_T) ?? [];
    return unescapeXml(runs.join('').replace(ANY_TAG, ''), true);
  }
  return undefined;
}

// --- shared strings, packed ------------------------------------------------------------------

const PAGE_CHARS = 1 << 20;

/**
 * Every shared string as a slice of a few big strings plus 12 bytes of offsets: a million short
 * strings as separate JS strings would cost ~40 bytes each, a crafted table of tiny ones far more.
 */
class SharedStrings {
  private pages: string[] = [];
  private parts: string[] = [];
  private partChars = 0;
  private page = new Uint32Array(1024);
  private start = new Int32Array(1024);
  private len = new Int32Array(1024);
  count = 0;

  add(s: string | undefined): void {
    if (this.count === this.page.length) {
      const grow = <T extends Uint32Array | Int32Array>(a: T): T => {
        const b = new (a.constructor as { new (n: number): T })(a.length * 2);
        b.set(a);
        return b;
      };
      this.page = grow(this.page);
      this.start = grow(this.start);
      this.len = grow(this.len);
    }
    const i = this.count++;
    this.page[i] = this.pages.length;
    if (s === undefined) {
      this.start[i] = -1;
      this.len[i] = 0;
      return;
    }
    this.start[i] = this.partChars;
    this.len[i] = s.length;
    this.parts.push(s);
    this.partChars += s.length;
    if (this.partChars >= PAGE_CHARS) this.seal();
  }

  seal(): void {
    if (this.parts.length === 0) return;
    this.pages.push(this.parts.join(''));
    this.parts = [];
    this.partChars = 0;
  }

  /** null: no such index */
  // the last strings asked for, by index: a column of first names or cities asks for the same
  // few dozen strings a million times, each a new copy otherwise
  private cacheKey = new Int32Array(4096).fill(-1);
  private cacheVal: string[] = new Array<string>(4096);

  get(i: number): string | undefined | null {
    if (!(i >= 0 && i < this.count)) return null;
    const slot = i & 4095;
    if (this.cacheKey[slot] === i) return this.cacheVal[slot];
    const st = this.start[i];
    if (st < 0) return undefined;
    const s = this.pages[this.page[i]].slice(st, st + this.len[i]);
    this.cacheKey[slot] = i;
    this.cacheVal[slot] = s;
    return s;
  }
}

async function readSharedStrings(
  src: ByteSource,
  e: ZipEntry,
  fileName: string,
  limits: XlsxStreamLimits,
): Promise<SharedStrings> {
  if (e.size > limits.maxSharedStringsBytes) throw unpacksTo(fileName, limits.maxSharedStringsBytes);
  const sst = new SharedStrings();
  const budget: Budget = {
    left: limits.maxSharedStringsBytes,
    tooLarge: () => unpacksTo(fileName, limits.maxSharedStringsBytes),
  };
  let buf = '';
  let inside = false;
  const ITEM_OPEN = /^\s*<(?:\w+:)?(?:si|sstItem)>/;
  const ITEM_END = /<\/(?:\w+:)?(si|sstItem|sst)>/g;
  for await (const text of entryText(entryBytes(src, e, fileName, budget))) {
    buf = buf ? buf + text : text;
    let pos = 0;
    if (!inside) {
      const m = /<(?:\w+:)?sst\b[^<>]*>/.exec(buf);
      if (!m) {
        if (buf.length > 1 << 20) throw damaged(fileName);
        continue;
      }
      inside = true;
      pos = m.index + m[0].length;
    }
    ITEM_END.lastIndex = pos;
    for (let m = ITEM_END.exec(buf); m; m = ITEM_END.exec(buf)) {
      if (m[1] === 'sst') {
        pos = buf.length;
        break;
      }
      sst.add(stringItem(buf.slice(pos, m.index).replace(ITEM_OPEN, '').trim()));
      pos = m.index + m[0].length;
    }
    buf = buf.slice(pos);
    if (buf.length > 64 * 1024 * 1024) throw damaged(fileName);
  }
  sst.seal();
  return sst;
}

// --- styles: which cell styles show numbers as dates -----------------------------------------

async function readDateStyles(
  src: ByteSource,
  e: ZipEntry | undefined,
  fileName: string,
  budget: Budget,
): Promise<boolean[] | null> {
  if (!e) return null;
  const xml = await wholeText(src, e, fileName, budget);
  const custom = new Map<number, string>();
  const fmts = /<(?:\w+:)?numFmts\b[^>]*>([\s\S]*?)<\/(?:\w+:)?numFmts>/.exec(xml);
  if (fmts) {
    for (const m of fmts[1].matchAll(/<(?:\w+:)?numFmt\b[^>]*>/g)) {
      const a = attributes(m[0]);
      if (a.numFmtId != null && a.formatCode != null) custom.set(parseInt(a.numFmtId, 10), unescapeXml(a.formatCode));
    }
  }
  const xfs = /<(?:\w+:)?cellXfs\b[^>]*>([\s\S]*?)<\/(?:\w+:)?cellXfs>/.exec(xml);
  if (!xfs) return [];
  const table = XLSX.SSF.get_table() as Record<number, string | undefined>;
  const out: boolean[] = [];
  for (const m of xfs[1].matchAll(/<(?:\w+:)?xf\b[^>]*>/g)) {
    const id = parseInt(attributes(m[0]).numFmtId ?? '0', 10) || 0;
    const fmt = custom.get(id) ?? (id < 164 ? table[id] : undefined);
    let isDate = false;
    try {
      isDate = fmt != null && (XLSX.SSF.is_date(fmt) as boolean);
    } catch {
      isDate = false;
    }
    out.push(isDate);
  }
  return out;
}

// --- cells ------------------------------------------------------------------------------------

const PDRE1 = /^(\d+):(\d+)(:\d+)?(\.\d+)?$/;
const PDRE2 = /^(\d+)-(\d+)-(\d+)$/;
const PDRE3 = /^(\d+)-(\d+)-(\d+)[T ](\d+):(\d+)(:\d+)?(\.\d+)?$/;
const DN1900 = Date.UTC(1899, 11, 30, 0, 0, 0);
const DN_T1 = Date.UTC(1899, 11, 31, 0, 0, 0);
const DN_T2 = Date.UTC(1904, 0, 1, 0, 0, 0);

/** A t="d" cell's ISO text, read as SheetJS's parseDate does (no zone: UTC). */
function isoDate(str: string, date1904: boolean): Date {
  let m = PDRE1.exec(str);
  if (m)
    return new Date(
      (date1904 ? DN_T2 : DN_T1) +
        ((parseInt(m[1], 10) * 60 + parseInt(m[2], 10)) * 60 + (m[3] ? parseInt(m[3].slice(1), 10) : 0)) * 1000 +
        (m[4] ? parseInt((m[4] + '000').slice(1, 4), 10) : 0),
    );
  m = PDRE2.exec(str);
  if (m) return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], 0, 0, 0, 0));
  m = PDRE3.exec(str);
  if (m)
    return new Date(
      Date.UTC(
        +m[1],
        +m[2] - 1,
        +m[3],
        +m[4],
        +m[5],
        (m[6] && parseInt(m[6].slice(1), 10)) || 0,
        (m[7] && parseInt((m[7] + '0000').slice(1, 4), 10)) || 0,
      ),
    );
  return new Date(str);
}

/** A date-formatted number as SheetJS's numdate: serial 60 (1900-02-29, which never was) stays a number. */
function serialText(v: number, date1904: boolean): string {
  const n = v + (date1904 ? 1462 : 0);
  if (n >= 60 && n < 61) return cellText({ t: 'n', v: n });
  const d = new Date();
  d.setTime((n > 60 ? n : n + 1) * 24 * 60 * 60 * 1000 + DN1900);
  return cellText({ t: 'd', v: d });
}

const V_OPEN = /<(?:\w+:)?v\b[^<>]*>/;
const V_CLOSE = /<\/(?:\w+:)?v>/;
const IS_OPEN = /<(?:\w+:)?is\b[^<>]*>/;
const IS_CLOSE = /<\/(?:\w+:)?is>/;

function inner(content: string, open: RegExp, close: RegExp): string | undefined {
  const m = open.exec(content);
  if (!m) return undefined;
  const from = m.index + m[0].length;
  const rest = content.slice(from);
  const c = close.exec(rest);
  return c ? rest.slice(0, c.index) : undefined;
}

function numberText(v: string): string {
  // 1 to 15 digits with no leading zero is already its own text (exact below 2^53)
  const len = v.length;
  if (len <= 15) {
    let plain = len > 0 && v.charCodeAt(0) !== 48;
    for (let i = 0; plain && i < len; i++) {
      const d = v.charCodeAt(i) - 48;
      plain = d >= 0 && d <= 9;
    }
    if (plain) return v;
  }
  const n = parseFloat(v);
  if (Number.isInteger(n)) return Math.abs(n) < 1e21 ? n.toFixed(0) : BigInt(n).toString();
  return String(n);
}

// --- the workbook -----------------------------------------------------------------------------

function resolvePart(base: string, target: string): string {
  if (target.startsWith('/')) return target.slice(1);
  const parts = base.split('/').slice(0, -1);
  for (const seg of target.split('/')) {
    if (seg === '..') parts.pop();
    else if (seg !== '.' && seg !== '') parts.push(seg);
  }
  return parts.join('/');
}

function relsOf(xml: string, base: string): Array<{ id: string; type: string; part: string; external: boolean }> {
  const out: Array<{ id: string; type: string; part: string; external: boolean }> = [];
  for (const m of xml.matchAll(/<(?:\w+:)?Relationship\b[^>]*>/g)) {
    const a = attributes(m[0]);
    if (!a.Target) continue;
    out.push({
      id: a.Id ?? '',
      type: a.Type ?? '',
      part: resolvePart(base, unescapeXml(a.Target)),
      external: a.TargetMode === 'External',
    });
  }
  return out;
}

function relsPath(part: string): string {
  const i = part.lastIndexOf('/');
  return `${part.slice(0, i + 1)}_rels/${part.slice(i + 1)}.rels`;
}

/**
 * Opens an .xlsx for streaming: reads the directory, the workbook, its rels and styles (the
 * shared strings on the first readRows). Throws NotStreamable for what only SheetJS may read,
 * ImportError for a real refusal.
 */
export async function openXlsxStream(
  src: ByteSource,
  fileName: string,
  limits: XlsxStreamLimits = DEFAULT_XLSX_STREAM_LIMITS,
): Promise<StreamedWorkbook> {
  const entries = await readCentralDirectory(src, fileName, limits);
  const find = (part: string) => entries.get(part.toLowerCase());
  const small: Budget = {
    left: 64 * 1024 * 1024,
    tooLarge: () => unpacksTo(fileName, 64 * 1024 * 1024),
  };
  const rootRels = find('_rels/.rels');
  if (!rootRels) throw new NotStreamable('no _rels/.rels');
  const main = relsOf(await wholeText(src, rootRels, fileName, small), '').find((r) =>
    /\/officeDocument$/.test(r.type),
  );
  if (!main) throw new NotStreamable('no officeDocument relationship');
  if (!/\.xml$/i.test(main.part)) throw new NotStreamable(`main part ${main.part} (xlsb?)`);
  const wbEntry = find(main.part);
  if (!wbEntry) throw new NotStreamable('workbook part missing');
  const wbXml = await wholeText(src, wbEntry, fileName, small);
  if (wbXml.includes('purl.oclc.org/ooxml/spreadsheetml')) throw new NotStreamable('strict OOXML');
  const wbRelsEntry = find(relsPath(main.part));
  if (!wbRelsEntry) throw new NotStreamable('workbook rels missing');
  const rels = relsOf(await wholeText(src, wbRelsEntry, fileName, small), main.part);
  const byId = new Map(rels.map((r) => [r.id, r]));

  const pr = /<(?:\w+:)?workbookPr\b[^>]*>/.exec(wbXml);
  const d1904 = pr ? attributes(pr[0]).date1904 : undefined;
  const date1904 = d1904 === '1' || d1904 === 'true';

  const sheetParts: Array<{ name: string; entry: ZipEntry | null }> = [];
  for (const m of wbXml.matchAll(/<(?:\w+:)?sheet\b[^>]*>/g)) {
    const a = attributes(m[0]);
    const idKey = Object.keys(a).find((k) => k === 'id' || k.endsWith(':id'));
    const rel = idKey ? byId.get(a[idKey]) : undefined;
    const name = unescapeXml(a.name ?? '');
    if (!rel || rel.external) throw new NotStreamable(`sheet ${name} has no part`);
    if (!/\/worksheet$/.test(rel.type)) {
      sheetParts.push({ name, entry: null });
      continue;
    } // chart or dialog sheet: no cells
    const entry = find(rel.part);
    if (!entry) throw new NotStreamable(`sheet part ${rel.part} missing`);
    sheetParts.push({ name, entry });
  }

  const stylesRel = rels.find((r) => /\/styles$/.test(r.type));
  const dateStyles = await readDateStyles(src, stylesRel ? find(stylesRel.part) : undefined, fileName, small);
  const sstRel = rels.find((r) => /\/sharedStrings$/.test(r.type));
  const sstEntry = sstRel ? find(sstRel.part) : undefined;
  let sst: SharedStrings | null = null;
  const sharedStrings = async () =>
    (sst ??= sstEntry ? await readSharedStrings(src, sstEntry, fileName, limits) : new SharedStrings());

  const sheetOf = (sheet: string) => {
    const s = sheetParts.find((p) => p.name === sheet);
    if (!s)
      throw new ImportError(
        'IMPORT_NO_SHEET',
        `${fileName} has no sheet called "${sheet}": choose one of ${sheetParts.map((p) => `"${p.name}"`).join(', ')}.`,
      );
    return s;
  };

  return {
    sheets: sheetParts.map((s) => s.name),
    sheetBytes: (sheet) => sheetOf(sheet).entry?.compressed ?? 0,
    async readRows(sheet, opts) {
      const part = sheetOf(sheet);
      if (!part.entry) return { lastRow: 0, stopped: false };
      const strings = await sharedStrings();
      return scanSheet(src, part.entry, sheet, fileName, limits, strings, dateStyles, date1904, opts);
    },
  };
}

/** The first `n` rows of a sheet (fewer when the sheet is shorter), as sheetRows(wb, sheet, f, 0, n). */
export async function readHead(wb: StreamedWorkbook, sheet: string, n: number): Promise<string[][]> {
  const out: string[][] = [];
  await wb.readRows(sheet, {
    lastRow: n,
    batchRows: n,
    onRows: (rows) => {
      out.push(...rows);
    },
  });
  return out;
}

// --- the sheet scanner ------------------------------------------------------------------------

const MAX_ROW_CHARS = 64 * 1024 * 1024;

async function scanSheet(
  src: ByteSource,
  entry: ZipEntry,
  sheet: string,
  fileName: string,
  limits: XlsxStreamLimits,
  sst: SharedStrings,
  dateStyles: boolean[] | null,
  date1904: boolean,
  opts: ReadRowsOptions,
): Promise<{ lastRow: number; stopped: boolean }> {
  if (entry.size > limits.maxSheetBytes) throw unpacksTo(fileName, limits.maxSheetBytes);
  const batchRows = opts.batchRows ?? 5000;
  const lastWanted = opts.lastRow ?? Infinity;
  const budget: Budget = {
    left: limits.maxSheetBytes,
    tooLarge: () => unpacksTo(fileName, limits.maxSheetBytes),
  };
  const tooLong = (row: number) =>
    new ImportError(
      'IMPORT_CELL_TOO_LONG',
      `${fileName} has a cell longer than ${MAX_CELL_CHARS.toLocaleString('en-US')} characters on row ${row} of sheet "${sheet}": shorten that cell, then import again.`,
    );
  const tooBig = (what: string) =>
    new ImportError(
      'IMPORT_TOO_LARGE',
      `${fileName} has a sheet "${sheet}" with ${what}, more than SMS Desk will open: delete the empty rows and columns or save the contacts as CSV, then import again.`,
    );
  const unsupported = (why: string) =>
    new ImportError(
      'IMPORT_UNREADABLE',
      `${fileName} could not be read as a spreadsheet (${why} in sheet "${sheet}"): open it in Excel or LibreOffice, save it as XLSX or CSV, then import again.`,
    );

  let bytesIn = 0;
  let batch: string[][] = [];
  let batchFirst = 1;
  let emitted = 0; // last sheet row handed over
  let rowNo = 0; // number of the row element being read
  let stopped = false;
  let handed = false;

  const flush = async () => {
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    const first = batchFirst;
    batchFirst = first + rows.length;
    handed = true;
    const r = await opts.onRows(rows, first, { bytesIn, bytesTotal: entry.compressed, rows: first + rows.length - 1 });
    if (r === false) stopped = true;
  };
  /** a row with at least one cell: blank rows before it are handed over as [] */
  const put = async (n: number, cells: string[]) => {
    if (n <= emitted) throw unsupported(`row ${n} out of order`);
    while (emitted < n - 1) {
      batch.push([]);
      emitted++;
      if (batch.length >= batchRows) {
        await flush();
        if (stopped) return;
      }
    }
    batch.push(cells);
    emitted = n;
    if (batch.length >= batchRows) await flush();
  };

  // element names with the prefix the sheet uses (`x:` in some .NET-written files)
  let px = '';
  let rowOpen = '<row',
    rowClose = '</row>',
    cOpen = '<c',
    cClose = '</c>',
    vOpen = '<v>',
    vClose = '</v>',
    dataClose = '</sheetData';
  let isT = '<is><t',
    tClose = '</t>';

  /** the cells of the row whose content is buf[from, to) */
  const cellsOf = (buf: string, from: number, to: number, n: number): string[] => {
    const cells: string[] = [];
    let col = -1;
    let p = from;
    for (;;) {
      const lt = buf.indexOf(cOpen, p);
      if (lt < 0 || lt >= to) break;
      const after = buf.charCodeAt(lt + cOpen.length);
      if (!(after === 32 || after === 62 || after === 47 || after === 9 || after === 10 || after === 13)) {
        p = lt + cOpen.length;
        continue;
      }
      const gt = buf.indexOf('>', lt);
      if (gt < 0 || gt > to) break;
      scanAttrs(buf, lt + cOpen.length, gt);
      const cs = gt + 1;
      let ce = cs;
      if (buf.charCodeAt(gt - 1) === 47) {
        p = cs;
      } else {
        ce = buf.indexOf(cClose, cs);
        if (ce < 0 || ce > to) ce = to;
        p = ce + cClose.length;
      }
      col = AT[0] >= 0 ? columnAt(buf, AT[0], AT[1]) : col + 1;
      if (col >= limits.maxColumns) throw tooBig(`a cell in column ${(col + 1).toLocaleString('en-US')}`);
      const tLen = AT[2] >= 0 ? AT[3] - AT[2] : -1;
      // 'inlineStr' as the literal: a slice per cell of an inline-string sheet is 3M strings
      const t =
        tLen < 0 ? undefined : tLen === 9 && buf.startsWith('inlineStr', AT[2]) ? 'inlineStr' : buf.slice(AT[2], AT[3]);
      // a shared-string index read straight from the buffer: no string for it (most cells are these)
      if (t === 's' && buf.startsWith(vOpen, cs)) {
        const vs = cs + vOpen.length;
        const ve = buf.indexOf(vClose, vs);
        if (ve >= 0 && ve <= ce) {
          if (ve === vs) continue; // <v></v>: no value, no cell (SheetJS)
          const idx = intAt(buf, vs, ve);
          if (idx >= 0 && plainDigits(buf, vs, ve)) {
            const str = sst.get(idx);
            if (str === null) throw unsupported(`a text cell pointing at entry ${idx} of a table of ${sst.count}`);
            const text = str ?? '';
            if (text.length > MAX_CELL_CHARS) throw tooLong(n);
            if (col === cells.length) cells.push(text);
            else {
              while (cells.length < col) cells.push('');
              cells[col] = text;
            }
            continue;
          }
        }
      }
      // the <v> text, unescaped; undefined when there is none or it is empty (SheetJS: no value)
      let v: string | undefined;
      if (ce > cs && t !== 'inlineStr') {
        let raw: string | undefined;
        if (buf.startsWith(vOpen, cs)) {
          const ve = buf.indexOf(vClose, cs + vOpen.length);
          raw = ve >= 0 && ve <= ce ? buf.slice(cs + vOpen.length, ve) : undefined;
        } else {
          raw = inner(buf.slice(cs, ce), V_OPEN, V_CLOSE);
        }
        if (raw !== undefined && raw !== '')
          v = raw.indexOf('&') >= 0 || raw.indexOf('_x') >= 0 || raw.indexOf('_X') >= 0 ? unescapeXml(raw) : raw;
      }
      let text: string;
      switch (t) {
        case undefined:
        case 'n': {
          if (v === undefined) continue;
          const style = AT[4] >= 0 && dateStyles ? intAt(buf, AT[4], AT[5]) : -1;
          text = style >= 0 && dateStyles?.[style] ? serialText(parseFloat(v), date1904) : numberText(v);
          break;
        }
        case 's': {
          if (v === undefined) continue;
          const str = sst.get(parseInt(v, 10));
          if (str === null) throw unsupported(`a text cell pointing at entry ${v} of a table of ${sst.count}`);
          text = str ?? '';
          break;
        }
        case 'str':
          text = v !== undefined ? unescapeXml(v, true) : '';
          break;
        case 'inlineStr': {
          // fast path for <is><t>…</t>, the whole of what writers put there; stringItem's own
          // reading of a leading <t> is the same (text up to the first </t>)
          let fast: string | undefined;
          if (buf.startsWith(isT, cs)) {
            const tc = buf.charCodeAt(cs + isT.length);
            if (tc === 62 || tc === 32) {
              const open = buf.indexOf('>', cs + isT.length);
              const close = buf.indexOf(tClose, open);
              if (open >= 0 && close >= 0 && close < ce) fast = buf.slice(open + 1, close);
            }
          }
          if (fast !== undefined) {
            text =
              fast.indexOf('&') >= 0 || fast.indexOf('_x') >= 0 || fast.indexOf('_X') >= 0 || fast.indexOf('\r') >= 0
                ? unescapeXml(fast, true)
                : fast;
          } else {
            const is = inner(buf.slice(cs, ce), IS_OPEN, IS_CLOSE);
            text = is !== undefined ? (stringItem(is) ?? '') : '';
          }
          break;
        }
        case 'b':
          text = v === '1' || v === 'true' ? 'TRUE' : 'FALSE';
          break;
        case 'd': {
          if (v === undefined) throw unsupported('a date cell with no value');
          text = cellText({ t: 'd', v: isoDate(v, date1904) });
          break;
        }
        case 'e':
          text = '';
          break;
        default:
          text = v ?? '';
      }
      if (text.length > MAX_CELL_CHARS) throw tooLong(n);
      if (col === cells.length) cells.push(text);
      else {
        while (cells.length < col) cells.push('');
        cells[col] = text;
      }
    }
    return cells;
  };

  let buf = '';
  let inData = false;
  let done = false;
  const text = entryText(
    entryBytes(src, entry, fileName, budget, (n) => {
      bytesIn = n;
    }),
  );
  try {
    for await (const piece of text) {
      buf = buf ? buf + piece : piece;
      if (!handed && (buf.includes('<!--') || buf.includes('<![CDATA[')))
        throw new NotStreamable('comment or CDATA in the sheet');
      if (buf.includes('<![CDATA[')) throw unsupported('a CDATA section');
      let pos = 0;
      if (!inData) {
        const m = /<(\w+:)?sheetData\b[^>]*>/.exec(buf);
        if (!m) {
          if (buf.length > MAX_ROW_CHARS) throw unsupported('no sheetData');
          continue;
        }
        if (m[0].endsWith('/>')) {
          done = true;
          break;
        }
        inData = true;
        px = m[1] ?? '';
        rowOpen = `<${px}row`;
        rowClose = `</${px}row>`;
        cOpen = `<${px}c`;
        cClose = `</${px}c>`;
        vOpen = `<${px}v>`;
        vClose = `</${px}v>`;
        dataClose = `</${px}sheetData`;
        isT = `<${px}is><${px}t`;
        tClose = `</${px}t>`;
        pos = m.index + m[0].length;
      }
      for (;;) {
        const lt = buf.indexOf('<', pos);
        if (lt < 0) {
          pos = buf.length;
          break;
        }
        const gt = buf.indexOf('>', lt);
        if (gt < 0) {
          pos = lt;
          break;
        }
        if (!buf.startsWith(rowOpen, lt)) {
          if (buf.startsWith(dataClose, lt)) {
            done = true;
            break;
          }
          pos = gt + 1; // another element between rows: nothing of ours
          continue;
        }
        const after = buf.charCodeAt(lt + rowOpen.length);
        if (!(after === 32 || after === 62 || after === 47 || after === 9 || after === 10 || after === 13)) {
          pos = gt + 1;
          continue;
        }
        let n: number;
        if (buf.startsWith(' r="', lt + rowOpen.length)) {
          // r first, as Excel and LibreOffice write it: the other row attributes (100 characters
          // of them from LibreOffice) need no reading
          const vs = lt + rowOpen.length + 4;
          const ve = buf.indexOf('"', vs);
          n = intAt(buf, vs, ve);
          AT[0] = vs;
          AT[1] = ve;
        } else {
          scanAttrs(buf, lt + rowOpen.length, gt);
          n = AT[0] >= 0 ? intAt(buf, AT[0], AT[1]) : rowNo + 1;
        }
        if (!(n >= 1)) throw unsupported(`a row numbered "${AT[0] >= 0 ? buf.slice(AT[0], AT[1]) : ''}"`);
        if (n > limits.maxRows) throw tooBig(`a row ${n.toLocaleString('en-US')}`);
        if (buf.charCodeAt(gt - 1) === 47) {
          pos = gt + 1;
          continue;
        } // <row/>: no cells, and (as in SheetJS) no say in the numbering
        const close = buf.indexOf(rowClose, gt + 1);
        if (close < 0) {
          pos = lt;
          break;
        }
        rowNo = n;
        pos = close + rowClose.length;
        if (n > lastWanted) {
          done = true;
          break;
        }
        const cells = cellsOf(buf, gt + 1, close, n);
        if (cells.length) {
          await put(n, cells);
          if (stopped) break;
        }
      }
      if (done || stopped) break;
      buf = buf.slice(pos);
      if (buf.length > MAX_ROW_CHARS) throw tooBig('a row of more than 64 MB');
    }
    if (!stopped) await flush();
  } finally {
    await text.return(undefined);
  }
  return { lastRow: emitted, stopped };
}

/** Value ranges of the attributes r, t and s of the tag buf[from, to): AT = [rS, rE, tS, tE, sS, sE], -1 when absent. */
const AT = new Int32Array(6);
function scanAttrs(buf: string, from: number, to: number): void {
  AT.fill(-1);
  let i = from;
  while (i < to) {
    let c = buf.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 47) {
      i++;
      continue;
    }
    const ns = i;
    while (i < to && (c = buf.charCodeAt(i)) !== 61 && c !== 32 && c !== 9 && c !== 10 && c !== 13) i++;
    const ne = i;
    while (i < to && (c = buf.charCodeAt(i)) !== 34 && c !== 39) i++;
    if (i >= to) return;
    const vs = i + 1;
    const ve = buf.indexOf(c === 34 ? '"' : "'", vs);
    if (ve < 0 || ve > to) return;
    if (ne - ns === 1) {
      const k = buf.charCodeAt(ns);
      const slot = k === 114 ? 0 : k === 116 ? 2 : k === 115 ? 4 : -1;
      if (slot >= 0) {
        AT[slot] = vs;
        AT[slot + 1] = ve;
      }
    }
    i = ve + 1;
  }
}

/** parseInt of buf[from, to) without slicing (NaN when it starts with no digit). */
function intAt(buf: string, from: number, to: number): number {
  let n = 0;
  let i = from;
  while (i < to && buf.charCodeAt(i) === 32) i++;
  const start = i;
  for (; i < to; i++) {
    const d = buf.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    n = n * 10 + d;
  }
  return i === start ? NaN : n;
}

/** buf[from, to) is digits only. */
function plainDigits(buf: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const d = buf.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
  }
  return true;
}

/** The 0-based column of a reference like "AB12" in buf[from, to), as SheetJS decodes it. */
function columnAt(buf: string, from: number, to: number): number {
  let idx = 0;
  for (let i = from; i < to; i++) {
    const cc = buf.charCodeAt(i) - 64;
    if (cc < 1 || cc > 26) break;
    idx = 26 * idx + cc;
  }
  return idx - 1;
}
