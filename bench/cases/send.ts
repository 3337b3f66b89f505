import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { benchEngine, countThenClose, dataDirFrom, ms, tempDir, BENCH_TOKEN } from '../lib/engine.ts';
import { seedCampaign, msisdnOf, SEED_TEXT } from '../lib/seed.ts';
import { createLedger, type AcceptedAnswer } from '../../electron/engine/queue/ledger.ts';
import { GROUP_MAX } from '../../electron/engine/queue/sender.ts';

/** Recipients a rate run needs: the window plus the time to reach the pace, with room to spare. */
export const rateRecipients = (rps: number, perRequest: number, windowMs: number) =>
  Math.ceil(rps * perRequest * (windowMs / 1000 + 3));

const QUIET_POLLER = { 'dlr.initialIntervalMs': 3_600_000, 'dlr.maxIntervalMs': 3_600_000 };

async function until(cond: () => boolean, signalMs = 20, timeoutMs = 600_000) {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, signalMs));
  }
}

/**
 * Send-rate accuracy: the engine sends to the sandbox (another process) for `windowMs` plus a
 * little; the orchestrator reads the arrival times from the sandbox.
 */
export async function rateSend(a: {
  url: string;
  rps: number;
  perRequest: number;
  maxInFlight: number;
  windowMs: number;
  db: string;
  campaignId: number;
}) {
  const dir = dataDirFrom(a.db);
  const cid = a.campaignId;
  const engine = await benchEngine(dir, a.url, {
    'rate.requestsPerSecond': a.rps,
    'rate.recipientsPerRequest': a.perRequest,
    'rate.maxInFlight': a.maxInFlight,
    ...QUIET_POLLER,
  });
  const t0 = Date.now();
  engine.start();
  const lag = (await import('node:perf_hooks')).monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  await new Promise((r) => setTimeout(r, a.windowMs + 1500));
  lag.disable();
  const queued = await countThenClose(engine, dir, cid, 'queued');
  return { startedAt: t0, queuedLeft: queued, lagP99Ms: lag.percentile(99) / 1e6 };
}

/** Engine overhead: a whole campaign sent with no effective limit; CPU of this process only. */
export async function overheadEngine(a: { url: string; recipients: number; perRequest: number; maxInFlight: number }) {
  const dir = tempDir();
  const engine = await benchEngine(dir, a.url, {
    'rate.requestsPerSecond': 10_000,
    'rate.recipientsPerRequest': a.perRequest,
    'rate.maxInFlight': a.maxInFlight,
    ...QUIET_POLLER,
  });
  const cid = seedCampaign(engine.db, { recipients: a.recipients, state: 'draft' });
  // A cheap completion check: waitIdle would add a status() count per change to the figure.
  const state = engine.db.prepare('SELECT state FROM campaigns WHERE id = ?').pluck();
  // The check after start and the day's first backup read the whole file once per start (per day):
  // their cost grows with the file, not with the recipients sent, so it is measured apart.
  const start0 = process.cpuUsage();
  engine.start();
  await engine.afterStart();
  const startup = process.cpuUsage(start0);
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  engine.campaigns.resume(cid);
  await until(() => state.get(cid) === 'completed', 10);
  const wallMs = ms(t0);
  const cpu = process.cpuUsage(cpu0);
  const accepted = await countThenClose(engine, dir, cid, 'accepted');
  return {
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    accepted,
    startupCpuMs: (startup.user + startup.system) / 1000,
  };
}

/**
 * The floor of figure 5: the engine's own ledger calls for the same campaign (next batches, claim as
 * submitting with the answers that came in, accepted), with no HTTP and no send loop, at the send
 * loop's best: GROUP_MAX requests per commit. Answers come `maxInFlight` batches behind their
 * claim, as they do with that many requests out.
 */
export async function ledgerAlone(a: { recipients: number; perRequest: number; maxInFlight: number }) {
  const dir = tempDir();
  const engine = await benchEngine(dir);
  const cid = seedCampaign(engine.db, { recipients: a.recipients, state: 'sending' });
  const ledger = createLedger(engine.db);
  const out: AcceptedAnswer[] = [];
  const cpu0 = process.cpuUsage();
  for (;;) {
    const found = ledger.nextBatches(cid, a.perRequest, 0, GROUP_MAX);
    if (!found.length) break;
    const now = Date.now();
    const answers = out.length >= a.maxInFlight ? out.splice(0, found.length) : [];
    const at = now + 20;
    for (const b of ledger.claimManyWithAnswers(cid, found, now, answers))
      out.push({
        batchId: b!.id,
        campaignId: cid,
        gatewayRef: `g${b!.id}`,
        processed: b!.to.length,
        httpStatus: 200,
        at,
        firstPollAt: at + 3_600_000,
        pollInterval: 3_600_000,
      });
  }
  ledger.markAcceptedAll(out);
  const cpu = process.cpuUsage(cpu0);
  const accepted = await countThenClose(engine, dir, cid, 'accepted');
  return { cpuMs: (cpu.user + cpu.system) / 1000, accepted };
}

function post(url: URL, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent: false,
        headers: {
          Authorization: `Bearer ${BENCH_TOKEN}`,
          Accept: 'application/json',
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(body),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const j = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { recipients_processed: number };
          resolve(j.recipients_processed);
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Baseline: the same requests (same bodies, a fresh connection each, as the engine's client
 * makes them, the same number in flight) with nothing written anywhere.
 */
export async function overheadBaseline(a: {
  url: string;
  recipients: number;
  perRequest: number;
  maxInFlight: number;
}) {
  const url = new URL('/ng/v1/sendsms', a.url);
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let next = 1;
  let accepted = 0;
  async function lane() {
    while (next <= a.recipients) {
      const from = next;
      next += a.perRequest;
      const to: string[] = [];
      for (let n = from; n < from + a.perRequest && n <= a.recipients; n++) to.push(msisdnOf(n));
      const body = JSON.stringify({
        from: 'ACME',
        to,
        body: SEED_TEXT,
        content: SEED_TEXT,
        delivery_report: 'none',
        reference_id: randomUUID().replace(/-/g, ''),
      });
      const got = await post(url, body);
      accepted += got;
    }
  }
  await Promise.all(Array.from({ length: a.maxInFlight }, lane));
  const wallMs = ms(t0);
  const cpu = process.cpuUsage(cpu0);
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000, accepted };
}
