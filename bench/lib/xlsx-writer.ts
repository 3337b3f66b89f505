import { writeZipFile, type ZipEntry } from '../../electron/engine/zipWrite.ts';

/**
 * Writes an .xlsx piece by piece (the sheet XML is never held whole) through the product's zip
 * writer (electron/engine/zipWrite.ts). Rows look like the ones
 * LibreOffice writes (the same verbose row attributes, `s="0"` on every cell), strings either in
 * a shared-strings table (LibreOffice, Excel) or inline (`t="inlineStr"`, many exporters).
 * Cells that are digits without a leading 0 are written as numbers, as Excel stores a typed
 * 2348031234567.
 */
export async function writeXlsxFile(
  file: string,
  rows: Iterable<string[]>,
  opts: { strings: 'shared' | 'inline'; sheetName?: string },
): Promise<{ sheetXmlBytes: number }> {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const col = (c: number) => String.fromCharCode(65 + c); // A..Z is enough here
  const shared = new Map<string, number>();
  const sst: string[] = [];
  const ROW_ATTRS =
    'customFormat="false" ht="12.8" hidden="false" customHeight="false" outlineLevel="0" collapsed="false"';
  function* sheet(): Generator<string> {
    yield '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheetPr filterMode="false"><pageSetUpPr fitToPage="false"/></sheetPr><sheetViews><sheetView workbookViewId="0"/></sheetViews><sheetFormatPr defaultRowHeight="12.8"/><sheetData>';
    let r = 0;
    for (const cells of rows) {
      r++;
      let x = `<row r="${r}" ${ROW_ATTRS}>`;
      for (let c = 0; c < cells.length; c++) {
        const v = cells[c];
        if (v === '') continue;
        const ref = `${col(c)}${r}`;
        if (/^[1-9]\d{0,14}$/.test(v)) x += `<c r="${ref}" s="0" t="n"><v>${v}</v></c>`;
        else if (opts.strings === 'inline')
          x += `<c r="${ref}" s="0" t="inlineStr"><is><t xml:space="preserve">${esc(v)}</t></is></c>`;
        else {
          let i = shared.get(v);
          if (i === undefined) {
            i = sst.length;
            shared.set(v, i);
            sst.push(v);
          }
          x += `<c r="${ref}" s="0" t="s"><v>${i}</v></c>`;
        }
      }
      yield x + '</row>';
    }
    yield '</sheetData><pageMargins left="0.7875" right="0.7875" top="1.05" bottom="1.05" header="0.7875" footer="0.7875"/></worksheet>';
  }
  function* strings(): Generator<string> {
    yield `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="${sst.length}" uniqueCount="${sst.length}">`;
    for (const s of sst) yield `<si><t xml:space="preserve">${esc(s)}</t></si>`;
    yield '</sst>';
  }

  const rel = (id: string, type: string, target: string) =>
    `<Relationship Id="${id}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/${type}" Target="${target}"/>`;
  const entries: ZipEntry[] = [];
  const entry = (name: string, parts: Iterable<string>) => entries.push({ name, parts });
  entry('[Content_Types].xml', [
    '<?xml version="1.0" encoding="UTF-8"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' +
      (opts.strings === 'shared'
        ? '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        : '') +
      '</Types>',
  ]);
  entry('_rels/.rels', [
    '<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
      rel('rId1', 'officeDocument', 'xl/workbook.xml') +
      '</Relationships>',
  ]);
  entry('xl/workbook.xml', [
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><workbookPr date1904="false"/><sheets><sheet name="${esc(opts.sheetName ?? 'Contacts')}" sheetId="1" state="visible" r:id="rId2"/></sheets></workbook>`,
  ]);
  entry('xl/_rels/workbook.xml.rels', [
    '<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
      rel('rId1', 'styles', 'styles.xml') +
      rel('rId2', 'worksheet', 'worksheets/sheet1.xml') +
      (opts.strings === 'shared' ? rel('rId3', 'sharedStrings', 'sharedStrings.xml') : '') +
      '</Relationships>',
  ]);
  entry('xl/styles.xml', [
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="1"><font><sz val="10"/><name val="Arial"/></font></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs></styleSheet>',
  ]);
  entry('xl/worksheets/sheet1.xml', sheet());
  if (opts.strings === 'shared') entry('xl/sharedStrings.xml', strings());
  // level 6, as LibreOffice and Excel write their files
  const sizes = await writeZipFile(file, entries, { mode: 0o644, level: 6 });
  return { sheetXmlBytes: sizes.get('xl/worksheets/sheet1.xml')! };
}
