/**
 * The delivery chart of a campaign whose reports came in over days: the engine buckets the whole
 * span into at most CHART_POINTS points, the route answers it (the contract refuses more), and the
 * chart still ends at the campaign's own counts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CHART_POINTS, HANDED_STATUSES } from '../../shared/outcome.ts';
import { createHandlers } from '../../electron/handlers/index.ts';
import { engineWithSandbox, makeList, numbers, waitFor } from '../helpers/engine.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('the delivery chart', () => {
  it('of reports spread over three days has at most CHART_POINTS points and ends at the totals', async () => {
    const t = await engineWithSandbox();
    cleanups.push(t.close);
    const { engine } = t;
    makeList(
      engine,
      'slow',
      numbers(3).map((phone) => ({ phone })),
    );
    const c = await engine.campaigns.create({ list: 'slow', from: 'ACME', text: 'x' });
    // 26,000 ten-second buckets over three days, two statuses each: what a slow gateway leaves
    const start = Date.parse('2026-11-20T08:00:00Z');
    const add = engine.db.prepare('INSERT INTO status_buckets (campaign_id, at, status, n) VALUES (?, ?, ?, ?)');
    engine.db.transaction(() => {
      for (let i = 0; i < 26_000; i++) {
        add.run(c.id, start + i * 10_000, 'accepted', 2);
        add.run(c.id, start + i * 10_000, 'delivered', 1);
      }
    })();
    const points = engine.campaigns.chart(c.id);
    expect(points.length).toBeGreaterThan(CHART_POINTS / 2);
    expect(points.length).toBeLessThanOrEqual(CHART_POINTS);
    expect(points.at(-1)!.counts).toEqual({ accepted: 52_000, delivered: 26_000 });
    // the lines rise from 0 at the first bucket's start, not from the first bucket's count
    expect(points[0]).toEqual({ at: start, counts: {} });
    expect(points[1]!.counts).toMatchObject({ accepted: expect.any(Number) });
    for (let i = 1; i < points.length; i++) expect(points[i]!.at).toBeGreaterThan(points[i - 1]!.at);

    const files = { savePath: async () => null, deliver: async () => ({ path: null, downloadUrl: null }) };
    const h = createHandlers(engine, { mode: 'web', version: '0', platform: 'linux', files });
    const r = await h['campaigns.chart']({ id: c.id });
    expect(r.ok && r.value.length).toBe(points.length);
  });

  it('counts a recipient handed to the gateway once, also when their batch was uncertain and re-sent', async () => {
    const t = await engineWithSandbox({ settings: { 'rate.recipientsPerRequest': 1 } });
    cleanups.push(t.close);
    const { engine, sandbox } = t;
    makeList(
      engine,
      'flaky',
      numbers(6).map((phone) => ({ phone })),
    );
    const c = await engine.campaigns.create({ list: 'flaky', from: 'ACME', text: 'Open at 9' });
    // every request answered 500 and never recorded: six uncertain recipients, then a re-send round
    sandbox.setFaults({ p500: 1 });
    engine.campaigns.send(c.id);
    engine.start();
    await waitFor(() => engine.campaigns.status(c.id).needsDecision === 6, 'every batch looked up');
    sandbox.setFaults({});
    engine.campaigns.resolve(c.id, 'resend');
    await waitFor(() => engine.campaigns.status(c.id).counts.uncertain === 0, 'the re-sent batches answered');
    await waitFor(() => {
      const s = engine.campaigns.status(c.id);
      return s.counts.queued + s.counts.submitting === 0;
    }, 'all handed over');
    const last = engine.campaigns.chart(c.id).at(-1)!.counts;
    const handed = HANDED_STATUSES.reduce((n, s) => n + (last[s] ?? 0), 0);
    // six recipients, each handed over once (it read 12 when the line added each entry into a handed status)
    expect(handed).toBe(6);
    expect(sandbox.record().accepted).toHaveLength(6);
  });
});
