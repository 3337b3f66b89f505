import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import * as XLSX from '@e965/xlsx';
import { fixture, setup, tableCounts, type Ctx } from './lists-helpers.ts';
import { lyingZip, zerosDeflated } from '../fixtures/zip.ts';
import { wordDocx } from '../fixtures/office.ts';

let ctx: Ctx;
beforeEach(async () => {
  ctx = setup();
  // an existing list, so "unchanged" is checked against a database that has data
  await ctx.svc.lists.import(fixture('contacts-utf8.csv'), { list: 'Existing' });
});
afterEach(() => ctx.close());

async function expectRefused(file: string, code: string, message: RegExp) {
  const before = tableCounts(ctx.db);
  const err = await ctx.svc.lists.import(file, { list: 'New list' }).then(
    () => null,
    (e: unknown) => e as Error & { code: string },
  );
  expect(err, 'import should fail').not.toBeNull();
  expect(err!.code).toBe(code);
  expect(err!.message).toContain(path.basename(file));
  expect(err!.message).toMatch(message);
  expect(err!.message.split(/[.:] [A-Z]/).length, 'one sentence').toBeLessThanOrEqual(2);
  expect(tableCounts(ctx.db)).toEqual(before);
  expect(ctx.svc.lists.list().map((l) => l.name)).toEqual(['Existing']);
}

/** A real xlsx (written by SheetJS) whose central directory then claims a huge unpacked size. */
function zipClaiming(bytes: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(bytes);
  const view = new DataView(out.buffer);
  for (let i = out.length - 22; i >= 0; i--) {
    if (view.getUint32(i, true) !== 0x06054b50) continue;
    const cd = view.getUint32(i + 16, true);
    view.setUint32(cd + 24, size, true);
    return out;
  }
  throw new Error('no zip directory');
}

