import { describe, expect, it } from 'vitest';
import * as XLSX from '@e965/xlsx';
import { lyingZip } from '../fixtures/zip.ts';
import {
  checkZipInflation,
  checkZipSizes,
  createCsvReader,
  createStreamDecoder,
  detectColumns,
  detectDelimiter,
  detectFormat,
  detectHeaderRow,
  parseContactBytes,
  readWorkbook,
  sniffEncoding,
  type ParsedContactRow,
} from '../../shared/import/index.ts';

const utf8 = (s: string) => new TextEncoder().encode(s);

describe('sniffEncoding', () => {
  it.each([
    [[0xef, 0xbb, 0xbf, 0x41], 'utf-8-bom'],
    [[0xff, 0xfe, 0x41, 0x00], 'utf-16le'],
    [[0xfe, 0xff, 0x00, 0x41], 'utf-16be'],
    [[...utf8('Adé,0803')], 'utf-8'],
    [[0x41, 0x64, 0xe9, 0x2c, 0x30], 'windows-1252'],
    [[0x41, 0x00, 0x2c, 0x00, 0x30, 0x00, 0x38, 0x00], 'utf-16le'],
  ])('%j is %s', (bytes, enc) => {
    expect(sniffEncoding(new Uint8Array(bytes))).toBe(enc);
  });

  it('a UTF-8 character cut at the end of the sample is still UTF-8', () => {
    expect(sniffEncoding(utf8('Name,Adé').subarray(0, 8))).toBe('utf-8');
  });
});

describe('createStreamDecoder', () => {
  it('joins a character split across chunks, for UTF-8 and UTF-16', () => {
    const bytes = utf8('ọ̀é£');
    const d = createStreamDecoder('utf-8', 'x.csv');
    let out = '';
    for (let i = 0; i < bytes.length; i++) out += d.write(bytes.subarray(i, i + 1));
    expect(out + d.end()).toBe('ọ̀é£');
    const le = new Uint8Array([0xff, 0xfe, 0x3d, 0xd8, 0x00, 0xde]); // BOM + 😀
    const d16 = createStreamDecoder('utf-16le', 'x.txt');
    expect(d16.write(le.subarray(0, 3)) + d16.write(le.subarray(3)) + d16.end()).toBe('😀');
  });
});

describe('detectDelimiter', () => {
  it.each([
    ['a,b,c\n1,2,3\n', ','],
    ['a;b;c\n1;2,5;3\n4;5,1;6\n', ';'],
    ['a\tb\n1\t2\n', '\t'],
    ['a|b|c\n1|2|3\n', '|'],
    ['"x, y";b\n"1, 2";3\n', ';'],
    ['phone\n0803\n', ','],
  ])('%j -> %j', (text, d) => expect(detectDelimiter(text)).toBe(d));
});

describe('createCsvReader', () => {
  function readAll(text: string, chunk: number): string[][] {
    const rows: string[][] = [];
    const r = createCsvReader({ fileName: 't.csv', onRows: (x) => rows.push(...x) });
    for (let i = 0; i < text.length; i += chunk) r.push(text.slice(i, i + chunk));
    r.end();
    return rows;
  }

  it('gives the same rows whatever the chunk size (quotes, newlines in cells, CRLF)', () => {
    const text =
      'Name,Phone,Note\r\n"Okafor, Ada",08031234567,"said ""hi""\r\nthen left"\r\nBola,0806,\r\n' +
      'x,1,y\r\n'.repeat(20_000);
    const whole = readAll(text, text.length);
    expect(whole[1]).toEqual(['Okafor, Ada', '08031234567', 'said "hi"\r\nthen left']);
    expect(whole[2]).toEqual(['Bola', '0806', '']);
    expect(whole.length).toBe(20_003);
    for (const size of [1, 7, 4096, 65_537]) expect(readAll(text, size)).toEqual(whole);
  });

  it('reports the row of an unclosed quote', () => {
    expect(() => readAll('a,b\n1,2\n"3,4\n5,6\n', 3)).toThrow(
      expect.objectContaining({ code: 'IMPORT_BAD_QUOTES', message: expect.stringMatching(/t\.csv.*row 3/) }),
    );
  });

  it('a quote opened early and never closed in a big file fails without reading it all into one row', () => {
    const rows: string[][] = [];
    const r = createCsvReader({ fileName: 'big.csv', onRows: (x) => rows.push(...x) });
    r.push('a,b\n"oops,1\n');
    expect(() => {
      for (let i = 0; i < 200; i++) r.push('x,08031234567\n'.repeat(5000));
    }).toThrow(expect.objectContaining({ code: 'IMPORT_BAD_QUOTES', message: expect.stringMatching(/row 2/) }));
  });
});

