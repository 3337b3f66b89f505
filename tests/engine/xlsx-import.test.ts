import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as XLSX from '@e965/xlsx';
import { fixture, setup, type Ctx } from './lists-helpers.ts';

let ctx: Ctx;
beforeEach(() => {
  ctx = setup();
});
afterEach(() => ctx.close());

/**
 * The zip of `src` with one more stored entry of `size` zero bytes after its own entries (as a
 * workbook holding a big embedded video would be): the original entries keep their offsets, only
 * the central directory moves. Written in pieces: the padding is never held in memory.
 */
function padded(src: string, dest: string, size: number): void {
  const zip = fs.readFileSync(src);
  let eocd = zip.length - 22;
  while (zip.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  const cdOffset = zip.readUInt32LE(eocd + 16);
  const cdSize = zip.readUInt32LE(eocd + 12);
  const count = zip.readUInt16LE(eocd + 10);
  const name = Buffer.from('xl/media/video1.bin');
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(10, 4);
  local.writeUInt32LE(size, 18);
  local.writeUInt32LE(size, 22);
  local.writeUInt16LE(name.length, 26);
  const cd = Buffer.alloc(46);
  cd.writeUInt32LE(0x02014b50, 0);
  cd.writeUInt16LE(10, 6);
  cd.writeUInt32LE(size, 20);
  cd.writeUInt32LE(size, 24);
  cd.writeUInt16LE(name.length, 28);
  cd.writeUInt32LE(cdOffset, 42);
  const fd = fs.openSync(dest, 'w');
  fs.writeSync(fd, zip.subarray(0, cdOffset));
  fs.writeSync(fd, Buffer.concat([local, name]));
  const block = Buffer.alloc(4 * 1024 * 1024);
  for (let left = size; left > 0; left -= block.length) fs.writeSync(fd, block, 0, Math.min(block.length, left));
  const newCd = cdOffset + 30 + name.length + size;
  fs.writeSync(fd, zip.subarray(cdOffset, cdOffset + cdSize));
  fs.writeSync(fd, Buffer.concat([cd, name]));
  const end = Buffer.from(zip.subarray(eocd, eocd + 22));
  end.writeUInt16LE(count + 1, 8);
  end.writeUInt16LE(count + 1, 10);
  end.writeUInt32LE(cdSize + 46 + name.length, 12);
  end.writeUInt32LE(newCd, 16);
  fs.writeSync(fd, end);
  fs.closeSync(fd);
}

describe('lists.import of .xlsx through the streaming reader', () => {
  it('a 160 MB workbook (a big embedded file beside the sheet) imports; it was refused as "save as CSV" over 150 MB', async () => {
    const file = path.join(ctx.dir, 'with-video.xlsx');
    padded(fixture('workbook.xlsx'), file, 160 * 1024 * 1024);
    expect(fs.statSync(file).size).toBeGreaterThan(150 * 1024 * 1024);
    const report = await ctx.svc.lists.import(file, { list: 'Big file' });
    expect(report).toMatchObject({
      sheet: 'Customers',
      headerRow: 3,
      phoneColumn: 'Mobile',
      rows: 5,
      valid: 4,
      invalid: 1,
    });
    const { rows } = ctx.svc.lists.contacts(report.list.id, { offset: 0, limit: 10 });
    expect(rows.map((r) => r.msisdn)).toEqual(['2348031234501', '2348031234502', '2348031234503', '2348031234504']);
  });

  it('a workbook the streaming reader hands back (xlsb-style main part) is still read by SheetJS, same list', async () => {
    // the root relationship points at a part name the streaming reader does not take (not .xml);
    // SheetJS finds the workbook through [Content_Types].xml and reads it as before
    const zip = XLSX.CFB.read(fs.readFileSync(fixture('workbook.xlsx')), { type: 'buffer' });
    const rels = XLSX.CFB.find(zip, '/_rels/.rels')!;
    rels.content = Buffer.from(
      Buffer.from(rels.content as Uint8Array)
        .toString('utf8')
        .replace('Target="xl/workbook.xml"', 'Target="xl/workbook.xml?"'),
    ) as unknown as typeof rels.content;
    rels.size = (rels.content as Uint8Array).length;
    const file = path.join(ctx.dir, 'handed-back.xlsx');
    fs.writeFileSync(file, XLSX.CFB.write(zip, { type: 'buffer', fileType: 'zip', compression: true }) as Buffer);
    const report = await ctx.svc.lists.import(file, { list: 'Fallback' });
    expect(report).toMatchObject({ sheet: 'Customers', headerRow: 3, rows: 5, valid: 4, invalid: 1 });
  });

  it('cancelling mid-sheet stops the read and creates no list', async () => {
    const rows = [['Phone'], ...Array.from({ length: 30_000 }, (_, i) => [`0803${String(1_000_000 + i)}`])];
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(rows), 'S');
    const file = path.join(ctx.dir, 'long.xlsx');
    fs.writeFileSync(file, XLSX.write(wb, { type: 'buffer', bookType: 'xlsx', compression: true }) as Buffer);
    const ac = new AbortController();
    let seen = 0;
    await expect(
      ctx.svc.lists.import(
        file,
        { list: 'Cancelled' },
        {
          signal: ac.signal,
          onProgress: (p: { rows: number }) => {
            seen = p.rows;
            if (p.rows >= 5000) ac.abort();
          },
        },
      ),
    ).rejects.toMatchObject({ code: 'IMPORT_CANCELLED' });
    expect(seen).toBeGreaterThanOrEqual(5000);
    expect(seen).toBeLessThan(30_000);
    expect(ctx.svc.lists.list().length).toBe(0);
  });
});
