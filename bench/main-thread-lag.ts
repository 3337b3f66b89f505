// Event-loop lag of the process that serves the UI (the web-mode server; in Electron, the main
// process) while the engine does its longest work, with the engine in a worker thread and, for
// comparison, in the same thread (SMSDESK_ENGINE_INPROCESS=1's arrangement).
//
//   npx tsx bench/main-thread-lag.ts [--rows 1000000] [--mode both|worker|inprocess] [--send-ms 15000] [--chunk 5000] [--json FILE]
//
// Each mode runs in a fresh child process hosting startWebServer + the handlers, exactly as
// electron/web/main.ts wires them. The child measures itself with perf_hooks.monitorEventLoopDelay;
// this parent drives it over HTTP like the browser would (so building request bodies is not
// charged to the host) and also times a static GET every 20 ms: the answer time a user sees. An
// idle Node process is measured over the same phases as the baseline: on shared, busy cores its
// maxima show how much of the host's figure is the machine rather than the host.
// Phases: a rows-row import through imports.add chunks of 5,000, campaigns.preview and
// campaigns.create over it, campaigns.export, a send to the built-in sandbox for --send-ms, then
// campaigns.cancel of what is still queued. A script, not a test: it prints a table and exits 0.
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

type Mode = 'worker' | 'inprocess';
interface Lag {
  max: number;
  p99: number;
  mean: number;
  gcMax: number;
  gcTotal: number;
  heapMB: number;
}
interface PhaseResult {
  phase: string;
  ms: number;
  lag: Lag;
  idle: Lag;
  ping: { max: number; p99: number; n: number };
  note?: string;
}

const KEY = 'bench-lag-key-0123456789abcdef';
const here = fileURLToPath(import.meta.url);

if (process.argv.includes('--child')) void child();
else void parent();

// ---------------------------------------------------------------- child: the host being measured

async function child(): Promise<void> {
  const mode = process.argv[process.argv.indexOf('--child') + 1] as Mode | 'idle';
  if (mode === 'idle') return void measureSelf(() => Promise.resolve(), 0);
  const dataDir = process.argv[process.argv.indexOf('--data') + 1]!;
  const { createEngine } = await import('../electron/engine/engine.ts');
  const { createMemorySecrets } = await import('../electron/engine/secrets/index.ts');
  const { createEventBridge, createHandlers } = await import('../electron/handlers/index.ts');
  const { startEngineHost } = await import('../electron/host/index.ts');
  const { createDownloadStore } = await import('../electron/web/downloads.ts');
  const { startWebServer } = await import('../electron/web/server.ts');

  const staticDir = path.join(dataDir, 'static');
  fs.mkdirSync(staticDir, { recursive: true });
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>SMS Desk</title>');
  const engine =
    mode === 'worker'
      ? await startEngineHost({ dataDir, env: {}, secrets: { kind: 'memory', token: null } })
      : await createEngine({ dataDir, env: {}, secrets: createMemorySecrets(null) });
  const downloads = createDownloadStore();
  const handlers = createHandlers(engine, {
    mode: 'web',
    version: 'bench',
    platform: process.platform,
    files: downloads.sink,
  });
  // the page's event stream is subscribed as in the app: its work (campaign statuses) is part of the figure
  const server = await startWebServer({
    handlers,
    staticDir,
    key: KEY,
    downloads,
    subscribe: (emit) => createEventBridge(engine, emit),
  });
  await engine.start();
  measureSelf(async () => {
    await server.close();
    downloads.close();
    await engine.close();
  }, server.port);
}

/** answers the parent's reset / read / stop with this process's own event-loop figures */
function measureSelf(stop: () => Promise<void>, port: number): void {
  // one histogram, always sampling: a fresh one drops its first sample, which would hide a block
  // that starts right after it is enabled
  const h = monitorEventLoopDelay({ resolution: 2 });
  h.enable();
  // garbage-collection pauses of this thread, to tell them apart from work done on it
  let gcMax = 0;
  let gcTotal = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcMax = Math.max(gcMax, e.duration);
      gcTotal += e.duration;
    }
  }).observe({ entryTypes: ['gc'] });
  process.on('message', (m: { cmd: string }) => {
    if (m.cmd === 'reset') {
      h.reset();
      gcMax = 0;
      gcTotal = 0;
      // reset() also forgets the last sample's time, so the next delay would be dropped: let two
      // samples pass before the phase starts
      setTimeout(() => process.send!({ cmd: 'reset' }), 10);
    } else if (m.cmd === 'read') {
      process.send!({
        cmd: 'read',
        lag: {
          max: h.max / 1e6,
          p99: h.percentile(99) / 1e6,
          mean: h.mean / 1e6,
          gcMax,
          gcTotal,
          heapMB: process.memoryUsage().heapUsed / 2 ** 20,
        },
      });
    } else if (m.cmd === 'stop') {
      void stop().then(() => process.exit(0));
    }
  });
  process.send!({ cmd: 'ready', port });
}

