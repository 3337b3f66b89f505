import fs from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { METHODS, type EngineEvent, type RawContactRow } from '../../electron/engine/api.ts';
import { createEngine } from '../../electron/engine/engine.ts';
import { createMemorySecrets } from '../../electron/engine/secrets/index.ts';
import {
  createEventBridge,
  createHandlers,
  type EngineLike,
  type FileSink,
  type Handlers,
} from '../../electron/handlers/index.ts';
import { startEngineHost, type RemoteEngine } from '../../electron/host/index.ts';
import type { EventName } from '../../shared/ipc/contract.ts';
import { numbers, tempDir, waitFor } from '../helpers/engine.ts';

let engine: RemoteEngine;
let h: Handlers;
let dataDir: string;
let saveDir: string;
const logs: string[] = [];

const files: FileSink = {
  savePath: async (name) => path.join(saveDir, name),
  deliver: async (file) => ({ path: file, downloadUrl: null }),
};

async function ok<T>(
  p: Promise<{ ok: true; value: T } | { ok: false; error: { code: string; message: string } }>,
): Promise<T> {
  const r = await p;
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value;
}

function start(dir: string, maxRestarts?: number) {
  return startEngineHost({
    dataDir: dir,
    env: {},
    secrets: { kind: 'memory', token: null },
    sandbox: { timing: { dispatchMs: 30, finalMs: 80 } },
    log: (l) => logs.push(l),
    maxRestarts,
  });
}

/** a list through the same chunked route the window uses */
async function importList(e: EngineLike, name: string, n: number, chunk = 5000) {
  const { importId } = await e.imports.begin({ list: name, fields: ['first_name'], phoneColumn: 'phone' });
  const all = numbers(n);
  for (let i = 0; i < n; i += chunk) {
    const rows: RawContactRow[] = all
      .slice(i, i + chunk)
      .map((phone, j) => ({ row: i + j + 2, phone, fields: { first_name: `Ada${i + j}` } }));
    await e.imports.add(importId, rows);
  }
  return e.imports.commit(importId);
}

beforeEach(async () => {
  dataDir = tempDir('smsdesk-host-');
  saveDir = tempDir('smsdesk-host-saves-');
  logs.length = 0;
  engine = await start(dataDir);
  for (const [k, v] of Object.entries({
    'dlr.initialIntervalMs': 100,
    'dlr.maxIntervalMs': 300,
    'rate.requestsPerSecond': 1000,
  }))
    await engine.settings.set(k as never, v);
  h = createHandlers(engine, { mode: 'web', version: '1.0.0', platform: 'linux', files });
});
afterEach(async () => {
  await engine.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(saveDir, { recursive: true, force: true });
});

