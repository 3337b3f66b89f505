import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import * as XLSX from '@e965/xlsx';
import { openDatabase } from '../../electron/engine/db/open.ts';
import { cleanupInterruptedImports, createListsService } from '../../electron/engine/lists/index.ts';
import { fixture, setup, tableCounts, type Ctx } from './lists-helpers.ts';

let ctx: Ctx;
beforeEach(() => {
  ctx = setup();
});
afterEach(() => ctx.close());

function bigCsv(file: string, rows: number): void {
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, 'Name,Phone,City\n');
  let buf = '';
  for (let i = 0; i < rows; i++) {
    buf += `Person ${i},080${String(30_000_000 + i).padStart(8, '0')},Lagos\n`;
    if (buf.length > 1 << 20) {
      fs.writeSync(fd, buf);
      buf = '';
    }
  }
  fs.writeSync(fd, buf);
  fs.closeSync(fd);
}

describe('cancel and crash', () => {
  it('cancelling mid-import leaves no list and no contacts', async () => {
    const file = path.join(ctx.dir, 'big.csv');
    bigCsv(file, 60_000);
    const ac = new AbortController();
    const phases: string[] = [];
    const run = ctx.svc.lists.import(
      file,
      { list: 'Big' },
      {
        signal: ac.signal,
        onProgress(p) {
          phases.push(p.phase);
          // cancel once rows are being stored, i.e. really mid-import
          if (p.phase === 'storing' && p.rows > 5000) ac.abort();
        },
      },
    );
    await expect(run).rejects.toMatchObject({ code: 'IMPORT_CANCELLED', message: expect.stringContaining('big.csv') });
    expect(phases).toContain('storing');
    expect(tableCounts(ctx.db)).toMatchObject({ lists: 0, contacts: 0, import_rejects: 0 });
    expect(ctx.svc.lists.get('Big')).toBeNull();
  });

  it('an already-aborted signal reads nothing', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(
      ctx.svc.lists.import(fixture('contacts-utf8.csv'), { list: 'A' }, { signal: ac.signal }),
    ).rejects.toMatchObject({ code: 'IMPORT_CANCELLED' });
    expect(tableCounts(ctx.db).lists).toBe(0);
  });

  it('a list left importing by a crash is invisible, then removed at start-up', () => {
    const file = path.join(ctx.dir, 'smsdesk.db');
    const { importId } = ctx.svc.imports.begin({ list: 'Half', fields: ['Name', 'Phone'], phoneColumn: 'Phone' });
    ctx.svc.imports.add(
      importId,
      Array.from({ length: 4500 }, (_, i) => ({
        row: i + 2,
        phone: `0803${String(1_000_000 + i)}`,
        fields: { Name: `P${i}` },
      })),
    );
    expect(ctx.svc.lists.get('Half')).toBeNull();
    expect(ctx.svc.lists.list()).toEqual([]);
    ctx.db.close(); // the "crash": no commit, no cancel

    const db = openDatabase(file);
    try {
      expect(db.prepare(`SELECT count(*) FROM contacts`).pluck().get()).toBe(4500);
      expect(cleanupInterruptedImports(db)).toBe(1);
      expect(tableCounts(db)).toMatchObject({ lists: 0, contacts: 0, import_rejects: 0 });
      const svc = createListsService({ db, settings: { get: () => 'NG' } });
      // the name is free again
      const again = svc.imports.begin({ list: 'Half', fields: ['Phone'], phoneColumn: 'Phone' });
      svc.imports.add(again.importId, [{ row: 2, phone: '08031234567', fields: {} }]);
      expect(svc.imports.commit(again.importId)).toMatchObject({ valid: 1 });
    } finally {
      db.close();
      ctx.db = openDatabase(file); // so afterEach can close it
    }
  });

  it('streams: rows are stored in chunks while the rest of the file is unread, and other statements run in between', async () => {
    const file = path.join(ctx.dir, 'big.csv');
    bigCsv(file, 30_000);
    let sawPartial = false;
    const report = await ctx.svc.lists.import(
      file,
      { list: 'Big' },
      {
        onProgress(p) {
          const n = ctx.db.prepare(`SELECT count(*) FROM contacts`).pluck().get() as number;
          // streaming: rows are stored while most of the file is still unread
          if (n > 0 && p.bytesRead < p.totalBytes / 2) sawPartial = true;
        },
      },
    );
    expect(report.valid).toBe(30_000);
    expect(sawPartial).toBe(true);
    expect(ctx.svc.lists.get('Big')).toMatchObject({ contacts: 30_000 });
  });
});

