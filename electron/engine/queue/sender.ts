import type { DB } from '../db/open.ts';
import type { SettingsStore } from '../db/settings.ts';
import type { Clock } from '../clock.ts';
import { sleep } from '../clock.ts';
import type { GatewayClient, SendOutcome } from '../gateway/client.ts';
import type { CampaignRow } from '../campaigns/rows.ts';
import { createLifecycle } from '../campaigns/lifecycle.ts';
import type { Ledger, BatchRecord } from './ledger.ts';
import type { RateLimiter, Permit } from './limiter.ts';
import { isStorageError, storageMessage } from '../storage.ts';
import type { GatewayMode } from '../../../shared/vocabulary.ts';

export type Mode = GatewayMode;

/** Longest wait a Retry-After may impose on one campaign. */
export const RETRY_AFTER_CAP_MS = 3_600_000;

export interface SenderDeps {
  db: DB;
  ledger: Ledger;
  settings: SettingsStore;
  clock: Clock;
  limiter: RateLimiter;
  clientFor(mode: Mode): GatewayClient;
  mode(): Mode;
  /** first delivery-report poll delay for a newly accepted batch */
  firstPollDelay(mode: Mode): number;
  changed(campaignId: number): void;
  blocked(reason: { code: 'auth' | 'offline' | 'storage' | null; message: string | null }): void;
  log(line: string): void;
}

/**
 * The send loop: oldest sending campaign first, lowest seq first, one batch per request,
 * never faster than the limiter allows, every outcome written before the next decision.
 */
