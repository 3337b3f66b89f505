import { describe, expect, it } from 'vitest';
import { createGatewayClient, type SendRequest } from '../../electron/engine/gateway/client.ts';
import { startSandbox } from '../../electron/engine/sandbox/index.ts';
import { useSandboxes } from '../helpers/sandbox.ts';
import { defaultSettings, type SettingKey, type Settings } from '../../shared/settings.ts';

const sandbox = useSandboxes();

function client(url: string, over: Partial<Settings> = {}) {
  const s = { ...defaultSettings(), 'gateway.answerTimeoutMs': 2_000, ...over };
  return createGatewayClient({
    settings: { get: (k: SettingKey) => s[k] },
    token: async () => 'sandbox',
    baseUrl: () => url,
  });
}

const TO = ['2348031234567', '2348051234567'];
const req = (clientRef: string): SendRequest => ({ from: 'ShopRite', to: TO, text: 'Hello', clientRef });

describe('sandbox fault modes', () => {
  it('p500: answers 500 without accepting; the client is uncertain and the report lookup says not found', async () => {
    const sb = await sandbox({ faults: { p500: 1 } });
    const c = client(sb.url);
    expect(await c.send(req('f1'))).toMatchObject({ kind: 'uncertain', httpStatus: 500 });
    expect(sb.record().accepted).toHaveLength(0);
    expect(sb.record().faultsInjected.p500).toBe(1);
    expect(await c.fetchBatchReport('f1')).toEqual({ kind: 'not-found' });
  });

  it('p503 and p429: retry, nothing accepted, 429 says when', async () => {
    const sb = await sandbox({ faults: { p503: 1 } });
    const c = client(sb.url);
    expect(await c.send(req('f2'))).toMatchObject({ kind: 'retry', httpStatus: 503 });
    sb.setFaults({ p429: 1 });
    expect(await c.send(req('f2'))).toMatchObject({ kind: 'retry', httpStatus: 429, retryAfterMs: 1000 });
    expect(sb.record().accepted).toHaveLength(0);
    expect(sb.record().faultsInjected).toMatchObject({ p503: 1, p429: 1 });
  });

  it('pResetBefore: the socket dies before accepting; uncertain, nothing accepted', async () => {
    const sb = await sandbox({ faults: { pResetBefore: 1 } });
    expect(await client(sb.url).send(req('f3'))).toMatchObject({ kind: 'uncertain', httpStatus: null });
    expect(sb.record().accepted).toHaveLength(0);
    expect(sb.record().faultsInjected.pResetBefore).toBe(1);
  });

  it('pAcceptThen500: accepted but answered 500; the report resolves it and a retry with the same reference adds nothing', async () => {
    const sb = await sandbox({ faults: { pAcceptThen500: 1 } });
    const c = client(sb.url);
    expect(await c.send(req('f4'))).toMatchObject({ kind: 'uncertain', httpStatus: 500 });
    expect(sb.record().accepted).toHaveLength(1);
    expect(await c.fetchBatchReport('f4')).toMatchObject({ kind: 'ok', total: 2 });
    sb.setFaults({});
    expect(await c.send(req('f4'))).toMatchObject({
      kind: 'accepted',
      gatewayRef: sb.record().accepted[0].ref,
      processed: 2,
    });
    expect(sb.acceptedCount(TO[0])).toBe(1);
  });

  it('pAcceptThenHang: accepted, never answered; the answer timeout makes it uncertain', async () => {
    const sb = await sandbox({ faults: { pAcceptThenHang: 1 } });
    const out = await client(sb.url, { 'gateway.answerTimeoutMs': 300 }).send(req('f5'));
    expect(out).toMatchObject({ kind: 'uncertain', httpStatus: null });
    expect(sb.record().accepted).toHaveLength(1);
    expect(sb.record().faultsInjected.pAcceptThenHang).toBe(1);
  });

  it('pSlow: accepted and answered after slowMs', async () => {
    const sb = await sandbox({ faults: { pSlow: 1, slowMs: 300 } });
    const started = Date.now();
    expect(await client(sb.url).send(req('f6'))).toMatchObject({ kind: 'accepted' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expect(sb.record().faultsInjected.pSlow).toBe(1);
  });

  it('draws faults from a seeded stream: the same seed gives the same sequence', async () => {
    const kinds = async () => {
      const sb = await sandbox({ faults: { seed: 42, p503: 0.3, p500: 0.2 } });
      const c = client(sb.url);
      const out: string[] = [];
      for (let i = 0; i < 12; i++) out.push((await c.send(req(`s${i}`))).kind);
      return out;
    };
    const a = await kinds();
    expect(await kinds()).toEqual(a);
    expect(new Set(a).size).toBeGreaterThan(1);
  });

  it('downUntil: refuses connections, then comes back on the same port', async () => {
    const sb = await sandbox();
    const c = client(sb.url);
    sb.setFaults({ downUntil: Date.now() + 400 });
    expect(await c.send(req('d1'))).toMatchObject({ kind: 'retry', neverSent: true });
    expect(await c.fetchBatchReport('d1')).toMatchObject({ kind: 'error', retryable: true });
    const back = await (async () => {
      for (;;) {
        const out = await c.send(req('d1'));
        if (out.kind !== 'retry') return out;
        await new Promise((r) => setTimeout(r, 25));
      }
    })();
    expect(back).toMatchObject({ kind: 'accepted' });
    expect(sb.record().faultsInjected.down).toBe(1);
    expect(sb.acceptedCount(TO[0])).toBe(1);
  });

  it('starts down when created with downUntil, and close() works while down', async () => {
    const sb = await startSandbox({ faults: { downUntil: Date.now() + 60_000 } });
    expect(await client(sb.url).send(req('d2'))).toMatchObject({ kind: 'retry', neverSent: true });
    await sb.close();
  });
});
