import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import * as XLSX from '@e965/xlsx';
import { lyingZip, zerosDeflated } from '../fixtures/zip.ts';
import { writeXlsxFile } from '../../bench/lib/xlsx-writer.ts';
import { contactRows, HEADER } from '../../bench/lib/data.ts';
import {
  DEFAULT_XLSX_STREAM_LIMITS,
  NotStreamable,
  blobSource,
  bytesSource,
  detectFormat,
  openXlsxStream,
  parseContactBytes,
  parseXlsxSource,
  readWorkbook,
  sheetRowCount,
  sheetRows,
  type ParsedContactRow,
  type ParsedSource,
  type XlsxStreamLimits,
} from '../../shared/import/index.ts';
import { openSheet, openSource, type Source } from '../../renderer/src/workers/sources.ts';

const fixtures = path.join(__dirname, '../fixtures/import');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'smsdesk-xlsx-stream-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Every sheet's rows as the streaming reader gives them, in batches of `batchRows`. */
async function streamed(
  bytes: Uint8Array,
  batchRows = 5000,
  limits?: XlsxStreamLimits,
): Promise<Record<string, string[][]>> {
  const wb = await openXlsxStream(bytesSource(bytes), 'f.xlsx', limits);
  const out: Record<string, string[][]> = {};
  for (const name of wb.sheets) {
    const rows: string[][] = [];
    let next = 1;
    await wb.readRows(name, {
      batchRows,
      onRows: (r, first) => {
        expect(first).toBe(next);
        next += r.length;
        rows.push(...r);
      },
    });
    out[name] = rows;
  }
  return out;
}

/** The same through SheetJS (readWorkbook + sheetRows, the reader of every other format). */
function sheetjs(bytes: Uint8Array): Record<string, string[][]> {
  const wb = readWorkbook(bytes, 'f.xlsx');
  return Object.fromEntries(wb.SheetNames.map((n) => [n, sheetRows(wb, n, 'f.xlsx', 0, sheetRowCount(wb, n))]));
}

type Outcome =
  { ok: true; parsed: ParsedSource; rows: ParsedContactRow[] } | { ok: false; code: string; message: string };

async function viaStream(
  bytes: Uint8Array,
  opts: { sheet?: string; headerRow?: number; phoneColumn?: string } = {},
): Promise<Outcome> {
  const rows: ParsedContactRow[] = [];
  try {
    const parsed = await parseXlsxSource(bytesSource(bytes), {
      fileName: 'f.xlsx',
      ...opts,
      onRows: (r) => rows.push(...r),
    });
    return { ok: true, parsed, rows };
  } catch (e) {
    return { ok: false, code: (e as { code: string }).code, message: (e as Error).message };
  }
}

function viaSheetjs(
  bytes: Uint8Array,
  opts: { sheet?: string; headerRow?: number; phoneColumn?: string } = {},
): Outcome {
  const rows: ParsedContactRow[] = [];
  try {
    const parsed = parseContactBytes(bytes, { fileName: 'f.xlsx', ...opts, onRows: (r) => rows.push(...r) });
    return { ok: true, parsed, rows };
  } catch (e) {
    return { ok: false, code: (e as { code: string }).code, message: (e as Error).message };
  }
}

const read = (name: string) => new Uint8Array(fs.readFileSync(path.join(fixtures, name)));
const zipFixtures = fs.readdirSync(fixtures).filter((f) => {
  const b = read(f);
  return (
    b.length > 0 &&
    (() => {
      try {
        return detectFormat(b, f) === 'zip' && !f.endsWith('.ods');
      } catch {
        return false;
      }
    })()
  );
});

