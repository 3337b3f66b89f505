import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useSandboxEngines, makeList, numbers, waitFor, tempDir } from '../helpers/engine.ts';
import { statusText } from '../../electron/engine/cli/format.ts';

const setup = useSandboxEngines();

describe('the running campaign as the dashboard shows it', () => {
  it('the rate is requests per second the gateway saw: never above the limit, and 0 once paused', async () => {
    const { engine, sandbox } = await setup({ settings: { 'rate.requestsPerSecond': 5 } });
    // Personalised texts: one recipient per request, so requests and recipients per second are the same.
    makeList(
      engine,
      'rate',
      numbers(60).map((phone, i) => ({ phone, n: String(i) })),
    );
    const c = await engine.campaigns.create({ list: 'rate', from: 'ACME', text: 'Hello {n}' });
    engine.campaigns.send(c.id);
    engine.start();
    const seen: number[] = [];
    await waitFor(
      () => {
        const s = engine.campaigns.status(c.id);
        seen.push(s.rate);
        expect(s.rateLimit).toBe(5);
        return s.counts.queued + s.counts.submitting <= 15;
      },
      '45 recipients sent',
      30_000,
    );
    expect(Math.max(...seen)).toBeLessThanOrEqual(5);
    // close to the limit once a few seconds have passed (the old figure read 7.6 here)
    expect(Math.max(...seen)).toBeGreaterThanOrEqual(4);
    // the gateway's own count agrees: no second held more than five requests
    const arrivals = sandbox.record().arrivals;
    for (const a of arrivals) expect(arrivals.filter((b) => b >= a && b < a + 1000).length).toBeLessThanOrEqual(5);

    const paused = engine.campaigns.pause(c.id);
    expect(paused.rate).toBe(0);
    expect(engine.campaigns.status(c.id).rate).toBe(0);
  }, 60_000);

  it('says when the answers hold the rate under its limit: a slow gateway with one request out at a time', async () => {
    // 250 ms per answer and one request out at once: about 4 a second can go, not the 8 set
    const { engine } = await setup({
      sandbox: { latencyMs: 250 },
      settings: { 'rate.requestsPerSecond': 8, 'rate.maxInFlight': 1 },
    });
    makeList(
      engine,
      'slow',
      numbers(80).map((phone, i) => ({ phone, n: String(i) })),
    );
    const c = await engine.campaigns.create({ list: 'slow', from: 'ACME', text: 'Hello {n}' });
    engine.campaigns.send(c.id);
    engine.start();
    const held = await waitFor(
      () => engine.campaigns.status(c.id).heldByAnswers,
      'the rate held by the answers',
      20_000,
    );
    expect(held.inFlight).toBe(1);
    expect(held.answerMs).toBeGreaterThanOrEqual(250);
    expect(held.answerMs).toBeLessThan(1000);
    expect(held.ceiling).toBeCloseTo(1000 / held.answerMs, 0);
    // enough to let 8 a second through at that answer time, and one spare
    expect(held.enough).toBe(Math.ceil((8 * held.answerMs) / 1000) + 1);
    const s = engine.campaigns.status(c.id);
    expect(s.rate).toBeLessThanOrEqual(held.ceiling + 0.5);
    expect(s.rate).toBeLessThan(8 * 0.9);
    // `smsdesk status` says the same, naming the setting as the command sets it, to that value
    const shown = await waitFor(() => {
      const st = engine.campaigns.status(c.id);
      return st.heldByAnswers ? { st, text: statusText(st) } : null;
    }, "the command's line");
    expect(shown.text).toMatch(
      /\n {2}The gateway answers each request in about \d+ ms and one request goes out at a time, so about [\d.]+ requests\/s can be sent, not the 8 requests\/s set\. If your 9bits account takes more, raise it: `smsdesk config set rate\.maxInFlight \d+`\.$/,
    );
    expect(shown.text).toContain(`rate.maxInFlight ${shown.st.heldByAnswers!.enough}\``);

    // four out at once: the same answer time now allows ~16 a second, so nothing holds it but the limit
    engine.settings.set('rate.maxInFlight', 4);
    expect(engine.campaigns.status(c.id).heldByAnswers).toBeNull();
    const faster = await waitFor(
      () => {
        const r = engine.campaigns.status(c.id);
        return r.rate >= 6 ? r : null;
      },
      'the rate near its limit',
      20_000,
    );
    expect(faster.heldByAnswers).toBeNull();
    expect(engine.campaigns.pause(c.id).heldByAnswers).toBeNull();
  }, 60_000);

  it('Retry now ends an outage back-off at once instead of after minutes', async () => {
    const { engine, sandbox } = await setup({
      sandbox: { faults: { p503: 1 } },
      // a back-off of five to ten minutes: only the button can make it go sooner
      settings: { 'retry.initialMs': 600_000, 'retry.maxMs': 600_000 },
    });
    makeList(
      engine,
      'outage',
      numbers(3).map((phone) => ({ phone })),
    );
    const c = await engine.campaigns.create({ list: 'outage', from: 'ACME', text: 'Shop opens at 9' });
    engine.campaigns.send(c.id);
    engine.start();
    const waiting = await waitFor(() => {
      const s = engine.campaigns.status(c.id);
      return s.retry ? s : null;
    }, 'a back-off after the 503');
    expect(waiting.retry!.at).toBeGreaterThan(Date.now() + 60_000);
    expect(waiting.retry!.reason).toMatch(/503|unavailable/i);
    expect(waiting.counts.queued).toBe(3);
    expect(engine.campaigns.active().map((a) => a.id)).toContain(c.id);

    sandbox.setFaults({});
    const after = engine.campaigns.retryNow(c.id);
    expect(after.retry).toBeNull();
    // queued drops as soon as the batch is marked submitting: wait for the gateway's answer too
    await waitFor(
      () => engine.campaigns.status(c.id).counts.queued === 0 && sandbox.record().accepted.length > 0,
      'the batch sent after Retry now',
      10_000,
    );
    expect(sandbox.record().accepted).toHaveLength(1);
  }, 30_000);

  it('retryNow on a campaign that is not waiting changes nothing, and an unknown one is refused', async () => {
    const { engine } = await setup();
    makeList(
      engine,
      'idle',
      numbers(2).map((phone) => ({ phone })),
    );
    const c = await engine.campaigns.create({ list: 'idle', from: 'ACME', text: 'Hi' });
    expect(engine.campaigns.retryNow(c.id).state).toBe('draft');
    expect(() => engine.campaigns.retryNow(9999)).toThrow(/no campaign 9999/);
  });

  it('breaks delivery down by network, and the export names the same networks', async () => {
    const { engine, dataDir } = await setup({
      sandbox: { proportions: { delivered: 0.7, failed: 0.2, rejected: 0, expired: 0 } },
    });
    const rows = [
      ...['08031230001', '08061230002', '07031230003'].map((phone) => ({ phone })), // MTN
      ...['08021230004', '09011230005'].map((phone) => ({ phone })), // Airtel
      { phone: '08051230006' }, // Glo
      { phone: '08091230007' }, // 9mobile
      { phone: '08041230008' }, // Ntel: Nigerian, none of the four
      { phone: '+447911123456' }, // abroad
    ];
    makeList(engine, 'networks', rows);
    const c = await engine.campaigns.create({ list: 'networks', from: 'ACME', text: 'Same for all' });
    const before = engine.campaigns.networks(c.id).networks;
    expect(before.map((n) => [n.network, n.recipients, n.pending])).toEqual([
      ['MTN', 3, 3],
      ['Airtel', 2, 2],
      ['Glo', 1, 1],
      ['9mobile', 1, 1],
      ['other', 1, 1],
      ['foreign', 1, 1],
    ]);
    engine.campaigns.send(c.id);
    engine.start();
    await engine.waitIdle(c.id);
    const done = await engine.pollReports(c.id, { waitMs: 15_000 });
    // counted again once the throttle allows (the first count was seconds ago)
    const nets = (
      await waitFor(() => {
        const r = engine.campaigns.networks(c.id);
        return r.upToDate ? r : null;
      }, 'a fresh count')
    ).networks;
    const sum = (k: 'delivered' | 'failed' | 'pending' | 'unknown') => nets.reduce((s, n) => s + n[k], 0);
    expect(sum('delivered')).toBe(done.counts.delivered);
    expect(sum('failed')).toBe(done.counts.failed + done.counts.rejected + done.counts.expired);
    expect(sum('pending')).toBe(0);
    for (const n of nets) expect(n.delivered + n.failed + n.pending + n.unknown + n.cancelled).toBe(n.recipients);

    const file = path.join(tempDir(), 'results.csv');
    await engine.campaigns.export(c.id, file, 'csv');
    const lines = fs
      .readFileSync(file, 'utf8')
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r?\n/);
    const col = lines[0].split(',').indexOf('network');
    expect(col).toBeGreaterThanOrEqual(0);
    const byNumber = new Map(
      lines.slice(1).map((l) => {
        const f = l.split(',');
        return [f[1], f[col]];
      }),
    );
    expect(byNumber.get('2348031230001'), lines.join('\n')).toBe('MTN');
    expect(byNumber.get('2349011230005')).toBe('Airtel');
    expect(byNumber.get('2348041230008'), lines.join('\n')).toBe('Other Nigerian');
    expect(byNumber.get('447911123456')).toBe('Abroad');
    expect(engine.campaigns.active().map((a) => a.id)).not.toContain(c.id);
    void dataDir;
  }, 40_000);
});
