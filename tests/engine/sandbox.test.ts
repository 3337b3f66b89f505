import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createGatewayClient, type SendRequest } from '../../electron/engine/gateway/client.ts';
import { mapStatus } from '../../electron/engine/gateway/status.ts';
import { startSandbox } from '../../electron/engine/sandbox/index.ts';
import { useSandboxes } from '../helpers/sandbox.ts';
import { defaultSettings, type SettingKey, type Settings } from '../../shared/settings.ts';

const sandbox = useSandboxes();

function client(url: string, token = 'sandbox', over: Partial<Settings> = {}) {
  const s = { ...defaultSettings(), ...over };
  return createGatewayClient({
    settings: { get: (k: SettingKey) => s[k] },
    token: async () => token,
    baseUrl: () => url,
  });
}

const numbers = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `23480${String(31_000_000 + from + i)}`);
const req = (to: string[], clientRef: string | null = null, extra: Partial<SendRequest> = {}): SendRequest => ({
  from: 'ShopRite',
  to,
  text: 'Hello',
  clientRef,
  ...extra,
});

async function until<T>(fn: () => Promise<T> | T, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`condition not met in ${ms} ms: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function statusesOf(
  report: Awaited<ReturnType<ReturnType<typeof client>['fetchBatchReport']>>,
): Record<string, number> {
  if (report.kind !== 'ok') throw new Error(`report ${report.kind}`);
  return Object.fromEntries(report.statuses.map((s) => [s.status, s.count]));
}

describe('sandbox: sending and reports', () => {
  it('accepts a batch and its statuses move Queued → Dispatched → final', async () => {
    const sb = await sandbox({ timing: { dispatchMs: 100, finalMs: 300 } });
    const c = client(sb.url);
    const out = await c.send(req(numbers(20), 'b1'));
    expect(out).toMatchObject({ kind: 'accepted', processed: 20, httpStatus: 200 });
    const ref = (out as { gatewayRef: string }).gatewayRef;
    expect(ref).not.toBe('b1');
    const first = statusesOf(await c.fetchBatchReport(ref));
    expect(first.Queued).toBeGreaterThan(0);
    const seen = new Set<string>();
    const final = await until(
      async () => {
        const r = await c.fetchBatchReport(ref);
        if (r.kind === 'ok') r.statuses.forEach((s) => seen.add(s.status));
        return r;
      },
      (r) =>
        r.kind === 'ok' &&
        r.statuses.every((s) =>
          ['delivered', 'failed', 'rejected', 'expired', 'unknown'].includes(mapStatus(s.status) ?? ''),
        ),
    );
    expect(seen.has('Dispatched')).toBe(true);
    if (final.kind !== 'ok') throw new Error('no report');
    expect(final.total).toBe(20);
    expect(final.statuses.flatMap((s) => s.recipients ?? []).sort()).toEqual(numbers(20).sort());
  });

  it('ends recipients in roughly the configured proportions', async () => {
    let clock = Date.now();
    const sb = await sandbox({
      seed: 7,
      now: () => clock,
      proportions: { delivered: 0.8, failed: 0.1, rejected: 0.06, expired: 0.04 },
    });
    const c = client(sb.url);
    const refs: string[] = [];
    for (let i = 0; i < 4; i++) {
      const out = await c.send(req(numbers(1000, i * 1000), `p${i}`));
      refs.push((out as { gatewayRef: string }).gatewayRef);
    }
    clock += 60_000;
    const totals: Record<string, number> = {};
    for (const ref of refs)
      for (const [k, n] of Object.entries(statusesOf(await c.fetchBatchReport(ref)))) totals[k] = (totals[k] ?? 0) + n;
    expect(totals.Delivered / 4000).toBeCloseTo(0.8, 1);
    expect(totals.Failed / 4000).toBeGreaterThan(0.07);
    expect(totals.Failed / 4000).toBeLessThan(0.13);
    expect(totals.Rejected / 4000).toBeGreaterThan(0.04);
    expect(totals.Rejected / 4000).toBeLessThan(0.08);
    expect(totals.Expired / 4000).toBeGreaterThan(0.02);
    expect(totals.Expired / 4000).toBeLessThan(0.06);
    expect(totals.Queued ?? 0).toBe(0);
  });

  it('replays the same outcomes for the same seed and client reference, with fresh server references', async () => {
    const run = async () => {
      let clock = Date.now();
      const sb = await sandbox({ seed: 3, now: () => clock });
      const c = client(sb.url);
      const out = await c.send(req(numbers(200), 'replay'));
      clock += 60_000;
      return { ref: (out as { gatewayRef: string }).gatewayRef, report: await c.fetchBatchReport('replay') };
    };
    const a = await run();
    const b = await run();
    expect(b.ref).not.toBe(a.ref);
    expect(statusesOf(b.report)).toEqual(statusesOf(a.report));
  });

  it('never accepts a client reference twice: the repeat gets the original answer', async () => {
    const sb = await sandbox();
    const c = client(sb.url);
    const to = numbers(3);
    const a = await c.send(req(to, 'same-ref'));
    const b = await c.send(req([...to, '2348099999999'], 'same-ref'));
    expect(b).toEqual(a);
    expect(sb.acceptedCount(to[0])).toBe(1);
    expect(sb.acceptedCount('2348099999999')).toBe(0);
    expect(sb.record()).toMatchObject({ requests: 2, duplicates: 1 });
    expect(sb.record().accepted).toHaveLength(1);
  });

  it('finds a batch by its own reference and by the client reference, and 404s the rest', async () => {
    const sb = await sandbox();
    const c = client(sb.url);
    const out = await c.send(req(numbers(2), 'client-ref-9'));
    const ref = (out as { gatewayRef: string }).gatewayRef;
    const byServer = await c.fetchBatchReport(ref);
    const byClient = await c.fetchBatchReport('client-ref-9');
    expect(byServer).toMatchObject({ kind: 'ok', batchId: ref, total: 2 });
    expect(byClient).toEqual(byServer);
    expect(await c.fetchRecipientReport('client-ref-9', numbers(2)[1])).toMatchObject({
      kind: 'ok',
      recipient: numbers(2)[1],
      status: 'Queued',
      code: 400,
    });
    expect(await c.fetchRecipientReport(ref, '2340000000000')).toEqual({ kind: 'not-found' });
    expect(await c.fetchBatchReport('nobody-sent-this')).toEqual({ kind: 'not-found' });
  });

  it('holds a batch with send_at in the future at Queued until then', async () => {
    let clock = Date.now();
    const sb = await sandbox({ now: () => clock, timing: { dispatchMs: 100, finalMs: 200 } });
    const c = client(sb.url);
    const at = new Date(clock + 3_600_000).toISOString();
    await c.send(req(numbers(5), 'later', { sendAt: at }));
    expect(sb.record().accepted[0].sendAt).toBe(at);
    clock += 3_500_000;
    expect(statusesOf(await c.fetchBatchReport('later'))).toEqual({ Queued: 5 });
    clock += 200_000;
    expect(statusesOf(await c.fetchBatchReport('later')).Queued ?? 0).toBe(0);
  });
});

describe('sandbox: refusals', () => {
  it('answers 401 to a wrong token on sends and reports; accepts any token when told to', async () => {
    const sb = await sandbox();
    expect(await client(sb.url, 'nope').send(req(numbers(1)))).toMatchObject({ kind: 'auth', httpStatus: 401 });
    expect(await client(sb.url, 'nope').fetchBatchReport('x')).toMatchObject({ kind: 'error', auth: true });
    expect(await client(sb.url, 'nope').checkToken()).toMatchObject({ ok: false });
    expect(await client(sb.url).checkToken()).toMatchObject({ ok: true });
    const any = await sandbox({ tokens: 'any' });
    expect(await client(any.url, 'whatever').send(req(numbers(1)))).toMatchObject({ kind: 'accepted' });
  });

  it.each([
    ['a sender ID over 11 characters', req(numbers(1), null, { from: 'ShopRite Lagos' }), true],
    ['a numeric sender over 15 digits', req(numbers(1), null, { from: '1234567890123456' }), true],
    ['an empty sender', req(numbers(1), null, { from: '' }), true],
    ['an empty recipient list', req([]), false],
    ['a recipient with a plus sign', req(['+2348031234567']), false],
    ['a recipient with letters', req(['2348O31234567']), false],
    ['an empty message', req(numbers(1), null, { text: '' }), true],
  ])('answers 400 with a message for %s', async (_what, request, campaignWide) => {
    const sb = await sandbox();
    const out = await client(sb.url).send(request);
    expect(out).toMatchObject({ kind: 'failed', httpStatus: 400, campaignWide });
    expect(sb.record().accepted).toHaveLength(0);
  });

  it('accepts a 15-digit numeric sender and an 11-character one with a space', async () => {
    const sb = await sandbox();
    expect(await client(sb.url).send(req(numbers(1), null, { from: '234803123456789' }))).toMatchObject({
      kind: 'accepted',
    });
    expect(await client(sb.url).send(req(numbers(1), null, { from: 'Shop Lagos1' }))).toMatchObject({
      kind: 'accepted',
    });
  });

  it('answers 405 and 415 and 404 to the wrong method, type or path', async () => {
    const sb = await sandbox();
    const call = (method: string, p: string, type: string) =>
      new Promise<number>((resolve, reject) => {
        const r = http.request(
          `${sb.url}${p}`,
          { method, headers: { Authorization: 'Bearer sandbox', 'Content-Type': type } },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        r.on('error', reject);
        r.end(method === 'POST' ? '{"from":"Shop","to":["2348031234567"],"body":"x"}' : undefined);
      });
    expect(await call('GET', '/ng/v1/sendsms', 'application/json')).toBe(405);
    expect(await call('POST', '/ng/v1/sendsms', 'text/plain')).toBe(415);
    expect(await call('POST', '/ng/v1/sendsms', 'application/json')).toBe(200);
    expect(await call('POST', '/api/v2/send', 'application/json')).toBe(404);
    expect(await client(sb.url, 'sandbox', { 'gateway.sendPath': '/api/v2/send' }).send(req(numbers(1)))).toMatchObject(
      { kind: 'failed', httpStatus: 404, campaignWide: true },
    );
  });

  it('answers 429 with Retry-After beyond its rate limit', async () => {
    const sb = await sandbox({ rateLimit: { requestsPerSecond: 2 } });
    const c = client(sb.url);
    const outs = [];
    for (let i = 0; i < 3; i++) outs.push(await c.send(req(numbers(1, i))));
    expect(outs.map((o) => o.kind)).toEqual(['accepted', 'accepted', 'retry']);
    expect(outs[2]).toMatchObject({ httpStatus: 429, neverSent: false });
    expect((outs[2] as { retryAfterMs: number }).retryAfterMs).toBeGreaterThanOrEqual(1000);
    expect(sb.record().faultsInjected.rateLimit).toBe(1);
    expect(sb.record().arrivals).toHaveLength(3);
  });
});

describe('sandbox: latency', () => {
  it('delays every answer by latencyMs', async () => {
    const sb = await sandbox({ latencyMs: 250 });
    const c = client(sb.url);
    let started = Date.now();
    expect(await c.send(req(numbers(1), 'slow'))).toMatchObject({ kind: 'accepted' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
    started = Date.now();
    expect(await c.fetchBatchReport('slow')).toMatchObject({ kind: 'ok' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
  });
});

describe('sandbox: state file', () => {
  it('still knows earlier batches and client references after a restart', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsdesk-sandbox-'));
    const stateFile = path.join(dir, 'sandbox.sqlite');
    try {
      const first = await startSandbox({ stateFile });
      const a = await client(first.url).send(req(numbers(2), 'kept'));
      await first.close();
      const second = await sandbox({ stateFile });
      const c = client(second.url);
      expect(await c.fetchBatchReport('kept')).toMatchObject({
        kind: 'ok',
        batchId: (a as { gatewayRef: string }).gatewayRef,
        total: 2,
      });
      expect(await c.send(req(numbers(2), 'kept'))).toEqual(a);
      expect(second.acceptedCount(numbers(2)[0])).toBe(1);
      const b = await c.send(req(numbers(1), 'new'));
      expect((b as { gatewayRef: string }).gatewayRef).not.toBe((a as { gatewayRef: string }).gatewayRef);
      await second.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
