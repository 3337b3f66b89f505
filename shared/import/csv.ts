import Papa from 'papaparse';
import { ImportError, MAX_CELL_CHARS } from './errors.ts';

export type Delimiter = ',' | ';' | '\t' | '|';
const DELIMITERS: Delimiter[] = [',', ';', '\t', '|'];

/**
 * The delimiter that splits the sample's lines into the same number of fields most
 * consistently (quoted text ignored). Ties go to the order above; comma when nothing splits.
 */
export function detectDelimiter(sampleText: string): Delimiter {
  const lines = stripQuoted(sampleText)
    .split(/\r\n|\n|\r/)
    .filter((l) => l.trim() !== '')
    .slice(0, 50);
  let best: Delimiter = ',';
  let bestScore = 0;
  for (const d of DELIMITERS) {
    const counts = lines.map((l) => l.split(d).length - 1);
    const withIt = counts.filter((c) => c > 0);
    if (withIt.length === 0) continue;
    const freq = new Map<number, number>();
    for (const c of withIt) freq.set(c, (freq.get(c) ?? 0) + 1);
    const modeCount = Math.max(...freq.values());
    // consistency across lines matters more than how many fields there are
    const score = (modeCount / lines.length) * 10 + Math.min(withIt.length / lines.length, 1);
    if (score > bestScore + 1e-9) {
      best = d;
      bestScore = score;
    }
  }
  return best;
}

function stripQuoted(text: string): string {
  return text.replace(/"(?:[^"]|"")*"/g, '""').replace(/"[^"]*$/, '');
}

export function detectNewline(sampleText: string): '\r\n' | '\n' | '\r' {
  const i = sampleText.search(/\r\n|\n|\r/);
  if (i === -1) return '\n';
  if (sampleText[i] === '\n') return '\n';
  return sampleText[i + 1] === '\n' ? '\r\n' : '\r';
}

export interface CsvReaderOptions {
  fileName: string;
  delimiter?: Delimiter;
  /** called with complete rows in order; firstRow is the 1-based row number of rows[0] */
  onRows(rows: string[][], firstRow: number): void;
}

export interface CsvReader {
  /** decoded text, in order, in chunks of any size */
  push(text: string): void;
  /** flush the last row; throws IMPORT_BAD_QUOTES if a quote was left open */
  end(): void;
  readonly rows: number;
  readonly delimiter: Delimiter | null;
}

// A row (not a cell) longer than this with no end in sight is an unclosed quote or junk.
const MAX_PENDING_CHARS = 4 * 1024 * 1024;
const SNIFF_CHARS = 64 * 1024;

/**
 * Incremental CSV over decoded strings, built on papaparse's Parser: each push parses the
 * complete rows and keeps the unfinished last row for the next push. The same code runs in a
 * browser worker and in Node; it never sees bytes, so multibyte characters cannot be split.
 */
export function createCsvReader(opts: CsvReaderOptions): CsvReader {
  let pending = '';
  let parser: Papa.Parser | null = null;
  let delimiter: Delimiter | null = opts.delimiter ?? null;
  let rowCount = 0;
  let reparseAt = 0; // grow geometrically while one row spans many chunks: keeps parsing linear

  let trimCr = false;
  const start = (sample: string) => {
    // Papa's parser splits on the one newline it is given; mixed \r\n files work with \n
    // because a trailing \r is trimmed from the last cell below.
    delimiter ??= detectDelimiter(sample.slice(0, SNIFF_CHARS));
    const newline = detectNewline(sample.slice(0, SNIFF_CHARS));
    trimCr = newline === '\n';
    parser = new Papa.Parser({ delimiter, newline, quoteChar: '"' } as Papa.ParseConfig);
  };

  const emit = (data: string[][], errors: Papa.ParseError[]) => {
    if (errors.length) {
      const e = errors[0];
      const row = rowCount + (e.row ?? 0) + 1;
      throw new ImportError(
        'IMPORT_BAD_QUOTES',
        `${opts.fileName} has an unbalanced quote (") on row ${row}: fix or remove the quote on that row in Excel or a text editor, then import again.`,
      );
    }
    if (data.length === 0) return;
    for (let i = 0; i < data.length; i++) {
      const cells = data[i];
      if (trimCr) {
        const last = cells.length - 1;
        if (cells[last].endsWith('\r')) cells[last] = cells[last].slice(0, -1);
      }
      for (let j = 0; j < cells.length; j++) {
        if (cells[j].length > MAX_CELL_CHARS) throw cellTooLong(opts.fileName, rowCount + i + 1);
      }
    }
    const first = rowCount + 1;
    rowCount += data.length;
    opts.onRows(data, first);
  };

  const parse = (final: boolean) => {
    if (!parser) start(pending);
    const res = parser!.parse(pending, 0, !final);
    if (final) {
      emit(res.data as string[][], res.errors);
      pending = '';
      return;
    }
    emit(res.data as string[][], res.errors);
    pending = pending.slice(res.meta.cursor);
    if (pending.length > MAX_PENDING_CHARS) {
      // one row that never ends: either a giant cell or a quote that is never closed
      const newlines = (pending.slice(0, 1_000_000).match(/\n/g) ?? []).length;
      if (newlines > 100) {
        throw new ImportError(
          'IMPORT_BAD_QUOTES',
          `${opts.fileName} has an unbalanced quote (") on row ${rowCount + 1}: fix or remove the quote on that row in Excel or a text editor, then import again.`,
        );
      }
      throw cellTooLong(opts.fileName, rowCount + 1);
    }
    reparseAt = pending.length > 65536 ? pending.length * 2 : 0;
  };

  return {
    push(text) {
      pending += text;
      // wait for enough text to sniff the delimiter and for a long row to grow
      if (!parser && pending.length < SNIFF_CHARS) return;
      if (pending.length < reparseAt) return;
      parse(false);
    },
    end() {
      if (pending.length > 0) parse(true);
    },
    get rows() {
      return rowCount;
    },
    get delimiter() {
      return delimiter;
    },
  };
}

function cellTooLong(fileName: string, row: number): ImportError {
  return new ImportError(
    'IMPORT_CELL_TOO_LONG',
    `${fileName} has a cell longer than ${MAX_CELL_CHARS.toLocaleString('en-US')} characters on row ${row}, which no contact needs: check that row (often a broken quote or pasted document), shorten it, then import again.`,
  );
}
