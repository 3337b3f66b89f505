import type { DB } from '../db/open.ts';
import type { SettingsStore } from '../db/settings.ts';
import type { Clock } from '../clock.ts';
import { sleep } from '../clock.ts';
import type { GatewayClient, SendOutcome } from '../gateway/client.ts';
import type { CampaignRow } from '../campaigns/rows.ts';
import { createLifecycle } from '../campaigns/lifecycle.ts';
import type { Ledger, BatchRecord, QueuedMessage, AcceptedAnswer } from './ledger.ts';
import type { RateLimiter, Permit } from './limiter.ts';
import { isStorageError, storageMessage } from '../storage.ts';
import { isCorruption, markDamaged } from '../db/corrupt.ts';
import type { GatewayMode } from '../../../shared/vocabulary.ts';

export type Mode = GatewayMode;

/** Longest wait a Retry-After may impose on one campaign. */
export const RETRY_AFTER_CAP_MS = 3_600_000;

/**
 * How long an accepted answer may wait in memory for the next claim to carry it (one commit per
 * request instead of two) before it is written on its own.
 */
export const ANSWER_WAIT_MS = 10;

/**
 * At most this many requests are claimed in one commit, when the limiter and rate.maxInFlight let
 * them all go at once (the ledger's cost per request falls by about a quarter at 4).
 */
