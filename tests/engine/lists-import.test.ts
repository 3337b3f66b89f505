import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { fixture, setup, tableCounts, type Ctx } from './lists-helpers.ts';

let ctx: Ctx;
beforeEach(() => {
  ctx = setup();
});
afterEach(() => ctx.close());

const EXPECTED_FIRST_ELEVEN = Array.from({ length: 11 }, (_, i) => {
  const prefix = ['803', '803', '803', '803', '803', '803', '803', '806', '802', '805', '909'][i];
  return `234${prefix}12345${String(i + 1).padStart(2, '0')}`;
});

describe('lists.import from text files in every encoding and delimiter', () => {
  it.each([
    ['contacts-utf8.csv'],
    ['contacts-utf8-bom.csv'],
    ['contacts-unicode.txt'],
    ['contacts-utf16be.csv'],
    ['contacts-semicolon.csv'],
    ['contacts-pipe.txt'],
  ])('%s: every number form, names intact, rejects counted', async (file) => {
    const report = await ctx.svc.lists.import(fixture(file), { list: 'Customers' });
    expect(report).toMatchObject({
      rows: 15,
      valid: 12,
      invalid: 2,
      duplicates: 1,
      suppressed: 0,
      phoneColumn: 'Phone Number',
      headerRow: 1,
    });
    expect(report.fields).toEqual(['First Name', 'Last Name', 'Phone Number', 'City']);
    const { rows } = ctx.svc.lists.contacts(report.list.id, { offset: 0, limit: 100 });
    expect(rows.map((r) => r.msisdn)).toEqual([...EXPECTED_FIRST_ELEVEN, '447400123456']);
    expect(rows[0]).toMatchObject({
      seq: 1,
      row: 2,
      network: 'MTN',
      fields: { 'First Name': 'Adébáyọ̀', 'Last Name': 'Okafor', City: 'Lagos' },
    });
    expect(rows[2].fields['Last Name']).toBe('Peña');
    expect(rows[3].fields['First Name']).toBe('Émile');
    expect(rows.map((r) => r.network).slice(7, 11)).toEqual(['MTN', 'Airtel', 'Glo', '9mobile']);
    const rejects = ctx.svc.lists.rejects(report.list.id, { offset: 0, limit: 10 });
    expect(rejects.rows.map((r) => [r.row, r.kind])).toEqual([
      [14, 'invalid'],
      [15, 'invalid'],
      [16, 'duplicate'],
    ]);
    expect(rejects.rows[0].reason).toMatch(/letters/);
    expect(rejects.rows[1].reason).toMatch(/too short/);
    expect(rejects.rows[2].reason).toBe('same number as row 2');
    expect(ctx.svc.lists.list().map((l) => [l.name, l.contacts, l.source])).toEqual([['Customers', 12, file]]);
  });

  it('reads Windows-1252 (Excel "CSV (Comma delimited)") with é, ñ and £', async () => {
    const report = await ctx.svc.lists.import(fixture('contacts-1252.csv'), { list: 'Legacy' });
    expect(report.valid).toBe(3);
    const { rows } = ctx.svc.lists.contacts(report.list.id, { offset: 0, limit: 10 });
    expect(rows.map((r) => r.fields.Name)).toEqual(['José Muñoz', 'Renée Côté', 'Zoë']);
    expect(rows[0].fields.Note).toBe('owes £5');
  });

  it('an ASCII start with the first Windows-1252 name far down the file (past the sniffed sample) reads right', async () => {
    const file = path.join(ctx.dir, 'late-accent.csv');
    const rows = Array.from({ length: 8000 }, (_, i) => `Ada ${i},080${String(31_000_000 + i)}`).join('\r\n');
    fs.writeFileSync(
      file,
      Buffer.concat([
        Buffer.from(`Name,Phone\r\n${rows}\r\n`),
        Buffer.from([0x4a, 0x6f, 0x73, 0xe9, 0x2c]),
        Buffer.from('08039999999\r\n'),
      ]),
    );
    expect(fs.statSync(file).size).toBeGreaterThan(128 * 1024);
    const report = await ctx.svc.lists.import(file, { list: 'Late' });
    expect(report.valid).toBe(8001);
    expect(ctx.svc.lists.contacts(report.list.id, { offset: 8000, limit: 1 }).rows[0].fields.Name).toBe('José');
  });

  it('honours a chosen phone column and default country', async () => {
    const file = path.join(ctx.dir, 'uk.csv');
    fs.writeFileSync(file, 'Name,Home,Cell\nAnn,020 7946 0000,07911 123456\n');
    const report = await ctx.svc.lists.import(file, { list: 'UK', phoneColumn: 'cell', country: 'GB' });
    expect(report).toMatchObject({ valid: 1, phoneColumn: 'Cell' });
    expect(ctx.svc.lists.contacts(report.list.id, { offset: 0, limit: 1 }).rows[0].msisdn).toBe('447911123456');
  });
});

