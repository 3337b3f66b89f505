import { Worker } from 'node:worker_threads';
import type { SettingKey, Settings } from '../../shared/settings.ts';
import type { Engine, EngineEvent } from '../engine/api.ts';
import { fromWire, METHODS, toWire, type FromWorker, type HostSecrets, type ToWorker, type WireCtl, type WorkerConfig } from './protocol.ts';
import { createKeychainSecrets, type Secrets } from '../engine/secrets/index.ts';

type Async<F> = F extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
type AsyncGroup<G> = { [K in keyof G]: Async<G[K]> };

/** The Engine of api.ts with every call answered by a promise from the engine's worker thread. */
export interface RemoteEngine {
  readonly dataDir: string;
  /** as of the last answer from the worker (every answer carries it) */
  readonly sandbox: boolean;
  settings: {
    get<K extends SettingKey>(key: K): Promise<Settings[K]>;
    set<K extends SettingKey>(key: K, value: unknown): Promise<Settings[K]>;
    all(): Promise<Settings>;
  };
  token: Engine['token'];
  lists: AsyncGroup<Engine['lists']>;
  imports: AsyncGroup<Engine['imports']>;
  optouts: AsyncGroup<Engine['optouts']>;
  campaigns: AsyncGroup<Engine['campaigns']>;
  start(): Promise<void>;
  waitIdle: Engine['waitIdle'];
  pollReports: Engine['pollReports'];
  on(listener: (e: EngineEvent) => void): () => void;
  /** closes the engine in the worker (sender, poller, sandbox, database), then ends the thread */
  close(): Promise<void>;
  /** the thread itself, for diagnostics and tests */
  readonly host: { readonly worker: Worker | null; readonly restarts: number; ready(): Promise<void> };
}

export interface EngineHostOptions {
  dataDir?: string;
  env?: NodeJS.ProcessEnv;
  gatewayUrl?: string | null;
  sandbox?: WorkerConfig['sandbox'];
  /** default: the OS keychain, kept on this (the host's) thread and asked by the worker */
  secrets?: HostSecrets;
  /** the keychain to answer the worker with (default: the OS keychain); Electron passes one that require()s @napi-rs/keyring */
  keychain?: Secrets;
  /** the worker script: dist-electron/engine-worker.cjs in Electron, SOURCE_WORKER (tsx) elsewhere */
  workerFile: string | URL;
  log?: (line: string) => void;
  /** unexpected exits restarted within one minute before the host gives up (default 3) */
  maxRestarts?: number;
  /** what owns the data folder while this host runs (see engine/db/owner.ts) */
  owner?: string;
}

interface Pending { method: string; resolve(v: unknown): void; reject(e: Error): void; onProgress?: (p: unknown) => void; cleanup?: () => void }

const coded = (code: string, message: string) => Object.assign(new Error(message), { code });

/**
 * Runs createEngine in a worker thread and answers the Engine interface over its port. A crashed
 * worker fails the calls it held (their outcome is whatever the SQLite ledger committed, so the
 * user is told to check) and is started again; the ledger makes a restart as safe as an app restart.
 */
