import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import * as XLSX from '@e965/xlsx';
import { lyingZip, zerosDeflated } from '../fixtures/zip.ts';
import { call, openApp, shot } from './helpers.ts';
import { writeXlsxFile } from '../../bench/lib/xlsx-writer.ts';
import { contactRows, HEADER } from '../../bench/lib/data.ts';

/**
 * Files that must get the same treatment in the browser's parsing worker as in `smsdesk import`:
 * bombs and locked workbooks refused in one sentence, a sheet that declares every cell of Excel
 * read by its real cells, a CSV guessed as UTF-8 that turns out to be windows-1252 past 64 KB.
 */

/** Drops the bytes on the drop zone, as a file dragged from the desktop. */
async function drop(page: Page, name: string, bytes: Uint8Array): Promise<void> {
  const data = await page.evaluateHandle(
    ({ name, b64 }) => {
      const bin = atob(b64);
      const arr = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) arr[i] = bin.charCodeAt(i);
      const dt = new DataTransfer();
      dt.items.add(new File([arr], name));
      return dt;
    },
    { name, b64: Buffer.from(bytes).toString('base64') },
  );
  await page.locator('.dropzone').dispatchEvent('drop', { dataTransfer: data });
}

test('a zip bomb and a password-protected workbook dropped on the page are refused in one sentence', async ({
  page,
}) => {
  await openApp(page, '#/import');
  // A few hundred KB that inflate to 400 MB while the zip directory claims 1 KB: only counting
  // the real inflated bytes catches it, before SheetJS would try to hold it all.
  const bomb = lyingZip([
    { name: '[Content_Types].xml', data: new TextEncoder().encode('<Types/>'), declared: 8 },
    { name: 'xl/worksheets/sheet1.xml', data: zerosDeflated(400), declared: 1024 },
  ]);
  await drop(page, 'bomb.xlsx', bomb);
  const alert = page.getByRole('alert');
  await expect(alert).toHaveText(
    /^bomb\.xlsx would unpack to more than 300 MB, more than SMS Desk will open: save the contacts as CSV, or split the workbook, then import again\.$/,
    { timeout: 60_000 },
  );
  await expect(page.getByRole('button', { name: 'Choose a file…' })).toBeVisible();
  await shot(page, '21-import-zip-bomb');

  // An Excel 97 workbook with a password (SheetJS refuses it) ...
  await drop(
    page,
    'protected.xls',
    new Uint8Array(fs.readFileSync(path.resolve('tests/fixtures/import/protected.xls'))),
  );
  await expect(alert).toHaveText(
    'protected.xls is protected with a password: open it in Excel, remove the password (File > Info > Protect Workbook), save, then import again.',
  );
  // ... and an XLSX saved with a password, which is an OLE2 file holding an EncryptedPackage stream.
  const ole = new Uint8Array(4096);
  ole.set([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
  [...'EncryptedPackage'].forEach((ch, i) => {
    ole[1024 + 2 * i] = ch.charCodeAt(0);
  });
  await page
    .getByTestId('import-file')
    .setInputFiles({ name: 'salaries.xlsx', mimeType: 'application/octet-stream', buffer: Buffer.from(ole) });
  await expect(alert).toHaveText(
    'salaries.xlsx is protected with a password: open it in Excel, remove the password (File > Info > Protect Workbook), save, then import again.',
  );
  await shot(page, '22-import-protected');

  // The page still takes a good file afterwards.
  await page
    .getByTestId('import-file')
    .setInputFiles({ name: 'ok.csv', mimeType: 'text/csv', buffer: Buffer.from('phone\n08031239999\n') });
  await expect(page.getByTestId('mapping-table')).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);
});

/**
 * An XLSX whose sheet declares every cell Excel allows (<dimension ref="A1:XFD1048576"/>), as
 * some exporters write it. Patched in after writing: SheetJS itself would walk that range.
 */
function declaringEverything(rows: string[][]): Buffer {
  const ws = XLSX.utils.aoa_to_sheet(rows);
  const written = XLSX.write(
    { SheetNames: ['Contacts'], Sheets: { Contacts: ws } },
    { type: 'buffer', bookType: 'xlsx' },
  ) as Buffer;
  const zip = XLSX.CFB.read(written, { type: 'buffer' });
  const i = zip.FullPaths.findIndex((p: string) => /sheet1\.xml$/.test(p));
  const xml = Buffer.from(zip.FileIndex[i].content as Uint8Array)
    .toString('utf8')
    .replace(/<dimension ref="[^"]*"\/>/, '<dimension ref="A1:XFD1048576"/>');
  if (!xml.includes('A1:XFD1048576')) throw new Error('the sheet has no <dimension> to patch');
  zip.FileIndex[i].content = Buffer.from(xml);
  zip.FileIndex[i].size = Buffer.byteLength(xml);
  return XLSX.CFB.write(zip, { type: 'buffer', fileType: 'zip' }) as Buffer;
}

test('a sheet that declares A1:XFD1048576 is read by its real cells', async ({ page, request }) => {
  const buffer = declaringEverything([
    ['Name', 'Phone'],
    ['Ngozi', '08031110001'],
    ['Obi', '08031110002'],
    ['Pelumi', '08031110003'],
  ]);

  await openApp(page, '#/import');
  const started = Date.now();
  await page
    .getByTestId('import-file')
    .setInputFiles({ name: 'declared-everything.xlsx', mimeType: 'application/octet-stream', buffer });
  await expect(page.getByRole('radio', { name: 'Phone numbers are in column Phone' })).toBeChecked();
  await expect(page.getByTestId('mapping-table')).toContainText('Pelumi');
  await page.getByLabel('Name of the new list').fill('declared everything');
  await page.getByRole('button', { name: 'Import 3 rows' }).click();
  await expect(page.getByTestId('import-report').locator('.stat').nth(0)).toContainText('3');
  expect(Date.now() - started).toBeLessThan(20_000);
  const lists = await call<Array<{ id: number; name: string; contacts: number }>>(request, 'lists.list');
  expect(lists.find((l) => l.name === 'declared everything')?.contacts).toBe(3);
});

test('an Excel CSV whose first accented name is past the first 64 KB imports as windows-1252', async ({
  page,
  request,
}) => {
  const lines = ['name,phone'];
  for (let i = 0; i < 3000; i++) lines.push(`Customer ${i},0803${String(2000000 + i).padStart(7, '0')}`);
  lines.push('Chloé Adébáyò,08039999001', 'Zoë,08039999002');
  const buffer = Buffer.from(lines.join('\r\n') + '\r\n', 'latin1'); // Excel's "CSV (Comma delimited)"
  expect(buffer.indexOf(0xe9)).toBeGreaterThan(65536);

  await openApp(page, '#/import');
  await page.getByTestId('import-file').setInputFiles({ name: 'excel-export.csv', mimeType: 'text/csv', buffer });
  await expect(page.getByTestId('mapping-table')).toBeVisible();
  await page.getByLabel('Name of the new list').fill('late accents');
  await page.getByRole('button', { name: 'Import all rows' }).click();
  await expect(page.getByTestId('import-report').locator('.stat').nth(0)).toContainText('3,002');
  await expect(page.getByRole('alert')).toHaveCount(0);

  const lists = await call<Array<{ id: number; name: string }>>(request, 'lists.list');
  const id = lists.find((l) => l.name === 'late accents')!.id;
  const tail = await call<{ rows: Array<{ fields: Record<string, string> }> }>(request, 'lists.contacts', {
    listId: id,
    offset: 3000,
    limit: 2,
  });
  expect(tail.rows.map((r) => r.fields.name)).toEqual(['Chloé Adébáyò', 'Zoë']);
});

/**
 * .xlsx files go through the streaming reader in the page's worker (Chromium's own
 * DecompressionStream): a workbook LibreOffice wrote, and 20,000 rows with inline strings, must
 * give the lists the same rows as CSV give.
 */
test('a LibreOffice workbook and an inline-string workbook are streamed in the page into the lists their CSV gives', async ({
  page,
  request,
}) => {
  await openApp(page, '#/import');
  // two sheets: notes first, contacts second with the header on row 3 and phones typed as numbers
  await page.getByTestId('import-file').setInputFiles({
    name: 'workbook.xlsx',
    mimeType: 'application/octet-stream',
    buffer: fs.readFileSync(path.resolve('tests/fixtures/import/workbook.xlsx')),
  });
  await expect(page.getByTestId('mapping-table')).toContainText('2348031234502');
  await expect(page.getByTestId('mapping-table')).toContainText('Adébáyọ̀');
  await page.getByLabel('Name of the new list').fill('lo workbook');
  await page.getByRole('button', { name: 'Import 5 rows' }).click();
  await expect(page.getByTestId('import-report').locator('.stat').nth(0)).toContainText('4'); // the 12345 row is no number

  const rows = [HEADER, ...contactRows(20_000)];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsdesk-e2e-xlsx-'));
  const xlsx = path.join(dir, 'inline.xlsx');
  await writeXlsxFile(xlsx, rows, { strings: 'inline' });
  const csv =
    rows.map((r) => r.map((c) => (/[",]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')).join('\n') + '\n';
  const reports: string[] = [];
  for (const [name, buffer] of [
    ['inline.xlsx', fs.readFileSync(xlsx)],
    ['inline.csv', Buffer.from(csv)],
  ] as const) {
    await openApp(page, '#/import');
    await page.getByTestId('import-file').setInputFiles({ name, mimeType: 'application/octet-stream', buffer });
    await expect(page.getByTestId('mapping-table')).toBeVisible();
    await page.getByLabel('Name of the new list').fill(name);
    await page.getByRole('button', { name: /^Import (20,000|all) rows$/ }).click();
    await expect(page.getByTestId('import-report').locator('.stat').nth(0)).toContainText('valid', { timeout: 90_000 });
    reports.push(await page.getByTestId('import-report').innerText());
  }
  expect(reports[0]).toMatch(/\d/);
  expect(reports[0]).toBe(reports[1]); // valid, invalid, duplicates, opted out: all the same
  fs.rmSync(dir, { recursive: true, force: true });
  const lists = await call<Array<{ name: string; contacts: number }>>(request, 'lists.list');
  const count = (n: string) => lists.find((l) => l.name === n)?.contacts;
  expect(count('lo workbook')).toBe(4);
  expect(count('inline.xlsx')).toBeGreaterThan(15_000);
  expect(count('inline.xlsx')).toBe(count('inline.csv'));
});
