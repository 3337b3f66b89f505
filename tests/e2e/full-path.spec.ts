import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import * as XLSX from '@e965/xlsx';
import Papa from 'papaparse';
import { ARTIFACTS, call, openApp, shot, xlsxFromCsv } from './helpers.ts';

// A title row above the header (the header is on row 2), numbers as Excel mangles them
// (leading 0 dropped), two invalid numbers, two duplicates in another spelling, and a hostile name.
const HOSTILE = '=HYPERLINK("http://evil.example","click")';
const CSV = [
  'Customer list - November 2026,,',
  'first_name,phone,city',
  'Ada,0803 123 4567,Lagos',
  `"${HOSTILE.replace(/"/g, '""')}",08031234572,Lagos`,
  'Bayo,08031234568,Ibadan',
  'Chioma,+2348031234569,Enugu',
  'Dayo,8031234570,Abuja',
  'Emeka,2348031234571,Onitsha',
  'Funke,12345,Lagos',
  'Gbenga,not a number,Kano',
  'Halima,0803 123 4568,Kaduna',
  'Ifeoma,+234 803 123 4567,Owerri',
  'Kemi,0813 555 0101,Jos',
].join('\n');
const VALID = 7;
const FINAL = new Set(['delivered', 'failed', 'rejected', 'expired', 'unknown']);