describe('lists.import from spreadsheets made by LibreOffice', () => {
  it.each([['workbook.xlsx'], ['workbook.xls'], ['workbook.ods'], ['workbook-named.csv']])(
    '%s: picks the sheet with phone numbers, header under title rows, numeric cells keep every digit',
    async (file) => {
      const report = await ctx.svc.lists.import(fixture(file), { list: 'Book' });
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
      expect(rows[0].fields).toEqual({ Name: 'Adébáyọ̀', Mobile: '8031234501', City: 'Lagos' });
      expect(rows[1].fields.Mobile).toBe('2348031234502');
      expect(rows[3]).toMatchObject({ row: 7, fields: { Name: 'José Muñoz' } });
    },
  );

  it('reads the sheet the user names, and says which sheets exist when the name is wrong', async () => {
    await expect(ctx.svc.lists.import(fixture('workbook.xlsx'), { list: 'X', sheet: 'Nope' })).rejects.toMatchObject({
      code: 'IMPORT_NO_SHEET',
      message: expect.stringMatching(/workbook\.xlsx.*"Notes", "Customers"/),
    });
    await expect(ctx.svc.lists.import(fixture('workbook.xlsx'), { list: 'X', sheet: 'notes' })).rejects.toMatchObject({
      code: 'IMPORT_NO_PHONE_COLUMN',
    });
    expect(tableCounts(ctx.db).lists).toBe(0);
  });

  it('reads a one-sheet xlsx converted from CSV, where Calc turned most numbers into number cells', async () => {
    const report = await ctx.svc.lists.import(fixture('simple.xlsx'), { list: 'Simple' });
    // +447400123456 became the number 447400123456: too long for Nigeria, so it is read as the
    // UK mobile it was before the "+" was lost.
    expect(report).toMatchObject({ rows: 15, valid: 12, invalid: 2, duplicates: 1 });
    expect(report.rejects.map((r) => r.value)).toEqual(['0803ABC4567', '803123', '0803 123 4501']);
    const { rows } = ctx.svc.lists.contacts(report.list.id, { offset: 0, limit: 100 });
    expect(rows.find((r) => r.row === 13)).toMatchObject({ msisdn: '447400123456', network: null });
  });
});

describe('list names', () => {
  it('refuses a name that already exists, changing nothing', async () => {
    await ctx.svc.lists.import(fixture('contacts-utf8.csv'), { list: 'Customers' });
    const before = tableCounts(ctx.db);
    await expect(ctx.svc.lists.import(fixture('workbook.xlsx'), { list: 'Customers' })).rejects.toMatchObject({
      code: 'LIST_EXISTS',
      message: expect.stringMatching(/workbook\.xlsx.*"Customers" already exists/),
    });
    expect(tableCounts(ctx.db)).toEqual(before);
  });

  it('refuses a blank name before reading the file', async () => {
    await expect(ctx.svc.lists.import(fixture('contacts-utf8.csv'), { list: '  ' })).rejects.toMatchObject({
      code: 'LIST_NAME_REQUIRED',
    });
    expect(() => ctx.svc.imports.begin({ list: '', fields: ['Phone'], phoneColumn: 'Phone' })).toThrow(
      expect.objectContaining({ code: 'LIST_NAME_REQUIRED' }),
    );
    expect(tableCounts(ctx.db).lists).toBe(0);
  });

  it('delete removes the list with its contacts and rejects, and frees the name', async () => {
    const r = await ctx.svc.lists.import(fixture('contacts-utf8.csv'), { list: 'Customers' });
    await ctx.svc.lists.delete(r.list.id);
    expect(tableCounts(ctx.db)).toMatchObject({ lists: 0, contacts: 0, import_rejects: 0 });
    expect(ctx.svc.lists.get('Customers')).toBeNull();
    await ctx.svc.lists.import(fixture('contacts-utf8.csv'), { list: 'Customers' });
    expect(ctx.svc.lists.get('Customers')).toMatchObject({ contacts: 12 });
  });

  it("delete of a big list lets the engine's other work run between its chunks, with the list already gone from view", async () => {
    const file = path.join(ctx.dir, 'big.csv');
    const rows = Array.from({ length: 12_000 }, (_, i) => `Ann ${i},0803${String(1_000_000 + i).padStart(7, '0')}`);
    fs.writeFileSync(file, `Name,Phone\n${rows.join('\n')}\n`);
    const r = await ctx.svc.lists.import(file, { list: 'Big' });
    expect(r.valid).toBe(12_000);
    let during: { contacts: number; listed: number } | null = null;
    // what another caller (the window's next call, the send loop's next turn) sees mid-delete
    setImmediate(() => (during = { contacts: tableCounts(ctx.db).contacts, listed: ctx.svc.lists.list().length }));
    await ctx.svc.lists.delete(r.list.id);
    expect(during, 'another callback ran before the delete finished').toMatchObject({ listed: 0 });
    expect(during!.contacts, 'rows were still being deleted when it ran').toBeGreaterThan(0);
    expect(during!.contacts).toBeLessThan(12_000);
    expect(tableCounts(ctx.db)).toMatchObject({ lists: 0, contacts: 0 });
  });
});
