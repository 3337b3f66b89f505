import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import * as XLSX from '@e965/xlsx';
import { call, openApp, shot } from './helpers.ts';

/** A workbook whose contacts are on the second sheet, after a sheet of notes. */
function twoSheetWorkbook(): string {
  const wb = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(
    wb,
    XLSX.utils.aoa_to_sheet([['Read me'], ['Contacts are on the next sheet.'], ['Updated by Tunde']]),
    'Notes',
  );
  XLSX.utils.book_append_sheet(
    wb,
    XLSX.utils.aoa_to_sheet([
      ['Name', 'Mobile No', 'Branch'],
      ['Zainab', 8091230001, 'Yaba'],
      ['Yusuf', '0809 123 0002', 'Ikeja'],
      ['Xavier', '+234 809 123 0003', 'Lekki'],
    ]),
    'Customers',
  );
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'smsdesk-e2e-sheets-')), 'branches.xlsx');
  fs.writeFileSync(file, XLSX.write(wb, { type: 'buffer', bookType: 'xlsx' }) as Buffer);
  return file;
}

test('the sheet with the contacts is chosen and can be changed; opt-outs are added, found and removed; a list is deleted', async ({
  page,
  request,
}) => {
  await openApp(page, '#/import');
  await page.getByTestId('import-file').setInputFiles(twoSheetWorkbook());
  await expect(page.getByTestId('sheet-select')).toHaveValue('Customers');
  await expect(page.getByTestId('layout-reason')).toContainText('it has the most phone numbers');
  await expect(page.getByRole('radio', { name: 'Phone numbers are in column Mobile No' })).toBeChecked();
  await expect(page.getByTestId('mapping-table')).toContainText('8091230001');

  // Choosing the other sheet shows what it holds, and no phone column.
  await page.getByTestId('sheet-select').selectOption('Notes');
  await expect(page.getByTestId('mapping-table')).toContainText('Contacts are on the next sheet.');
  await expect(page.getByText('No column looks like phone numbers: choose the phone column above.')).toBeVisible();
  await page.getByTestId('sheet-select').selectOption('Customers');
  await expect(page.getByRole('radio', { name: 'Phone numbers are in column Mobile No' })).toBeChecked();
  await page.getByLabel('Name of the new list').fill('branches');
  await page.getByRole('button', { name: 'Import 3 rows' }).click();
  await expect(page.getByTestId('import-report').locator('.stat').nth(0)).toContainText('3');

  // Opt-outs: add by hand (one is not a number), search, remove.
  await page.getByRole('link', { name: 'History' }).click();
  const add = page.getByLabel(/Add numbers/);
  await add.fill('0809 123 0002, hello');
  await page.getByRole('button', { name: 'Add to opt-outs' }).click();
  await expect(page.getByRole('status').filter({ hasText: '1 added' })).toBeVisible();
  await expect(page.getByRole('alert').filter({ hasText: 'not phone numbers: hello' })).toBeVisible();
  await page.getByLabel('Search', { exact: true }).fill('1230002');
  const optTable = page.getByRole('table').filter({ hasText: 'added by hand' });
  await expect(optTable).toContainText('+2348091230002');
  await shot(page, '17-optouts');
  // The opted-out number is skipped when composing to the list.
  const lists = await call<Array<{ id: number; name: string }>>(request, 'lists.list');
  const branches = lists.find((l) => l.name === 'branches')!;
  const preview = await call<{ recipients: number; suppressed: number }>(request, 'campaigns.preview', {
    list: branches.id,
    text: 'Hi',
  });
  expect(preview).toMatchObject({ recipients: 2, suppressed: 1 });
  await page.getByRole('button', { name: 'Remove +2348091230002 from the opt-out list' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'can receive messages again' })).toBeVisible();
  await expect(page.getByText('No opted-out number matches.')).toBeVisible();

  // Deleting a list asks first.
  await page.getByRole('button', { name: 'Delete the list branches' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText('3 contacts are removed');
  await dialog.getByRole('button', { name: 'Delete the list' }).click();
  await expect(page.getByRole('button', { name: 'Delete the list branches' })).toHaveCount(0);
  expect((await call<Array<{ name: string }>>(request, 'lists.list')).map((l) => l.name)).not.toContain('branches');
});

test('a file that is not a contact list is refused with one sentence, and another can be chosen', async ({ page }) => {
  await openApp(page, '#/import');
  await page.getByTestId('import-file').setInputFiles({
    name: 'scan.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0x01, 0x02, 0x00, 0xff, 0x00]),
  });
  await expect(page.getByRole('alert')).toContainText('scan.csv');
  await expect(page.getByRole('button', { name: 'Choose a file…' })).toBeVisible();
  await page
    .getByTestId('import-file')
    .setInputFiles({ name: 'ok.csv', mimeType: 'text/csv', buffer: Buffer.from('phone\n08031239999\n') });
  await expect(page.getByTestId('mapping-table')).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);
});

test('a draft message survives a reload of the page', async ({ page }) => {
  await openApp(page, '#/compose');
  await page.getByLabel('Message text').fill('Draft that must survive');
  await page.reload();
  await expect(page.getByLabel('Message text')).toHaveValue('Draft that must survive');
  await page.getByLabel('Message text').fill('');
});