describe('imports fed by the renderer', () => {
  it('begin/add/commit gives the same rules as a file import', () => {
    ctx.db.prepare(`INSERT INTO optouts (msisdn, added_at) VALUES ('2348061234567', 1)`).run();
    const { importId } = ctx.svc.imports.begin({
      list: 'From UI',
      fields: ['Name', 'Phone'],
      phoneColumn: 'Phone',
      source: 'people.xlsx',
      sheet: 'S1',
      headerRow: 1,
    });
    const counts = ctx.svc.imports.add(importId, [
      { row: 2, phone: '08031234567', fields: { Name: 'Ada', Phone: '08031234567' } },
      { row: 3, phone: '+234 803 123 4567', fields: { Name: 'Ada again', Phone: '+234 803 123 4567' } },
      { row: 4, phone: '0806 123 4567', fields: { Name: 'Opted out', Phone: '0806 123 4567' } },
      { row: 5, phone: 'n/a', fields: { Name: 'Nobody', Phone: 'n/a' } },
    ]);
    expect(counts).toEqual({ rows: 4, valid: 1, invalid: 1, duplicates: 1, suppressed: 1 });
    expect(ctx.svc.lists.get('From UI')).toBeNull();
    const report = ctx.svc.imports.commit(importId);
    expect(report).toMatchObject({
      list: { name: 'From UI' },
      sheet: 'S1',
      valid: 1,
      suppressed: 1,
      duplicates: 1,
      invalid: 1,
    });
    expect(report.rejects.map((r) => r.kind)).toEqual(['duplicate', 'suppressed', 'invalid']);
    expect(ctx.svc.lists.get('From UI')).toMatchObject({ contacts: 1, source: 'people.xlsx' });
    expect(() => ctx.svc.imports.add(importId, [])).toThrow(expect.objectContaining({ code: 'IMPORT_NOT_FOUND' }));
  });

  it('cancel removes everything stored so far', async () => {
    const before = tableCounts(ctx.db);
    const { importId } = ctx.svc.imports.begin({ list: 'Gone', fields: ['Phone'], phoneColumn: 'Phone' });
    ctx.svc.imports.add(importId, [
      { row: 2, phone: '08031234567', fields: { Phone: '08031234567' } },
      { row: 3, phone: 'x', fields: { Phone: 'x' } },
    ]);
    await ctx.svc.imports.cancel(importId);
    expect(tableCounts(ctx.db)).toEqual(before);
  });

  it("cancel of a big import lets the engine's other work run between its chunks, with the list never shown", async () => {
    const before = tableCounts(ctx.db);
    const { importId } = ctx.svc.imports.begin({ list: 'Half', fields: ['Phone'], phoneColumn: 'Phone' });
    const rows = Array.from({ length: 12_000 }, (_, i) => {
      const phone = `0803${String(1_000_000 + i).padStart(7, '0')}`;
      return { row: i + 2, phone, fields: { Phone: phone } };
    });
    for (let i = 0; i < rows.length; i += 2000) ctx.svc.imports.add(importId, rows.slice(i, i + 2000));
    let during: { contacts: number; listed: number } | null = null;
    setImmediate(() => (during = { contacts: tableCounts(ctx.db).contacts, listed: ctx.svc.lists.list().length }));
    await ctx.svc.imports.cancel(importId);
    expect(during, 'another callback ran before the cancel finished').toMatchObject({ listed: 0 });
    expect(during!.contacts, 'rows were still being deleted when it ran').toBeGreaterThan(before.contacts);
    expect(tableCounts(ctx.db)).toEqual(before);
  });

  it('begin refuses a taken name', async () => {
    await ctx.svc.lists.import(fixture('contacts-utf8.csv'), { list: 'Taken' });
    expect(() => ctx.svc.imports.begin({ list: 'Taken', fields: ['Phone'], phoneColumn: 'Phone' })).toThrow(
      expect.objectContaining({ code: 'LIST_EXISTS' }),
    );
  });

  it('two imports racing for one name: the second to commit gets LIST_EXISTS and leaves nothing', () => {
    const a = ctx.svc.imports.begin({ list: 'Same', fields: ['Phone'], phoneColumn: 'Phone' });
    const b = ctx.svc.imports.begin({ list: 'Same', fields: ['Phone'], phoneColumn: 'Phone' });
    ctx.svc.imports.add(a.importId, [{ row: 2, phone: '08031234567', fields: {} }]);
    ctx.svc.imports.add(b.importId, [{ row: 2, phone: '08031234568', fields: {} }]);
    ctx.svc.imports.commit(a.importId);
    expect(() => ctx.svc.imports.commit(b.importId)).toThrow(expect.objectContaining({ code: 'LIST_EXISTS' }));
    expect(tableCounts(ctx.db)).toMatchObject({ lists: 1, contacts: 1 });
  });
});

