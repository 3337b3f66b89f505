/**
 * Found 3: a Name column made by a formula (=CONCAT(A2;" ";B2)) came in as "0" from every .xls,
 * so the SMS read "Hello 0", while the same sheet as .xlsx or .ods was right. The fixtures are
 * LibreOffice's own conversions of one sheet (scripts/fixtures-formulas.mjs); its .xls keeps 0 as
 * the saved result of each text formula, as LibreOffice writes it.
 */
import fs from 'node:fs';
import * as XLSX from '@e965/xlsx';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixture, setup, type Ctx } from './lists-helpers.ts';

let ctx: Ctx;
beforeEach(() => {
  ctx = setup();
});
afterEach(() => ctx.close());

describe('formula cells import as the text a spreadsheet shows', () => {
  it('the .xls really holds 0 as the saved result of each text formula (the case this guards)', () => {
    const wb = XLSX.read(fs.readFileSync(fixture('formulas.xls')), { dense: true });
    const data = (wb.Sheets[wb.SheetNames[0]!] as XLSX.DenseSheet)['!data']!;
    expect(data.slice(1).map((r) => [r[3]?.t, r[3]?.v, r[4]?.v])).toEqual([
      ['n', 0, 0],
      ['n', 0, 0],
      ['n', 0, 0],
    ]);
  });

  for (const ext of ['xls', 'xlsx', 'ods']) {
    it(`formulas.${ext}: Name and Greeting are the names, Parts the number`, async () => {
      const report = await ctx.svc.lists.import(fixture(`formulas.${ext}`), { list: `F ${ext}` });
      expect(report).toMatchObject({ rows: 3, valid: 3, phoneColumn: 'Phone' });
      const rows = ctx.svc.lists.contacts(report.list.id, { offset: 0, limit: 10 }).rows;
      expect(rows.map((r) => r.fields.Name)).toEqual(['Adébáyọ̀ Okafor', 'Chinedu Eze', 'Ngozi Peña']);
      expect(rows.map((r) => r.fields.Greeting)).toEqual(['Dear Adébáyọ̀', 'Dear Chinedu', 'Dear Ngozi']);
      expect(rows.map((r) => r.fields.Parts)).toEqual(['2', '3', '4']);
    });
  }
});