// ---------------------------------------------------------------- parent: the driver

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

async function parent(): Promise<void> {
  const rows = Number(arg('rows', '1000000'));
  const sendMs = Number(arg('send-ms', '15000'));
  const chunk = Number(arg('chunk', '5000'));
  const which = arg('mode', 'both');
  const modes: Mode[] = which === 'both' ? ['inprocess', 'worker'] : [which as Mode];
  const out: Record<string, PhaseResult[]> = {};
  for (const mode of modes) {
    process.stderr.write(`lag: ${mode}: ${rows.toLocaleString('en')} rows …\n`);
    out[mode] = await runMode(mode, rows, sendMs, chunk);
  }
  print(out, rows);
  const json = arg('json', '');
  if (json)
    fs.writeFileSync(
      json,
      JSON.stringify(
        { rows, sendMs, chunk, cpus: os.cpus().length, loadavg: os.loadavg(), node: process.version, results: out },
        null,
        2,
      ),
    );
}

async function runMode(mode: Mode, rows: number, sendMs: number, size: number): Promise<PhaseResult[]> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `smsdesk-lag-${mode}-`));
  const proc = fork(here, ['--child', mode, '--data', dataDir], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  // the control: an idle Node process measured over the same phases shows what the machine itself
  // (other processes on shared cores) adds to any event loop
  const idle = fork(here, ['--child', 'idle'], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const results: PhaseResult[] = [];
  try {
    await nextMessage(idle, 'ready');
    const { port } = (await nextMessage(proc, 'ready')) as { port: number };
    const api = async <T>(route: string, input?: unknown): Promise<T> => {
      const body = await post(port, '/api/call', JSON.stringify({ route, input: input ?? null }));
      const r = JSON.parse(body) as { ok: boolean; value?: T; error?: { code: string; message: string } };
      if (!r.ok) throw new Error(`${route}: ${r.error!.code}: ${r.error!.message}`);
      return r.value as T;
    };
    await api('settings.set', { key: 'rate.requestsPerSecond', value: 50 });
    await api('settings.set', { key: 'rate.recipientsPerRequest', value: 500 });
    await api('settings.set', { key: 'rate.maxInFlight', value: 4 });

    const phase = async (name: string, fn: () => Promise<string | void>) => {
      proc.send({ cmd: 'reset' });
      idle.send({ cmd: 'reset' });
      await Promise.all([nextMessage(proc, 'reset'), nextMessage(idle, 'reset')]);
      const pings = startPings(port);
      const t0 = performance.now();
      const note = await fn();
      const ms = performance.now() - t0;
      const ping = await pings.stop();
      proc.send({ cmd: 'read' });
      idle.send({ cmd: 'read' });
      const [{ lag }, { lag: idleLag }] = (await Promise.all([
        nextMessage(proc, 'read'),
        nextMessage(idle, 'read'),
      ])) as Array<{ lag: Lag }>;
      results.push({ phase: name, ms, lag, idle: idleLag!, ping, ...(note ? { note } : {}) });
      process.stderr.write(
        `lag: ${mode}: ${name}: ${Math.round(ms)} ms, host max ${lag.max.toFixed(1)} ms, p99 ${lag.p99.toFixed(1)} ms, longest GC ${lag.gcMax.toFixed(1)} ms (heap ${lag.heapMB.toFixed(0)} MB), ping max ${ping.max.toFixed(1)} ms\n`,
      );
    };

    let listId = 0;
    await phase(`import ${rows.toLocaleString('en')} rows (imports.add x${size.toLocaleString('en')})`, async () => {
      const { importId } = await api<{ importId: string }>('imports.begin', {
        list: 'Big',
        fields: ['first_name', 'city'],
        phoneColumn: 'phone',
      });
      for (let i = 0; i < rows; i += size) {
        const chunk = [];
        for (let j = i; j < Math.min(rows, i + size); j++)
          chunk.push({
            row: j + 2,
            phone: `234803${String(j).padStart(7, '0')}`,
            fields: { first_name: `Ada${j}`, city: j % 2 ? 'Lagos' : 'Abuja' },
          });
        await api('imports.add', { importId, rows: chunk });
      }
      const report = await api<{ list: { id: number }; valid: number }>('imports.commit', { importId });
      listId = report.list.id;
      return `${report.valid} valid`;
    });
    const text = 'Hello {first_name}, your order is ready for pickup in {city}.';
    await phase('campaigns.preview', async () => {
      await api('campaigns.preview', { list: listId, text });
    });
    let campaignId = 0;
    await phase('campaigns.create', async () => {
      campaignId = (await api<{ id: number }>('campaigns.create', { list: listId, from: 'Shop', text })).id;
    });
    await phase('campaigns.export (csv)', async () => {
      await api('campaigns.export', { id: campaignId, format: 'csv' });
    });
    await phase(`send to the sandbox for ${sendMs / 1000} s`, async () => {
      await api('campaigns.send', { id: campaignId });
      const end = Date.now() + sendMs;
      let s: { counts: Record<string, number> } = { counts: {} };
      while (Date.now() < end) {
        await new Promise((r) => setTimeout(r, 250));
        s = await api('campaigns.status', { id: campaignId });
      }
      return `${rows - (s.counts.queued ?? 0)} recipients left the queue`;
    });
    await phase('campaigns.cancel (the rest of the queue)', async () => {
      await api('campaigns.cancel', { id: campaignId });
    });
  } finally {
    for (const p of [proc, idle]) p.send({ cmd: 'stop' });
    await Promise.all([proc, idle].map((p) => new Promise((r) => p.once('exit', r))));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  return results;
}

/** a static GET every 20 ms: how long the host takes to answer while the phase runs */
function startPings(port: number) {
  const times: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      await get(port, '/');
      times.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      const sorted = times.slice().sort((a, b) => a - b);
      return {
        max: sorted.at(-1) ?? 0,
        p99: sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? 0,
        n: sorted.length,
      };
    },
  };
}