describe('header and columns', () => {
  it('finds the header under title rows', () => {
    expect(detectHeaderRow([['Customer list'], [], ['Name', 'Mobile'], ['Ada', '0803 123 4567']])).toBe(2);
    expect(detectHeaderRow([['Report'], ['Who', 'Reach'], ['Ada', '08031234567']])).toBe(1);
    expect(
      detectHeaderRow([
        ['08031234567', 'Ada'],
        ['08061234567', 'Bola'],
      ]),
    ).toBe(-1);
  });

  it('a title mentioning "phone" is not the header', () => {
    expect(detectHeaderRow([['Customer phone list 2024'], ['Name', 'GSM'], ['Ada', '0803']])).toBe(1);
  });

  it('prefers content over names: a "Contact" column of names is not the phone column', () => {
    const header = ['S/N', 'Contact', 'Number'];
    const rows = [
      ['1', 'Ada Obi', '08031234567'],
      ['2', 'Bola Ade', '08061234567'],
    ];
    expect(detectColumns(header, rows)).toEqual({ phoneColumn: 2, nameColumns: [] });
    expect(detectColumns(['First Name', 'Surname', 'Tel'], [['A', 'B', '']]).phoneColumn).toBe(2);
    expect(detectColumns(['First Name', 'Surname', 'Tel'], [['A', 'B', '']]).nameColumns).toEqual([0, 1]);
  });

  it('parseContactBytes names blank and repeated headers so no cell is lost', () => {
    const rows: ParsedContactRow[] = [];
    const res = parseContactBytes(utf8('Name,,Phone,Name\nAda,x,08031234567,Obi\n'), {
      fileName: 'a.csv',
      onRows: (r) => rows.push(...r),
    });
    expect(res.plan.fields).toEqual(['Name', 'column B', 'Phone', 'Name (2)']);
    expect(rows[0]).toEqual({
      row: 2,
      phone: '08031234567',
      fields: { Name: 'Ada', 'column B': 'x', Phone: '08031234567', 'Name (2)': 'Obi' },
    });
  });
});

describe('formats and limits', () => {
  const xlsx = (aoa: unknown[][]) => {
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(aoa), 'S');
    return new Uint8Array(XLSX.write(wb, { type: 'array', bookType: 'xlsx', compression: true }) as ArrayBuffer);
  };

  it('detects by magic bytes', () => {
    expect(detectFormat(xlsx([['a']]), 'x.csv')).toBe('zip');
    expect(detectFormat(utf8('a,b'), 'x.xlsx')).toBe('text');
    expect(() => detectFormat(utf8('%PDF-1.4'), 'x.csv')).toThrow(expect.objectContaining({ code: 'IMPORT_BINARY' }));
  });

  it('refuses a workbook whose parts really unpack beyond the limit, before unpacking', () => {
    const rows = Array.from({ length: 20_000 }, () => ['Same person', 8031234567]);
    const bytes = xlsx(rows);
    expect(bytes.length).toBeLessThan(1_000_000); // under the limit on disk, over it once unpacked
    expect(() => checkZipSizes(bytes, 'b.xlsx', { maxUncompressedBytes: 1_000_000, maxEntries: 100 })).toThrow(
      expect.objectContaining({ code: 'IMPORT_TOO_LARGE', message: expect.stringMatching(/^b\.xlsx would unpack/) }),
    );
    expect(checkZipSizes(bytes, 'b.xlsx').uncompressed).toBeGreaterThan(1_000_000);
  });

  it('refuses sheets beyond the row limit', () => {
    const bytes = xlsx(Array.from({ length: 200 }, (_, i) => [i]));
    expect(() =>
      readWorkbook(bytes, 'tall.xlsx', { maxUncompressedBytes: 1e9, maxEntries: 100, maxRows: 100, maxColumns: 100 }),
    ).toThrow(expect.objectContaining({ code: 'IMPORT_TOO_LARGE', message: expect.stringContaining('tall.xlsx') }));
  });

  it('number cells become full digits, never 2.34803E+12', () => {
    const rows: ParsedContactRow[] = [];
    parseContactBytes(xlsx([['Phone'], [8031234567], [2348031234567]]), {
      fileName: 'n.xlsx',
      onRows: (r) => rows.push(...r),
    });
    expect(rows.map((r) => r.phone)).toEqual(['8031234567', '2348031234567']);
  });
});

