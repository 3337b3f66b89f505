/**
 * The status counters (campaign_counts) are moved in the transaction of every status change
 * (queue/counts.ts); nothing else looks at them while the app runs. The check after start
 * (db/check.ts) compares them with the rows: counters that are off (a bug, a file edited by hand)
 * are counted again, so the dashboard's tiles and "completed" go by the real messages.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { engineWithSandbox, makeList, numbers, tempDir, waitFor } from '../helpers/engine.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function open(dataDir: string) {
  const lines: string[] = [];
  const t = await engineWithSandbox({ dataDir, engine: { log: (l) => lines.push(l) } });
  cleanups.push(t.close);
  return { ...t, lines };
}

describe('the check after start compares the status counters with the messages', () => {
  it('counts a campaign again whose counters are off, and leaves a right one alone', async () => {
    const dataDir = tempDir();
    const first = await open(dataDir);
    makeList(
      first.engine,
      'shop',
      numbers(12).map((phone) => ({ phone })),
    );
    const wrong = await first.engine.campaigns.create({ list: 'shop', from: 'ACME', text: 'Opening at 9' });
    const right = await first.engine.campaigns.create({ list: 'shop', from: 'ACME', text: 'Closing at 6' });
    await cleanups.pop()!();

    // counters that say 5 more are waiting and 3 were delivered: what the dashboard would show
    const db = new Database(path.join(dataDir, 'smsdesk.db'));
    db.prepare(`UPDATE campaign_counts SET n = n + 5 WHERE campaign_id = ? AND status = 'queued'`).run(wrong.id);
    db.prepare(`INSERT INTO campaign_counts (campaign_id, status, n) VALUES (?, 'delivered', 3)`).run(wrong.id);
    db.close();

    const again = await open(dataDir);
    expect(again.engine.campaigns.status(wrong.id).counts).toMatchObject({ queued: 17, delivered: 3 });
    again.engine.start();
    await waitFor(() => again.lines.some((l) => l.startsWith('page check: every page')), 'the check after start');
    await waitFor(() => again.engine.campaigns.status(wrong.id).counts.queued === 12, 'the counters counted again');
    expect(again.engine.campaigns.status(wrong.id).counts).toMatchObject({ queued: 12, delivered: 0 });
    expect(again.engine.campaigns.status(right.id).counts.queued).toBe(12);
    const said = again.lines.filter((l) => /status counters/.test(l));
    expect(said).toEqual([
      `page check: the status counters of campaign ${wrong.id} did not match their messages; counted again from the messages`,
    ]);
  });

  it('says nothing when the counters are right', async () => {
    const dataDir = tempDir();
    const t = await open(dataDir);
    makeList(
      t.engine,
      'fine',
      numbers(4).map((phone) => ({ phone })),
    );
    await t.engine.campaigns.create({ list: 'fine', from: 'ACME', text: 'Hi' });
    t.engine.start();
    await waitFor(() => t.lines.some((l) => l.startsWith('page check: every page')), 'the check after start');
    expect(t.lines.filter((l) => /status counters/.test(l))).toEqual([]);
  });
});
