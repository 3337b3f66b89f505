#!/usr/bin/env node
// Makes tests/fixtures/import/formulas.{xls,xlsx,ods}: a contact sheet whose Name column is a
// formula (CONCAT, CONCATENATE, &, PROPER/TRIM) and one number formula, written the way an office
// worker's file gets them: a document with saved results, converted by LibreOffice (soffice on
// PATH). LibreOffice saves such text results into .xls as 0 (no STRING record): the case the
// importer must work out again. Run by fixtures-import.mjs, or alone.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

const dir = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../tests/fixtures/import');
const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
const text = (v) => `<table:table-cell office:value-type="string"><text:p>${esc(v)}</text:p></table:table-cell>`;
// a formula with its saved result, as LibreOffice keeps it in ODF
const ftext = (f, v) =>
  `<table:table-cell table:formula="${esc(f)}" office:value-type="string" office:string-value="${esc(v)}"><text:p>${esc(v)}</text:p></table:table-cell>`;
const fnum = (f, v) =>
  `<table:table-cell table:formula="${esc(f)}" office:value-type="float" office:value="${v}"><text:p>${v}</text:p></table:table-cell>`;
const row = (cells) => `<table:table-row>${cells.join('')}</table:table-row>`;

// First, Last, Phone, Name (formula), Greeting (formula), Parts (number formula)
const people = [
  ['Adébáyọ̀', 'Okafor', '08031234501', 'of:=COM.MICROSOFT.CONCAT([.A2];" ";[.B2])', 'of:=CONCATENATE("Dear ";[.A2])'],
  ['Chinedu', 'Eze', '08031234502', 'of:=[.A3]&" "&[.B3]', 'of:="Dear "&[.A3]'],
  [
    '  ngozi ',
    'PEÑA',
    '08031234503',
    'of:=PROPER(TRIM([.A4]&" "&[.B4]))',
    'of:=COM.MICROSOFT.CONCAT("Dear ";PROPER(TRIM([.A4])))',
  ],
];
const shown = [
  ['Adébáyọ̀ Okafor', 'Dear Adébáyọ̀'],
  ['Chinedu Eze', 'Dear Chinedu'],
  ['Ngozi Peña', 'Dear Ngozi'],
];
const body = [
  row(['First', 'Last', 'Phone', 'Name', 'Greeting', 'Parts'].map(text)),
  ...people.map(([a, b, p, fName, fGreet], i) =>
    row([
      text(a),
      text(b),
      text(p),
      ftext(fName, shown[i][0]),
      ftext(fGreet, shown[i][1]),
      fnum(`of:=${i + 1}+1`, i + 2),
    ]),
  ),
].join('');
const fods = `<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2" office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.spreadsheet">
<office:body><office:spreadsheet><table:table table:name="Contacts">${body}</table:table></office:spreadsheet></office:body></office:document>`;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'smsdesk-formulas-'));
fs.writeFileSync(path.join(tmp, 'formulas.fods'), fods);
for (const fmt of ['xls', 'xlsx', 'ods']) {
  execFileSync(
    'soffice',
    [
      `-env:UserInstallation=file://${tmp}/profile`,
      '--headless',
      '--convert-to',
      fmt,
      '--outdir',
      tmp,
      path.join(tmp, 'formulas.fods'),
    ],
    { stdio: 'ignore' },
  );
  fs.copyFileSync(path.join(tmp, `formulas.${fmt}`), path.join(dir, `formulas.${fmt}`));
  console.log(`formulas.${fmt}`, fs.statSync(path.join(dir, `formulas.${fmt}`)).size);
}
fs.rmSync(tmp, { recursive: true, force: true });
