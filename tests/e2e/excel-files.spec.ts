import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import * as XLSX from '@e965/xlsx';
import { wordDocx } from '../fixtures/office.ts';
import { ARTIFACTS, call, openApp, shot } from './helpers.ts';

/**
 * Issue 12, what the user did with their own files: a header-only CSV, an .xls whose Name is a
 * formula, a Word document and a web page picked by mistake, and exports opened in a spreadsheet.
 * The engine (the web server) and the page run in the zone of the machine: run this spec with
 * TZ=Africa/Lagos to see the Lagos user's times; the browser is given the same zone.
 */
const ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;
test.use({ timezoneId: ZONE });

const FIXTURES = path.resolve('tests/fixtures/import');
const pad = (n: number) => String(n).padStart(2, '0');
/** the wall clock of this machine's zone, as a person reads it (the test process shares the server's TZ) */
const local = (ms: number) => {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
};
const offset = (ms: number) => {
  const m = -new Date(ms).getTimezoneOffset();
  return `${m < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(m) / 60))}:${pad(Math.abs(m) % 60)}`;
};

/** Screenshots the README shows: committed under docs/, unlike the artifacts of other specs. */
async function docShot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.resolve('docs', `${name}.png`), fullPage: true });
}

async function pick(page: Page, name: string, buffer: Buffer | Uint8Array): Promise<void> {
  await page
    .getByTestId('import-file')
    .setInputFiles({ name, mimeType: 'application/octet-stream', buffer: Buffer.from(buffer) });
}

test('a header-only CSV gets a sentence, not an empty list ready for a message', async ({ page, request }) => {
  await openApp(page, '#/import');
  await pick(page, 'header-only.csv', fs.readFileSync(path.join(FIXTURES, 'header-only.csv')));
  await expect(page.getByRole('alert')).toHaveText(
    'No contacts found below the header row (row 1) of header-only.csv: add one row per contact under the header, then import again.',
  );
  await expect(page.getByText('is ready')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Write a message to this list' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Choose a file…' })).toBeVisible();
  await docShot(page, 'import-header-only');
  const lists = await call<Array<{ name: string }>>(request, 'lists.list');
  expect(lists.map((l) => l.name)).not.toContain('header-only');
});

test('a Word document and a web page picked by mistake are named, and say what to do', async ({ page }) => {
  await openApp(page, '#/import');
  await pick(page, 'customers.docx', wordDocx(['Name, Phone', 'Ada, 08031234501']));
  const alert = page.getByRole('alert');
  await expect(alert).toHaveText(
    'customers.docx is a Word document, not a spreadsheet: copy the contacts into Excel or LibreOffice Calc, save them as CSV or XLSX, then import that file.',
  );
  await shot(page, '41-import-docx');
  await pick(
    page,
    'customers.html',
    Buffer.from(
      '<!DOCTYPE html>\n<html><body><table><tr><td>Name</td><td>Phone</td></tr><tr><td>Ada</td><td>08031234501</td></tr></table></body></html>\n',
    ),
  );
  await expect(alert).toHaveText(
    'customers.html is a web page (HTML), not a contact list: open it in Excel or LibreOffice Calc, save the contacts as CSV or XLSX, then import that file.',
  );
  await expect(page.getByTestId('mapping-table')).toHaveCount(0);
  await shot(page, '42-import-html');
});

test('an .xls whose Name column is a CONCAT formula imports the names, so the SMS greets the person', async ({
  page,
  request,
}) => {
  await openApp(page, '#/import');
  await pick(page, 'formulas.xls', fs.readFileSync(path.join(FIXTURES, 'formulas.xls')));
  const table = page.getByTestId('mapping-table');
  await expect(table).toContainText('Adébáyọ̀ Okafor');
  await expect(table).toContainText('Chinedu Eze');
  await expect(table).toContainText('Dear Adébáyọ̀');
  await docShot(page, 'import-xls-formulas');
  await page.getByRole('button', { name: /^Import 3 rows/ }).click();
  await expect(page.getByTestId('import-report')).toBeVisible();
  const list = (await call<Array<{ id: number; name: string }>>(request, 'lists.list')).find(
    (l) => l.name === 'formulas',
  )!;
  const preview = await call<{ longest: { text: string } }>(request, 'campaigns.preview', {
    list: list.id,
    text: 'Hello {Name}',
  });
  expect(preview.longest.text).toBe('Hello Adébáyọ̀ Okafor');
  const contacts = await call<{ rows: Array<{ fields: Record<string, string> }> }>(request, 'lists.contacts', {
    listId: list.id,
    offset: 0,
    limit: 10,
  });
  expect(contacts.rows.map((r) => r.fields.Name)).toEqual(['Adébáyọ̀ Okafor', 'Chinedu Eze', 'Ngozi Peña']);
});

