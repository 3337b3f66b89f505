import fs from 'node:fs';
import zlib from 'node:zlib';
import { once } from 'node:events';

/**
 * Writes an .xlsx piece by piece (the sheet XML is never held whole): a zip whose entries are
 * deflated by a zlib stream, with data descriptors after each entry. Rows look like the ones
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
  const out = fs.createWriteStream(file);
  let offset = 0;
  const central: Buffer[] = [];
  const write = async (b: Buffer) => {
    offset += b.length;
    if (!out.write(b)) await once(out, 'drain');
  };

  /** one entry, its text produced by `parts`; the output of zlib goes straight to the file */
  const entry = async (name: string, parts: Iterable<string>) => {
    const nameBytes = Buffer.from(name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0808, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt16LE(nameBytes.length, 26);
    const start = offset;
    await write(Buffer.concat([local, nameBytes]));
    const deflate = zlib.createDeflateRaw({ level: 6 });
    let crc = 0;
    let size = 0;
    let compressed = 0;
    const drained = (async () => {
      for await (const chunk of deflate) {
        compressed += (chunk as Buffer).length;
        await write(chunk as Buffer);
      }
    })();
    let buf = '';
    const push = async (final: boolean) => {
      const b = Buffer.from(buf, 'utf8');
      buf = '';
      crc = zlib.crc32(b, crc);
      size += b.length;
      if (!deflate.write(b)) await once(deflate, 'drain');
      if (final) deflate.end();
    };
    for (const p of parts) {
      buf += p;
      if (buf.length > 1 << 20) await push(false);
    }
    await push(true);
    await drained;
    const desc = Buffer.alloc(16);
    desc.writeUInt32LE(0x08074b50, 0);
    desc.writeUInt32LE(crc >>> 0, 4);
    desc.writeUInt32LE(compressed, 8);
    desc.writeUInt32LE(size, 12);
    await write(desc);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(20, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(0x0808, 8);
    cd.writeUInt16LE(8, 10);
    cd.writeUInt32LE(crc >>> 0, 16);
    cd.writeUInt32LE(compressed, 20);
    cd.writeUInt32LE(size, 24);
    cd.writeUInt16LE(nameBytes.length, 28);
    cd.writeUInt32LE(start, 42);
    central.push(cd, nameBytes);
    return size;
  };

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
  await entry('[Content_Types].xml', [
    '<?xml version="1.0" encoding="UTF-8"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' +
      (opts.strings === 'shared'
        ? '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        : '') +
      '</Types>',
  ]);
  await entry('_rels/.rels', [
    '<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
      rel('rId1', 'officeDocument', 'xl/workbook.xml') +
      '</Relationships>',
  ]);
  await entry('xl/workbook.xml', [
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><workbookPr date1904="false"/><sheets><sheet name="${esc(opts.sheetName ?? 'Contacts')}" sheetId="1" state="visible" r:id="rId2"/></sheets></workbook>`,
  ]);
  await entry('xl/_rels/workbook.xml.rels', [
    '<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
      rel('rId1', 'styles', 'styles.xml') +
      rel('rId2', 'worksheet', 'worksheets/sheet1.xml') +
      (opts.strings === 'shared' ? rel('rId3', 'sharedStrings', 'sharedStrings.xml') : '') +
      '</Relationships>',
  ]);
  await entry('xl/styles.xml', [
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="1"><font><sz val="10"/><name val="Arial"/></font></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs></styleSheet>',
  ]);
  const sheetXmlBytes = await entry('xl/worksheets/sheet1.xml', sheet());
  if (opts.strings === 'shared') await entry('xl/sharedStrings.xml', strings());

  const cdStart = offset;
  const cdBuf = Buffer.concat(central);
  await write(cdBuf);
  const end = Buffer.alloc(22);
  const count = central.length / 2;
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(count, 8);
  end.writeUInt16LE(count, 10);
  end.writeUInt32LE(cdBuf.length, 12);
  end.writeUInt32LE(cdStart, 16);
  await write(end);
  out.end();
  await once(out, 'finish');
  return { sheetXmlBytes };
}