describe('bad input: one clear sentence naming the file, database unchanged', () => {
  it('empty file', () => expectRefused(fixture('empty.csv'), 'IMPORT_EMPTY', /is empty/));

  it('a file of only blank lines', async () => {
    const file = path.join(ctx.dir, 'blank.csv');
    fs.writeFileSync(file, '\ufeff\r\n\r\n,,\r\n');
    await expectRefused(file, 'IMPORT_EMPTY', /is empty/);
  });

  it('header only, no data rows', () =>
    expectRefused(
      fixture('header-only.csv'),
      'IMPORT_NO_ROWS',
      /^No contacts found below the header row \(row 1\) of header-only\.csv: add one row per contact/,
    ));

  it('binary data named .csv', () => expectRefused(fixture('binary-named.csv'), 'IMPORT_BINARY', /binary data/));

  it('a PDF named .csv', async () => {
    const file = path.join(ctx.dir, 'contacts.csv');
    fs.writeFileSync(file, '%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n');
    await expectRefused(file, 'IMPORT_BINARY', /PDF/);
  });

  it('unbalanced quotes: names the row', () =>
    expectRefused(fixture('unbalanced-quotes.csv'), 'IMPORT_BAD_QUOTES', /row 3/));

  it('a 2-million-character cell: names the row', async () => {
    const file = path.join(ctx.dir, 'long-cell.csv');
    fs.writeFileSync(
      file,
      `Name,Phone,Notes\nAda,08031234501,short\nBola,08031234502,"${'x'.repeat(2_000_000)}"\nChi,08031234503,ok\n`,
    );
    await expectRefused(file, 'IMPORT_CELL_TOO_LONG', /row 3/);
  });

  it('a 2-million-character unquoted cell', async () => {
    const file = path.join(ctx.dir, 'long-raw.csv');
    fs.writeFileSync(file, `Name,Phone\nAda,08031234501\n${'y'.repeat(2_000_000)},08031234502\n`);
    await expectRefused(file, 'IMPORT_CELL_TOO_LONG', /row 3/);
  });

  it('a zip bomb spreadsheet is refused before it is unpacked', async () => {
    const sheet = XLSX.utils.aoa_to_sheet([['Phone'], ['08031234501']]);
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, sheet, 'S');
    const bytes = new Uint8Array(XLSX.write(wb, { type: 'array', bookType: 'xlsx' }) as ArrayBuffer);
    const file = path.join(ctx.dir, 'bomb.xlsx');
    // beyond what the streaming .xlsx reader inflates (2 GiB of sheet + 512 MB of shared
    // strings): a full 1,048,576-row sheet is only ~260 MB, so 400 MB is no longer a bomb
    fs.writeFileSync(file, zipClaiming(bytes, 3 * 1024 * 1024 * 1024));
    await expectRefused(file, 'IMPORT_TOO_LARGE', /unpack/);
  });

  it('a zip bomb that lies about its sizes is caught while inflating, before SheetJS sees it', async () => {
    const file = path.join(ctx.dir, 'liar.xlsx');
    const zip = lyingZip([
      { name: '[Content_Types].xml', data: new TextEncoder().encode('<Types/>'), declared: 8 },
      { name: 'xl/worksheets/sheet1.xml', data: zerosDeflated(400), declared: 1000 },
    ]);
    expect(zip.length).toBeLessThan(1024 * 1024);
    fs.writeFileSync(file, zip);
    await expectRefused(file, 'IMPORT_TOO_LARGE', /unpack/);
  });

  it('a password-protected XLS (saved by LibreOffice with a password)', () =>
    expectRefused(fixture('protected.xls'), 'IMPORT_ENCRYPTED', /password/));

  it('a password-protected XLSX (OLE2 container with an EncryptedPackage stream)', async () => {
    const cfb = XLSX.CFB.utils.cfb_new();
    XLSX.CFB.utils.cfb_add(cfb, '/EncryptionInfo', new Uint8Array([4, 0, 4, 0, 0x40, 0, 0, 0]));
    XLSX.CFB.utils.cfb_add(cfb, '/EncryptedPackage', new Uint8Array(4096).fill(7));
    const file = path.join(ctx.dir, 'locked.xlsx');
    fs.writeFileSync(file, XLSX.CFB.write(cfb, { type: 'buffer' }) as Buffer);
    await expectRefused(file, 'IMPORT_ENCRYPTED', /password/);
  });

  it('a Word document (.docx, a zip like .xlsx): named as such, not "Could not find workbook"', async () => {
    const file = path.join(ctx.dir, 'contacts.docx');
    fs.writeFileSync(file, wordDocx(['Name, Phone', 'Ada, 08031234501']));
    await expectRefused(
      file,
      'IMPORT_BINARY',
      /^contacts\.docx is a Word document, not a spreadsheet: copy the contacts into Excel or LibreOffice Calc, save them as CSV or XLSX, then import that file\.$/,
    );
  });

  it('a Word document renamed .xlsx is still named a Word document', async () => {
    const file = path.join(ctx.dir, 'contacts.xlsx');
    fs.writeFileSync(file, wordDocx(['Ada 08031234501']));
    await expectRefused(file, 'IMPORT_BINARY', /^contacts\.xlsx is a Word document/);
  });

  it('an Excel 97-era Word document (.doc, an OLE2 file like .xls) and a PowerPoint file are named too', async () => {
    const cfb = XLSX.CFB.utils.cfb_new();
    XLSX.CFB.utils.cfb_add(cfb, 'WordDocument', new Uint8Array(512).fill(0x41));
    const doc = path.join(ctx.dir, 'letter.doc');
    fs.writeFileSync(doc, XLSX.CFB.write(cfb, { type: 'buffer' }) as Buffer);
    await expectRefused(doc, 'IMPORT_BINARY', /^letter\.doc is a Word document, not a spreadsheet/);
    const pptx = path.join(ctx.dir, 'slides.pptx');
    const data = new TextEncoder().encode('<p:presentation/>');
    fs.writeFileSync(pptx, lyingZip([{ name: 'ppt/presentation.xml', data, declared: data.length }]));
    await expectRefused(pptx, 'IMPORT_BINARY', /^slides\.pptx is a PowerPoint presentation, not a spreadsheet/);
  });

  for (const [name, html] of [
    [
      'page.html',
      '<!DOCTYPE html>\n<html><head><title>Contacts</title></head><body><table><tr><td>Name</td><td>Phone</td></tr><tr><td>Ada</td><td>08031234501</td></tr></table></body></html>\n',
    ],
    // Excel's "Save as Web Page", with a BOM, named .csv
    [
      'saved-from-excel.csv',
      '\ufeff<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel">\r\n<head><meta name=ProgId content=Excel.Sheet></head><body><table><tr><td>Phone</td></tr><tr><td>08031234501</td></tr></table></body></html>\r\n',
    ],
    ['table.htm', '  <table>\n<tr><th>Phone</th></tr>\n<tr><td>08031234501</td></tr>\n</table>\n'],
  ] as const) {
    it(`a web page (${name}) gets a sentence, not a one-column list of markup`, async () => {
      const file = path.join(ctx.dir, name);
      fs.writeFileSync(file, html);
      await expectRefused(
        file,
        'IMPORT_BINARY',
        new RegExp(
          `^${name.replace('.', '\\.')} is a web page \\(HTML\\), not a contact list: open it in Excel or LibreOffice Calc, save the contacts as CSV or XLSX, then import that file\\.$`,
        ),
      );
    });
  }

  it('a CSV whose first cell starts with "<" but is no web page still imports', async () => {
    const file = path.join(ctx.dir, 'angle.csv');
    fs.writeFileSync(file, '<name>,phone\r\nAda,08031234501\r\n');
    await expect(ctx.svc.lists.import(file, { list: 'Angle' })).resolves.toMatchObject({ valid: 1 });
  });

  it("the page's import of a header-only file (begin, no rows, commit): a sentence and no empty list", () => {
    const before = tableCounts(ctx.db);
    const { importId } = ctx.svc.imports.begin({
      list: 'header-only',
      fields: ['Name', 'Phone'],
      phoneColumn: 'Phone',
      source: 'header-only.csv',
      headerRow: 1,
    });
    expect(() => ctx.svc.imports.commit(importId)).toThrow(
      expect.objectContaining({
        code: 'IMPORT_NO_ROWS',
        message:
          'No contacts found below the header row (row 1) of header-only.csv: add one row per contact under the header, then import again.',
      }),
    );
    expect(tableCounts(ctx.db)).toEqual(before);
    expect(ctx.svc.lists.list().map((l) => l.name)).toEqual(['Existing']);
    // the name stays free for the fixed file
    const again = ctx.svc.imports.begin({
      list: 'header-only',
      fields: ['Name', 'Phone'],
      phoneColumn: 'Phone',
      source: 'header-only.csv',
    });
    ctx.svc.imports.add(again.importId, [
      { row: 2, phone: '08031234501', fields: { Name: 'Ada', Phone: '08031234501' } },
    ]);
    expect(ctx.svc.imports.commit(again.importId)).toMatchObject({ valid: 1 });
  });

  it('no column looks like phone numbers', () =>
    expectRefused(fixture('no-phone.csv'), 'IMPORT_NO_PHONE_COLUMN', /"Name", "City"/));

  it('a phone column name that does not exist', async () => {
    const before = tableCounts(ctx.db);
    await expect(
      ctx.svc.lists.import(fixture('contacts-utf8.csv'), { list: 'New', phoneColumn: 'GSM' }),
    ).rejects.toMatchObject({
      code: 'IMPORT_NO_PHONE_COLUMN',
      message: expect.stringMatching(/contacts-utf8\.csv has no column called "GSM"/),
    });
    expect(tableCounts(ctx.db)).toEqual(before);
  });

  it('an unknown default country', async () => {
    const before = tableCounts(ctx.db);
    await expect(
      ctx.svc.lists.import(fixture('contacts-utf8.csv'), { list: 'New', country: 'XX' }),
    ).rejects.toMatchObject({ code: 'IMPORT_BAD_COUNTRY', message: expect.stringMatching(/contacts-utf8\.csv.*"XX"/) });
    expect(tableCounts(ctx.db)).toEqual(before);
  });

  it('a file that does not exist', () =>
    expectRefused(path.join(ctx.dir, 'missing.csv'), 'IMPORT_NOT_FOUND', /Cannot open/));

  it('a file with UTF-8 accents that later holds a Windows-1252 byte', async () => {
    const file = path.join(ctx.dir, 'mixed.csv');
    const head = Buffer.from('Name,Phone\nAdé,08031234501\n' + 'Ada,08031234502\n'.repeat(20_000));
    fs.writeFileSync(file, Buffer.concat([head, Buffer.from([0x4a, 0xe9, 0x2c, 0x30, 0x38, 0x0a])]));
    await expectRefused(file, 'IMPORT_ENCODING', /windows-1252/);
  });
});