export const GROUP_MAX = 4;

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
  // A wake() while nobody idles is kept for the next idle(), which then returns at once: no wake-up
  // is lost. Plain callbacks, not an AbortController: every answer wakes the loop, and each abort()
  // built a DOMException with its stack (about 0.5 µs of CPU per recipient sent).
  let wakePending = false;
  const idlers = new Set<() => void>();
  let gatewayWaitUntil = 0; // monotonic ms: 429/503/offline back-off shared by all campaigns
  const inflight = new Set<Promise<void>>();
  const sameFailures = new Map<number, { reason: string; n: number }>();
  let storageBlocked = false;
  // Back-off deadlines on the monotonic clock. retry_at (wall time) is what survives a restart,
  // but a wall clock set back by hours must not stretch a one-second back-off into hours.
  const retryMono = new Map<number, number>();
  // Accepted answers not written yet: the next claim writes them in its own commit. Until then
  // their batches read submitting, the state a crash turns into "uncertain, look it up".
  const answers: AcceptedAnswer[] = [];
  let answerTimer: ReturnType<typeof setTimeout> | null = null;

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
  const getCampaign = db.prepare<[number], CampaignRow>(`SELECT * FROM campaigns WHERE id = ?`);

  function wake() {
    if (!idlers.size) wakePending = true;
    for (const done of [...idlers]) done();
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

  /** Sleeps `ms`, or less: until wake() or stop. */
  function idle(ms: number): Promise<void> {
    if (wakePending) {
      wakePending = false;
      return Promise.resolve();
    }
    const stop = stopCtl.ac.signal;
    if (stop.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(done, Math.max(1, ms));
      function done() {
        clearTimeout(t);
        stop.removeEventListener('abort', done);
        idlers.delete(done);
        resolve();
      }
      stop.addEventListener('abort', done, { once: true });
      idlers.add(done);
    });
  }

  function backoffMs(retryCount: number): number {
    const base = settings.get('retry.initialMs');
    const max = settings.get('retry.maxMs');
    const exp = Math.min(max, base * 2 ** Math.min(retryCount, 20));
    return Math.round(exp / 2 + Math.random() * (exp / 2)); // "equal jitter"
  }

  /**
   * Sending waits for the disk (full, read-only, locked). Damage is not mended by waiting: the
   * ledger is also marked, so the next start reads every page before anything else and offers the
   * backup (db/corrupt.ts), instead of sending again until its check after start finds it.
   */
  function blockForStorage(e: unknown) {
    if (storageBlocked) return;
    storageBlocked = true;
    if (isCorruption(e)) markDamaged(db.name, (e as Error).message);
    deps.blocked({ code: 'storage', message: storageMessage(e, db.name) });
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
        blockForStorage(e);
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

  // ---- The loop: one turn is one decision, in the order of queue/AGENTS.md ----------------

  async function run() {
    while (!stopped) {
      try {
        await step();
      } catch (e) {
        await afterLoopError(e);
      }
    }
    await Promise.allSettled([...inflight]);
    await writeAnswers();
  }

  /**
   * One turn: pick the campaign, wait for what holds it up, claim its next batch as submitting,
   * then send it without waiting for the answer (up to rate.maxInFlight at once). Room comes
   * first: only this loop launches requests, so what is picked after it still has room, and a
   * full pipe costs one turn per answer, not a campaign pick.
   */
  async function step() {
    if (await waitForInFlightRoom()) return;
    const now = clock.now();
    if (lifecycle.promoteDue(now)) deps.changed(0);
    const sending = sendingNow.all();
    const c = pickCampaign(now, sending);
    if (!c) return restUntilDue(now, sending);
    if (pauseIfModeChanged(c)) return;
    if (await waitForGateway()) return;
    const room = Math.min(GROUP_MAX, settings.get('rate.maxInFlight') - inflight.size);
    const found = ledger.nextBatches(
      c.id,
      settings.get('rate.recipientsPerRequest'),
      settings.get('rate.partsPerSecond'),
      room,
    );
    if (!found.length) return drainCampaign(c, now);
    const first = await waitForPermit(found[0]);
    if (!first) return;
    const permits = [first, ...morePermits(found.slice(1))];
    const batches = claimBatches(c, found.slice(0, permits.length), permits);
    batches.forEach((batch, i) => batch && launch(batch, c, permits[i]));
  }

  /**
   * The permits the limiter gives at once, in order, for the batches after the first: when the
   * loop is behind (answers came back together, the CPU is busy), several requests go out on one
   * commit instead of one commit each. Nothing waits here, so none is claimed before its turn.
   */
  function morePermits(rest: QueuedMessage[][]): Permit[] {
    const out: Permit[] = [];
    for (const msgs of rest) {
      const p = deps.limiter.tryAcquire(costOf(msgs));
      if (!p) break;
      out.push(p);
    }
    return out;
  }

  /** Nothing to send now: finish campaigns that are settled, then sleep until a back-off or schedule ends. */
  async function restUntilDue(now: number, sending: CampaignRow[]) {
    // Campaigns with nothing queued finish here once the last report or decision is in.
    if (!inflight.size) for (const s of sending) if (ledger.completeIfDone(s.id, now)) deps.changed(s.id);
    const t = nextTimes.get()!;
    const next = Math.min(t.r ?? Infinity, t.s ?? Infinity);
    await idle(Math.min(1000, Math.max(5, next - now)));
  }

  /** A campaign keeps the mode it started in: a token set or removed since then pauses it, never switches it. */
  function pauseIfModeChanged(c: CampaignRow): boolean {
    const mode = deps.mode();
    if (!c.mode || c.mode === mode) return false;
    lifecycle.pause(
      c.id,
      c.mode === 'sandbox'
        ? 'Started on the sandbox; a real token is now set. It will not switch to real sending: create a new campaign to send for real.'
        : 'Started on the live gateway, but no token is set now. Set the token, then resume.',
      'mode',
    );
    deps.changed(c.id);
    return true;
  }

  /** A 429/503/offline answer holds every campaign: they all talk to the same gateway. */
  async function waitForGateway(): Promise<boolean> {
    const wait = gatewayWaitUntil - clock.mono();
    if (wait <= 0) return false;
    await idle(Math.min(wait, 1000));
    return true;
  }

  /**
   * rate.maxInFlight caps the requests whose answer is still out. After the first answer, the
   * others that came in with it are read too (one turn of the event loop), so the next turn
   * sees all the room there is.
   */
  async function waitForInFlightRoom(): Promise<boolean> {
    if (inflight.size < settings.get('rate.maxInFlight')) return false;
    await Promise.race(inflight);
    await new Promise((resolve) => setImmediate(resolve));
    return true;
  }

  /** Nothing queued in the picked campaign: wait for its answers, or finish it once nothing is left. */
  async function drainCampaign(c: CampaignRow, now: number) {
    if (inflight.size) {
      await Promise.race(inflight);
      return;
    }
    if (ledger.completeIfDone(c.id, now)) deps.changed(c.id);
    else await idle(50);
  }

  const costOf = (msgs: QueuedMessage[]) => ({
    recipients: msgs.length,
    parts: msgs.reduce((s, m) => s + m.parts, 0),
  });

  /** The limiter decides when the request may leave (requests and parts per second); null when stopping. */
  function waitForPermit(msgs: QueuedMessage[]): Promise<Permit | null> {
    return deps.limiter.acquire(costOf(msgs), stopCtl.ac.signal);
  }

  /**
   * Writes the batches as submitting before any byte leaves, in one commit with the accepted
   * answers that came in since the last claim; gives back the permit of each it cannot claim.
   */
  function claimBatches(c: CampaignRow, found: QueuedMessage[][], permits: Permit[]): Array<BatchRecord | null> {
    let batches: Array<BatchRecord | null> = [];
    let carried: AcceptedAnswer[] = [];
    try {
      // The campaign may have been paused or cancelled while we waited for the limiter.
      if (getCampaign.get(c.id)?.state === 'sending') {
        carried = answers.splice(0);
        try {
          batches = ledger.claimManyWithAnswers(c.id, found, clock.now(), carried);
        } catch (e) {
          answers.unshift(...carried);
          carried = [];
          armAnswerTimer();
          throw e;
        }
      }
    } finally {
      permits.forEach((p, i) => {
        if (!batches[i]) p.release();
      });
    }
    if ((batches.some(Boolean) || carried.length) && storageBlocked) {
      storageBlocked = false;
      deps.blocked({ code: null, message: null });
    }
    answersWritten(carried);
    return batches;
  }

  /** The request runs beside the loop, which goes on to the next batch while the answer is out. */
  function launch(batch: BatchRecord, c: CampaignRow, permit: Permit) {
    const p: Promise<void> = submit(batch, c, permit)
      .catch((e) => deps.log(`batch ${batch.id}: ${(e as Error).stack ?? e}`))
      .finally(() => inflight.delete(p));
    inflight.add(p);
  }

  /** A turn that threw: a full disk is shown as blocked, anything else logged; the loop goes on after a second. */
  async function afterLoopError(e: unknown) {
    if (isStorageError(e)) blockForStorage(e);
    else {
      deps.log(`send loop error: ${(e as Error).stack ?? e}`);
    }
    await idle(1000);
  }

  // ---- One request: send it, record the answer, tell the rest of the engine ----------------

  async function submit(batch: BatchRecord, c: CampaignRow, permit: Permit) {
    const mode = (c.mode ?? deps.mode()) as Mode;
    const outcome = await request(batch, c, mode, permit);
    await recordOutcome(batch, c, mode, outcome, clock.now());
    afterAnswer(c, outcome);
  }

  /** The HTTP request itself; anything it throws is an unknown outcome, never a reason to resend. */
  async function request(batch: BatchRecord, c: CampaignRow, mode: Mode, permit: Permit): Promise<SendOutcome> {
    const sendAt = c.schedule_mode === 'gateway' && c.send_at ? new Date(c.send_at).toISOString() : null;
    try {
      return await deps.clientFor(mode).send({
        from: c.sender,
        to: batch.to,
        text: batch.text,
        clientRef: settings.get('gateway.clientReference') ? batch.clientRef : null,
        sendAt,
      });
    } catch (e) {
      return { kind: 'uncertain', reason: `Unexpected error while sending: ${(e as Error).message}`, httpStatus: null };
    } finally {
      // The limiter counts the request from its answer (limiter.ts).
      permit.release();
    }
  }

  /** Each answer to its batch state (the diagram in queue/AGENTS.md), written before anything else is sent. */
  async function recordOutcome(batch: BatchRecord, c: CampaignRow, mode: Mode, outcome: SendOutcome, now: number) {
    switch (outcome.kind) {
      case 'accepted':
        return recordAccepted(batch, c, mode, outcome, now);
      case 'retry':
        return recordReturned(batch, c, outcome, now);
      case 'failed':
        return recordRefused(batch, c, outcome, now);
      case 'auth':
        return recordAuthRefused(batch, outcome, now);
      case 'uncertain':
        return recordUncertain(batch, mode, outcome, now);
      default: {
        const never: never = outcome;
        throw new Error(`unhandled outcome ${JSON.stringify(never)}`);
      }
    }
  }

  /**
   * 2xx: accepted, the poller takes it from here; the campaign's back-off and failure streak end.
   * Written with the next claim (claimBatches), or by itself after ANSWER_WAIT_MS (writeAnswers).
   */
  function recordAccepted(
    batch: BatchRecord,
    c: CampaignRow,
    mode: Mode,
    o: Extract<SendOutcome, { kind: 'accepted' }>,
    now: number,
  ) {
    const first = deps.firstPollDelay(mode);
    answers.push({
      batchId: batch.id,
      campaignId: c.id,
      gatewayRef: o.gatewayRef,
      processed: o.processed,
      httpStatus: o.httpStatus,
      at: now,
      firstPollAt: now + first,
      pollInterval: first,
    });
    armAnswerTimer();
    sameFailures.delete(c.id);
    retryMono.delete(c.id);
    if (o.processed != null && o.processed < batch.to.length) {
      deps.log(
        `batch ${batch.id}: the gateway processed ${o.processed} of ${batch.to.length} recipients; check the report`,
      );
    }
  }

  /** Not processed (429, 503, never sent): the messages queue again and every campaign backs off. */
  async function recordReturned(
    batch: BatchRecord,
    c: CampaignRow,
    o: Extract<SendOutcome, { kind: 'retry' }>,
    now: number,
  ) {
    // A gateway asking for hours (or years) of patience gets at most an hour.
    const wait = Math.min(o.retryAfterMs ?? backoffMs(c.retry_count), RETRY_AFTER_CAP_MS);
    await durable('a returned batch', () => {
      ledger.markReturned(batch.id, o.reason, o.httpStatus, now);
      setRetry.run(now + wait, c.id);
    });
    backOff(c.id, wait);
    if (o.neverSent)
      deps.blocked({
        code: 'offline',
        message: `${o.reason} Sending resumes by itself when the gateway answers again.`,
      });
    deps.log(`batch ${batch.id} not processed (${o.reason}); retry in ${wait} ms`);
  }

  /** On the monotonic clock, so a wall clock set back cannot stretch the wait. */
  function backOff(campaignId: number, wait: number) {
    gatewayWaitUntil = Math.max(gatewayWaitUntil, clock.mono() + wait);
    retryMono.set(campaignId, clock.mono() + wait);
  }

  /** Refused for good (4xx): the batch fails, unless every batch would, which pauses the campaign instead. */
  async function recordRefused(
    batch: BatchRecord,
    c: CampaignRow,
    o: Extract<SendOutcome, { kind: 'failed' }>,
    now: number,
  ) {
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
  }

  /** 401/403: the batch queues again and every campaign pauses until a token is saved. */
  async function recordAuthRefused(batch: BatchRecord, o: Extract<SendOutcome, { kind: 'auth' }>, now: number) {
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
  }

  /** No clear answer (timeout, reset, 5xx after sending): uncertain, looked up by reference, never resent on a guess. */
  async function recordUncertain(
    batch: BatchRecord,
    mode: Mode,
    o: Extract<SendOutcome, { kind: 'uncertain' }>,
    now: number,
  ) {
    const first = deps.firstPollDelay(mode);
    await durable('an uncertain batch', () =>
      ledger.markUncertain(batch.id, o.reason, o.httpStatus, now, now + first, first),
    );
    deps.log(`batch ${batch.id} outcome unknown: ${o.reason}`);
  }

  /** The gateway answered: lift an offline block, finish the campaign if that was its last, wake the loop. */
  function afterAnswer(c: CampaignRow, outcome: SendOutcome) {
    if (outcome.kind === 'accepted' || outcome.kind === 'uncertain') {
      if (gatewayWaitUntil > clock.mono()) gatewayWaitUntil = 0;
      deps.blocked({ code: null, message: null });
    }
    // An accepted answer is not in the file yet: answersWritten does this once it is.
    if (outcome.kind !== 'accepted') settled(c.id);
    wake();
  }

  /** Answers waiting for a claim get written by themselves after ANSWER_WAIT_MS at the latest. */
  function armAnswerTimer() {
    answerTimer ??= setTimeout(() => {
      answerTimer = null;
      writeAnswers().catch((e) => deps.log(`accepted batches: ${(e as Error).stack ?? e}`));
    }, ANSWER_WAIT_MS);
  }

  /** Accepted answers no claim came to carry: written on their own (and at stop), retried while the disk is full. */
  async function writeAnswers() {
    if (answerTimer) clearTimeout(answerTimer);
    answerTimer = null;
    let written: AcceptedAnswer[] = [];
    await durable('an accepted batch', () => {
      const some = answers.slice();
      if (!some.length) return;
      ledger.markAcceptedAll(some);
      answers.splice(0, some.length);
      written = written.concat(some);
    });
    answersWritten(written);
  }

  /** Accepted answers are in the file: their campaigns may be done, and the window shows them. */
  function answersWritten(written: readonly AcceptedAnswer[]) {
    if (!written.length) return;
    for (const cid of new Set(written.map((a) => a.campaignId))) settled(cid);
    wake();
  }

  /** A campaign's answer is written: finished if that was its last, and the window is told. */
  function settled(campaignId: number) {
    try {
      ledger.completeIfDone(campaignId, clock.now());
    } catch (e) {
      if (!isStorageError(e)) throw e;
    }
    deps.changed(campaignId);
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
