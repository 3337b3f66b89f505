/**
 * The streaming XLSX writer behind every export: what a spreadsheet reads back from it is what
 * was written (columns past Z, text XML cannot hold, numbers, local date cells), read here by
 * SheetJS, the reader the app's own import uses. LibreOffice opens the same files in
 * tests/engine/export-spreadsheets.test.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as XLSX from '@e965/xlsx';
import { afterAll, describe, expect, it } from 'vitest';
import {
  columnName,
  SheetFullError,
  writeXlsxFile,
  XLSX_DATE_FORMAT,
  XLSX_MAX_ROWS,
  xmlText,
} from '../../electron/engine/xlsxWrite.ts';
import { writeTable } from '../../electron/engine/tableFile.ts';
import { XLSX_MAX_CELL_CHARS } from '../../shared/exports.ts';
import { excelLocalSerial } from '../../shared/localTime.ts';
import { UserError } from '../../electron/engine/errors.ts';
import { tempDir } from '../helpers/engine.ts';

const dir = tempDir('smsdesk-xlsx-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const read = (file: string) => {
  const wb = XLSX.read(fs.readFileSync(file), { cellDates: false, cellNF: true });
  return { wb, ws: wb.Sheets[wb.SheetNames[0]!]! };
};

describe('xlsxWrite', () => {
  it('names columns as Excel does past Z', () => {
    expect([0, 25, 26, 27, 51, 52, 701, 702, 16383].map(columnName)).toEqual([
      'A',
      'Z',
      'AA',
      'AB',
      'AZ',
      'BA',
      'ZZ',
      'AAA',
      'XFD',
    ]);
  });

  it('escapes text for XML: markup, controls the OOXML way, a literal _xHHHH_, a lone surrogate', () => {
    expect(xmlText('a & b < c > d')).toBe('a &amp; b &lt; c &gt; d');
    expect(xmlText('bell\u0007 tab\t nl\n')).toBe('bell_x0007_ tab\t nl\n');
    expect(xmlText('_x0041_')).toBe('_x005F_x0041_');
    expect(xmlText('half \ud83d of a pair, a whole 😀')).toBe('half \ufffd of a pair, a whole 😀');
  });

  it('reads back as written: 30 columns, hostile and odd text, numbers, date cells in local time', async () => {
    const file = path.join(dir, 'back.xlsx');
    const header = Array.from({ length: 30 }, (_, i) => `col ${i}`);
    const at = new Date(Date.UTC(2026, 11, 1, 7, 25, 49));
    const texts = ['=1+1', '+2348031234567', 'a & <b>', 'bell\u0007', '_x0041_', '  spaced  ', 'Ọ̀ṣun 😀', 'x\ny'];
    const rows = texts.map((t, i) => [t, i + 0.5, at, ...Array.from({ length: 27 }, (_, c) => `r${i}c${c + 3}`)]);
    const n = await writeXlsxFile(
      file,
      'Results',
      header,
      (async function* () {
        yield rows.slice(0, 3);
        yield rows.slice(3);
      })(),
    );
    expect(n).toEqual({ rows: texts.length, cutCells: 0 });
    const { wb, ws } = read(file);
    expect(wb.SheetNames).toEqual(['Results']);
    const aoa = XLSX.utils.sheet_to_json<unknown[]>(ws, { header: 1, raw: true });
    expect(aoa[0]).toEqual(header);
    expect(aoa.slice(1).map((r) => r[0])).toEqual(texts);
    expect(aoa.slice(1).map((r) => r[1])).toEqual(texts.map((_, i) => i + 0.5));
    expect(aoa[1]![29]).toBe('r0c29');
    expect(ws['AD2']).toMatchObject({ t: 's', v: 'r0c29' });
    expect(ws['A3']).toMatchObject({ t: 's', v: '+2348031234567' });
    expect(ws['C2']).toMatchObject({ t: 'n', v: excelLocalSerial(at.getTime()), z: XLSX_DATE_FORMAT });
  });

  it('two exports to one path at once both finish, and the file is one of them whole', async () => {
    const target = path.join(dir, 'twice.csv');
    const source = (tag: string) =>
      (async function* () {
        for (let p = 0; p < 20; p++) {
          yield Array.from({ length: 500 }, (_, i) => [`${tag}-${p}-${i}`, 'x'.repeat(200)]);
          await new Promise((r) => setImmediate(r));
        }
      })();
    const [a, b] = await Promise.all([
      writeTable(target, 'csv', ['id', 'pad'], source('a'), 'R'),
      writeTable(target, 'csv', ['id', 'pad'], source('b'), 'R'),
    ]);
    expect([a.rows, b.rows]).toEqual([10_000, 10_000]);
    const lines = fs.readFileSync(target, 'utf8').slice(1).split('\r\n').slice(1, -1);
    expect(lines).toHaveLength(10_000);
    const tag = lines[0]!.slice(0, 1);
    expect(lines.every((l) => l.startsWith(`${tag}-`))).toBe(true);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('twice.csv.'))).toEqual([]);
  });

  it('refuses more rows than a sheet holds; through writeTable, a sentence and no file left', async () => {
    const file = path.join(dir, 'full.xlsx');
    const page = Array.from({ length: XLSX_MAX_ROWS }, () => ['x']);
    await expect(writeXlsxFile(file, 'Results', ['h'], [page])).rejects.toBeInstanceOf(SheetFullError);
    const target = path.join(dir, 'results.xlsx');
    const err = await writeTable(target, 'xlsx', ['h'], [page], 'Results').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toBe(
      'results.xlsx: this has more than 1,048,576 rows, the most an Excel sheet holds. Export it as CSV instead: a CSV holds every row.',
    );
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('results.xlsx'))).toEqual([]);
  });

  it('cuts a text cell to the 32,767 characters Excel holds, never inside an emoji, and counts the cells cut', async () => {
    expect(XLSX_MAX_CELL_CHARS).toBe(32_767);
    const long = 'a'.repeat(40_000);
    const exact = 'b'.repeat(XLSX_MAX_CELL_CHARS);
    // the 32,767th character is the first half of 😀: the cell ends before the emoji, not in it
    const emoji = 'c'.repeat(XLSX_MAX_CELL_CHARS - 1) + '😀' + 'tail';
    const target = path.join(dir, 'long.xlsx');
    const r = await writeTable(
      target,
      'xlsx',
      ['id', 'text'],
      [
        [
          [1, long],
          [2, exact],
          [3, emoji],
        ],
      ],
      'Results',
    );
    expect(r).toEqual({ file: target, rows: 3, cutCells: 2 });
    const { ws } = read(target);
    const texts = XLSX.utils
      .sheet_to_json<unknown[]>(ws, { header: 1, raw: true })
      .slice(1)
      .map((row) => row[1]);
    expect(texts).toEqual([long.slice(0, XLSX_MAX_CELL_CHARS), exact, 'c'.repeat(XLSX_MAX_CELL_CHARS - 1)]);
    // CSV has no such limit: every character stays, nothing is counted as cut
    const csv = await writeTable(path.join(dir, 'long.csv'), 'csv', ['id', 'text'], [[[1, long]]], 'Results');
    expect(csv.cutCells).toBe(0);
    expect(fs.readFileSync(csv.file, 'utf8')).toContain(long);
  });
});
