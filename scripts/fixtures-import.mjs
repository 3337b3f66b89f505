#!/usr/bin/env node
// Makes the contact-import fixtures in tests/fixtures/import: text files in every encoding
// Excel and friends write, and real spreadsheets converted by LibreOffice (soffice must be
// on PATH). Re-run after changing this script; the outputs are committed (each < 50 KB).
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { execFileSync } from 'node:child_process';

const dir = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../tests/fixtures/import');
fs.mkdirSync(dir, { recursive: true });
const put = (name, data) => fs.writeFileSync(path.join(dir, name), data);

// Every number form the normaliser must accept, each meaning 2348031234567 + row index.
const people = [
  ['Adébáyọ̀', 'Okafor', '08031234501', 'Lagos'],
  ['Chinedu', 'Eze', '8031234502', 'Enugu'],
  ['Ngozi', 'Peña', '+234 803 123 4503', 'Abuja'],
  ['Émile', 'Bello', '234-803-123-4504', 'Kano'],
  ['Fatima', 'Musa', '(0803) 123 4505', 'Kaduna'],
  ['Tunde', 'Ade', '002348031234506', 'Ibadan'],
  ['Ifeoma', 'Obi', '2348031234507', 'Onitsha'],
  ['Musa', 'Garba', '08061234508', 'Jos'],
  ['Kemi', 'Lawal', '08021234509', 'Ilorin'],
  ['Bisi', 'Akande', '08051234510', 'Ogbomosho'],
  ['Sani', 'Umar', '09091234511', 'Sokoto'],
  ['Jane', 'Smith', '+447400123456', 'London'],
  ['Bad', 'Letters', '0803ABC4567', 'Nowhere'],
  ['Bad', 'Short', '0803123', 'Nowhere'],
  ['Dup', 'Licate', '0803 123 4501', 'Lagos'],
];
const header = ['First Name', 'Last Name', 'Phone Number', 'City'];
const csvLine = (cells, d = ',') => cells.map((c) => (/[",;|\t\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(d);
const text = (d, eol = '\r\n', rows = people) => [header, ...rows].map((r) => csvLine(r, d)).join(eol) + eol;

put('contacts-utf8.csv', text(','));
put('contacts-utf8-bom.csv', '\ufeff' + text(','));
put('contacts-semicolon.csv', text(';'));
put('contacts-pipe.txt', text('|', '\n'));
// Excel "Unicode text": UTF-16LE with BOM, tab separated
put('contacts-unicode.txt', Buffer.from('\ufeff' + text('\t'), 'utf16le'));
// UTF-16BE with BOM: swap the bytes of the LE encoding
const le = Buffer.from('\ufeff' + text(','), 'utf16le');
const be = Buffer.alloc(le.length);
for (let i = 0; i < le.length; i += 2) {
  be[i] = le[i + 1];
  be[i + 1] = le[i];
}
put('contacts-utf16be.csv', be);
// Windows-1252 ("CSV (Comma delimited)" from Excel on Windows): é, ñ, £ as single bytes
const w1252 =
  [
    ['Name', 'Phone', 'Note'],
    ['José Muñoz', '08031234501', 'owes £5'],
    ['Renée Côté', '08031234502', 'café'],
    ['Zoë', '08031234503', 'naïve'],
  ]
    .map((r) => csvLine(r))
    .join('\r\n') + '\r\n';
put(
  'contacts-1252.csv',
  Buffer.from(
    [...w1252].map((ch) => ({ é: 0xe9, ñ: 0xf1, '£': 0xa3, ô: 0xf4, ë: 0xeb, ï: 0xef })[ch] ?? ch.charCodeAt(0)),
  ),
);

// Bad inputs
put('empty.csv', '');
put('header-only.csv', 'Name,Phone\r\n');
put('unbalanced-quotes.csv', 'Name,Phone\r\nAda,08031234501\r\n"Bola,08031234502\r\nChi,08031234503\r\n');
let seed = 42;
const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 16) & 0xff;
put('binary-named.csv', Buffer.from(Array.from({ length: 2048 }, (_, i) => (i % 7 === 0 ? 0 : rnd()))));
put('no-phone.csv', 'Name,City\r\nAda,Lagos\r\nBola,Abuja\r\n');
put('optouts.csv', 'Mobile\r\n08031234501\r\n+234 806 123 4508\r\nnot a number\r\n');

// Spreadsheets: a flat ODS with two sheets (notes first, contacts second with two title rows,
// header on row 3, phone numbers as *numeric* cells), converted by LibreOffice to xlsx/xls/ods.
const cell = (v) =>
  typeof v === 'number'
    ? `<table:table-cell office:value-type="float" office:value="${v}"><text:p>${v}</text:p></table:table-cell>`
    : `<table:table-cell office:value-type="string"><text:p>${v.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</text:p></table:table-cell>`;
const row = (cells) => `<table:table-row>${cells.map(cell).join('')}</table:table-row>`;
const empty = '<table:table-row><table:table-cell/></table:table-row>';
const contacts = [
  ['Adébáyọ̀', 8031234501, 'Lagos'], // Excel dropped the 0: numeric cell
  ['Chinedu', 2348031234502, 'Enugu'], // full international, numeric: must keep every digit
  ['Ngozi', '+234 803 123 4503', 'Abuja'],
  ['José Muñoz', '08031234504', 'Kano'],
  ['Bad', 12345, 'Nowhere'],
];
const fods = `<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.spreadsheet">
<office:body><office:spreadsheet>
<table:table table:name="Notes">${row(['Read me'])}${row(['Customers are on the next sheet'])}</table:table>
<table:table table:name="Customers">${row(['Customer list'])}${row(['Exported 2024-03-01'])}${row(['Name', 'Mobile', 'City'])}${contacts.map(row).join('')}${empty}</table:table>
</office:spreadsheet></office:body></office:document>`;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'smsdesk-fixtures-'));
fs.writeFileSync(path.join(tmp, 'workbook.fods'), fods);
fs.writeFileSync(path.join(tmp, 'simple.csv'), text(','));
const profile = `-env:UserInstallation=file://${tmp}/profile`;
for (const [src, fmt] of [
  ['workbook.fods', 'xlsx'],
  ['workbook.fods', 'xls'],
  ['workbook.fods', 'ods'],
  ['simple.csv', 'xlsx'],
]) {
  execFileSync('soffice', [profile, '--headless', '--convert-to', fmt, '--outdir', tmp, path.join(tmp, src)], {
    stdio: 'ignore',
  });
}
fs.copyFileSync(path.join(tmp, 'workbook.xlsx'), path.join(dir, 'workbook.xlsx'));
fs.copyFileSync(path.join(tmp, 'workbook.xls'), path.join(dir, 'workbook.xls'));
fs.copyFileSync(path.join(tmp, 'workbook.ods'), path.join(dir, 'workbook.ods'));
fs.copyFileSync(path.join(tmp, 'simple.xlsx'), path.join(dir, 'simple.xlsx'));
// a real spreadsheet wearing the wrong extension: detection is by magic bytes
fs.copyFileSync(path.join(tmp, 'workbook.xlsx'), path.join(dir, 'workbook-named.csv'));
// Password-protected XLS: soffice's command line cannot set a password, so a Basic macro in the
// throw-away profile (created by the conversions above) saves with one.
const basic = path.join(tmp, 'profile/user/basic/Standard/Module1.xba');
const q = (s) => s.replace(/"/g, '&quot;');
fs.writeFileSync(
  basic,
  `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">
<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1" script:language="StarBasic">${q(`
Sub Enc(inp As String, outp As String)
  Dim args(0) As New com.sun.star.beans.PropertyValue
  args(0).Name = "Hidden"
  args(0).Value = True
  doc = StarDesktop.loadComponentFromURL(ConvertToURL(inp), "_blank", 0, args())
  Dim p(1) As New com.sun.star.beans.PropertyValue
  p(0).Name = "FilterName"
  p(0).Value = "MS Excel 97"
  p(1).Name = "Password"
  p(1).Value = "secret"
  doc.storeToURL(ConvertToURL(outp), p())
  doc.close(True)
End Sub
`)}</script:module>
`,
);
execFileSync(
  'soffice',
  [
    profile,
    '--headless',
    `macro:///Standard.Module1.Enc("${path.join(tmp, 'simple.csv')}","${path.join(tmp, 'protected.xls')}")`,
  ],
  { stdio: 'ignore' },
);
fs.copyFileSync(path.join(tmp, 'protected.xls'), path.join(dir, 'protected.xls'));
fs.rmSync(tmp, { recursive: true, force: true });
// Formula cells (Name = CONCAT(...)) in .xls, .xlsx and .ods: their own script
await import('./fixtures-formulas.mjs');
for (const f of fs.readdirSync(dir)) console.log(f, fs.statSync(path.join(dir, f)).size);
