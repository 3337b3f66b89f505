import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { benchEngine, countThenClose, dataDirFrom, ms } from '../lib/engine.ts';
import { MESSAGES_SEEN } from '../../electron/engine/queue/status.ts';

/**
 * Event-loop lag in the process hosting the engine while it imports a large CSV and a
 * campaign sends (to the sandbox in another process) and its reports are polled; then, the
 * send still going, while a campaign is made from the imported list, and while it is cancelled.
 */
export async function lagImportWhileSending(a: {
  url: string;
  file: string;
  rps: number;
  db: string;
  campaignId: number;
}) {
  const dir = dataDirFrom(a.db);
  const cid = a.campaignId;
  const engine = await benchEngine(dir, a.url, {
    'rate.requestsPerSecond': a.rps,
    'rate.recipientsPerRequest': 100,
    'rate.maxInFlight': 4,
    'dlr.initialIntervalMs': 1000,
    'dlr.maxIntervalMs': 4000,
  });
  // The UI listens to campaign events; so does this process (their cost is part of the figure).
  let events = 0;
  engine.on(() => {
    events++;
  });
  engine.start();
  const sentBefore = () =>
    engine.db
      .prepare(`SELECT COUNT(*) FROM ${MESSAGES_SEEN} AS m WHERE campaign_id = ? AND status != 'queued'`)
      .pluck()
      .get(cid) as number;
  // Let the send loop reach its pace before the import starts.
  const total = engine.db.prepare('SELECT recipients FROM campaigns WHERE id = ?').pluck().get(cid) as number;
  const warm = Math.min(a.rps * 100, Math.floor(total / 10));
  while (sentBefore() < warm) await new Promise((r) => setTimeout(r, 50));
  const s0 = sentBefore();
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  const t0 = process.hrtime.bigint();
  let progress = 0;
  const report = await engine.lists.import(
    a.file,
    { list: 'lag', country: 'NG' },
    {
      onProgress: () => {
        progress++;
      },
    },
  );
  const importMs = ms(t0);
  h.disable();
  const sentDuring = sentBefore() - s0;
  // The same lag, one phase at a time: how long the phase took, and what the send did meanwhile.
  // The longest garbage-collection pause of the phase beside it: a long delay that is not one says
  // the engine's own work (or the host) held the thread.
  async function phase(fn: () => Promise<unknown>) {
    const ph = monitorEventLoopDelay({ resolution: 10 });
    let gcMs = 0;
    const gc = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) gcMs = Math.max(gcMs, e.duration);
    });
    gc.observe({ entryTypes: ['gc'] });
    const sent0 = sentBefore();
    ph.enable();
    const t = process.hrtime.bigint();
    await fn();
    const wallMs = ms(t);
    ph.disable();
    gc.disconnect();
    return { maxMs: ph.max / 1e6, wallMs, gcMs, sendRate: (sentBefore() - sent0) / (wallMs / 1000) };
  }
  let made = { id: 0, recipients: 0 };
  const freeze = await phase(async () => {
    made = await engine.campaigns.create({ list: 'lag', from: 'ACME', text: 'Hello {First Name}, see you in {City}.' });
  });
  // A sending campaign, queued almost whole, cancelled: the stop a user makes on seeing a mistake.
  engine.campaigns.send(made.id);
  const cancel = await phase(() => engine.campaigns.cancel(made.id));
  const queuedLeft = await countThenClose(engine, dir, cid, 'queued');
  return {
    p50Ms: h.percentile(50) / 1e6,
    p99Ms: h.percentile(99) / 1e6,
    maxMs: h.max / 1e6,
    importMs,
    rows: report.rows,
    sentDuring,
    sendRate: sentDuring / (importMs / 1000),
    queuedLeft,
    events,
    progress,
    freeze: { ...freeze, recipients: made.recipients },
    cancel,
  };
}
