// How low figure 5 could go with a ledger that writes nothing per message while sending, against
// today's ledger, on the same campaign: `npx tsx bench/experiments/batch-ledger.ts` (about a
// minute). Not part of `npm run bench`: the sketch is not the product (bench/cases/send.ts,
// batchOnlyClaims). Both claim GROUP_MAX requests per commit, as the send loop does at best.
// Prints CPU µs per recipient, interleaved runs, median [min–max].
import { runChild } from '../lib/child.ts';
import { fmt, stat } from '../lib/stats.ts';

const RUNS = Math.max(3, Number(process.env.BENCH_RUNS ?? 5));
const args = { recipients: 100_000, perRequest: 100, maxInFlight: 8 };
const per = (r: { cpuMs: number }) => (r.cpuMs * 1000) / args.recipients;
const today: number[] = [];
const sketch: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const a = await runChild<{ cpuMs: number; accepted: number }>('ledgerAlone', args);
  const b = await runChild<{ cpuMs: number; accepted: number }>('batchOnlyClaims', args);
  for (const r of [a, b])
    if (r.accepted !== args.recipients) throw new Error(`accepted ${r.accepted} of ${args.recipients}`);
  today.push(per(a));
  sketch.push(per(b));
}
const show = (v: number[]) => {
  const s = stat(v);
  return `${fmt(s.median)} µs [${fmt(s.min)}–${fmt(s.max)}]`;
};
console.log(`today's ledger (each message row written at claim and at acceptance): ${show(today)}`);
console.log(`sketch (one batch row per claim holding its ids, no message row written): ${show(sketch)}`);
console.log(`ratio: ${fmt(stat(today.map((x, i) => x / sketch[i])).median)}×`);
