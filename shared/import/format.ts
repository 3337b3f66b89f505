import { ImportError } from './errors.ts';

export type FileFormat = 'zip' | 'ole2' | 'text';

/** By magic bytes, never by extension: people rename files. */
export function detectFormat(bytes: Uint8Array, fileName: string): FileFormat {
  const b = bytes;
  if (b[0] === 0x50 && b[1] === 0x4b && (b[2] === 0x03 || b[2] === 0x05) && (b[3] === 0x04 || b[3] === 0x06))
    return 'zip';
  if (
    b[0] === 0xd0 &&
    b[1] === 0xcf &&
    b[2] === 0x11 &&
    b[3] === 0xe0 &&
    b[4] === 0xa1 &&
    b[5] === 0xb1 &&
    b[6] === 0x1a &&
    b[7] === 0xe1
  )
    return 'ole2';
  const kind = otherBinary(b);
  if (kind)
    throw new ImportError(
      'IMPORT_BINARY',
      `${fileName} is ${kind}, not a contact list: export the contacts as CSV or XLSX and import that file.`,
    );
  // Read as CSV, a web page becomes one column of markup; Excel and Calc open its tables.
  if (looksLikeHtml(b))
    throw new ImportError(
      'IMPORT_BINARY',
      `${fileName} is a web page (HTML), not a contact list: open it in Excel or LibreOffice Calc, save the contacts as CSV or XLSX, then import that file.`,
    );
  return 'text';
}

const HTML_START = /^(?:<\?xml[^>]*>\s*)?(?:<!--[\s\S]*?-->\s*)*<(?:!doctype\s+html|html|head|body|table|meta)[\s>/]/i;

function looksLikeHtml(b: Uint8Array): boolean {
  // the first KB as ASCII: UTF-8 (BOM skipped) or UTF-16 (every other byte), enough for the first tag
  let start = b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
  let step = 1;
  if ((b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff)) {
    step = 2;
    start = b[0] === 0xff ? 2 : 3;
  }
  let text = '';
  for (let i = start; i < b.length && text.length < 1024; i += step) text += String.fromCharCode(b[i]);
  return HTML_START.test(text.trimStart());
}

/**
 * Word and PowerPoint files are zip or OLE2 containers like workbooks, and SheetJS only says it
 * found no workbook in them; named, the user knows what to do. By entry names only: no inflating.
 */
export function otherOfficeDocument(bytes: Uint8Array, format: FileFormat): string | null {
  if (format === 'zip') {
    const names = zipEntryNames(bytes);
    if (names.some((n) => n.startsWith('xl/') || n === 'content.xml')) return null;
    if (names.includes('word/document.xml')) return 'a Word document';
    if (names.includes('ppt/presentation.xml')) return 'a PowerPoint presentation';
    return null;
  }
  if (format === 'ole2') {
    if (hasOle2Entry(bytes, 'Workbook') || hasOle2Entry(bytes, 'Book')) return null;
    if (hasOle2Entry(bytes, 'WordDocument')) return 'a Word document';
    if (hasOle2Entry(bytes, 'PowerPoint Document')) return 'a PowerPoint presentation';
  }
  return null;
}

/** The names in a zip's central directory (none when it cannot be read: SheetJS then decides). */
function zipEntryNames(bytes: Uint8Array): string[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65535); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return [];
  const count = view.getUint16(eocd + 10, true);
  let offset = view.getUint32(eocd + 16, true);
  const names: string[] = [];
  const decoder = new TextDecoder();
  for (let n = 0; n < count && n < DEFAULT_ZIP_LIMITS.maxEntries; n++) {
    if (offset + 46 > bytes.length || view.getUint32(offset, true) !== 0x02014b50) break;
    const len = view.getUint16(offset + 28, true);
    names.push(decoder.decode(bytes.subarray(offset + 46, offset + 46 + len)));
    offset += 46 + len + view.getUint16(offset + 30, true) + view.getUint16(offset + 32, true);
  }
  return names;
}

function otherBinary(b: Uint8Array): string | null {
  const ascii = (s: string) => [...s].every((c, i) => b[i] === c.charCodeAt(0));
  if (ascii('%PDF')) return 'a PDF document';
  if (b[0] === 0x89 && ascii('\x89PNG')) return 'a PNG image';
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'a JPEG image';
  if (b[0] === 0x1f && b[1] === 0x8b) return 'a gzip archive';
  if (ascii('GIF8')) return 'a GIF image';
  if (ascii('Rar!')) return 'a RAR archive';
  if (ascii('7z\xbc\xaf')) return 'a 7-Zip archive';
  return null;
}

export interface ZipLimits {
  maxUncompressedBytes: number;
  maxEntries: number;
}
export const DEFAULT_ZIP_LIMITS: ZipLimits = { maxUncompressedBytes: 300 * 1024 * 1024, maxEntries: 10_000 };

/**
 * Reads the zip central directory (no inflating) and refuses archives whose entries declare
 * more than the limit once unpacked: a few-KB "zip bomb" .xlsx would otherwise take the app's
 * memory with it inside SheetJS. Sizes we cannot read (ZIP64 markers) count as too large.
 */