export function createSender(deps: SenderDeps) {
  const { db, ledger, settings, clock } = deps;
  let stopped = true;
  let loop: Promise<void> | null = null;
  const stopCtl = { ac: new AbortController() };
  let wakeCtl = new AbortController();
  let gatewayWaitUntil = 0; // monotonic ms: 429/503/offline back-off shared by all campaigns
  const inflight = new Set<Promise<void>>();
  const sameFailures = new Map<number, { reason: string; n: number }>();
  let storageBlocked = false;
  // Back-off deadlines on the monotonic clock. retry_at (wall time) is what survives a restart,
  // but a wall clock set back by hours must not stretch a one-second back-off into hours.
  const retryMono = new Map<number, number>();

  /** The oldest sending campaign with something queued whose back-off is over. */
  function pickCampaign(now: number, sending: CampaignRow[]): CampaignRow | undefined {
    const longest = Math.max(settings.get('retry.maxMs'), RETRY_AFTER_CAP_MS);
    for (const c of sending) {
      // One waiting only for reports or for the user's decision must not hold up the next one.
      if ((queuedCount.get(c.id)?.n ?? 0) === 0) continue;
      if (c.retry_at == null) return c;
      const mono = retryMono.get(c.id);
      if (mono !== undefined ? clock.mono() >= mono : c.retry_at <= now || c.retry_at - now > longest) return c;
    }
    return undefined;
  }

  const sendingNow = db.prepare<[], CampaignRow>(
    `SELECT * FROM campaigns WHERE state = 'sending' ORDER BY started_at, id`,
  );
  const queuedCount = db.prepare<[number], { n: number }>(
    `SELECT n FROM campaign_counts WHERE campaign_id = ? AND status = 'queued'`,
  );
  const lifecycle = createLifecycle(db);
  const nextTimes = db.prepare<[], { r: number | null; s: number | null }>(
    `SELECT (SELECT MIN(retry_at) FROM campaigns WHERE state = 'sending') AS r, (SELECT MIN(send_at) FROM campaigns WHERE state = 'scheduled') AS s`,
  );
  const setRetry = db.prepare(`UPDATE campaigns SET retry_at = ?, retry_count = retry_count + 1 WHERE id = ?`);
  const clearRetry = db.prepare(
    `UPDATE campaigns SET retry_count = 0, retry_at = NULL WHERE id = ? AND (retry_count != 0 OR retry_at IS NOT NULL)`,
  );
  const getCampaign = db.prepare<[number], CampaignRow>(`SELECT * FROM campaigns WHERE id = ?`);

  function wake() {
    wakeCtl.abort();
  }

  /**
   * The user's "Retry now" during an outage: the campaign's back-off (and the shared gateway wait)
   * ends at once. The limiter still counts every request, so this never bursts past the rate.
   */
  function retryNow(campaignId: number): boolean {
    const waiting = retryMono.has(campaignId) || (getCampaign.get(campaignId)?.retry_at ?? null) !== null;
    retryMono.delete(campaignId);
    gatewayWaitUntil = 0;
    db.prepare(`UPDATE campaigns SET retry_at = NULL WHERE id = ? AND retry_at IS NOT NULL`).run(campaignId);
    wake();
    return waiting;
  }

  async function idle(ms: number) {
    const ac = new AbortController();
    const onStop = () => ac.abort();
    stopCtl.ac.signal.addEventListener('abort', onStop, { once: true });
    const onWake = () => ac.abort();
    wakeCtl.signal.addEventListener('abort', onWake, { once: true });
    await sleep(Math.max(1, ms), ac.signal);
    stopCtl.ac.signal.removeEventListener('abort', onStop);
    wakeCtl.signal.removeEventListener('abort', onWake);
    if (wakeCtl.signal.aborted) wakeCtl = new AbortController();
  }

  function backoffMs(retryCount: number): number {
    const base = settings.get('retry.initialMs');
    const max = settings.get('retry.maxMs');
    const exp = Math.min(max, base * 2 ** Math.min(retryCount, 20));
    return Math.round(exp / 2 + Math.random() * (exp / 2)); // "equal jitter"
  }

  /**
   * A write that must not be lost: retried while the disk is full or read-only. When the engine
   * stops (the app quits) it gives up: the batch stays `submitting` in the file, which start-up
   * turns into uncertain and settles from the gateway's report, so nothing is sent twice.
   */
  async function durable(what: string, fn: () => void) {
    for (;;) {
      try {
        fn();
        if (storageBlocked) {
          storageBlocked = false;
          deps.blocked({ code: null, message: null });
        }
        return;
      } catch (e) {
        if (!isStorageError(e)) throw e;
        if (!storageBlocked) {
          storageBlocked = true;
          deps.blocked({ code: 'storage', message: storageMessage(e, db.name) });
        }
        if (stopped) {
          deps.log(
            `could not record ${what}: ${(e as Error).message}; stopping now, it is checked again at the next start`,
          );
          return;
        }
        deps.log(`could not record ${what}: ${(e as Error).message}; retrying`);
        await sleep(1000, stopCtl.ac.signal);
      }
    }
  }

  async function submit(batch: BatchRecord, c: CampaignRow, permit: Permit) {
    const mode = (c.mode ?? deps.mode()) as Mode;
    const sendAt = c.schedule_mode === 'gateway' && c.send_at ? new Date(c.send_at).toISOString() : null;
    let outcome: SendOutcome;
    try {
      outcome = await deps.clientFor(mode).send({
        from: c.sender,
        to: batch.to,
        text: batch.text,
        clientRef: settings.get('gateway.clientReference') ? batch.clientRef : null,
        sendAt,
      });
    } catch (e) {
      outcome = {
        kind: 'uncertain',
        reason: `Unexpected error while sending: ${(e as Error).message}`,
        httpStatus: null,
      };
    } finally {
      permit.release();
    }
    const now = clock.now();
    switch (outcome.kind) {
      case 'accepted': {
        const o = outcome;
        const first = deps.firstPollDelay(mode);
        await durable('an accepted batch', () => {
          ledger.markAccepted(batch.id, o.gatewayRef, o.processed, o.httpStatus, now, now + first, first);
          clearRetry.run(c.id);
        });
        sameFailures.delete(c.id);
        retryMono.delete(c.id);
        if (o.processed != null && o.processed < batch.to.length) {
          deps.log(
            `batch ${batch.id}: the gateway processed ${o.processed} of ${batch.to.length} recipients; check the report`,
          );
        }
        break;
      }
      case 'retry': {
        const o = outcome;
        // A gateway asking for hours (or years) of patience gets at most an hour.
        const wait = Math.min(o.retryAfterMs ?? backoffMs(c.retry_count), RETRY_AFTER_CAP_MS);
        await durable('a returned batch', () => {
          ledger.markReturned(batch.id, o.reason, o.httpStatus, now);
          setRetry.run(now + wait, c.id);
        });
        gatewayWaitUntil = Math.max(gatewayWaitUntil, clock.mono() + wait);
        retryMono.set(c.id, clock.mono() + wait);
        if (o.neverSent)
          deps.blocked({
            code: 'offline',
            message: `${o.reason} Sending resumes by itself when the gateway answers again.`,
          });
        deps.log(`batch ${batch.id} not processed (${o.reason}); retry in ${wait} ms`);
        break;
      }
      case 'failed': {
        const o = outcome;
        const prev = sameFailures.get(c.id);
        const n = prev && prev.reason === o.reason ? prev.n + 1 : 1;
        sameFailures.set(c.id, { reason: o.reason, n });
        // A refusal that every batch would get (bad sender ID, wrong field) pauses the campaign
        // instead of failing thousands of recipients one batch at a time.
        if (o.campaignWide || n >= 3) {
          await durable('a paused campaign', () =>
            db.transaction(() => {
              ledger.markReturned(batch.id, o.reason, o.httpStatus, now);
              lifecycle.pause(
                c.id,
                `${o.reason} Fix it (sender ID, message field or gateway settings), then resume.`,
                'request',
              );
            })(),
          );
        } else {
          await durable('a failed batch', () => ledger.markFailed(batch.id, o.reason, o.httpStatus, now));
        }
        break;
      }
      case 'auth': {
        const o = outcome;
        let ids: number[] = [];
        await durable('an auth pause', () =>
          db.transaction(() => {
            ledger.markReturned(batch.id, o.reason, o.httpStatus, now);
            // Saving a token lifts this pause by itself (engine.refreshMode): the sentence says so.
            ids = lifecycle.pauseAll(
              `The gateway refused the token (${o.httpStatus}). Set a valid token in Settings (or smsdesk token set): sending resumes by itself once it is saved.`,
              'auth',
            );
          })(),
        );
        for (const id of ids) deps.changed(id);
        deps.blocked({ code: 'auth', message: o.reason });
        break;
      }
      case 'uncertain': {
        const o = outcome;
        const first = deps.firstPollDelay(mode);
        await durable('an uncertain batch', () =>
          ledger.markUncertain(batch.id, o.reason, o.httpStatus, now, now + first, first),
        );
        deps.log(`batch ${batch.id} outcome unknown: ${o.reason}`);
        break;
      }
      default: {
        const never: never = outcome;
        throw new Error(`unhandled outcome ${JSON.stringify(never)}`);
      }
    }
    if (outcome.kind === 'accepted' || outcome.kind === 'uncertain') {
      if (gatewayWaitUntil > clock.mono()) gatewayWaitUntil = 0;
      deps.blocked({ code: null, message: null });
    }
    try {
      ledger.completeIfDone(c.id, clock.now());
    } catch (e) {
      if (!isStorageError(e)) throw e;
    }
    deps.changed(c.id);
    wake();
  }

  async function run() {
    while (!stopped) {
      try {
        await step();
      } catch (e) {
        if (isStorageError(e)) {
          if (!storageBlocked) {
            storageBlocked = true;
            deps.blocked({ code: 'storage', message: storageMessage(e, db.name) });
          }
          await idle(1000);
        } else {
          deps.log(`send loop error: ${(e as Error).stack ?? e}`);
          await idle(1000);
        }
      }
    }
    await Promise.allSettled([...inflight]);
  }

  async function step() {
    const now = clock.now();
    if (lifecycle.promoteDue(now)) deps.changed(0);
    const sending = sendingNow.all();
    const c = pickCampaign(now, sending);
    if (!c) {
      // Campaigns with nothing queued finish here once the last report or decision is in.
      if (!inflight.size) for (const s of sending) if (ledger.completeIfDone(s.id, now)) deps.changed(s.id);
      const t = nextTimes.get()!;
      const next = Math.min(t.r ?? Infinity, t.s ?? Infinity);
      await idle(Math.min(1000, Math.max(5, next - now)));
      return;
    }
    const mode = deps.mode();
    if (c.mode && c.mode !== mode) {
      lifecycle.pause(
        c.id,
        c.mode === 'sandbox'
          ? 'Started on the sandbox; a real token is now set. It will not switch to real sending: create a new campaign to send for real.'
          : 'Started on the live gateway, but no token is set now. Set the token, then resume.',
        'mode',
      );
      deps.changed(c.id);
      return;
    }
    const waitGateway = gatewayWaitUntil - clock.mono();
    if (waitGateway > 0) {
      await idle(Math.min(waitGateway, 1000));
      return;
    }
    if (inflight.size >= settings.get('rate.maxInFlight')) {
      await Promise.race(inflight);
      return;
    }
    const msgs = ledger.nextBatch(c.id, settings.get('rate.recipientsPerRequest'), settings.get('rate.partsPerSecond'));
    if (!msgs.length) {
      if (inflight.size) {
        await Promise.race(inflight);
        return;
      }
      if (ledger.completeIfDone(c.id, now)) deps.changed(c.id);
      else await idle(50);
      return;
    }
    const parts = msgs.reduce((s, m) => s + m.parts, 0);
    const permit = await deps.limiter.acquire({ recipients: msgs.length, parts }, stopCtl.ac.signal);
    if (!permit) return;
    let batch: BatchRecord | null = null;
    try {
      // The campaign may have been paused or cancelled while we waited for the limiter.
      if (getCampaign.get(c.id)?.state === 'sending') batch = ledger.commitSubmitting(c.id, msgs, clock.now());
    } finally {
      if (!batch) permit.release();
    }
    if (!batch) return;
    if (storageBlocked) {
      storageBlocked = false;
      deps.blocked({ code: null, message: null });
    }
    const sent = batch;
    const p: Promise<void> = submit(sent, c, permit)
      .catch((e) => deps.log(`batch ${sent.id}: ${(e as Error).stack ?? e}`))
      .finally(() => inflight.delete(p));
    inflight.add(p);
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      stopCtl.ac = new AbortController();
      loop = run();
    },
    async stop() {
      stopped = true;
      stopCtl.ac.abort();
      wake();
      await loop;
      loop = null;
    },
    wake,
    retryNow,
    inflight: () => inflight.size,
  };
}
export type Sender = ReturnType<typeof createSender>;
