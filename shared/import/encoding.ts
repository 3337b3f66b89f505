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
    let evenNul = 0,
      oddNul = 0;
    for (let i = 0; i < n; i++) if (bytes[i] === 0) i % 2 === 0 ? evenNul++ : oddNul++;
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
  if (n === 'windows-1252' || n === 'cp1252' || n === 'latin1' || n === 'iso-8859-1' || n === 'ansi')
    return 'windows-1252';
  return null;
}

export interface StreamDecoder {
  /** may change from utf-8 to windows-1252 mid-file, see createStreamDecoder */
  readonly encoding: TextEncodingName;
  /** bytes in, text out; a character split across chunks comes out whole in the next call */
  write(chunk: Uint8Array): string;
  end(): string;
}

/**
 * A streaming decoder that drops the BOM and refuses binary data (NUL bytes). UTF-8 is
 * decoded strictly, so a file that only *started* like UTF-8 fails with a clear message
 * instead of filling names with U+FFFD. With `asciiFallback` (the encoding was guessed, not
 * chosen), a file that was pure ASCII up to its first invalid byte switches to windows-1252
 * there, losslessly: that is Excel's "CSV (Comma delimited)" with the first é on row 5,000.
 */
export function createStreamDecoder(
  encoding: TextEncodingName,
  fileName: string,
  opts: { asciiFallback?: boolean } = {},
): StreamDecoder {
  let current = encoding;
  let decoder = new TextDecoder(encoding, { fatal: encoding === 'utf-8', ignoreBOM: false });
  let sawNonAscii = false;
  // While all text so far is ASCII, the only bytes the UTF-8 decoder can be holding back are
  // the high bytes at the end of the previous chunk: keep them to re-decode on a switch.
  let tail = new Uint8Array(0);
  let bytes = 0;
  const check = (text: string): string => {
    if (text.indexOf('\u0000') !== -1) {
      throw new ImportError(
        'IMPORT_BINARY',
        `${fileName} contains binary data, not text: open it in Excel and save it as CSV or XLSX, then import that file.`,
      );
    }
    return text;
  };
  const fail = (): never => {
    throw new ImportError(
      'IMPORT_ENCODING',
      `${fileName} is not valid UTF-8 text after byte ${bytes}: save it again as "CSV UTF-8", or choose the encoding windows-1252.`,
    );
  };
  const canFallBack = () => opts.asciiFallback === true && current === 'utf-8' && !sawNonAscii;
  const switchTo1252 = (pending: Uint8Array, stream: boolean): string => {
    current = 'windows-1252';
    decoder = new TextDecoder('windows-1252');
    return decoder.decode(pending, { stream });
  };
  const track = (chunk: Uint8Array, text: string) => {
    if (current !== 'utf-8' || sawNonAscii) return;
    if (/[^\x00-\x7f]/.test(text)) {
      sawNonAscii = true;
      return;
    }
    let k = chunk.length;
    while (k > 0 && chunk.length - k < 3 && chunk[k - 1] >= 0x80) k--;
    if (k === chunk.length) {
      tail = new Uint8Array(0);
      return;
    }
    if (k > 0) {
      tail = chunk.slice(k);
      return;
    }
    // a tiny chunk of only high bytes continues the pending ones
    const joined = new Uint8Array(tail.length + chunk.length);
    joined.set(tail);
    joined.set(chunk, tail.length);
    tail = joined.slice(Math.max(0, joined.length - 3));
  };
  return {
    get encoding() {
      return current;
    },
    write(chunk) {
      let text: string;
      try {
        text = decoder.decode(chunk, { stream: true });
      } catch {
        if (!canFallBack()) return fail();
        const all = new Uint8Array(tail.length + chunk.length);
        all.set(tail);
        all.set(chunk, tail.length);
        text = switchTo1252(all, true);
      }
      track(chunk, text);
      bytes += chunk.length;
      return check(text);
    },
    end() {
      let text: string;
      try {
        text = decoder.decode();
      } catch {
        if (!canFallBack()) return fail();
        text = switchTo1252(tail, false);
      }
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
