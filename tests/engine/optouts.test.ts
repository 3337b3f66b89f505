import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { fixture, setup, tableCounts, type Ctx } from './lists-helpers.ts';

let ctx: Ctx;
beforeEach(() => {
  ctx = setup();
});
afterEach(() => ctx.close());

describe('opt-outs', () => {
  it('add normalises numbers, ignores repeats and reports the invalid ones', () => {
    expect(ctx.svc.optouts.add(['0803 123 4567', '+2348031234567', '08061234567', 'nope'], 'manual')).toEqual({
      added: 2,
      invalid: ['nope'],
    });
    const { total, rows } = ctx.svc.optouts.list({ offset: 0, limit: 10 });
    expect(total).toBe(2);
    expect(rows.map((r) => r.msisdn).sort()).toEqual(['2348031234567', '2348061234567']);
    expect(rows[0]).toMatchObject({ source: 'manual', addedAt: expect.any(Number) });
    expect(ctx.svc.optouts.list({ offset: 0, limit: 10, search: '0806 123' }).rows.map((r) => r.msisdn)).toEqual([
      '2348061234567',
    ]);
  });

  it('remove accepts any form of the number', () => {
    ctx.svc.optouts.add(['08031234567', '08061234567']);
    expect(ctx.svc.optouts.remove(['+234 803 123 4567', '09000000000'])).toEqual({
      removed: 1,
      msisdns: ['2348031234567'],
    });
    expect(ctx.svc.optouts.list({ offset: 0, limit: 10 }).rows.map((r) => r.msisdn)).toEqual(['2348061234567']);
  });

  it('import reads a file of numbers (header detected, invalid counted)', () => {
    expect(ctx.svc.optouts.import(fixture('optouts.csv'))).toEqual({ added: 2, invalid: 1, rows: 3 });
    expect(ctx.svc.optouts.list({ offset: 0, limit: 10 }).rows[0].source).toBe('import:optouts.csv');
  });

  it('import reads a bare column of numbers with no header', () => {
    const file = path.join(ctx.dir, 'stop.txt');
    fs.writeFileSync(file, '08031234567\n08061234567\n2348091234567\n');
    expect(ctx.svc.optouts.import(file)).toEqual({ added: 3, invalid: 0, rows: 3 });
  });

  it('import of a bad file explains itself and adds nothing', () => {
    const before = tableCounts(ctx.db);
    expect(() => ctx.svc.optouts.import(fixture('binary-named.csv'))).toThrow(
      expect.objectContaining({ code: 'IMPORT_BINARY', message: expect.stringContaining('binary-named.csv') }),
    );
    expect(tableCounts(ctx.db)).toEqual(before);
  });

  it('numbers on the opt-out list are suppressed at import and counted; removing them lets them back in', async () => {
    ctx.svc.optouts.add(['08031234501', '08061234508']);
    const report = await ctx.svc.lists.import(fixture('contacts-utf8.csv'), { list: 'A' });
    // row 16 repeats the opted-out 0803 123 4501: suppressed again, not a duplicate
    expect(report).toMatchObject({ rows: 15, valid: 10, suppressed: 3, duplicates: 0, invalid: 2 });
    const msisdns = ctx.svc.lists.contacts(report.list.id, { offset: 0, limit: 100 }).rows.map((r) => r.msisdn);
    expect(msisdns).not.toContain('2348031234501');
    expect(report.rejects.filter((r) => r.kind === 'suppressed').map((r) => r.row)).toEqual([2, 9, 16]);

    ctx.svc.optouts.remove(['08031234501', '08061234508']);
    const again = await ctx.svc.lists.import(fixture('contacts-utf8.csv'), { list: 'B' });
    expect(again).toMatchObject({ valid: 12, suppressed: 0, duplicates: 1 });
  });
});