describe('the engine in a worker thread, through the handlers', () => {
  it('the proxy answers exactly the methods of the engine built in this thread, so a route cannot work in one and not the other', async () => {
    const dir = tempDir('smsdesk-host-inproc-');
    const local = await createEngine({ dataDir: dir, secrets: createMemorySecrets(null), env: {} });
    try {
      const callable = (e: object) =>
        Object.keys(METHODS).filter((m) => {
          const [g, name] = m.includes('.') ? m.split('.') : [null, m];
          const owner = g ? Reflect.get(e, g) : e;
          return typeof Reflect.get(owner ?? {}, name!) === 'function';
        });
      expect(callable(local)).toEqual(Object.keys(METHODS));
      expect(callable(engine)).toEqual(Object.keys(METHODS));
      for (const g of ['settings', 'token', 'lists', 'imports', 'optouts', 'campaigns'] as const) {
        expect(Object.keys(engine[g]).sort(), g).toEqual(Object.keys(local[g]).sort());
      }
      // and one answers like the other
      expect(await engine.campaigns.list()).toEqual(local.campaigns.list());
      expect(await engine.settings.all()).toMatchObject({ 'rate.requestsPerSecond': 1000 });
    } finally {
      await local.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('imports, previews, sends on the sandbox with events, pages and exports, all through the proxy', async () => {
    const events: Array<[EventName, unknown]> = [];
    const off = createEventBridge(engine, (name, payload) => events.push([name, payload]));
    expect(await ok(h['app.info']())).toMatchObject({ sandbox: true, dataDir: path.resolve(dataDir) });

    const { importId } = await ok(
      h['imports.begin']({ list: 'Customers', fields: ['first_name'], phoneColumn: 'phone' }),
    );
    await ok(
      h['imports.add']({
        importId,
        rows: [
          ...numbers(20).map((phone, i) => ({ row: i + 2, phone, fields: { first_name: `Ada${i}` } })),
          { row: 30, phone: 'nope', fields: { first_name: 'X' } },
        ],
      }),
    );
    const report = await ok(h['imports.commit']({ importId }));
    expect(report).toMatchObject({ valid: 20, invalid: 1 });
    expect(await ok(h['campaigns.preview']({ list: 'Customers', text: 'Hi {first_name}' }))).toMatchObject({
      recipients: 20,
      templateError: null,
    });

    await engine.start();
    const c = await ok(h['campaigns.create']({ list: 'Customers', from: 'Shop', text: 'Hi {first_name}' }));
    await ok(h['campaigns.send']({ id: c.id }));
    const done = await waitFor(
      () =>
        events.find(
          ([n, p]) =>
            n === 'campaign' &&
            (p as { status?: { counts?: { delivered?: number; queued?: number; submitting?: number } } }).status?.counts
              ?.queued === 0 &&
            (p as { status: { counts: { submitting: number } } }).status.counts.submitting === 0,
        ),
      'a campaign event with nothing left queued',
    );
    expect(done[1]).toMatchObject({ campaignId: c.id });
    const page = await ok(h['campaigns.messages']({ id: c.id, offset: 0, limit: 5 }));
    expect(page.total).toBe(20);
    expect(page.rows[0]!.text).toBe('Hi Ada0');
    const exported = await ok(h['campaigns.export']({ id: c.id, format: 'csv' }));
    expect(exported).toMatchObject({ saved: true, rows: 20 });
    expect(fs.readFileSync(exported.path!, 'utf8')).toContain('Hi Ada19');
    off();
  });

  it("keeps the engine's error codes and sentences, and never lets a token through an error", async () => {
    expect(await h['campaigns.status']({ id: 999 })).toEqual({
      ok: false,
      error: { code: 'NOT_FOUND', message: expect.stringContaining('no campaign 999') },
    });
    const direct = await engine.campaigns.get(999);
    expect(direct).toBeNull();
    await expect(engine.campaigns.status(999)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(engine.imports.add('no-such-import', [])).rejects.toHaveProperty('code');

    const badToken = 'secret-token-with-a bad space-0123456789';
    const r = await h['token.set']({ token: badToken });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('INVALID_TOKEN');
      expect(r.error.message).not.toContain('secret-token');
    }
    expect(logs.join('\n')).not.toContain('secret-token');
  });

  it('a token set through the proxy switches the engine off the sandbox, and app.info says so at once', async () => {
    expect(engine.sandbox).toBe(true);
    await ok(h['token.set']({ token: 'live-token-0123456789abcdef' }));
    expect(await ok(h['app.info']())).toMatchObject({ sandbox: false });
    expect(await ok(h['token.status']())).toMatchObject({ set: true, sandbox: false });
    await ok(h['token.clear']());
    expect(engine.sandbox).toBe(true);
  });

  it('reports file-import progress and honours an abort across the thread boundary', async () => {
    const csv = path.join(saveDir, 'big.csv');
    fs.writeFileSync(
      csv,
      `phone,first_name\n${numbers(30_000)
        .map((n, i) => `${n},Ada${i}`)
        .join('\n')}\n`,
    );
    const phases: string[] = [];
    const rep = await engine.lists.import(csv, { list: 'File' }, { onProgress: (p) => phases.push(p.phase) });
    expect(rep.valid).toBe(30_000);
    expect(phases).toContain('storing');
    expect(phases.at(-1)).toBe('done');

    const ac = new AbortController();
    const aborted = engine.lists.import(csv, { list: 'File 2' }, { signal: ac.signal, onProgress: () => ac.abort() });
    await expect(aborted).rejects.toHaveProperty('code');
    expect((await engine.lists.list()).map((l) => l.name)).toEqual(['File']);
  });

  it('stays responsive while a long campaign insert runs in the worker', async () => {
    await importList(engine, 'Big', 100_000);
    const lag = monitorEventLoopDelay({ resolution: 5 });
    let ticks = 0;
    const timer = setInterval(() => {
      ticks++;
    }, 5);
    lag.enable();
    const t0 = performance.now();
    const c = await engine.campaigns.create({
      list: 'Big',
      from: 'Shop',
      text: 'Hello {first_name}, your order is ready.',
    });
    const took = performance.now() - t0;
    lag.disable();
    clearInterval(timer);
    expect(c.recipients).toBe(100_000);
    const maxLagMs = lag.max / 1e6;
    // in this thread the insert would be one block as long as the call; here the timers keep firing
    expect(maxLagMs, `max lag ${maxLagMs.toFixed(1)} ms during a ${took.toFixed(0)} ms insert`).toBeLessThan(
      Math.max(took / 2, 50),
    );
    expect(ticks).toBeGreaterThan(took / 5 / 4);
  });

  it('a killed worker fails its pending call clearly, is restarted, and the ledger is intact', async () => {
    await importList(engine, 'Crash', 50_000);
    const events: EngineEvent[] = [];
    engine.on((e) => events.push(e));
    // what the page receives through the same bridge Electron IPC and the web bridge use
    const page: Array<[EventName, unknown]> = [];
    const offBridge = createEventBridge(engine, (name, payload) => page.push([name, payload]));
    const first = engine.host.worker!;
    const creating = engine.campaigns.create({ list: 'Crash', from: 'Shop', text: 'Hi {first_name}' });
    await first.terminate();
    await expect(creating).rejects.toMatchObject({
      code: 'ENGINE_RESTARTED',
      message: expect.stringContaining('campaigns.create'),
    });
    // a call made while the new worker starts waits for it instead of failing
    const after = await engine.campaigns.list();
    expect(engine.host.restarts).toBe(1);
    expect(engine.host.worker).not.toBe(first);
    expect(events.some((e) => e.type === 'log' && String(e.detail).includes('restarted'))).toBe(true);
    // …and it reaches the page, which shows it (it used to be dropped by the bridge)
    expect(page).toContainEqual([
      'engine-notice',
      { message: expect.stringMatching(/stopped unexpectedly .*was restarted/) },
    ]);
    offBridge();

    // all or nothing: the interrupted insert left no half campaign
    expect(after.every((c) => c.recipients === 50_000)).toBe(true);
    // the new worker has the old one's listener and settings
    expect(await engine.settings.get('rate.requestsPerSecond')).toBe(1000);
    await engine.start();
    const c = await engine.campaigns.create({ list: 'Crash', from: 'Shop', text: 'again' });
    await engine.campaigns.send(c.id);
    await waitFor(
      () => events.some((e) => e.type === 'campaign' && e.campaignId === c.id),
      'a campaign event from the restarted worker',
    );
  });

  it('a worker that keeps dying is not restarted for ever: calls then say to reopen the app', async () => {
    await engine.close();
    engine = await start(dataDir, 0);
    const pendingCall = engine.campaigns.list();
    await engine.host.worker!.terminate();
    await expect(pendingCall).rejects.toMatchObject({
      code: 'ENGINE_RESTARTED',
      message: expect.stringContaining('was not restarted'),
    });
    await expect(engine.lists.list()).rejects.toMatchObject({
      code: 'ENGINE_DOWN',
      message: expect.stringContaining('quit and reopen SMS Desk'),
    });
    expect(engine.host.restarts).toBe(0);
  });

  it('close() closes the engine in the worker, ends the thread and refuses later calls', async () => {
    await importList(engine, 'Close', 10);
    const w = engine.host.worker!;
    const exited = new Promise<number>((r) => w.once('exit', r));
    await engine.close();
    await exited;
    expect(engine.host.worker).toBeNull();
    await expect(engine.campaigns.list()).rejects.toMatchObject({ code: 'ENGINE_CLOSED' });
    expect(await h['lists.list']()).toEqual({
      ok: false,
      error: { code: 'ENGINE_CLOSED', message: expect.stringContaining('shutting down') },
    });
    await engine.close();
    // the data is all there for the next start
    engine = await start(dataDir);
    expect((await engine.lists.list()).map((l) => [l.name, l.contacts])).toEqual([['Close', 10]]);
  });

  it("a data folder that cannot be opened fails the start with the engine's sentence, not a hang", async () => {
    const notADir = path.join(saveDir, 'file');
    fs.writeFileSync(notADir, 'x');
    await expect(start(path.join(notADir, 'data'))).rejects.toMatchObject({
      code: 'STORAGE',
      message: expect.stringContaining('cannot open its data file'),
    });
  });
});
