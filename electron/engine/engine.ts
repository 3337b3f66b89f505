import path from 'node:path';
import { METHODS, type Engine, type EngineEvent, type EngineGroup, type CampaignStatus } from './api.ts';
import type { DB } from './db/open.ts';
import { FolderBusyError, openFolder, ownerSentence, type OwnerInfo } from './db/owner.ts';
import { checkLedger, repairLedger } from './queue/invariants.ts';
import { createBackupScheduler } from './db/backup.ts';
import { pauseForDamage, startLedgerCheck, copyInWorker, checkpointsOnceBusy, type Checkpoints } from './db/check.ts';
import { DatabaseCorruptError, isCorruption } from './db/corrupt.ts';
import { LATEST_VERSION } from './db/migrations.ts';
import { createSettingsStore } from './db/settings.ts';
import { databaseFile, defaultDataDir, tightenDataDir } from './paths.ts';
import { systemClock, sleep, type Clock } from './clock.ts';
import type { startSandbox } from './sandbox/index.ts';
import { createRateLimiter } from './queue/limiter.ts';
import { createLedger } from './queue/ledger.ts';
import { createCounts } from './queue/counts.ts';
import { createSender } from './queue/sender.ts';
import { createPoller } from './dlr/poller.ts';
import { createCampaignService } from './campaigns/service.ts';
import {
  cancelOptedOut,
  finishInterruptedOptOutCancels,
  optOutCancelDue,
  optOutCancelsDone,
  restoreOptedIn,
} from './campaigns/optedOut.ts';
import { cleanupInterruptedFreezes } from './campaigns/preparing.ts';
import { finishInterruptedCancels } from './campaigns/cancel.ts';
import { createLifecycle } from './campaigns/lifecycle.ts';
import { createTestSend } from './campaigns/testSend.ts';
import { createModes, SANDBOX_NOTICE, SANDBOX_TOKEN } from './mode.ts';
import { exportCampaign } from './campaigns/export.ts';
import { createTemplatesService } from './templates/service.ts';
import { createListsService, cleanupInterruptedImports } from './lists/index.ts';
import type { Secrets } from './secrets/index.ts';
import { createKeychainSecrets } from './secrets/index.ts';
import { UserError } from './errors.ts';
import { toHandOver } from '../../shared/outcome.ts';

export { SANDBOX_NOTICE, SANDBOX_TOKEN };

export interface EngineDeps {
  dataDir?: string;
  secrets?: Secrets;
  clock?: Clock;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  /** overrides gateway.baseUrl (SMSDESK_GATEWAY_URL) */
  gatewayUrl?: string | null;
  /** options for the built-in sandbox gateway (tests make it fast) */
  sandbox?: Parameters<typeof startSandbox>[0];
  /** how often a running engine looks whether the daily backup is due (default hourly; tests make it fast) */
  backupCheckMs?: number;
  /**
   * Who this engine is, for the data folder's owner lock (db/owner.ts). `need: 'write'` refuses
   * to start unless it owns the folder; 'auto' (default) owns it when free and reads otherwise.
   * `long` owners (the app, web mode, send --wait) are not waited for by others.
   */
  owner?: { what: string; long?: boolean; need?: 'write' | 'auto'; waitMs?: number };
}

/** Whether this engine owns its data folder; when not, who does (the reason its writes are refused). */
export interface FolderAccess {
  owner: boolean;
  holder: OwnerInfo | null;
  message: string | null;
}

/** How often the window hears a long freeze's progress: one event per slice would be ~50 a second. */
const PREPARING_EVERY_MS = 250;

/**
 * The composition root. Plain Node: the Electron main process, the CLI, the web bridge and the
 * tests all build the engine the same way.
 */
