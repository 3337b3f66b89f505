#!/usr/bin/env node
// Makes tests/fixtures/import/cells.xlsx: every kind of cell the streaming XLSX reader must
// read as SheetJS does (dates, times, booleans, formulas with text and error results, rich
// text, entities, line breaks, gaps of rows and columns, big and fractional numbers, an empty
// sheet), written by LibreOffice from a flat ODS (soffice on PATH, throw-away profile).
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { execFileSync } from 'node:child_process';

const dir = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../tests/fixtures/import');
const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const p = (s) =>
  s
    .split('\n')
    .map((l) => `<text:p>${esc(l)}</text:p>`)
    .join('');
const c = {
  s: (v) => `<table:table-cell office:value-type="string">${p(v)}</table:table-cell>`,
  rich: (a, b) =>
    `<table:table-cell office:value-type="string"><text:p>${esc(a)}<text:span text:style-name="T1">${esc(b)}</text:span></text:p></table:table-cell>`,
  n: (v) => `<table:table-cell office:value-type="float" office:value="${v}"><text:p>${v}</text:p></table:table-cell>`,
  pct: (v) =>
    `<table:table-cell table:style-name="cePct" office:value-type="percentage" office:value="${v}"><text:p>${v * 100}%</text:p></table:table-cell>`,
  date: (v) =>
    `<table:table-cell table:style-name="ceDate" office:value-type="date" office:date-value="${v}"><text:p>${v}</text:p></table:table-cell>`,
  stamp: (v) =>
    `<table:table-cell table:style-name="ceStamp" office:value-type="date" office:date-value="${v}"><text:p>${v}</text:p></table:table-cell>`,
  time: (v) =>
    `<table:table-cell table:style-name="ceTime" office:value-type="time" office:time-value="${v}"><text:p>${v}</text:p></table:table-cell>`,
  b: (v) =>
    `<table:table-cell office:value-type="boolean" office:boolean-value="${v}"><text:p>${v ? 'TRUE' : 'FALSE'}</text:p></table:table-cell>`,
  fs: (f, v) =>
    `<table:table-cell table:formula="of:${esc(f)}" office:value-type="string" office:string-value="${esc(v)}"><text:p>${esc(v)}</text:p></table:table-cell>`,
  fn: (f, v) =>
    `<table:table-cell table:formula="of:${esc(f)}" office:value-type="float" office:value="${v}"><text:p>${v}</text:p></table:table-cell>`,
  ferr: (f) => `<table:table-cell table:formula="of:${esc(f)}"><text:p>#DIV/0!</text:p></table:table-cell>`,
  skip: (n) => `<table:table-cell table:number-columns-repeated="${n}"/>`,
};
const row = (...cells) => `<table:table-row>${cells.join('')}</table:table-row>`;
const blank = (n) => `<table:table-row table:number-rows-repeated="${n}"><table:table-cell/></table:table-row>`;
const fods = `<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2" office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.spreadsheet">
<office:automatic-styles>
<number:date-style style:name="NDate"><number:year number:style="long"/><number:text>-</number:text><number:month number:style="long"/><number:text>-</number:text><number:day number:style="long"/></number:date-style>
<number:date-style style:name="NStamp"><number:day/><number:text>/</number:text><number:month/><number:text>/</number:text><number:year number:style="long"/><number:text> </number:text><number:hours number:style="long"/><number:text>:</number:text><number:minutes number:style="long"/></number:date-style>
<number:time-style style:name="NTime"><number:hours number:style="long"/><number:text>:</number:text><number:minutes number:style="long"/></number:time-style>
<number:percentage-style style:name="NPct"><number:number number:decimal-places="0" number:min-integer-digits="1"/><number:text>%</number:text></number:percentage-style>
<style:style style:name="ceDate" style:family="table-cell" style:data-style-name="NDate"/>
<style:style style:name="ceStamp" style:family="table-cell" style:data-style-name="NStamp"/>
<style:style style:name="ceTime" style:family="table-cell" style:data-style-name="NTime"/>
<style:style style:name="cePct" style:family="table-cell" style:data-style-name="NPct"/>
<style:style style:name="T1" style:family="text"><style:text-properties fo:font-weight="bold"/></style:style>
</office:automatic-styles>
<office:body><office:spreadsheet>
<table:table table:name="Cells">
${row(c.s('Name'), c.s('Phone'), c.s('Joined'), c.s('Active'), c.s('Score'), c.s('Note'), c.s('Greeting'))}
${row(c.s('Adébáyọ̀ & Co <Ltd> "quoted"'), c.n(2348031234502), c.date('2024-03-01'), c.b(true), c.n(12.5), c.s('line one\nline two'), c.fs('[.A2]&"!"', 'Adébáyọ̀ & Co <Ltd> "quoted"!'))}
${row(c.rich('Zoë ', 'Bold'), c.s('08031234504'), c.stamp('2024-03-01T13:45:00'), c.b(false), c.n(-0.1), c.pct(0.25), c.ferr('1/0'))}
${blank(2)}
${row(c.skip(5), c.s('only column F'))}
${row(c.s('Big'), c.n('12345678901234567890'), c.time('PT13H45M00S'), c.fn('2+3', 5), c.n('0.30000000000000004'), c.s('  spaced  '), c.s('tab\there'))}
${row(c.s('Old date'), c.n(8031234501), c.date('1900-01-15'), c.skip(1), c.n('1e-7'), c.s('€ £ ₦ 😀'), c.s('_x0041_ literal'))}
</table:table>
<table:table table:name="Empty"><table:table-row><table:table-cell/></table:table-row></table:table>
</office:spreadsheet></office:body></office:document>`;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'smsdesk-fixtures-'));
fs.writeFileSync(path.join(tmp, 'cells.fods'), fods);
execFileSync(
  'soffice',
  [
    `-env:UserInstallation=file://${tmp}/profile`,
    '--headless',
    '--convert-to',
    'xlsx',
    '--outdir',
    tmp,
    path.join(tmp, 'cells.fods'),
  ],
  { stdio: 'ignore' },
);
fs.copyFileSync(path.join(tmp, 'cells.xlsx'), path.join(dir, 'cells.xlsx'));
fs.rmSync(tmp, { recursive: true, force: true });
console.log('cells.xlsx', fs.statSync(path.join(dir, 'cells.xlsx')).size);
