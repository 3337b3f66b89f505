import { describe, expect, it } from 'vitest';
import { FREEZE_SLICE } from '../../electron/engine/campaigns/service.ts';
import { createCounts } from '../../electron/engine/queue/counts.ts';
import { makeList, numbers, tempDir, useEngines, type TestEngine } from '../helpers/engine.ts';

// A campaign's messages go in FREEZE_SLICE contacts per transaction, the event loop turning between
// slices; until the last one the campaign is 'preparing' and nobody sees it.

const N = FREEZE_SLICE * 2 + 1_000; // three slices
const engineOn = useEngines();

const count = (e: TestEngine, sql: string) => e.db.prepare(sql).pluck().get() as number;

/** What another caller (the window's next call, the send loop's next turn) sees between two slices. */
function midway(e: TestEngine) {
  return new Promise<{ listed: number; messages: number; queued: number }>((resolve) =>
    setImmediate(() =>
      resolve({
        listed: e.campaigns.list().length,
        messages: count(e, 'SELECT COUNT(*) FROM messages'),
        queued: count(e, `SELECT COALESCE(SUM(n), 0) FROM campaign_counts WHERE status = 'queued'`),
      }),
    ),
  );
}

describe('a campaign frozen in slices', () => {
  it('lets other calls run between slices, hidden until ready, with progress; then every recipient is there', async () => {
    const e = await engineOn();
    makeList(
      e,
      'big',
      numbers(N).map((phone, i) => ({ phone, name: `N${i}` })),
    );
    const progress: Array<{ contacts: number; of: number }> = [];
    const creating = e.campaigns.create(
      { list: 'big', from: 'ACME', text: 'Hi {name}' },
      { onProgress: (p) => progress.push(p) },
    );
    const seen = await midway(e);
    const c = await creating;
    expect(seen.listed, 'not listed while preparing').toBe(0);
    expect(seen.messages, 'its first slice was in when the other call ran').toBeGreaterThan(0);
    expect(seen.messages).toBeLessThan(N);
    // the counters stay true at every commit: what is in is counted
    expect(seen.queued).toBe(seen.messages);
    expect(progress.map((p) => p.contacts)).toEqual([FREEZE_SLICE, FREEZE_SLICE * 2, N]);
    expect(progress.every((p) => p.of === N)).toBe(true);
    expect(c).toMatchObject({ state: 'draft', recipients: N });
    expect(e.campaigns.list().map((x) => x.id)).toEqual([c.id]);
    expect(e.campaigns.status(c.id).counts.queued).toBe(N);
    const seqs = e.db.prepare('SELECT MIN(seq) AS lo, MAX(seq) AS hi, COUNT(DISTINCT seq) AS n FROM messages').get();
    expect(seqs).toEqual({ lo: 1, hi: N, n: N });
  });

  it('refused after the whole list is read (blank values): nothing of it stays, not even its counters', async () => {
    const e = await engineOn();
    makeList(
      e,
      'gaps',
      numbers(N).map((phone, i) => ({ phone, name: i === N - 1 ? '' : `N${i}` })),
    );
    await expect(e.campaigns.create({ list: 'gaps', from: 'ACME', text: 'Hi {name}' })).rejects.toMatchObject({
      code: 'BLANK_VALUES',
      message: expect.stringContaining(`row ${N + 1}`),
    });
    expect(count(e, 'SELECT COUNT(*) FROM campaigns')).toBe(0);
    expect(count(e, 'SELECT COUNT(*) FROM messages')).toBe(0);
    expect(count(e, 'SELECT COUNT(*) FROM campaign_counts')).toBe(0);
    // and the same list with the user's choice goes through
    const c = await e.campaigns.create({ list: 'gaps', from: 'ACME', text: 'Hi {name}', blank: 'skip' });
    expect(c.recipients).toBe(N - 1);
  });

  it('the list it is made from cannot be deleted meanwhile, and can be once it is ready', async () => {
    const e = await engineOn();
    const list = makeList(
      e,
      'source',
      numbers(N).map((phone) => ({ phone })),
    );
    const creating = e.campaigns.create({ list: 'source', from: 'ACME', text: 'Hello' });
    const refused = await new Promise<unknown>((resolve) =>
      setImmediate(() => void e.lists.delete(list.list.id).then(() => resolve(null), resolve)),
    );
    expect(refused).toMatchObject({
      code: 'LIST_IN_USE',
      message: expect.stringMatching(/being prepared from this list/),
    });
    expect((await creating).recipients).toBe(N);
    await e.lists.delete(list.list.id);
    expect(e.lists.list()).toEqual([]);
  });

  it('an app closed half-way: the create says so, and the next start removes the half-made campaign', async () => {
    const dir = tempDir();
    const e = await engineOn(dir);
    makeList(
      e,
      'quit',
      numbers(N).map((phone) => ({ phone })),
    );
    const creating = e.campaigns.create({ list: 'quit', from: 'ACME', text: 'Hello' });
    await new Promise((resolve) => setImmediate(resolve));
    await e.close();
    await expect(creating).rejects.toMatchObject({
      code: 'STOPPED',
      message: expect.stringMatching(/create it again/),
    });

    const lines: string[] = [];
    const again = await engineOn(dir, lines);
    expect(lines).toContainEqual(expect.stringMatching(/^1 campaign\(s\) were still being prepared/));
    expect(count(again, 'SELECT COUNT(*) FROM campaigns')).toBe(0);
    expect(count(again, 'SELECT COUNT(*) FROM messages')).toBe(0);
    expect(count(again, 'SELECT COUNT(*) FROM campaign_counts')).toBe(0);
    // the list is untouched: the campaign can be made again
    expect((await again.campaigns.create({ list: 'quit', from: 'ACME', text: 'Hello' })).recipients).toBe(N);
  });

  it('a re-send to failed of a big campaign goes in slices too: the failed, rejected and expired, in order, opt-outs left out', async () => {
    const e = await engineOn();
    makeList(
      e,
      'done',
      numbers(N).map((phone) => ({ phone })),
    );
    const parent = await e.campaigns.create({ list: 'done', from: 'ACME', text: 'Hello' });
    await expect(e.campaigns.resendFailed(parent.id)).rejects.toMatchObject({ code: 'NOTHING_FAILED' });
    // the reports as they came: every 7th failed, every 11th rejected, every 13th expired, the rest delivered
    e.db
      .prepare(
        `UPDATE messages SET status = CASE WHEN seq % 7 = 0 THEN 'failed' WHEN seq % 11 = 0 THEN 'rejected'
         WHEN seq % 13 = 0 THEN 'expired' ELSE 'delivered' END WHERE campaign_id = ?`,
      )
      .run(parent.id);
    createCounts(e.db).recount(parent.id);
    const want = e.db
      .prepare(`SELECT msisdn FROM messages WHERE campaign_id = ? AND status != 'delivered' ORDER BY seq`)
      .pluck()
      .all(parent.id) as string[];
    await e.optouts.add([want[1]]); // replied STOP since
    const making = e.campaigns.resendFailed(parent.id);
    const seen = await midway(e);
    const child = await making;
    expect(seen.listed, 'only the parent is listed while the re-send is made').toBe(1);
    expect(child).toMatchObject({
      state: 'draft',
      recipients: want.length - 1,
      name: expect.stringMatching(/re-send/),
    });
    const rows = e.db
      .prepare('SELECT seq, msisdn FROM messages WHERE campaign_id = ? ORDER BY seq')
      .all(child.id) as Array<{ seq: number; msisdn: string }>;
    expect(rows.map((r) => r.msisdn)).toEqual(want.filter((_, i) => i !== 1));
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
    expect(e.campaigns.status(child.id).counts.queued).toBe(want.length - 1);
  });
});