/** A zip (stored entries are fine for tests) from name -> bytes, via SheetJS's CFB writer. */
function rezip(bytes: Uint8Array, edit: (name: string, text: string) => string): Uint8Array {
  const zip = XLSX.CFB.read(bytes, { type: 'array' });
  for (let i = 0; i < zip.FullPaths.length; i++) {
    const entry = zip.FileIndex[i];
    if (entry.type !== 2) continue;
    const name = zip.FullPaths[i].replace(/^Root Entry\//, '');
    const text = new TextDecoder().decode(entry.content as Uint8Array);
    const changed = edit(name, text);
    if (changed !== text) {
      entry.content = new TextEncoder().encode(changed) as unknown as typeof entry.content;
      entry.size = (entry.content as Uint8Array).length;
    }
  }
  return new Uint8Array(XLSX.CFB.write(zip, { type: 'array', fileType: 'zip', compression: true }) as ArrayBuffer);
}

describe('streaming .xlsx reader: the rows SheetJS gives', () => {
  it('the zip fixtures include the LibreOffice-made ones (others added later are compared too)', () => {
    expect(zipFixtures).toEqual(
      expect.arrayContaining(['cells.xlsx', 'simple.xlsx', 'workbook-named.csv', 'workbook.xlsx']),
    );
  });

  it.each(zipFixtures)('%s: every sheet, row for row', async (name) => {
    const bytes = read(name);
    const mine = await streamed(bytes);
    expect(Object.keys(mine)).toEqual(readWorkbook(bytes, name).SheetNames);
    expect(mine).toEqual(sheetjs(bytes));
    // batch boundaries change nothing
    expect(await streamed(bytes, 1)).toEqual(mine);
  });

  it.each(zipFixtures)('%s: the same contact rows, plan and sheet as the SheetJS import', async (name) => {
    const bytes = read(name);
    const theirs = viaSheetjs(bytes);
    expect(theirs.ok).toBe(true);
    expect(await viaStream(bytes)).toEqual(theirs);
    // with the user's choices too
    const chosen = { sheet: 'customers', headerRow: 3, phoneColumn: 'B' };
    if (name !== 'simple.xlsx') expect(await viaStream(bytes, chosen)).toEqual(viaSheetjs(bytes, chosen));
  });

  it('cells.xlsx: numbers keep every digit, dates read as dates, rich text and entities as text', async () => {
    const rows = (await streamed(read('cells.xlsx'))).Cells;
    expect(rows[1]).toEqual([
      'Adébáyọ̀ & Co <Ltd> "quoted"',
      '2348031234502',
      '2024-03-01',
      '1',
      '12.5',
      'line one\nline two',
      'Adébáyọ̀ & Co <Ltd> "quoted"!',
    ]);
    expect(rows[2]).toEqual(['Zoë Bold', '08031234504', '2024-03-01 13:45:00', '0', '-0.1', '0.25', '']);
    expect(rows[3]).toEqual([]); // blank rows between rows with cells are kept, as rows
    expect(rows[4]).toEqual([]);
    expect(rows[5]).toEqual(['', '', '', '', '', 'only column F']);
    expect(rows[7].slice(0, 2)).toEqual(['Old date', '8031234501']);
    expect(rows[7][5]).toBe('€ £ ₦ 😀');
  });

  it('a sheet whose elements carry a namespace prefix (x:row, x:c, as .NET writers do) reads the same', async () => {
    const bytes = read('cells.xlsx');
    const prefixed = rezip(bytes, (name, text) =>
      name === 'xl/worksheets/sheet1.xml'
        ? text
            .replace(/<(\/?)(worksheet|sheetData|row|c|v|f|is|t)(?=[\s>/])/g, '<$1x:$2')
            .replace(
              '<x:worksheet ',
              '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ',
            )
        : text,
    );
    expect(
      new TextDecoder().decode(
        XLSX.CFB.find(XLSX.CFB.read(prefixed, { type: 'array' }), '/xl/worksheets/sheet1.xml')!.content as Uint8Array,
      ),
    ).toContain('<x:row r="2"');
    expect(await streamed(prefixed)).toEqual(await streamed(bytes));
    expect(await streamed(prefixed)).toEqual(sheetjs(prefixed));
  });

  it("a Blob source (the renderer worker's File) gives the same rows as bytes", async () => {
    const bytes = read('workbook.xlsx');
    const wb = await openXlsxStream(blobSource(new Blob([bytes as Uint8Array<ArrayBuffer>])), 'workbook.xlsx');
    const rows: string[][] = [];
    await wb.readRows('Customers', {
      onRows: (r) => {
        rows.push(...r);
      },
    });
    expect(rows).toEqual(sheetjs(bytes).Customers);
  });
});

describe('streaming .xlsx reader: shared and inline strings', () => {
  const n = 3000;
  const rows = () => [HEADER, ...contactRows(n)];
  const make = async (strings: 'shared' | 'inline') => {
    const file = path.join(tmp, `${strings}.xlsx`);
    await writeXlsxFile(file, rows(), { strings });
    return new Uint8Array(fs.readFileSync(file));
  };

  it.each(['shared', 'inline'] as const)('%s strings: the rows SheetJS gives, and the same contacts', async (kind) => {
    const bytes = await make(kind);
    const mine = await streamed(bytes, 777);
    expect(mine).toEqual(sheetjs(bytes));
    expect(mine.Contacts).toHaveLength(n + 1);
    expect(await viaStream(bytes)).toEqual(viaSheetjs(bytes));
  });

  it('both give the rows that were written (digits-only phones written as numbers come back whole)', async () => {
    const shared = (await streamed(await make('shared'))).Contacts;
    const inline = (await streamed(await make('inline'))).Contacts;
    expect(inline).toEqual(shared);
    const written = rows().map((r) => {
      const c = [...r];
      while (c.length && c[c.length - 1] === '') c.pop();
      return c;
    });
    expect(shared).toEqual(written);
    expect(shared.some((r) => /^234\d{10}$/.test(r[0]))).toBe(true);
  });
});

const hasSoffice = (() => {
  try {
    execFileSync('soffice', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!hasSoffice)('streaming .xlsx reader: a workbook LibreOffice converts from CSV', () => {
  it('20,000 contact rows: the rows and contacts SheetJS gives', { timeout: 120_000 }, () => {
    const csv = path.join(tmp, 'lo-contacts.csv');
    fs.writeFileSync(
      csv,
      [HEADER, ...contactRows(20_000)]
        .map((r) => r.map((c) => (/[",]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(','))
        .join('\n') + '\n',
    );
    execFileSync(
      'soffice',
      [`-env:UserInstallation=file://${tmp}/profile`, '--headless', '--convert-to', 'xlsx', '--outdir', tmp, csv],
      { stdio: 'ignore' },
    );
    const bytes = new Uint8Array(fs.readFileSync(path.join(tmp, 'lo-contacts.xlsx')));
    return (async () => {
      const mine = await streamed(bytes);
      expect(mine).toEqual(sheetjs(bytes));
      expect(Object.values(mine)[0]).toHaveLength(20_001);
      const outcome = await viaStream(bytes);
      expect(outcome).toEqual(viaSheetjs(bytes));
      expect(outcome.ok && outcome.rows.length).toBeGreaterThan(19_000);
    })();
  });
});

describe('streaming .xlsx reader: limits and refusals', () => {
  const small = (over: Partial<XlsxStreamLimits>): XlsxStreamLimits => ({ ...DEFAULT_XLSX_STREAM_LIMITS, ...over });
  /** A workbook of its parts: written by SheetJS's zip writer, or by lyingZip when an entry must lie about its size. */
  const minimal = (
    sheetXml: string,
    extra: Array<{ name: string; data: Uint8Array | { deflated: Uint8Array; size: number }; declared: number }> = [],
  ) => {
    const t = (s: string) => new TextEncoder().encode(s);
    const parts: Array<[string, string]> = [
      [
        '[Content_Types].xml',
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
      ],
      [
        '_rels/.rels',
        '<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
      ],
      [
        'xl/workbook.xml',
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
      ],
      [
        'xl/_rels/workbook.xml.rels',
        '<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
      ],
    ];
    if (sheetXml)
      parts.push([
        'xl/worksheets/sheet1.xml',
        sheetXml.replace(
          '<worksheet>',
          '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">',
        ),
      ]);
    if (extra.length)
      return lyingZip([...parts.map(([name, x]) => ({ name, data: t(x), declared: t(x).length })), ...extra]);
    const cfb = XLSX.CFB.utils.cfb_new();
    for (const [name, x] of parts) XLSX.CFB.utils.cfb_add(cfb, name, t(x));
    return new Uint8Array(XLSX.CFB.write(cfb, { type: 'array', fileType: 'zip', compression: true }) as ArrayBuffer);
  };

  it('a minimal workbook of my own making reads (inline strings, no styles, no shared strings)', async () => {
    const bytes = minimal(
      '<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Phone</t></is></c></row><row r="2"><c r="A2"><v>2348031234502</v></c></row></sheetData></worksheet>',
    );
    expect(await streamed(bytes)).toEqual({ S: [['Phone'], ['2348031234502']] });
    expect(await streamed(bytes)).toEqual(sheetjs(bytes));
  });

  it('a sheet that lies about its size is stopped once it really inflates beyond the limit', async () => {
    const bytes = minimal('', [{ name: 'xl/worksheets/sheet1.xml', data: zerosDeflated(64), declared: 1000 }]);
    expect(bytes.length).toBeLessThan(1024 * 1024);
    await expect(streamed(bytes, 5000, small({ maxSheetBytes: 8 * 1024 * 1024 }))).rejects.toMatchObject({
      code: 'IMPORT_TOO_LARGE',
      message: expect.stringMatching(/^f\.xlsx would unpack to more than 8 MB/),
    });
  });

  it('a directory declaring more than the reader would ever inflate is refused before inflating', async () => {
    const bytes = minimal('<worksheet><sheetData/></worksheet>', [
      { name: 'xl/media/huge.bin', data: new Uint8Array(10), declared: 2_000_000 },
    ]);
    await expect(
      openXlsxStream(
        bytesSource(bytes),
        'big.xlsx',
        small({ maxSheetBytes: 1_000_000, maxSharedStringsBytes: 500_000 }),
      ),
    ).rejects.toMatchObject({ code: 'IMPORT_TOO_LARGE', message: expect.stringMatching(/^big\.xlsx would unpack/) });
  });

  it('a cell longer than 32,767 characters names its row, as the SheetJS reader does', async () => {
    const bytes = minimal(
      `<worksheet><sheetData><row r="1"><c t="inlineStr"><is><t>Phone</t></is></c></row><row r="2"><c t="inlineStr"><is><t>${'x'.repeat(40_000)}</t></is></c></row></sheetData></worksheet>`,
    );
    const err = {
      code: 'IMPORT_CELL_TOO_LONG',
      message: expect.stringMatching(/longer than 32,767 characters on row 2 of sheet "S"/),
    };
    await expect(streamed(bytes)).rejects.toMatchObject(err);
    expect(() => sheetjs(bytes)).toThrow(expect.objectContaining(err));
  });

  it('a row beyond 1,048,576 or a column beyond 16,384 is refused', async () => {
    const tall = minimal(
      '<worksheet><sheetData><row r="1048577"><c r="A1048577"><v>1</v></c></row></sheetData></worksheet>',
    );
    await expect(streamed(tall)).rejects.toMatchObject({
      code: 'IMPORT_TOO_LARGE',
      message: expect.stringContaining('sheet "S"'),
    });
    const wide = minimal('<worksheet><sheetData><row r="1"><c r="XFE1"><v>1</v></c></row></sheetData></worksheet>');
    await expect(streamed(wide)).rejects.toMatchObject({
      code: 'IMPORT_TOO_LARGE',
      message: expect.stringContaining('column 16,385'),
    });
  });

  it('strict OOXML, xlsb and comments in the sheet are handed back (NotStreamable) for SheetJS', async () => {
    const strict = rezip(read('workbook.xlsx'), (name, text) =>
      name === 'xl/workbook.xml'
        ? text.replace(
            'http://schemas.openxmlformats.org/spreadsheetml/2006/main',
            'http://purl.oclc.org/ooxml/spreadsheetml/main',
          )
        : text,
    );
    await expect(openXlsxStream(bytesSource(strict), 'strict.xlsx')).rejects.toBeInstanceOf(NotStreamable);
    const xlsb = rezip(read('workbook.xlsx'), (name, text) =>
      name === '_rels/.rels' ? text.replace('xl/workbook.xml', 'xl/workbook.bin') : text,
    );
    await expect(openXlsxStream(bytesSource(xlsb), 'b.xlsb')).rejects.toBeInstanceOf(NotStreamable);
    const commented = minimal(
      '<worksheet><sheetData><!-- <row r="1"><c><v>1</v></c></row> --><row r="2"><c><v>2</v></c></row></sheetData></worksheet>',
    );
    const rows: string[][] = [];
    await expect(viaStreamRaw(commented, rows)).rejects.toBeInstanceOf(NotStreamable);
    expect(rows).toEqual([]); // nothing was handed over before giving up
  });

  async function viaStreamRaw(bytes: Uint8Array, rows: string[][]) {
    return parseXlsxSource(bytesSource(bytes), {
      fileName: 'c.xlsx',
      onRows: (r) => {
        rows.push(...r.map((x) => [x.phone]));
      },
    });
  }

  it('a text cell pointing beyond the shared strings is unreadable, with a sentence saying what to do', async () => {
    const bytes = minimal('<worksheet><sheetData><row r="1"><c t="s"><v>5</v></c></row></sheetData></worksheet>');
    await expect(streamed(bytes)).rejects.toMatchObject({
      code: 'IMPORT_UNREADABLE',
      message: expect.stringMatching(/save it as XLSX or CSV, then import again/),
    });
  });
});

describe('streaming .xlsx reader: batches, progress and stopping', () => {
  it('hands rows over in batches with progress up to the whole part, and stops when asked', async () => {
    const file = path.join(tmp, 'progress.xlsx');
    await writeXlsxFile(file, [HEADER, ...contactRows(20_000)], { strings: 'shared' });
    const bytes = new Uint8Array(fs.readFileSync(file));
    const wb = await openXlsxStream(bytesSource(bytes), 'progress.xlsx');
    const seen: Array<{ first: number; n: number; bytesIn: number; bytesTotal: number }> = [];
    const all = await wb.readRows('Contacts', {
      batchRows: 1000,
      onRows: (r, first, p) => {
        seen.push({ first, n: r.length, ...p });
      },
    });
    expect(all).toEqual({ lastRow: 20_001, stopped: false });
    expect(seen.length).toBe(21);
    expect(seen.every((s, i) => i === 0 || s.bytesIn >= seen[i - 1].bytesIn)).toBe(true);
    expect(seen[seen.length - 1].bytesIn).toBe(wb.sheetBytes('Contacts'));
    let batches = 0;
    const part = await wb.readRows('Contacts', { batchRows: 1000, onRows: () => ++batches < 3 });
    expect(part).toEqual({ lastRow: 3000, stopped: true });
    // an error thrown by the consumer (the engine's cancel) ends the read and comes out as is
    const cancelled = new Error('cancelled');
    await expect(
      parseXlsxSource(bytesSource(bytes), {
        fileName: 'p.xlsx',
        onRows: () => {},
        afterBatch: () => {
          throw cancelled;
        },
      }),
    ).rejects.toBe(cancelled);
  });
});

describe("the renderer worker's source (renderer/src/workers/sources.ts) on a streamed .xlsx", () => {
  /** Everything the Import page sees of a source: sheets and counts, first rows, all rows, the chosen sheet. */
  async function seen(src: Source) {
    const best = await src.bestSheet();
    const out: Record<string, unknown> = { kind: src.kind, sheets: src.sheets, best };
    for (const s of src.sheets) {
      const rows: string[][] = [];
      const progress: number[] = [];
      await src.stream(
        s.name,
        async (r, first, p) => {
          expect(first).toBe(rows.length + 1);
          rows.push(...r);
          progress.push(p.done / p.total);
        },
        { cancelled: false },
      );
      out[s.name] = {
        head: await src.head(s.name, 60),
        count: src.rowCount(s.name),
        rows,
        lastProgress: progress.at(-1) ?? null,
      };
    }
    return out;
  }

  it.each(zipFixtures)('%s: what the page sees is what it saw with SheetJS', async (name) => {
    const bytes = read(name);
    const streamedSource = await openSource(new File([bytes as Uint8Array<ArrayBuffer>], name));
    const sheetjsSource = openSheet(name, readWorkbook(bytes, name));
    expect(await seen(streamedSource)).toEqual(await seen(sheetjsSource));
  });

  it('stops streaming when the page cancels', async () => {
    const file = path.join(tmp, 'cancel.xlsx');
    await writeXlsxFile(file, [HEADER, ...contactRows(10_000)], { strings: 'shared' });
    const src = await openSource(new File([fs.readFileSync(file)], 'cancel.xlsx'));
    expect(src.rowCount('Contacts')).toBe(10_001);
    const signal = { cancelled: false };
    let got = 0;
    await src.stream(
      'Contacts',
      async (r) => {
        got += r.length;
        signal.cancelled = true;
      },
      signal,
    );
    expect(got).toBe(2000); // one chunk (SHEET_STEP), then nothing more
  });

  it("a zip the streaming reader hands back still gets SheetJS's bomb check in the worker", async () => {
    const bomb = lyingZip([
      { name: '[Content_Types].xml', data: new TextEncoder().encode('<Types/>'), declared: 8 },
      { name: 'xl/worksheets/sheet1.xml', data: zerosDeflated(400), declared: 1024 },
    ]);
    await expect(openSource(new File([bomb as Uint8Array<ArrayBuffer>], 'bomb.xlsx'))).rejects.toMatchObject({
      code: 'IMPORT_TOO_LARGE',
      message: expect.stringMatching(/^bomb\.xlsx would unpack to more than 300 MB/),
    });
  });
});
