import { describe, expect, it } from 'vitest';
import { makeList, numbers, tempDir, useEngines, type TestEngine } from '../helpers/engine.ts';

// Cancel: the campaign is cancelled at once, its queued messages 5,000 per transaction after it,
// the event loop turning between; what a close cuts short, the next start finishes.

const N = 11_000;
const engineOn = useEngines();

async function bigDraft(e: TestEngine) {
  makeList(
    e,
    'big',
    numbers(N).map((phone) => ({ phone })),
  );
  return (await e.campaigns.create({ list: 'big', from: 'ACME', text: 'Hello' })).id;
}

/** the rows themselves, not the counters: what an export would show */
const byStatus = (e: TestEngine, id: number) =>
  Object.fromEntries(
    e.db
      .prepare<[number], { status: string; n: number }>(
        'SELECT status, COUNT(*) AS n FROM messages WHERE campaign_id = ? GROUP BY status',
      )
      .all(id)
      .map((r) => [r.status, r.n]),
  );

describe('cancelling a big campaign', () => {
  it('is cancelled at once for everyone, its queued messages go in steps, and the counters follow the rows', async () => {
    const e = await engineOn();
    const id = await bigDraft(e);
    const cancelling = e.campaigns.cancel(id);
    // what the window's next call sees while the rest is being cancelled
    const seen = await new Promise<{ state: string; queued: number; rows: Record<string, number> }>((resolve) =>
      setImmediate(() => {
        const s = e.campaigns.status(id);
        resolve({ state: s.state, queued: s.counts.queued, rows: byStatus(e, id) });
      }),
    );
    const done = await cancelling;
    expect(seen.state).toBe('cancelled');
    expect(seen.queued, 'some still queued between two steps').toBeGreaterThan(0);
    expect(seen.queued).toBeLessThan(N);
    expect(seen.rows).toEqual({ queued: seen.queued, cancelled: N - seen.queued });
    expect(done).toMatchObject({ state: 'cancelled' });
    expect(done.counts).toMatchObject({ queued: 0, cancelled: N });
    expect(byStatus(e, id)).toEqual({ cancelled: N });
    // nothing of it can be started again
    expect(() => e.campaigns.send(id)).toThrow(expect.objectContaining({ code: 'CANCELLED' }));
  });

  it('cut short by the app closing: the cancel says so, and the next start cancels the rest', async () => {
    const dir = tempDir();
    const e = await engineOn(dir);
    const id = await bigDraft(e);
    const cancelling = e.campaigns.cancel(id);
    await new Promise((resolve) => setImmediate(resolve));
    await e.close();
    await expect(cancelling).rejects.toMatchObject({
      code: 'STOPPED',
      message: expect.stringMatching(/the campaign is cancelled, and its last queued messages are at the next start/),
    });

    const lines: string[] = [];
    const again = await engineOn(dir, lines);
    expect(lines).toContainEqual(expect.stringMatching(/^1 cancel\(s\) were cut short/));
    expect(again.campaigns.status(id)).toMatchObject({ state: 'cancelled', counts: { queued: 0, cancelled: N } });
    expect(byStatus(again, id)).toEqual({ cancelled: N });
  });
});
