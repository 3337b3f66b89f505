import { excelLocalSerial } from '../../shared/localTime.ts';
import { writeZipFile } from './zipWrite.ts';
import { XLSX_MAX_CELL_CHARS } from '../../shared/exports.ts';

/** Excel shows this with the date and the seconds whatever the user's locale. */
export const XLSX_DATE_FORMAT = 'yyyy-mm-dd hh:mm:ss';
/** An Excel sheet's rows, the header row included. */
export const XLSX_MAX_ROWS = 1_048_576;

/** The most characters (UTF-16 code units) an Excel cell holds: a longer one and Excel calls the file damaged. */

/**
 * Text cut to what an Excel cell holds, never between the two halves of a surrogate pair (an
 * emoji is dropped whole rather than left as half a character).
 */
export function fitCell(s: string): string {
  if (s.length <= XLSX_MAX_CELL_CHARS) return s;
  const last = s.charCodeAt(XLSX_MAX_CELL_CHARS - 1);
  const highSurrogate = last >= 0xd800 && last <= 0xdbff;
  return s.slice(0, highSurrogate ? XLSX_MAX_CELL_CHARS - 1 : XLSX_MAX_CELL_CHARS);
}

/** Thrown before the file is complete when the rows do not fit one sheet. */
export class SheetFullError extends Error {
  constructor() {
    super(`more than ${XLSX_MAX_ROWS.toLocaleString('en')} rows, the most an Excel sheet holds`);
  }
}

/** A, B, … Z, AA, AB, … */
export function columnName(i: number): string {
  let s = '';
  for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

// Characters XML 1.0 cannot hold (controls other than tab, LF, CR) are written the OOXML way,
// _xHHHH_, and a literal "_xHHHH_" in the text gets its underscore written so, as Excel does:
// a reader gives back exactly the text that was exported.
const NEEDS_OOXML_ESCAPE = /[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_(?=x[0-9a-fA-F]{4}_)/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const hex4 = (c: string) => `_x${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}_`;

/** anything xmlText changes: most cells have none of it */
const NEEDS_ANY = /[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]|_x/;

/** Cell text as XML character data: well-formed (a lone surrogate becomes U+FFFD), escaped. */
export function xmlText(s: string): string {
  if (!NEEDS_ANY.test(s)) return s;
  return s
    .replace(LONE_SURROGATE, '\ufffd')
    .replace(NEEDS_OOXML_ESCAPE, hex4)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/**
 * A cell: a number stays a number; a Date is a moment, written as a real date cell holding the
 * user's local wall-clock time (Excel dates have no zone) with XLSX_DATE_FORMAT; anything else is
 * text in a string cell, which Excel never runs as a formula (a formula is a cell's `<f>`, never
 * written), so "+2348031234567" stays that text and never turns into 2.34803E+12. Text longer than
 * XLSX_MAX_CELL_CHARS is cut to fit (fitCell) and `onCut` is called.
 */
function cell(ref: string, v: unknown, onCut?: () => void): string {
  if (v == null || v === '') return '';
  if (typeof v === 'number' && Number.isFinite(v)) return `<c r="${ref}"><v>${v}</v></c>`;
  if (v instanceof Date) return `<c r="${ref}" s="1"><v>${excelLocalSerial(v.getTime())}</v></c>`;
  let text = String(v);
  if (text.length > XLSX_MAX_CELL_CHARS) {
    text = fitCell(text);
    onCut?.();
  }
  return `<c r="${ref}" t="inlineStr"><is><t xml:space="preserve">${xmlText(text)}</t></is></c>`;
}

const XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const rel = (id: string, type: string, target: string) =>
  `<Relationship Id="${id}" Type="${REL}/${type}" Target="${target}"/>`;

/**
 * Writes one sheet as .xlsx, row by row: the sheet's XML is deflated as it is made and never held
 * whole, and the rows come a page (an array of rows) at a time, from an async source that lets
 * the event loop turn between pages.
 * Throws SheetFullError (the file then is incomplete: write to a temporary name) past
 * XLSX_MAX_ROWS. Returns the number of rows after the header, and how many cells (header
 * included) were cut to XLSX_MAX_CELL_CHARS.
 */
export async function writeXlsxFile(
  file: string,
  sheetName: string,
  header: string[],
  pages: Iterable<unknown[][]> | AsyncIterable<unknown[][]>,
): Promise<{ rows: number; cutCells: number }> {
  const refs: string[] = [];
  const ref = (c: number, r: number) => (refs[c] ??= columnName(c)) + r;
  let count = 0;
  let cutCells = 0;
  const onCut = () => void cutCells++;
  async function* sheet(): AsyncGenerator<string> {
    yield `${XML}<worksheet xmlns="${MAIN}" xmlns:r="${REL}"><sheetData>`;
    yield `<row r="1">${header.map((h, c) => cell(ref(c, 1), h, onCut)).join('')}</row>`;
    for await (const page of pages) {
      if (count + 1 + page.length > XLSX_MAX_ROWS) throw new SheetFullError();
      let x = '';
      for (const cells of page) {
        const r = count + 2;
        x += `<row r="${r}">`;
        for (let c = 0; c < cells.length; c++) x += cell(ref(c, r), cells[c], onCut);
        x += '</row>';
        count++;
      }
      yield x;
    }
    yield '</sheetData></worksheet>';
  }
  await writeZipFile(file, [
    {
      name: '[Content_Types].xml',
      parts: [
        `${XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
          '<Default Extension="xml" ContentType="application/xml"/>' +
          '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
          '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' +
          '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' +
          '</Types>',
      ],
    },
    {
      name: '_rels/.rels',
      parts: [
        `${XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${rel('rId1', 'officeDocument', 'xl/workbook.xml')}</Relationships>`,
      ],
    },
    {
      name: 'xl/workbook.xml',
      parts: [
        `${XML}<workbook xmlns="${MAIN}" xmlns:r="${REL}"><sheets><sheet name="${xmlText(sheetName).replace(/"/g, '&quot;')}" sheetId="1" r:id="rId1"/></sheets></workbook>`,
      ],
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      parts: [
        `${XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${rel('rId1', 'worksheet', 'worksheets/sheet1.xml')}${rel('rId2', 'styles', 'styles.xml')}</Relationships>`,
      ],
    },
    {
      name: 'xl/styles.xml',
      // style 0: the default; style 1: a date and time (custom format 164)
      parts: [
        `${XML}<styleSheet xmlns="${MAIN}"><numFmts count="1"><numFmt numFmtId="164" formatCode="${XLSX_DATE_FORMAT}"/></numFmts>` +
          '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>' +
          '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>' +
          '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
          '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
          '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' +
          '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>' +
          '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>',
      ],
    },
    { name: 'xl/worksheets/sheet1.xml', parts: sheet() },
  ]);
  return { rows: count, cutCells };
}
