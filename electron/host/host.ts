import { Worker } from 'node:worker_threads';
import type { AsyncEngine, EngineEvent, EngineGroup, EngineMethod } from '../engine/api.ts';
import {
  ctlArgOf,
  fromWire,
  METHODS,
  toWire,
  type FromWorker,
  type HostSecrets,
  type ToWorker,
  type WireCtl,
  type WorkerConfig,
} from './protocol.ts';
import { createKeychainSecrets, type Secrets } from '../engine/secrets/index.ts';

/** The Engine of api.ts with every call answered by a promise from the engine's worker thread. */
export type RemoteEngine = AsyncEngine & {
  /** the thread itself, for diagnostics and tests */
  readonly host: { readonly worker: Worker | null; readonly restarts: number; ready(): Promise<void> };
};

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

interface Pending {
  method: EngineMethod | 'close';
  resolve(v: unknown): void;
  reject(e: Error): void;
  onProgress?: (p: unknown) => void;
  cleanup?: () => void;
}

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
    dataDir: opts.dataDir,
    env: { ...env },
    gatewayUrl: opts.gatewayUrl ?? null,
    sandbox: opts.sandbox,
    secrets: opts.secrets ?? { kind: 'keychain' },
    owner: opts.owner,
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
    const run =
      m.op === 'get' ? k.get() : m.op === 'source' ? k.source() : m.op === 'clear' ? k.clear() : k.set(m.arg ?? '');
    void run
      .then(
        (value) => post(w, { t: 'secrets-result', id: m.id, ok: true, value: value ?? null }),
        (err) => {
          const reason = (err as { reason?: unknown })?.reason;
          post(w, {
            t: 'secrets-result',
            id: m.id,
            ok: false,
            error: {
              ...toWire(err, m.arg ? [m.arg, m.arg.trim()] : []),
              ...(typeof reason === 'string' ? { reason } : {}),
            },
          });
        },
      )
      .catch((err: Error) => log(`keychain answer: ${err.message}`));
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
            if (m.t === 'result' && m.ok) {
              sandbox = m.sandbox;
              p.resolve(m.value);
            } else {
              sandbox = m.sandbox;
              p.reject(fromWire(m.error));
            }
            return;
          }
          case 'progress':
            return pending.get(m.id)?.onProgress?.(m.value);
          case 'event':
            for (const l of listeners) {
              try {
                l(m.event);
              } catch (err) {
                log(`listener: ${(err as Error).message}`);
              }
            }
            return;
          case 'log':
            return log(m.line);
          case 'secrets':
            return answerSecrets(w, m);
        }
      });
      w.on('error', (err) => {
        lastError = err;
        log(`engine worker: ${err.message}`);
      });
      w.on('exit', (code) => {
        if (worker === w) {
          worker = null;
          workerReady = false;
        }
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
      p.reject(
        coded(
          'ENGINE_RESTARTED',
          `The SMS Desk engine stopped unexpectedly while working on ${p.method} (${why}) and ${next}: check whether it was done, then try again.`,
        ),
      );
    }
    if (closed) return;
    if (!restart) {
      down = coded(
        'ENGINE_DOWN',
        `The SMS Desk engine stopped ${crashes.length} times within a minute and was not restarted again: quit and reopen SMS Desk.`,
      );
      log(down.message);
      return;
    }
    restarts++;
    log(`engine worker stopped (${why}); restarting it`);
    for (const l of listeners) {
      try {
        l({ type: 'log', detail: `The engine stopped unexpectedly (${why}) and was restarted.` });
      } catch {
        /* a listener's bug is not ours */
      }
    }
    ready = spawn().catch((err: Error) => {
      down = coded('ENGINE_DOWN', `The SMS Desk engine could not be restarted: ${err.message}`);
      log(down.message);
    });
  }

  async function call(method: EngineMethod, args: unknown[]): Promise<unknown> {
    if (closed) throw coded('ENGINE_CLOSED', 'SMS Desk is shutting down: the engine no longer takes requests.');
    await ready;
    // the worker died after this call was made: its restart has replaced `ready`, wait for that
    if (!down && (!worker || !workerReady)) await ready;
    if (down) throw down;
    const w = worker;
    if (!w || !workerReady)
      throw coded('ENGINE_RESTARTED', `The SMS Desk engine is restarting: try ${method} again in a moment.`);
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
        reject(
          coded('BAD_INPUT', `The request for ${method} cannot be handed to the engine (${(err as Error).message}).`),
        );
      }
    });
  }

  /** an AbortSignal and a progress callback cannot cross threads: flags go instead, and messages follow */
  function wireCtl(id: number, method: EngineMethod, args: unknown[], p: Pending, w: Worker): unknown[] {
    const at = ctlArgOf(method);
    const ctl =
      at === undefined
        ? undefined
        : (args[at] as { signal?: AbortSignal; onProgress?: (x: unknown) => void } | undefined);
    if (at === undefined || !ctl) return args;
    const { signal, onProgress, ...rest } = ctl;
    const wire: WireCtl & Record<string, unknown> = { ...rest, signal: !!signal, progress: !!onProgress };
    if (onProgress) p.onProgress = onProgress;
    if (signal) {
      const abort = () => {
        if (worker === w) post(w, { t: 'abort', id });
      };
      if (signal.aborted) queueMicrotask(abort);
      else {
        signal.addEventListener('abort', abort, { once: true });
        p.cleanup = () => signal.removeEventListener('abort', abort);
      }
    }
    const out = args.slice();
    out[at] = wire;
    return out;
  }

  await spawn();

  // One function per entry of METHODS, which the compiler holds to the Engine interface: the proxy
  // has exactly the engine's methods (a group of the Engine becomes an object of proxies).
  const calls: Record<string, unknown> = {};
  for (const method of Object.keys(METHODS) as EngineMethod[]) {
    const dot = method.indexOf('.');
    const f =
      method === 'start'
        ? async () => {
            started = true;
            await call('start', []);
          }
        : (...args: unknown[]) => call(method, args);
    if (dot < 0) {
      calls[method] = f;
      continue;
    }
    const g = method.slice(0, dot) as EngineGroup;
    ((calls[g] ??= {}) as Record<string, unknown>)[method.slice(dot + 1)] = f;
  }

  const remote = {
    ...(calls as Omit<AsyncEngine, 'dataDir' | 'sandbox' | 'on' | 'close'>),
    get dataDir() {
      return dataDir;
    },
    get sandbox() {
      return sandbox;
    },
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
            pending.set(id, {
              method: 'close',
              resolve: () => resolve(),
              reject: (e) => {
                log(`engine close: ${e.message}`);
                resolve();
              },
            });
          });
          const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
          let timer: NodeJS.Timeout | undefined;
          // a worker stuck in a long call still ends: SQLite's WAL keeps what was committed
          const late = new Promise<void>((resolve) => {
            timer = setTimeout(() => {
              log('engine close: no answer in 15 s, ending the worker');
              resolve();
            }, 15_000);
          });
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
      get worker() {
        return worker;
      },
      get restarts() {
        return restarts;
      },
      ready: () => ready,
    },
  };
  return remote satisfies RemoteEngine;
}
