import { ImportError } from './errors.ts';

export type SniffedEncoding = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be' | 'windows-1252';
export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

/**
 * Guess the text encoding from the first bytes (pass a generous sample, e.g. 64 KB).
 * BOMs win; then UTF-16 without BOM (every other byte NUL), then strict UTF-8, else
 * windows-1252, which is what Excel on Windows writes for "CSV (Comma delimited)".
 */
export function sniffEncoding(bytes: Uint8Array): SniffedEncoding {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8-bom';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  const n = Math.min(bytes.length, 4096);
  if (n >= 4) {
    let evenNul = 0, oddNul = 0;
    for (let i = 0; i < n; i++) if (bytes[i] === 0) (i % 2 === 0 ? evenNul++ : oddNul++);
    const half = n / 2;
    if (oddNul > half * 0.4 && evenNul < half * 0.05) return 'utf-16le';
    if (evenNul > half * 0.4 && oddNul < half * 0.05) return 'utf-16be';
  }
  try {
    // stream: true tolerates a multibyte character cut at the end of the sample
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
    return 'utf-8';
  } catch {
    return 'windows-1252';
  }
}

export function encodingOf(sniffed: SniffedEncoding): TextEncodingName {
  return sniffed === 'utf-8-bom' ? 'utf-8' : sniffed;
}

/** Accepts what a user may type for --encoding. */
export function parseEncodingName(name: string): TextEncodingName | null {
  const n = name.trim().toLowerCase().replace(/_/g, '-');
  if (n === 'utf8' || n === 'utf-8' || n === 'utf-8-bom') return 'utf-8';
  if (n === 'utf-16le' || n === 'utf16le' || n === 'utf-16' || n === 'ucs-2' || n === 'unicode') return 'utf-16le';
  if (n === 'utf-16be' || n === 'utf16be') return 'utf-16be';
  if (n === 'windows-1252' || n === 'cp1252' || n === 'latin1' || n === 'iso-8859-1' || n === 'ansi') return 'windows-1252';
  return null;
}

export interface StreamDecoder {
  readonly encoding: TextEncodingName;
  /** bytes in, text out; a character split across chunks comes out whole in the next call */
  write(chunk: Uint8Array): string;
  end(): string;
}

/**
 * A streaming decoder that drops the BOM and refuses binary data (NUL bytes). UTF-8 is
 * decoded strictly, so a file that only *started* like UTF-8 fails with a clear message
 * instead of filling names with U+FFFD.
 */
export function createStreamDecoder(encoding: TextEncodingName, fileName: string): StreamDecoder {
  const decoder = new TextDecoder(encoding, { fatal: encoding === 'utf-8', ignoreBOM: false });
  let bytes = 0;
  const check = (text: string): string => {
    if (text.indexOf('\u0000') !== -1) {
      throw new ImportError('IMPORT_BINARY', `${fileName} contains binary data, not text: open it in Excel and save it as CSV or XLSX, then import that file.`);
    }
    return text;
  };
  const fail = (): never => {
    throw new ImportError('IMPORT_ENCODING', `${fileName} is not valid UTF-8 text after byte ${bytes}: save it again as "CSV UTF-8", or choose the encoding windows-1252.`);
  };
  return {
    encoding,
    write(chunk) {
      let text: string;
      try { text = decoder.decode(chunk, { stream: true }); } catch { return fail(); }
      bytes += chunk.length;
      return check(text);
    },
    end() {
      let text: string;
      try { text = decoder.decode(); } catch { return fail(); }
      return check(text);
    },
  };
}

/** Binary formats people rename to .csv by mistake. */
export function looksBinary(sample: Uint8Array, encoding: TextEncodingName): boolean {
  if (encoding === 'utf-16le' || encoding === 'utf-16be') return false;
  const n = Math.min(sample.length, 65536);
  let control = 0;
  for (let i = 0; i < n; i++) {
    const b = sample[i];
    if (b === 0) return true;
    if (b < 0x09 || (b > 0x0d && b < 0x20 && b !== 0x1a)) control++;
  }
  return n > 0 && control / n > 0.01;
}