function nextMessage(proc: ChildProcess, cmd: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const on = (m: { cmd: string }) => {
      if (m.cmd === cmd) {
        proc.off('message', on);
        proc.off('exit', exit);
        resolve(m);
      }
    };
    const exit = (code: number) => reject(new Error(`the host process exited (code ${code}) before answering ${cmd}`));
    proc.on('message', on);
    proc.once('exit', exit);
  });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

function request(port: number, method: string, p: string, body?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: p,
        method,
        agent,
        headers: {
          'X-SMSDesk-Key': KEY,
          ...(body ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
const post = (port: number, p: string, body: string) => request(port, 'POST', p, body);
const get = (port: number, p: string) => request(port, 'GET', p);

function print(out: Record<string, PhaseResult[]>, rows: number): void {
  const f = (n: number) => n.toFixed(1).padStart(8);
  const lines = [
    `\nEvent-loop lag of the hosting process, ${rows.toLocaleString('en')} rows (ms; "ping" = answer time of a static GET every 20 ms; "GC max" = longest garbage-collection pause of the host thread; "idle" = an idle Node process measured alongside, the machine's own noise; ${os.cpus().length} cores, load ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')})`,
  ];
  lines.push(
    `${'mode'.padEnd(10)} ${'phase'.padEnd(44)} ${'took'.padStart(8)} ${'lag max'.padStart(8)} ${'lag p99'.padStart(8)} ${'ping max'.padStart(8)} ${'ping p99'.padStart(8)} ${'GC max'.padStart(8)} ${'idle max'.padStart(8)} ${'idle p99'.padStart(8)}`,
  );
  for (const [mode, phases] of Object.entries(out)) {
    for (const p of phases)
      lines.push(
        `${mode.padEnd(10)} ${p.phase.padEnd(44)} ${f(p.ms)} ${f(p.lag.max)} ${f(p.lag.p99)} ${f(p.ping.max)} ${f(p.ping.p99)} ${f(p.lag.gcMax)} ${f(p.idle.max)} ${f(p.idle.p99)}${p.note ? `  (${p.note})` : ''}`,
      );
    const worst = phases.reduce((m, p) => Math.max(m, p.lag.max), 0);
    lines.push(
      `${mode.padEnd(10)} ${'worst over all phases'.padEnd(44)} ${''.padStart(8)} ${f(worst)}   target: <= 50 ms ${worst <= 50 ? 'met' : 'NOT met'}`,
    );
  }
  console.log(lines.join('\n'));
}