describe('rejected rows export', () => {
  it('CSV with BOM: the row number in the file first, the original headers in order, the reason; the fixed file re-imports', async () => {
    const report = await ctx.svc.lists.import(fixture('contacts-utf8.csv'), { list: 'Customers' });
    const out = path.join(ctx.dir, 'rejects.csv');
    expect(await ctx.svc.lists.exportRejects(report.list.id, out, 'csv')).toEqual({ file: out, rows: 3, cutCells: 0 });
    const bytes = fs.readFileSync(out);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.toString('utf8').slice(1).trim().split('\r\n');
    expect(lines[0]).toBe('row,First Name,Last Name,Phone Number,City,reason');
    // rows 14-16 of contacts-utf8.csv (the header is row 1)
    expect(lines[1]).toMatch(/^14,Bad,Letters,0803ABC4567,Nowhere,letters in the number$/);
    expect(lines[3]).toMatch(/^16,Dup,Licate,0803 123 4501,Lagos,duplicate: same number as row 2$/);

    // the user fixes the two invalid numbers and drops the duplicate
    const fixed = [
      lines[0],
      lines[1].replace('0803ABC4567', '08039994567'),
      lines[2].replace('0803123,', '08031239999,'),
    ].join('\r\n');
    const fixedFile = path.join(ctx.dir, 'fixed.csv');
    fs.writeFileSync(fixedFile, '\ufeff' + fixed + '\r\n');
    const again = await ctx.svc.lists.import(fixedFile, { list: 'Customers (fixed)' });
    expect(again).toMatchObject({ rows: 2, valid: 2, invalid: 0, phoneColumn: 'Phone Number' });
    expect(again.fields).toEqual(['row', 'First Name', 'Last Name', 'Phone Number', 'City', 'reason']);
  });

  it('a list imported on the page keeps the phone column where the file had it, whichever columns became fields', async () => {
    // as the Import page sends it: Phone (column B) not ticked as a merge field, in its place
    const { importId } = ctx.svc.imports.begin({
      list: 'Page',
      fields: ['Name', 'Phone', 'City'],
      phoneColumn: 'Phone',
      source: 'page.csv',
    });
    ctx.svc.imports.add(importId, [
      { row: 2, phone: '08031234501', fields: { Name: 'Ada', City: 'Lagos' } },
      { row: 7, phone: 'call me', fields: { Name: 'Bola', City: 'Abuja' } },
    ]);
    const { list } = ctx.svc.imports.commit(importId);
    const out = path.join(ctx.dir, 'page-rejects.csv');
    await ctx.svc.lists.exportRejects(list.id, out, 'csv');
    expect(fs.readFileSync(out, 'utf8').slice(1).split('\r\n').slice(0, 2)).toEqual([
      'row,Name,Phone,City,reason',
      '7,Bola,call me,Abuja,letters in the number',
    ]);
  });

  it('XLSX: the row number as a number, every other cell as text (no 2.34803E+12, no apostrophe), and re-imports', async () => {
    const { importId } = ctx.svc.imports.begin({ list: 'L', fields: ['Name', 'Phone'], phoneColumn: 'Phone' });
    ctx.svc.imports.add(importId, [
      { row: 2, phone: '2348031234567', fields: { Name: '=HYPERLINK("x")', Phone: '2348031234567' } },
      { row: 3, phone: '2348031234567', fields: { Name: 'Dup', Phone: '2348031234567' } },
      { row: 4, phone: '080312345', fields: { Name: 'Short', Phone: '080312345' } },
    ]);
    const { list } = ctx.svc.imports.commit(importId);
    const out = path.join(ctx.dir, 'rejects.xlsx');
    expect((await ctx.svc.lists.exportRejects(list.id, out, 'xlsx')).rows).toBe(2);
    const wb = XLSX.read(fs.readFileSync(out));
    const rows = XLSX.utils.sheet_to_json<string[]>(wb.Sheets[wb.SheetNames[0]], { header: 1, raw: true });
    expect(rows[0]).toEqual(['row', 'Name', 'Phone', 'reason']);
    expect(rows[1]).toEqual([3, 'Dup', '2348031234567', 'duplicate: same number as row 2']);
    expect(rows[2]![2]).toBe('080312345');
    const again = await ctx.svc.lists.import(out, { list: 'L2' });
    expect(again).toMatchObject({ valid: 1, invalid: 1, phoneColumn: 'Phone' });
  });

  it('CSV export escapes cells Excel would run as formulas', async () => {
    const { importId } = ctx.svc.imports.begin({ list: 'F', fields: ['Name', 'Phone'], phoneColumn: 'Phone' });
    ctx.svc.imports.add(importId, [{ row: 2, phone: '+1 bad', fields: { Name: '=cmd|x', Phone: '+1 bad' } }]);
    const { list } = ctx.svc.imports.commit(importId);
    const out = path.join(ctx.dir, 'f.csv');
    await ctx.svc.lists.exportRejects(list.id, out, 'csv');
    expect(fs.readFileSync(out, 'utf8').split('\r\n')[1]).toBe("2,'=cmd|x,'+1 bad,letters in the number");
  });
});