export function checkZipSizes(
  bytes: Uint8Array,
  fileName: string,
  limits: ZipLimits = DEFAULT_ZIP_LIMITS,
): { entries: number; uncompressed: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tooLarge = (what: string) =>
    new ImportError(
      'IMPORT_TOO_LARGE',
      `${fileName} would unpack to ${what}, more than SMS Desk will open (${Math.round(limits.maxUncompressedBytes / 1048576)} MB): save the contacts as CSV, or split the workbook, then import again.`,
    );
  const broken = () =>
    new ImportError(
      'IMPORT_UNREADABLE',
      `${fileName} is a damaged or incomplete spreadsheet: open it in Excel or LibreOffice, save it again, then import the new file.`,
    );
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65535); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw broken();
  const count = view.getUint16(eocd + 10, true);
  let offset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || offset === 0xffffffff) throw tooLarge('an unknown size (ZIP64)');
  if (count > limits.maxEntries) throw tooLarge(`${count} files`);
  let total = 0;
  for (let n = 0; n < count; n++) {
    if (offset + 46 > bytes.length || view.getUint32(offset, true) !== 0x02014b50) throw broken();
    const size = view.getUint32(offset + 24, true);
    if (size === 0xffffffff) throw tooLarge('an unknown size (ZIP64)');
    total += size;
    if (total > limits.maxUncompressedBytes) throw tooLarge(`more than ${Math.round(total / 1048576)} MB`);
    offset +=
      46 + view.getUint16(offset + 28, true) + view.getUint16(offset + 30, true) + view.getUint16(offset + 32, true);
  }
  return { entries: count, uncompressed: total };
}

/** An OOXML workbook saved with a password is an OLE2 file holding an EncryptedPackage stream. */
export function isEncryptedOle2(bytes: Uint8Array): boolean {
  return hasOle2Entry(bytes, 'EncryptedPackage');
}

/** Whether an OLE2 file has a directory entry of that name (names are UTF-16LE, NUL-ended). */
function hasOle2Entry(bytes: Uint8Array, needle: string): boolean {
  const n = needle.length;
  // directory entry names are UTF-16LE
  outer: for (let i = 0; i + n * 2 <= bytes.length; i++) {
    for (let k = 0; k < n; k++) {
      if (bytes[i + 2 * k] !== needle.charCodeAt(k) || bytes[i + 2 * k + 1] !== 0) continue outer;
    }
    if (bytes[i + 2 * n] === 0 && bytes[i + 2 * n + 1] === 0) return true; // the whole name, not a prefix
  }
  return false;
}

/**
 * The declared sizes can lie, and SheetJS inflates until the data ends whatever they say, so
 * this really inflates every entry (output counted and dropped, never kept) and stops at the
 * limit. Async because it uses DecompressionStream (browsers, Node 18+); run it before
 * readWorkbook on any zip-based file from an untrusted source.
 */
export async function checkZipInflation(
  bytes: Uint8Array,
  fileName: string,
  limits: ZipLimits = DEFAULT_ZIP_LIMITS,
): Promise<number> {
  checkZipSizes(bytes, fileName, limits);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65535); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  const count = view.getUint16(eocd + 10, true);
  let cd = view.getUint32(eocd + 16, true);
  let total = 0;
  const tooLarge = () =>
    new ImportError(
      'IMPORT_TOO_LARGE',
      `${fileName} would unpack to more than ${Math.round(limits.maxUncompressedBytes / 1048576)} MB, more than SMS Desk will open: save the contacts as CSV, or split the workbook, then import again.`,
    );
  for (let n = 0; n < count; n++) {
    const method = view.getUint16(cd + 10, true);
    const local = view.getUint32(cd + 42, true);
    cd += 46 + view.getUint16(cd + 28, true) + view.getUint16(cd + 30, true) + view.getUint16(cd + 32, true);
    if (local + 30 > bytes.length || view.getUint32(local, true) !== 0x04034b50) continue; // SheetJS will call it damaged
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    if (method === 0) {
      total += view.getUint32(local + 18, true);
      if (total > limits.maxUncompressedBytes) throw tooLarge();
      continue;
    }
    if (method !== 8) continue;
    // like SheetJS, inflate from the data start until the deflate stream ends
    total = await countInflated(bytes.subarray(start), total, limits.maxUncompressedBytes, tooLarge);
  }
  return total;
}

/**
 * Fed in small slices, each written only when the reader has taken the output so far: Chromium's
 * DecompressionStream inflates one write in a single step and, on the junk after the stream's end
 * (the next zip entry), errors the stream and drops everything it had not yet handed out; written
 * whole, a 400 MB bomb counted as 128 KB there. Now at most one slice's output goes uncounted.
 */
const INFLATE_SLICE = 4096;

async function countInflated(data: Uint8Array, total: number, limit: number, tooLarge: () => Error): Promise<number> {
  const ds = new DecompressionStream('deflate-raw');
  const writer = ds.writable.getWriter();
  const reader = ds.readable.getReader();
  let stop = false;
  // trailing bytes after the stream's end (the next zip entry) make the writer fail: expected
  const feeding = (async () => {
    try {
      for (let i = 0; i < data.length && !stop; i += INFLATE_SLICE)
        await writer.write(data.subarray(i, i + INFLATE_SLICE) as Uint8Array<ArrayBuffer>);
      if (!stop) await writer.close();
    } catch {
      /* the reader sees the same error */
    }
  })();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return total;
      total += value.length;
      if (total > limit) throw tooLarge();
    }
  } catch (e) {
    if (e instanceof ImportError) {
      stop = true;
      reader.cancel().catch(() => undefined);
      throw e;
    }
    return total; // end of stream reached and then junk, or damaged data: SheetJS decides
  } finally {
    await feeding;
  }
}
