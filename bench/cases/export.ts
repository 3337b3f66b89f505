import fs from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { benchEngine, ms } from '../lib/engine.ts';

/**
 * Figure 12: the results export of a seeded campaign, as the dashboard's button makes it, in the
 * process that hosts the engine: its time, and the event loop's longest delay meanwhile (the send
 * loop and every call wait that long).
 */
export async function exportEngine(a: { db: string; campaignId: number; format: 'csv' | 'xlsx' }) {
  const dir = path.dirname(a.db);
  const out = path.join(dir, `results.${a.format}`);
  const engine = await benchEngine(dir);
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const t0 = process.hrtime.bigint();
  const r = await engine.campaigns.export(a.campaignId, out, a.format);
  const wallMs = ms(t0);
  lag.disable();
  const bytes = fs.statSync(out).size;
  await engine.close();
  fs.rmSync(out, { force: true });
  return { wallMs, rows: r.rows, bytes, lagMaxMs: lag.max / 1e6 };
}
