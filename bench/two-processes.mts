/**
 * Two processes on one data folder: the three findings of issue 10, measured with real `smsdesk`
 * processes against the sandbox on 127.0.0.1. Prints lost, duplicated and the most requests in
 * any one-second window against the limit, for the tree given (default: this one), so the same
 * script measures a build from before the owner lock too:
 *
 *   npx tsx bench/two-processes.mts [TREE] [1|2|3]
 *
 * 1: `status` in a second process 1.5 s into a send whose first request gets a 503 after 8 s.
 * 2: `dlr` then `resolve --resend` in a second process while a request is in flight (a gateway
 *    that records a send 3 s after it arrives, and answers report lookups at once).
 * 3: two `send --wait` on one folder, limit 10 requests per second.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
const root = path.resolve(process.argv[2] ?? path.join(import.meta.dirname, '..'));
const which = process.argv[3] ?? 'all';
type SandboxModule = typeof import('../electron/engine/sandbox/index.ts');
type Sandbox = Awaited<ReturnType<SandboxModule['startSandbox']>>;
const { startSandbox } = (await import(path.join(root, 'electron/engine/sandbox/index.ts'))) as SandboxModule;
const { createEngine } = (await import(
  path.join(root, 'electron/engine/engine.ts')
)) as typeof import('../electron/engine/engine.ts');
const { createMemorySecrets } = (await import(
  path.join(root, 'electron/engine/secrets/index.ts')
)) as typeof import('../electron/engine/secrets/index.ts');
const TOKEN = 'test-token-0123456789abcdef';
const nums = (n: number, s: number) =>
  Array.from({ length: n }, (_, i) => `234803${String(1_000_000 + s + i).slice(-7)}`);
function cli(dir: string, args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [path.join(root, 'bin/smsdesk.js'), '--data-dir', dir, '--json', ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '',
    err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  return {
    child,
    done: new Promise<{ code: number | null; out: string; err: string }>((r) =>
      child.on('close', (code) => r({ code, out, err })),
    ),
  };
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(f: () => boolean, ms = 60_000) {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error('timeout');
    await sleep(20);
  }
}
function peak(ts: number[]) {
  const t = ts.slice().sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (j < t.length && t[j] < t[i] + 1000) j++;
    best = Math.max(best, j - i);
  }
  return best;
}
async function folder(
  sbOpts: Parameters<SandboxModule['startSandbox']>[0],
  settings: Record<string, unknown>,
  n: number,
  start: number,
) {
  const sb = await startSandbox({ tokens: [TOKEN], timing: { dispatchMs: 50, finalMs: 150 }, ...sbOpts });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsdesk-measure-'));
  const e = await createEngine({ dataDir: dir, secrets: createMemorySecrets(TOKEN), gatewayUrl: sb.url, env: {} });
  for (const [k, v] of Object.entries(settings)) e.settings.set(k as never, v);
  const all = nums(n, start);
  const { importId } = e.imports.begin({ list: 'm', fields: [], phoneColumn: 'phone' });
  e.imports.add(
    importId,
    all.map((phone, i) => ({ row: i + 2, phone, fields: {} })),
  );
  e.imports.commit(importId);
  const c = await e.campaigns.create({ list: 'm', from: 'ACME', text: 'measure' });
  await e.close();
  const env = { SMSDESK_TOKEN: TOKEN, SMSDESK_GATEWAY_URL: sb.url };
  await cli(dir, ['campaign', 'list'], env).done; // the command's bundle is built before the clock starts
  return { sb, dir, all, id: String(c.id), env };
}
function tally(sb: Sandbox, all: string[]) {
  const counts = new Map<string, number>();
  for (const b of sb.record().accepted) for (const x of b.to) counts.set(x, (counts.get(x) ?? 0) + 1);
  return {
    lost: all.filter((x) => !counts.has(x)).length,
    duplicated: all.filter((x) => (counts.get(x) ?? 0) > 1).length,
  };
}
const line = (s: string) => console.log(`${path.basename(root)}: ${s}`);

if (which === 'all' || which === '1') {
  // Finding 1: 503 after 8 s, status in a second process 1.5 s into the send.
  const f = await folder(
    { latencyMs: 8000, faults: { p503: 1 } },
    { 'rate.recipientsPerRequest': 10, 'retry.initialMs': 100, 'retry.maxMs': 400, 'dlr.initialIntervalMs': 200 },
    50,
    500_000,
  );
  const s = cli(f.dir, ['send', f.id, '--wait'], f.env);
  await sleep(1500);
  const st = await cli(f.dir, ['status', f.id], f.env).done;
  await until(() => (f.sb.record().faultsInjected.p503 ?? 0) >= 1);
  f.sb.setFaults({});
  const fin = await s.done;
  const after = await cli(f.dir, ['dlr', f.id, '--wait', '3'], f.env).done;
  const j = JSON.parse(after.out);
  const t = tally(f.sb, f.all);
  line(
    `finding 1 (status beside a send, 503 after 8 s): status exit ${st.code}; send exit ${fin.code}; state ${j.state}, uncertain ${j.counts.uncertain}, offered to resolve ${j.needsDecision}; lost ${t.lost} of 50, duplicated ${t.duplicated}`,
  );
  await f.sb.close();
}
if (which === 'all' || which === '2') {
  // Finding 2: dlr in a second process while a batch is in flight (the gateway records it only after 3 s), then resolve --resend.
  const f = await folder({}, { 'rate.recipientsPerRequest': 10, 'dlr.initialIntervalMs': 200 }, 50, 510_000);
  // A gateway that records a send only 3 s after it arrives, and answers report lookups at once.
  const http = await import('node:http');
  const proxy = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on(
      'end',
      () =>
        void (async () => {
          if (req.method === 'POST') await sleep(3000);
          const r = await fetch(f.sb.url + req.url, {
            method: req.method,
            headers: req.headers as Record<string, string>,
            body: req.method === 'POST' ? Buffer.concat(chunks) : undefined,
          });
          res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' });
          res.end(Buffer.from(await r.arrayBuffer()));
        })().catch((err: Error) => {
          res.writeHead(502);
          res.end(err.message);
        }),
    );
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
  f.env.SMSDESK_GATEWAY_URL = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
  const s = cli(f.dir, ['send', f.id, '--wait'], f.env);
  await sleep(1500);
  const d = await cli(f.dir, ['dlr', f.id], f.env).done;
  const r = await cli(f.dir, ['resolve', f.id, '--resend'], f.env).done;
  const fin = await s.done;
  const t = tally(f.sb, f.all);
  const sent = f.sb.record().accepted.reduce((n, b) => n + b.to.length, 0);
  line(
    `finding 2 (dlr + resolve --resend beside a send): dlr exit ${d.code} needsDecision ${JSON.parse(d.out).needsDecision}, resolve exit ${r.code} ${r.code ? JSON.stringify(r.err.trim()) : ''}; send exit ${fin.code}; ${sent} messages accepted for 50 recipients; lost ${t.lost}, duplicated ${t.duplicated}`,
  );
  proxy.close();
  await f.sb.close();
}
if (which === 'all' || which === '3') {
  // Finding 3: two senders on one folder, limit 10 requests/s.
  const f = await folder(
    { latencyMs: 20 },
    { 'rate.requestsPerSecond': 10, 'rate.recipientsPerRequest': 10 },
    500,
    520_000,
  );
  const a = cli(f.dir, ['send', f.id, '--wait'], f.env);
  await until(() => f.sb.record().accepted.length >= 2);
  const b = await cli(f.dir, ['send', f.id, '--wait'], f.env).done;
  const fa = await a.done;
  const t = tally(f.sb, f.all);
  line(
    `finding 3 (two send --wait on one folder): second exit ${b.code} ${b.code ? JSON.stringify(b.err.trim()) : ''}; first exit ${fa.code}; max ${peak(f.sb.record().arrivals)} requests in any 1-s window (limit 10); lost ${t.lost}, duplicated ${t.duplicated}`,
  );
  await f.sb.close();
}