test('exports open right in a spreadsheet: local date cells, text phones without apostrophe, rejected rows by their file row', async ({
  page,
  request,
}) => {
  await call(request, 'settings.set', { key: 'dlr.initialIntervalMs', value: 300 });
  await call(request, 'settings.set', { key: 'dlr.maxIntervalMs', value: 1000 });
  await openApp(page, '#/import');
  // Phone in the middle (not a merge field once chosen), a bad number written with its plus on row 4
  const csv = 'Name,Phone,City\r\nAda,08031234501,Lagos\r\nBola,08031234502,Abuja\r\nChi,+234 803 12,Enugu\r\n';
  await pick(page, 'lagos-customers.csv', Buffer.from(csv));
  await expect(page.getByRole('radio', { name: 'Phone numbers are in column Phone' })).toBeChecked();
  await page.getByRole('button', { name: /^Import/ }).click();
  await expect(page.getByTestId('import-report')).toBeVisible();

  const [rejDl] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export rejected rows (Excel)' }).click(),
  ]);
  const rejPath = path.join(ARTIFACTS, 'excel-rejects.xlsx');
  await rejDl.saveAs(rejPath);
  const rejWs = XLSX.read(fs.readFileSync(rejPath)).Sheets['Rejected rows']!;
  const rej = XLSX.utils.sheet_to_json<unknown[]>(rejWs, { header: 1, raw: true });
  expect(rej[0]).toEqual(['row', 'Name', 'Phone', 'City', 'reason']);
  expect(rej[1]!.slice(0, 4)).toEqual([4, 'Chi', '+234 803 12', 'Enugu']);
  expect(rejWs.C2).toMatchObject({ t: 's', v: '+234 803 12' }); // text, as typed: no apostrophe

  // A campaign with the default name, sent in the sandbox.
  const list = (await call<Array<{ id: number; name: string }>>(request, 'lists.list')).find(
    (l) => l.name === 'lagos-customers',
  )!;
  const c = await call<{ id: number; name: string; createdAt: number }>(request, 'campaigns.create', {
    list: list.id,
    from: 'ACME',
    text: 'Hi {Name}',
  });
  await call(request, 'campaigns.send', { id: c.id });
  await openApp(page, `#/campaign/${c.id}`);
  await expect(page.getByTestId('progress-final')).toHaveText('2 of 2', { timeout: 60_000 });
  // The name's time is the one "created" shows beside it: the user's clock, not UTC.
  const hhmm = local(c.createdAt).slice(0, 16);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`lagos-customers, ${hhmm}`);
  await expect(page.getByText(`created ${hhmm}`)).toBeVisible();
  await docShot(page, 'campaign-local-time');

  const msgs = (
    await call<{
      rows: Array<{ msisdn: string; submittedAt: number; acceptedAt: number | null; finalAt: number | null }>;
    }>(request, 'campaigns.messages', { id: c.id, offset: 0, limit: 10 })
  ).rows;
  const [xDl] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export results (Excel)' }).click(),
  ]);
  const xPath = path.join(ARTIFACTS, 'excel-results.xlsx');
  await xDl.saveAs(xPath);
  const ws = XLSX.read(fs.readFileSync(xPath), { cellNF: true }).Sheets.Results!;
  const rows = XLSX.utils.sheet_to_json<unknown[]>(ws, { header: 1, raw: true });
  const col = (n: string) => (rows[0] as string[]).indexOf(n);
  for (const [i, m] of msgs.entries()) {
    const cell = (name: string) => ws[XLSX.utils.encode_cell({ r: i + 1, c: col(name) })] as XLSX.CellObject;
    expect(cell('msisdn')).toMatchObject({ t: 's', v: m.msisdn }); // text, all digits, no apostrophe
    const at = cell('submitted_at');
    expect(at.t).toBe('n'); // a real date: Excel can sort and subtract it
    expect(at.z).toBe('yyyy-mm-dd hh:mm:ss');
    expect(XLSX.SSF.format(at.z as string, at.v as number)).toBe(local(m.submittedAt));
  }

  const [cDl] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export results (CSV)' }).click(),
  ]);
  const cPath = path.join(ARTIFACTS, 'excel-results.csv');
  await cDl.saveAs(cPath);
  const lines = fs
    .readFileSync(cPath, 'utf8')
    .replace(/^\uFEFF/, '')
    .trim()
    .split('\r\n')
    .map((l) => l.split(','));
  const ccol = (n: string) => lines[0]!.indexOf(n);
  for (const [i, m] of msgs.entries()) {
    expect(lines[i + 1]![ccol('submitted_at')]).toBe(`${local(m.submittedAt)} ${offset(m.submittedAt)}`);
    expect(lines[i + 1]![ccol('submitted_at')]).not.toMatch(/T.*Z$/);
  }
  if (ZONE === 'Africa/Lagos') expect(lines[1]![ccol('submitted_at')]).toMatch(/ \+01:00$/);
});