describe('sheet dimensions', () => {
  it('a sheet claiming the whole grid (A1:XFD1048576) opens at once and yields only its real rows', () => {
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet([['Phone'], ['08031234567']]), 'S');
    const zip = XLSX.CFB.read(XLSX.write(wb, { type: 'buffer', bookType: 'xlsx' }) as Buffer, { type: 'buffer' });
    const entry = XLSX.CFB.find(zip, '/xl/worksheets/sheet1.xml')!;
    const xml = new TextDecoder()
      .decode(entry.content as Uint8Array)
      .replace(/<dimension ref="[^"]*"\/>/, '<dimension ref="A1:XFD1048576"/>');
    expect(xml).toContain('XFD1048576');
    entry.content = new TextEncoder().encode(xml) as unknown as typeof entry.content;
    entry.size = (entry.content as Uint8Array).length;
    const bytes = new Uint8Array(XLSX.CFB.write(zip, { type: 'buffer', fileType: 'zip' }) as Buffer);
    const rows: ParsedContactRow[] = [];
    const start = performance.now();
    parseContactBytes(bytes, { fileName: 'huge-ref.xlsx', onRows: (r) => rows.push(...r) });
    expect(performance.now() - start).toBeLessThan(2000);
    expect(rows.map((r) => r.phone)).toEqual(['08031234567']);
  });

  it('a header row chosen beyond the end of the file is explained', () => {
    expect(() =>
      parseContactBytes(utf8('Phone\n08031234567\n'), { fileName: 's.csv', headerRow: 9, onRows: () => {} }),
    ).toThrow(
      expect.objectContaining({ code: 'IMPORT_NO_ROWS', message: expect.stringMatching(/^s\.csv has no row 9/) }),
    );
  });

  it('a header row chosen by the user far down the file is used', () => {
    const lines = [...Array.from({ length: 100 }, (_, i) => `note ${i}`), 'Name,Phone', 'Ada,08031234567'];
    const rows: ParsedContactRow[] = [];
    const res = parseContactBytes(utf8(lines.join('\n')), {
      fileName: 's.csv',
      headerRow: 101,
      onRows: (r) => rows.push(...r),
    });
    expect(res.plan).toMatchObject({ headerRow: 101, phoneColumn: 'Phone' });
    expect(rows).toEqual([{ row: 102, phone: '08031234567', fields: { Name: 'Ada', Phone: '08031234567' } }]);
  });
});

describe('createStreamDecoder fallback', () => {
  it('switches a guessed UTF-8 to windows-1252 only if everything before was ASCII', () => {
    const d = createStreamDecoder('utf-8', 'a.csv', { asciiFallback: true });
    expect(d.write(utf8('Name\n')) + d.write(new Uint8Array([0x4a, 0x6f, 0x73, 0xe9])) + d.end()).toBe('Name\nJosé');
    expect(d.encoding).toBe('windows-1252');
    const strict = createStreamDecoder('utf-8', 'b.csv', { asciiFallback: true });
    strict.write(utf8('Adé\n'));
    expect(() => strict.write(new Uint8Array([0xe9, 0x0a]))).toThrow(
      expect.objectContaining({ code: 'IMPORT_ENCODING' }),
    );
    const chosen = createStreamDecoder('utf-8', 'c.csv');
    expect(() => chosen.write(new Uint8Array([0x41, 0xe9, 0x0a]))).toThrow(
      expect.objectContaining({ code: 'IMPORT_ENCODING' }),
    );
  });
});

describe('createStreamDecoder fallback, byte by byte', () => {
  it('gives the same text whatever the chunking', () => {
    const bytes = new Uint8Array([...utf8('Name\nJos'), 0xe9, 0x0a, 0xa3, 0x35]);
    for (const size of [1, 2, 3, 5, 100]) {
      const d = createStreamDecoder('utf-8', 'a.csv', { asciiFallback: true });
      let out = '';
      for (let i = 0; i < bytes.length; i += size) out += d.write(bytes.subarray(i, i + size));
      expect(out + d.end()).toBe('Name\nJosé\n£5');
    }
  });
});

describe('checkZipInflation', () => {
  it('catches entries that unpack far beyond what they declare', async () => {
    const zip = lyingZip([
      { name: 'xl/worksheets/sheet1.xml', data: new Uint8Array(3 * 1024 * 1024), declared: 100 },
      { name: 'xl/workbook.xml', data: utf8('<workbook/>'), declared: 11 },
    ]);
    const limits = { maxUncompressedBytes: 1024 * 1024, maxEntries: 100 };
    expect(checkZipSizes(zip, 'bomb.xlsx', limits).uncompressed).toBe(111); // the lie passes the cheap check
    await expect(checkZipInflation(zip, 'bomb.xlsx', limits)).rejects.toMatchObject({
      code: 'IMPORT_TOO_LARGE',
      message: expect.stringMatching(/^bomb\.xlsx would unpack/),
    });
    expect(await checkZipInflation(zip, 'bomb.xlsx', { maxUncompressedBytes: 10 * 1024 * 1024, maxEntries: 100 })).toBe(
      3 * 1024 * 1024 + 11,
    );
  });
});