export async function startEngineHost(opts: EngineHostOptions): Promise<RemoteEngine> {
  const log = opts.log ?? (() => {});
  const env = opts.env ?? process.env;
  const config: WorkerConfig = {
    dataDir: opts.dataDir, env: { ...env }, gatewayUrl: opts.gatewayUrl ?? null,
    sandbox: opts.sandbox, secrets: opts.secrets ?? { kind: 'keychain' }, owner: opts.owner,
  };
  const workerFile = opts.workerFile;
  const maxRestarts = opts.maxRestarts ?? 3;

  const pending = new Map<number, Pending>();
  const listeners = new Set<(e: EngineEvent) => void>();
  const expectedExit = new WeakSet<Worker>();
  let worker: Worker | null = null;
  let workerReady = false;
  let nextId = 1;
  let dataDir = '';
  let sandbox = true;
  let started = false;
  let closed = false;
  let closing: Promise<void> | null = null;
  let down: Error | null = null;
  let restarts = 0;
  const crashes: number[] = [];

  const post = (w: Worker, m: ToWorker) => w.postMessage(m);
  let keychain: Secrets | null = opts.keychain ?? null;

  /** The worker's keychain requests, answered here (the native keychain module stays loaded in this one thread). */
  function answerSecrets(w: Worker, m: Extract<FromWorker, { t: 'secrets' }>): void {
    keychain ??= createKeychainSecrets({ env });
    const k = keychain;
    const run = m.op === 'get' ? k.get() : m.op === 'source' ? k.source() : m.op === 'clear' ? k.clear() : k.set(m.arg ?? '');
    void run.then(
      (value) => post(w, { t: 'secrets-result', id: m.id, ok: true, value: value ?? null }),
      (err) => {
        const reason = (err as { reason?: unknown })?.reason;
        post(w, { t: 'secrets-result', id: m.id, ok: false, error: { ...toWire(err, m.arg ? [m.arg, m.arg.trim()] : []), ...(typeof reason === 'string' ? { reason } : {}) } });
      },
    ).catch((err: Error) => log(`keychain answer: ${err.message}`));
  }

  function spawn(): Promise<void> {
    const w = new Worker(workerFile, { workerData: config });
    worker = w;
    workerReady = false;
    let lastError: Error | null = null;
    let wasReady = false;
    return new Promise<void>((resolve, reject) => {
      w.on('message', (m: FromWorker) => {
        switch (m.t) {
          case 'ready':
            dataDir = m.dataDir;
            sandbox = m.sandbox;
            workerReady = true;
            wasReady = true;
            // a restarted worker gets back what the old one was told
            if (listeners.size) post(w, { t: 'events', on: true });
            if (started) post(w, { t: 'call', id: nextId++, method: 'start', args: [] });
            return resolve();
          case 'fatal':
            expectedExit.add(w);
            void w.terminate();
            return reject(fromWire(m.error));
          case 'result': {
            const p = pending.get(m.id);
            if (!p) return;
            pending.delete(m.id);
            p.cleanup?.();
            if (m.t === 'result' && m.ok) { sandbox = m.sandbox; p.resolve(m.value); } else { sandbox = m.sandbox; p.reject(fromWire(m.error)); }
            return;
          }
          case 'progress': return pending.get(m.id)?.onProgress?.(m.value);
          case 'event':
            for (const l of listeners) { try { l(m.event); } catch (err) { log(`listener: ${(err as Error).message}`); } }
            return;
          case 'log': return log(m.line);
          case 'secrets': return answerSecrets(w, m);
        }
      });
      w.on('error', (err) => { lastError = err; log(`engine worker: ${err.message}`); });
      w.on('exit', (code) => {
        if (worker === w) { worker = null; workerReady = false; }
        if (expectedExit.has(w)) return;
        const why = lastError ? lastError.message : `exit code ${code}`;
        // before ready the start itself failed: whoever waits on it decides, no restart loop
        if (!wasReady) return reject(coded('ENGINE_DOWN', `The SMS Desk engine could not start (${why}).`));
        crashed(why);
      });
    });
  }

  let ready: Promise<void> = Promise.resolve();

  function crashed(why: string): void {
    const now = Date.now();
    crashes.push(now);
    while (crashes.length && crashes[0]! < now - 60_000) crashes.shift();
    const restart = !closed && crashes.length <= maxRestarts;
    const next = restart ? 'is being restarted' : 'was not restarted';
    for (const [id, p] of pending) {
      pending.delete(id);
      p.cleanup?.();
      p.reject(coded('ENGINE_RESTARTED', `The SMS Desk engine stopped unexpectedly while working on ${p.method} (${why}) and ${next}: check whether it was done, then try again.`));
    }
    if (closed) return;
    if (!restart) {
      down = coded('ENGINE_DOWN', `The SMS Desk engine stopped ${crashes.length} times within a minute and was not restarted again: quit and reopen SMS Desk.`);
      log(down.message);
      return;
    }
    restarts++;
    log(`engine worker stopped (${why}); restarting it`);
    for (const l of listeners) { try { l({ type: 'log', detail: `The engine stopped unexpectedly (${why}) and was restarted.` }); } catch { /* a listener's bug is not ours */ } }
    ready = spawn().catch((err: Error) => { down = coded('ENGINE_DOWN', `The SMS Desk engine could not be restarted: ${err.message}`); log(down.message); });
  }

  async function call(method: string, args: unknown[]): Promise<unknown> {
    if (closed) throw coded('ENGINE_CLOSED', 'SMS Desk is shutting down: the engine no longer takes requests.');
    await ready;
    // the worker died after this call was made: its restart has replaced `ready`, wait for that
    if (!down && (!worker || !workerReady)) await ready;
    if (down) throw down;
    const w = worker;
    if (!w || !workerReady) throw coded('ENGINE_RESTARTED', `The SMS Desk engine is restarting: try ${method} again in a moment.`);
    return new Promise((resolve, reject) => {
      const id = nextId++;
      const p: Pending = { method, resolve, reject };
      const wireArgs = wireCtl(id, method, args, p, w);
      pending.set(id, p);
      try {
        post(w, { t: 'call', id, method, args: wireArgs });
      } catch (err) {
        pending.delete(id);
        p.cleanup?.();
        reject(coded('BAD_INPUT', `The request for ${method} cannot be handed to the engine (${(err as Error).message}).`));
      }
    });
  }

  /** an AbortSignal and a progress callback cannot cross threads: flags go instead, and messages follow */
  function wireCtl(id: number, method: string, args: unknown[], p: Pending, w: Worker): unknown[] {
    const at = METHODS[method]?.ctlArg;
    const ctl = at === undefined ? undefined : args[at] as { signal?: AbortSignal; onProgress?: (x: unknown) => void } | undefined;
    if (at === undefined || !ctl) return args;
    const { signal, onProgress, ...rest } = ctl;
    const wire: WireCtl & Record<string, unknown> = { ...rest, signal: !!signal, progress: !!onProgress };
    if (onProgress) p.onProgress = onProgress;
    if (signal) {
      const abort = () => { if (worker === w) post(w, { t: 'abort', id }); };
      if (signal.aborted) queueMicrotask(abort);
      else { signal.addEventListener('abort', abort, { once: true }); p.cleanup = () => signal.removeEventListener('abort', abort); }
    }
    const out = args.slice();
    out[at] = wire;
    return out;
  }

  await spawn();

  const fn = (method: string) => (...args: unknown[]) => call(method, args);
  const group = (name: string, methods: string[]) => Object.fromEntries(methods.map((m) => [m, fn(`${name}.${m}`)]));
  const methodsOf = (name: string) => Object.keys(METHODS).filter((k) => k.startsWith(`${name}.`)).map((k) => k.slice(name.length + 1));

  const remote = {
    get dataDir() { return dataDir; },
    get sandbox() { return sandbox; },
    settings: group('settings', methodsOf('settings')),
    token: group('token', methodsOf('token')),
    lists: group('lists', methodsOf('lists')),
    imports: group('imports', methodsOf('imports')),
    optouts: group('optouts', methodsOf('optouts')),
    campaigns: group('campaigns', methodsOf('campaigns')),
    async start() { started = true; await call('start', []); },
    waitIdle: fn('waitIdle'),
    pollReports: fn('pollReports'),
    on(listener: (e: EngineEvent) => void) {
      listeners.add(listener);
      if (listeners.size === 1 && worker && workerReady) post(worker, { t: 'events', on: true });
      return () => {
        if (!listeners.delete(listener)) return;
        if (listeners.size === 0 && worker && workerReady) post(worker, { t: 'events', on: false });
      };
    },
    close() {
      closing ??= (async () => {
        closed = true;
        await ready;
        const w = worker;
        if (w) {
          expectedExit.add(w);
          const id = nextId++;
          const answered = new Promise<void>((resolve) => {
            pending.set(id, { method: 'close', resolve: () => resolve(), reject: (e) => { log(`engine close: ${e.message}`); resolve(); } });
          });
          const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
          let timer: NodeJS.Timeout | undefined;
          // a worker stuck in a long call still ends: SQLite's WAL keeps what was committed
          const late = new Promise<void>((resolve) => { timer = setTimeout(() => { log('engine close: no answer in 15 s, ending the worker'); resolve(); }, 15_000); });
          post(w, { t: 'close', id });
          await Promise.race([answered, exited, late]);
          clearTimeout(timer);
          await w.terminate();
        }
        for (const [id, p] of pending) {
          pending.delete(id);
          p.cleanup?.();
          p.reject(coded('ENGINE_CLOSED', `SMS Desk closed the engine before ${p.method} finished.`));
        }
      })();
      return closing;
    },
    host: {
      get worker() { return worker; },
      get restarts() { return restarts; },
      ready: () => ready,
    },
  };
  return remote as unknown as RemoteEngine;
}