test('import an XLSX, compose with a fix, send in the sandbox, watch delivery, export', async ({ page, request }) => {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('response', (r) => {
    if (r.status() >= 400) errors.push(`HTTP ${r.status()} ${r.url()}`);
  });

  // Delivery reports are polled fast so the dashboard fills in seconds, not minutes.
  await call(request, 'settings.set', { key: 'dlr.initialIntervalMs', value: 300 });
  await call(request, 'settings.set', { key: 'dlr.maxIntervalMs', value: 1000 });
  await call(request, 'settings.set', { key: 'rate.recipientsPerRequest', value: 2 });
  await call(request, 'settings.set', { key: 'rate.requestsPerSecond', value: 4 });

  const xlsx = xlsxFromCsv(CSV, 'customers');
  await openApp(page, '#/import');
  await expect(page.getByText('Sandbox — nothing is really sent')).toBeVisible();
  await shot(page, '01-import');

  // 1. Import: the sheet and the header row are chosen for us, and we can see why.
  await page.getByTestId('import-file').setInputFiles(xlsx);
  await expect(page.getByTestId('mapping-table')).toBeVisible();
  await expect(page.getByTestId('layout-reason')).toContainText('Sheet “customers”');
  await expect(page.getByTestId('layout-reason')).toContainText('Header on row 2');
  await expect(page.getByTestId('header-row')).toHaveValue('2');
  await expect(page.getByRole('radio', { name: 'Phone numbers are in column phone' })).toBeChecked();
  await expect(page.getByRole('checkbox', { name: 'Use column first_name as merge field {first_name}' })).toBeChecked();
  await shot(page, '02-mapping');
  await page.getByRole('button', { name: 'Import 11 rows' }).click();

  const report = page.getByTestId('import-report');
  await expect(report).toBeVisible();
  await expect(report.getByText('valid contacts')).toBeVisible();
  await expect(report.locator('.stat').nth(0)).toContainText(String(VALID));
  await expect(report.locator('.stat').nth(1)).toContainText('2');
  await expect(report.locator('.stat').nth(2)).toContainText('2');
  await expect(page.getByRole('table', { name: 'Rejected rows' })).toContainText('12345');
  await shot(page, '03-import-report');

  // The rejected rows come back as a file to fix: row, problem, value, reason and the original cells.
  // Excel comes first: re-saving a CSV in Excel can turn long numbers into 2.34803E+12.
  const excel = page.getByRole('button', { name: 'Export rejected rows (Excel)' });
  await expect(excel).toHaveClass(/primary/);
  await expect(excel).toHaveAccessibleDescription(/can turn long numbers into 2\.34803E\+12/);
  const [rejDl] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export (CSV)' }).click(),
  ]);
  const rejPath = path.join(ARTIFACTS, 'rejects.csv');
  await rejDl.saveAs(rejPath);
  const rejText = fs.readFileSync(rejPath, 'utf8').replace(/^\uFEFF/, '');
  const rejects = Papa.parse<Record<string, string>>(rejText, { header: true, skipEmptyLines: true }).data;
  expect(rejects).toHaveLength(4);
  expect(rejText).toContain('12345');
  expect(rejText).toContain('not a number');
  expect(rejText).toContain('Halima');
  await expect(page.getByRole('status').filter({ hasText: '4 rejected rows saved' })).toBeVisible();

  // 2. Compose: a curly quote forces UCS-2 and a second part; the fix brings back GSM-7 and one part.
  await page.getByRole('button', { name: 'Write a message to this list' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Compose' })).toBeVisible();
  await page.getByLabel('Sender ID').fill('SMSDesk');
  // The phone column was not ticked as a merge field, so it is not offered (the engine still stores it).
  await expect(page.getByRole('group', { name: 'Insert a merge field' }).getByRole('button')).toHaveText([
    '{first_name}',
    '{city}',
  ]);
  const editor = page.getByLabel('Message text');
  await editor.fill('Hello ');
  await page.getByRole('button', { name: '{first_name}' }).click();
  await editor.press('End');
  await editor.pressSequentially(
    ', your order is ready for pickup. We’re open until 6pm today. Reply STOP to opt out.',
  );
  await expect(page.getByTestId('count-encoding')).toHaveText('UCS-2');
  await expect(page.getByTestId('count-parts')).toHaveText('2');
  await expect(page.getByTestId('nongsm')).toContainText('’');
  await expect(page.getByTestId('recipient-preview')).toContainText('Hello ');
  await expect(page.getByTestId('total-parts')).toHaveText(String(VALID * 2));
  await shot(page, '04-compose-ucs2');

  await page.getByRole('button', { name: /Replace with GSM equivalents \(saves 1 part/ }).click();
  await expect(page.getByTestId('count-encoding')).toHaveText('GSM-7');
  await expect(page.getByTestId('count-parts')).toHaveText('1');
  await expect(editor).toHaveValue(/We're open/);
  await expect(page.getByTestId('total-parts')).toHaveText(String(VALID));
  await shot(page, '05-compose-gsm');

  // Recipients page longest message first: the hostile 38-character "name" is the longest, then the rest.
  const pager = page.getByRole('group', { name: 'Page through recipients' });
  await expect(pager).toContainText('Longest message');
  await expect(page.getByTestId('recipient-preview')).toContainText('=HYPERLINK');
  await pager.getByRole('button', { name: 'Next →' }).click();
  await expect(pager).toContainText(`Longest messages: 2 of ${VALID}`);
  await pager.getByRole('button', { name: '← Previous' }).click();

  // A test to the user's own number goes through the same gateway (the sandbox here), and the number is remembered.
  await page.getByLabel('Your number').fill('0803 000 0000');
  await page.getByRole('button', { name: 'Send a test SMS' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Test message accepted' })).toBeVisible();
  expect((await call<Record<string, unknown>>(request, 'settings.all'))['test.ownNumber']).toBe('0803 000 0000');

  // 3. Review and send.
  await page.getByRole('button', { name: 'Review and send…' }).click();
  const summary = page.getByTestId('review-summary');
  await expect(summary).toContainText('Sandbox — nothing is really sent');
  await expect(page.getByTestId('review-recipients')).toHaveText(String(VALID));
  await expect(summary).toContainText('SMSDesk');
  await shot(page, '06-review');
  await page.getByRole('button', { name: `Send now in the sandbox to ${VALID}` }).click();

  // 4. Dashboard: every recipient reaches a final status, delivered counts arrive.
  await expect(page.getByTestId('campaign-state')).toBeVisible();
  await expect(page.getByTestId('progress-final')).toHaveText(`${VALID} of ${VALID}`, { timeout: 60_000 });
  const delivered = Number(await page.getByTestId('count-delivered').textContent());
  expect(delivered).toBeGreaterThan(0);
  await expect(page.getByTestId('campaign-state')).toHaveText('Completed');
  await expect(page.locator('.chart path.chart-delivered')).toHaveCount(1);
  // The chart catches up with the counts (it is refetched at most every 2 s).
  await expect(page.locator('.legend')).toContainText(`Delivered: ${delivered}`);
  await shot(page, '07-dashboard');

  // 5. Exports, read back: one row per recipient, final statuses, and the hostile name defused.
  const [csvDl] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export results (CSV)' }).click(),
  ]);
  const csvPath = path.join(ARTIFACTS, 'results.csv');
  await csvDl.saveAs(csvPath);
  const parsed = Papa.parse<Record<string, string>>(fs.readFileSync(csvPath, 'utf8').replace(/^\uFEFF/, ''), {
    header: true,
    skipEmptyLines: true,
  });
  expect(parsed.data).toHaveLength(VALID);
  for (const r of parsed.data) expect(FINAL.has(r.status)).toBe(true);
  expect(parsed.data.filter((r) => r.status === 'delivered')).toHaveLength(delivered);
  const hostileCsv = parsed.data.find((r) => r.first_name.includes('HYPERLINK'));
  expect(hostileCsv?.first_name).toBe(`'${HOSTILE}`);
  expect(parsed.data.find((r) => r.first_name === 'Ada')?.text).toBe(
    "Hello Ada, your order is ready for pickup. We're open until 6pm today. Reply STOP to opt out.",
  );

  const [xlsxDl] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export results (Excel)' }).click(),
  ]);
  const xlsxPath = path.join(ARTIFACTS, 'results.xlsx');
  await xlsxDl.saveAs(xlsxPath);
  const wb = XLSX.read(fs.readFileSync(xlsxPath), { type: 'buffer', cellFormula: true });
  const ws = wb.Sheets[wb.SheetNames[0]];
  const rows = XLSX.utils.sheet_to_json<Record<string, string>>(ws, { raw: false, defval: '' });
  expect(rows).toHaveLength(VALID);
  for (const r of rows) expect(FINAL.has(r.status)).toBe(true);
  // XLSX: the name exactly as given, in a text cell, which no spreadsheet runs (no apostrophe needed)
  const hostileXlsx = rows.find((r) => r.first_name.includes('HYPERLINK'));
  expect(hostileXlsx?.first_name).toBe(HOSTILE);
  // No cell of the workbook is a formula.
  for (const [addr, cell] of Object.entries(ws))
    if (!addr.startsWith('!')) expect((cell as XLSX.CellObject).f).toBeUndefined();
  await expect(page.getByTestId('export-saved')).toBeVisible();

  // 5b. History lists the campaign; settings show the data folder.
  await page.getByRole('link', { name: 'History' }).click();
  await expect(page.getByRole('table').first()).toContainText('SMSDesk');
  await shot(page, '08-history');
  await page.getByRole('link', { name: 'Settings' }).click();
  await expect(page.getByTestId('token-status')).toContainText('sandbox');
  await shot(page, '09-settings');

  expect(errors, errors.join('\n')).toEqual([]);
});
