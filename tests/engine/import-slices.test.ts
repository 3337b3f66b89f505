import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { setup, type Ctx } from './lists-helpers.ts';

let ctx: Ctx;
afterEach(() => ctx?.close());

/** n contacts, 3 % of them repeats of an earlier number written another way, one invalid in 20 */
function writeContacts(file: string, n: number): void {
  let text = 'Phone,First Name,City\n';
  for (let i = 0; i < n; i++) {
    const rest = String(1_000_000 + ((i * 7919) % 9_000_000)).padStart(7, '0');
    const phone =
      i % 20 === 7
        ? 'n/a'
        : i % 33 === 5 && i > 100
          ? `+234803${String(1_000_000 + (((i - 100) * 7919) % 9_000_000)).padStart(7, '0')}`
          : `0803 ${rest.slice(0, 3)} ${rest.slice(3)}`;
    text += `${phone},Ada${i},Lagos\n`;
  }
  fs.writeFileSync(file, text);
}

describe('a big import shares the process', () => {
  it('lets other work run between slices of rows, and leaves the connection settings as they were', async () => {
    ctx = setup();
    const file = path.join(ctx.dir, 'big.csv');
    const n = 20_000;
    writeContacts(file, n);
    const cacheBefore = ctx.db.pragma('cache_size', { simple: true });

    // What a send loop would see: how many rows were stored while it waited for its turn, and
    // the cache it ran with.
    const stored = ctx.db
      .prepare('SELECT (SELECT count(*) FROM contacts) + (SELECT count(*) FROM import_rejects)')
      .pluck();
    let last = 0,
      mostBetweenTurns = 0;
    const cacheSeen = new Set<unknown>();
    let running = true;
    const tick = () => {
      // the turn already queued when the import ends must not touch the connection afterEach closes
      if (!running) return;
      const now = stored.get() as number;
      mostBetweenTurns = Math.max(mostBetweenTurns, now - last);
      last = now;
      cacheSeen.add(ctx.db.pragma('cache_size', { simple: true }));
      setImmediate(tick);
    };
    setImmediate(tick);
    const report = await ctx.svc.lists.import(file, { list: 'Big' });
    running = false;

    expect(report.rows).toBe(n);
    expect(report.valid + report.invalid + report.duplicates).toBe(n);
    expect(report.duplicates).toBeGreaterThan(0);
    // a turn at least every 500 rows, not only once per 64 KB read (~2,000 rows here)
    expect(last).toBeGreaterThan(n / 2);
    expect(mostBetweenTurns).toBeLessThanOrEqual(500);
    expect([...cacheSeen]).toEqual([cacheBefore]);
    expect(ctx.db.pragma('cache_size', { simple: true })).toBe(cacheBefore);
    expect(ctx.svc.lists.contacts(report.list.id, { offset: 0, limit: 1 }).total).toBe(report.valid);
  });

  it('suppresses opted-out numbers in every slice, with the same reason as one at a time', async () => {
    ctx = setup();
    const file = path.join(ctx.dir, 'big.csv');
    writeContacts(file, 3_000);
    // one number early, one in a later slice
    ctx.svc.optouts.add(['0803 100 0000', `0803${String(1_000_000 + ((2_500 * 7919) % 9_000_000)).padStart(7, '0')}`]);
    const report = await ctx.svc.lists.import(file, { list: 'Opted' });
    expect(report.suppressed).toBe(2);
    const rejects = ctx.svc.lists
      .rejects(report.list.id, { offset: 0, limit: 5000 })
      .rows.filter((r) => r.kind === 'suppressed');
    expect(rejects.map((r) => [r.row, r.reason])).toEqual([
      [2, '2348031000000 is on the opt-out list'],
      [2502, `234803${String(1_000_000 + ((2_500 * 7919) % 9_000_000)).padStart(7, '0')} is on the opt-out list`],
    ]);
  });
});