export async function createEngine(
  deps: EngineDeps = {},
): Promise<Engine & { db: DB; sandboxUrl(): string | null; folder: FolderAccess }> {
  const env = deps.env ?? process.env;
  const clock = deps.clock ?? systemClock;
  const log = deps.log ?? (() => {});
  const dataDir = path.resolve(deps.dataDir ?? defaultDataDir(env));
  const want = { what: 'SMS Desk', long: true, need: 'auto' as const, ...deps.owner };
  const { lock, holder, db } = await openFolder(dataDir, databaseFile(dataDir), want);
  const folder: FolderAccess = { owner: !!lock, holder, message: lock ? null : ownerSentence(holder) };
  /** Everything that changes state goes through the owner; anyone else gets its sentence. */
  const owned =
    <A extends unknown[], R>(f: (...a: A) => R) =>
    (...a: A): R => {
      if (!lock) throw new FolderBusyError(holder);
      return f(...a);
    };
  type Method = (...a: never[]) => unknown;
  /**
   * One group of the Engine from its implementation (usually `{ ...service, <the methods that do
   * more> }`): the methods METHODS lists for the group and nothing else of the service, behind the
   * owner check where METHODS says `owner`. A method added to the Engine and its service needs no
   * line here: tsc fails until `impl` has it.
   */
  const group = <G extends EngineGroup>(name: G, impl: Engine[G]): Engine[G] => {
    const out: Record<string, Method> = {};
    for (const [key, how] of Object.entries(METHODS)) {
      if (!key.startsWith(`${name}.`)) continue;
      const m = key.slice(name.length + 1);
      const f = (impl as Record<string, Method>)[m]!.bind(impl);
      out[m] = 'owner' in how ? owned(f) : f;
    }
    return out as unknown as Engine[G];
  };
  // files earlier versions left readable by every user (0644 / 0755)
  tightenDataDir(dataDir);
  const settings = createSettingsStore(db);
  const secrets = deps.secrets ?? createKeychainSecrets({ env });
  const gatewayOverride = deps.gatewayUrl ?? env.SMSDESK_GATEWAY_URL ?? null;

  const modes = await createModes({ dataDir, settings, secrets, gatewayOverride, sandbox: deps.sandbox, log });
  const { clientFor, firstPollDelay } = modes;

  // Events: many changes per second collapse into one status per campaign every 250 ms.
  const listeners = new Set<(e: EngineEvent) => void>();
  const dirty = new Set<number>();
  let flushTimer: NodeJS.Timeout | null = null;
  const idleWaiters = new Set<() => void>();
  function emit(e: EngineEvent) {
    for (const l of listeners) {
      try {
        l(e);
      } catch (err) {
        log(`listener: ${(err as Error).message}`);
      }
    }
  }
  function changed(id: number) {
    for (const w of idleWaiters) w();
    if (!listeners.size) return;
    dirty.add(id);
    flushTimer ??= setTimeout(() => {
      flushTimer = null;
      const ids = [...dirty];
      dirty.clear();
      for (const cid of ids) {
        if (cid === 0) {
          emit({ type: 'campaign' });
          continue;
        }
        try {
          emit({ type: 'campaign', campaignId: cid, detail: campaigns.status(cid) });
        } catch {
          /* deleted */
        }
      }
    }, 250);
  }
  let blockedState: { code: string | null; message: string | null } = { code: null, message: null };
  /** what the check after start found (db/check.ts): sending stays stopped until a backup is restored */
  let damage: DatabaseCorruptError | null = null;
  /** settles once the check after start has answered and what it found is acted on */
  let checked: Promise<void> = Promise.resolve();
  const counts = createCounts(db);
  /** The check after start found status counters that differ from the rows (a bug, a file edited by hand): count again. */
  function recountCampaigns(ids: number[]) {
    const which = `campaign${ids.length === 1 ? '' : 's'} ${ids.join(', ')}`;
    try {
      db.transaction(() => {
        for (const id of ids) counts.recount(id);
      })();
    } catch (e) {
      log(`page check: could not count ${which} again (${(e as Error).message})`);
      return;
    }
    log(`page check: the status counters of ${which} did not match their messages; counted again from the messages`);
    for (const id of ids) changed(id);
  }
  function blocked(b: { code: 'auth' | 'offline' | 'storage' | null; message: string | null }) {
    if (b.code === blockedState.code && b.message === blockedState.message) return;
    if (damage && b.message !== damage.message) return;
    blockedState = b;
    emit({ type: 'sending-blocked', detail: b });
  }

  const campaigns = createCampaignService({ db, settings, now: () => clock.now(), mode: () => modes.current, changed });
  const lists = createListsService({ db, settings, now: () => clock.now() });
  /** Each campaign an opt-out change touched is told; returns the messages moved, in all. */
  function tellCampaigns(per: Map<number, number>): number {
    let n = 0;
    for (const [id, moved] of per) {
      n += moved;
      changed(id);
    }
    return n;
  }
  /**
   * The opt-out list grows by `store`: the cancel of its numbers' queued messages is marked due
   * before (so that a crash in between is finished at the next start), then run, and each campaign
   * touched is told. A second add while the first's steps run leaves the mark to the last to end.
   */
  let cancelsRunning = 0;
  async function addOptouts<T>(store: () => T): Promise<T & { cancelled: number; campaigns: number }> {
    optOutCancelDue(db, clock.now());
    cancelsRunning += 1;
    let per: Map<number, number>;
    let stored: T;
    try {
      stored = store();
    } finally {
      // what was stored before a failure is on the list too: its cancel runs all the same
      try {
        per = await cancelOptedOut(db, clock.now());
      } finally {
        cancelsRunning -= 1;
      }
    }
    if (cancelsRunning === 0) optOutCancelsDone(db);
    const cancelled = tellCampaigns(per);
    if (cancelled) log(`opt-outs: ${cancelled} queued message(s) cancelled in ${per.size} campaign(s)`);
    return { ...stored, cancelled, campaigns: per.size };
  }
  const templates = createTemplatesService({ db, now: () => clock.now() });
  const ledger = createLedger(db);
  const backups = createBackupScheduler({
    db,
    dataDir,
    now: () => clock.now(),
    keep: () => settings.get('backup.keep'),
    version: () => LATEST_VERSION,
    log,
    checkEveryMs: deps.backupCheckMs,
    copy: (dest) => copyInWorker(databaseFile(dataDir), dest),
  });
  const limiter = createRateLimiter({
    clock,
    limits: () => ({
      requestsPerSecond: settings.get('rate.requestsPerSecond'),
      partsPerSecond: settings.get('rate.partsPerSecond'),
    }),
  });

  // Start-up recovery, by the owner only and only now, as it takes the folder: nobody else can
  // have a request in flight. Half-made imports and campaigns go, interrupted requests become uncertain, the
  // ledger is checked (anything it cannot account for goes back to "ask the user"), and the
  // limiter remembers the last seconds so a restart cannot burst.
  if (lock) {
    try {
      cleanupInterruptedImports(db);
      const unfinished = cleanupInterruptedFreezes(db);
      if (unfinished)
        log(`${unfinished} campaign(s) were still being prepared when the app stopped; removed, create them again`);
      const t0 = clock.now();
      const cancelled = finishInterruptedCancels(db, t0);
      if (cancelled)
        log(`${cancelled} cancel(s) were cut short when the app stopped; their queued messages are now cancelled`);
      const optedOut = finishInterruptedOptOutCancels(db, t0);
      if (optedOut != null)
        log(
          `opt-outs: a cancel was cut short when the app stopped; ${optedOut} more queued message(s) to opted-out numbers are now cancelled`,
        );
      const recovered = ledger.recoverInterrupted(t0, t0, settings.get('dlr.initialIntervalMs'));
      if (recovered) log(`${recovered} request(s) were in flight when the app stopped; their outcome is being checked`);
      const found = checkLedger(db);
      if (found.length) {
        for (const v of found)
          log(`ledger check: campaign ${v.campaignId ?? '-'} batch ${v.batchId ?? '-'}: ${v.detail}`);
        log(
          `ledger check: ${repairLedger(db, found, t0, settings.get('dlr.initialIntervalMs'))} row(s) set back to be checked with the gateway or decided by you`,
        );
      }
      limiter.seed(ledger.recentRequests(t0 - 5000, t0));
    } catch (e) {
      db.close();
      lock.release();
      // pages the open does not read (db/open.ts) but recovery did: the same sentence naming the backup
      throw isCorruption(e) ? new DatabaseCorruptError(databaseFile(dataDir), e) : e;
    }
  }

  const sender = createSender({
    db,
    ledger,
    settings,
    clock,
    limiter,
    clientFor,
    mode: () => modes.current,
    firstPollDelay,
    changed,
    blocked,
    log,
  });
  const poller = createPoller({
    db,
    settings,
    clock,
    clientFor,
    mode: () => modes.current,
    changed,
    log,
    noRecord: (batchId) => {
      if (campaigns.autoResend(batchId)) sender.wake();
    },
  });
  // The built-in sandbox keeps its state in the folder too: it is the owner's. Started now by
  // long owners only: a short command (smsdesk lists) would open it and close it unused, and
  // anything that talks to it starts it on first use.
  if (lock && want.long) modes.warmUp();
  // The WAL checkpoints of an owner that stays (or sends) go to a thread of their own once it writes
  // in volume (db/check.ts): a short command commits a few pages, and a thread would only lengthen
  // its start and exit.
  let checkpoints: Checkpoints | null = null;
  const checkpointBeside = () => {
    if (lock && !checkpoints) checkpoints = checkpointsOnceBusy(db, databaseFile(dataDir), log);
  };
  if (want.long) checkpointBeside();
  const testSend = createTestSend({ db, settings, campaigns, limiter, clientFor, mode: () => modes.current });

  let started = false;
  async function refreshMode() {
    // A new token lifts an auth pause.
    if ((await modes.refresh()) === 'live') {
      for (const id of createLifecycle(db).pausedFor('auth')) {
        try {
          campaigns.resume(id);
        } catch {
          /* mode change: stays paused */
        }
      }
      if (blockedState.code === 'auth') blocked({ code: null, message: null });
    }
    sender.wake();
  }

  /**
   * An export that close() cut off (the app quitting) failed reading its rows from the closed
   * database, whatever the error says ("The database connection is not open"): the folder is fine
   * and nothing was written there (writeTable removes its temporary file), so the sentence says so
   * instead of the advice for a folder that cannot be written. Any other failure keeps its own.
   */
  async function unlessClosed<T>(file: string, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (e) {
      if (db.open) throw e;
      throw new UserError(
        'ENGINE_CLOSED',
        `SMS Desk closed before ${file} was written: export it again after SMS Desk restarts.`,
      );
    }
  }

  const engine: Engine & { db: DB; sandboxUrl(): string | null; folder: FolderAccess } = {
    dataDir,
    get sandbox() {
      return modes.current === 'sandbox';
    },
    db,
    folder,
    sandboxUrl: modes.sandboxUrl,
    settings: group('settings', {
      ...settings,
      set: (k, v) => {
        const r = settings.set(k, v);
        sender.wake();
        return r as never;
      },
    }),
    token: group('token', {
      async status() {
        const src = await secrets.source().catch(() => null);
        const set = Boolean(await modes.readToken());
        const problem = modes.keychainProblem();
        return { set, source: set ? src : null, sandbox: modes.current === 'sandbox', ...(problem ? { problem } : {}) };
      },
      async set(token: string) {
        await secrets.set(token);
        await refreshMode();
      },
      async clear() {
        await secrets.clear();
        await refreshMode();
      },
      async test() {
        return clientFor(modes.current).checkToken();
      },
    }),
    lists: group('lists', {
      ...lists.lists,
      exportRejects: (listId, file, format) =>
        unlessClosed(file, () => lists.lists.exportRejects(listId, file, format)),
    }),
    imports: group('imports', lists.imports),
    optouts: group('optouts', {
      ...lists.optouts,
      // A number added now also loses its queued messages in campaigns not finished (campaigns/optedOut.ts).
      add: (numbers, source) => addOptouts(() => lists.optouts.add(numbers, source)),
      import: (file, opts) => addOptouts(() => lists.optouts.import(file, opts)),
      // A number taken off the list gets back the messages its opt-out cancelled in campaigns not finished.
      remove: (numbers) => {
        const { removed, msisdns } = lists.optouts.remove(numbers);
        const per = restoreOptedIn(db, msisdns, clock.now());
        const restored = tellCampaigns(per);
        if (restored) {
          log(`opt-outs: ${restored} cancelled message(s) queued again in ${per.size} campaign(s)`);
          sender.wake();
        }
        return { removed, restored, campaigns: per.size };
      },
    }),
    templates: group('templates', templates),
    campaigns: group('campaigns', {
      ...campaigns,
      // The window hears how far a long freeze has come (PREPARING_EVERY_MS); the caller's own
      // onProgress hears every slice.
      create: (input, ctl = {}) => {
        let last = 0;
        return campaigns.create(input, {
          onProgress(p) {
            ctl.onProgress?.(p);
            const t = clock.mono();
            if (!listeners.size || t - last < PREPARING_EVERY_MS) return;
            last = t;
            emit({ type: 'preparing', detail: p });
          },
        });
      },
      retryNow: (id) => {
        campaigns.row(id); // an unknown campaign is refused with its sentence
        if (sender.retryNow(id)) changed(id);
        return campaigns.status(id);
      },
      send: (id) => {
        if (damage) throw damage;
        const s = campaigns.send(id);
        sender.wake();
        return s;
      },
      resume: (id) => {
        if (damage) throw damage;
        const s = campaigns.resume(id);
        sender.wake();
        return s;
      },
      resolve: (id, d) => {
        campaigns.resolve(id, d);
        // "mark failed" on the last undecided recipients finishes the campaign now, not at the next loop.
        if (ledger.completeIfDone(id, clock.now())) changed(id);
        sender.wake();
        return campaigns.status(id);
      },
      export: (id, file, format) => unlessClosed(file, () => exportCampaign(db, id, file, format)),
      // A test message is a request too: only the owner's limiter may spend the rate (METHODS says owner).
      testSend: (input) => testSend(input),
    }),
    start() {
      if (started) return;
      // Not the owner: the owner sends and polls; this one only reads.
      if (!lock) {
        log(`not sending from here: ${folder.message}`);
        return;
      }
      started = true;
      checkpointBeside();
      sender.start();
      poller.start();
      // Every page is read beside sending, in a thread of its own (db/check.ts); a daily copy is
      // made only of a ledger that passed (a copy of a damaged one would pass for a good backup).
      checked = startLedgerCheck(databaseFile(dataDir), log, { countsOff: recountCampaigns })
        .then(async (found) => {
          if (!found) return backups.start();
          damage = found;
          for (const id of pauseForDamage(db, found, log)) changed(id);
          blocked({ code: 'storage', message: found.message });
          // the window shows it whatever page is open (electron/handlers/events.ts: engine-notice)
          emit({ type: 'log', detail: found.message });
          await sender.stop();
        })
        .catch((e: Error) => log(`page check: ${e.message}`));
    },
    async afterStart() {
      await checked;
      await backups.idle();
    },
    async waitIdle(campaignId, opts = {}) {
      for (;;) {
        const s = campaigns.status(campaignId);
        const busy = toHandOver(s.counts);
        if (
          busy === 0 ||
          s.state === 'paused' ||
          s.state === 'cancelled' ||
          s.state === 'completed' ||
          s.state === 'draft' ||
          opts.signal?.aborted
        )
          return s;
        await new Promise<void>((resolve) => {
          const done = () => {
            idleWaiters.delete(done);
            clearTimeout(t);
            resolve();
          };
          const t = setTimeout(done, 500);
          idleWaiters.add(done);
        });
      }
    },
    async pollReports(campaignId, opts = {}) {
      // Not the owner: what the ledger knows, no lookup. The owner polls itself, and a lookup from
      // here could call a batch it still has in flight "not found".
      if (!lock) return campaigns.status(campaignId);
      const until = clock.now() + (opts.waitMs ?? 0);
      for (;;) {
        const open = await poller.pollCampaign(campaignId);
        if (ledger.completeIfDone(campaignId, clock.now())) changed(campaignId);
        const s = campaigns.status(campaignId);
        if (open === 0 || clock.now() >= until) return s;
        await sleep(Math.min(1000, Math.max(50, until - clock.now())));
      }
    },
    on(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    async close() {
      await sender.stop();
      await poller.stop();
      // a check still reading finishes first: a short run (send --wait) still makes its daily copy
      await checked;
      await backups.stop();
      if (flushTimer) clearTimeout(flushTimer);
      await modes.close();
      await checkpoints?.stop();
      db.close();
      lock?.release();
    },
  };
  return engine;
}

export type { CampaignStatus };
export { UserError };
