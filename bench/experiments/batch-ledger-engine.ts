// Figures 5 and 4-500 with the whole engine, today's ledger against a batch-level sketch of it:
// `npx tsx bench/experiments/batch-ledger-engine.ts` (about 5 minutes). Not part of `npm run bench`.
//
// batch-ledger.ts measures the ledger's calls alone; this measures what the send loop, the gateway
// client and the limiter add around each ledger. The sketch is batch-ledger-engine.patch applied to a
// copy of this checkout's engine (only electron/engine/queue/ledger.ts changes): nothing per message
// is written while sending. It is not the product. Only the send path works in the copy: readers of
// messages.status (the messages page, exports, cancel, opt-outs, re-send, recovery, the checks) are
// not adapted, so its requests are counted at the sandbox, not in its ledger.
// SKETCH=members also applies batch-ledger-members.patch: a narrow table saying which batch took
// each message (one append per message), which those readers could join instead of a JSON list.
//
// Interleaved runs (baseline, today, sketch), as `npm run bench` does; BENCH_RUNS sets how many.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fmtStat, stat, rateFigures } from '../lib/stats.ts';

const RUNS = Math.max(3, Number(process.env.BENCH_RUNS ?? 3));
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const members = process.env.SKETCH === 'members';
const patches = ['batch-ledger-engine.patch', ...(members ? ['batch-ledger-members.patch'] : [])];
const label = members ? 'batch-level sketch, members table' : 'batch-level sketch';

// A copy of the sources the bench's children load, with the patches applied.
const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'smsdesk-sketch-'));
try {
  for (const p of ['bench', 'electron', 'shared', 'package.json', 'tsconfig.json'])
    fs.cpSync(path.join(root, p), path.join(copy, p), { recursive: true });
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
  for (const patch of patches)
    try {
      execFileSync('git', ['apply', path.join(here, patch)], { cwd: copy, stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (e) {
      throw new Error(
        `${patch} no longer applies to electron/engine/queue/ledger.ts: make the sketch again on today's ledger (${String((e as { stderr?: Buffer }).stderr ?? e).trim()})`,
        { cause: e },
      );
    }

  type Child = typeof import('../lib/child.ts');
  type Cases = typeof import('../cases/send.ts');
  const load = async (dir: string) => ({
    child: (await import(pathToFileURL(path.join(dir, 'bench/lib/child.ts')).href)) as Child,
    send: (await import(pathToFileURL(path.join(dir, 'bench/cases/send.ts')).href)) as Cases,
  });
  const today = await load(root);
  const sketch = await load(copy);
  const { BENCH_TOKEN } = await import('../lib/engine.ts');

  // Figure 5: CPU per recipient of the sending process, a whole campaign with no effective limit.
  const N = 100_000;
  const args = { recipients: N, perRequest: 100, maxInFlight: 8 };
  const per = (r: { cpuMs: number }) => (r.cpuMs * 1000) / N;
  const sb = await today.child.startSandboxProcess({ tokens: [BENCH_TOKEN] });
  const base: number[] = [];
  const now: number[] = [];
  const next: number[] = [];
  try {
    const a = { ...args, url: sb.url };
    for (let i = 0; i < RUNS; i++) {
      base.push(per(await today.child.runChild<{ cpuMs: number }>('overheadBaseline', a)));
      for (const [side, out] of [
        [today, now],
        [sketch, next],
      ] as const) {
        const before = (await sb.arrivals()).length;
        const r = await side.child.runChild<{ cpuMs: number }>('overheadEngine', a);
        const requests = (await sb.arrivals()).length - before;
        if (requests !== N / args.perRequest)
          throw new Error(`${side === today ? 'today' : 'sketch'}: ${requests} requests, not ${N / args.perRequest}`);
        out.push(per(r));
      }
    }
  } finally {
    await sb.close();
  }
  const ratio = (v: number[]) => stat(v.map((x, i) => x / base[i]));

  // 4-500: 500 requests/s × 100 recipients, 20 ms latency, 10-s window, each side on its own ledger.
  const windowMs = 10_000;
  const achieved: Record<'today' | 'sketch', number[]> = { today: [], sketch: [] };
  const rate = await today.child.startSandboxProcess({ tokens: [BENCH_TOKEN], latencyMs: 20 });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'smsdesk-sketch-rate-'));
  try {
    const seeded = { today: 0, sketch: 0 };
    const db = (side: 'today' | 'sketch') => path.join(work, side, 'smsdesk.db');
    for (const side of ['today', 'sketch'] as const)
      seeded[side] = (
        await today.child.runChild<{ campaignId: number }>('seedDb', {
          file: db(side),
          recipients: today.send.rateRecipients(500, 100, windowMs),
        })
      ).campaignId;
    for (let i = 0; i < RUNS; i++)
      for (const side of ['today', 'sketch'] as const) {
        const before = (await rate.arrivals()).length;
        await (side === 'today' ? today : sketch).child.runChild('rateSend', {
          url: rate.url,
          rps: 500,
          perRequest: 100,
          maxInFlight: 16,
          windowMs,
          db: db(side),
          campaignId: seeded[side],
        });
        achieved[side].push(rateFigures((await rate.arrivals()).slice(before), 500, windowMs).achieved);
      }
  } finally {
    await rate.close();
    fs.rmSync(work, { recursive: true, force: true });
  }

  console.log(`figure 5, CPU µs per recipient, ${RUNS} interleaved runs, median [min–max]:`);
  console.log(`  baseline (same HTTP requests, no persistence): ${fmtStat(stat(base))}`);
  console.log(`  today's engine: ${fmtStat(stat(now))}, ratio ${fmtStat(ratio(now))} (target ≤ 1.5)`);
  console.log(`  ${label}: ${fmtStat(stat(next))}, ratio ${fmtStat(ratio(next))}`);
  console.log(`figure 4-500, achieved / configured (target ≥ 0.95 in every run):`);
  console.log(`  today's engine: ${fmtStat(stat(achieved.today))}`);
  console.log(`  ${label}: ${fmtStat(stat(achieved.sketch))}`);
} finally {
  fs.rmSync(copy, { recursive: true, force: true });
}
