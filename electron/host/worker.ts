/**
 * The engine's own thread. Everything long (a 1M-row campaign insert, a preview render loop, an
 * export) runs here, so the thread that paints the window or answers HTTP never waits on SQLite.
 * Bundled to dist-electron/engine-worker.cjs for Electron; run through worker-boot.mjs under tsx.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createEngine } from '../engine/engine.ts';
import type { EngineGroup, EngineMethod } from '../engine/api.ts';
import {
  createMemorySecrets,
  InvalidTokenError,
  KeychainUnavailableError,
  type KeychainProblem,
  type Secrets,
  type TokenSource,
} from '../engine/secrets/index.ts';
import {
  ctlArgOf,
  fromWire,
  isEngineMethod,
  METHODS,
  toWire,
  type FromWorker,
  type SecretsOp,
  type ToWorker,
  type WireCtl,
  type WorkerConfig,
} from './protocol.ts';
import { redact } from '../engine/redact.ts';

const port = parentPort!;
const config = workerData as WorkerConfig;
const post = (m: FromWorker) => port.postMessage(m);
const log = (line: string) => post({ t: 'log', line });

const secretCalls = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
let nextSecretId = 1;

/** The keychain, asked of the host thread (see HostSecrets in protocol.ts for why). */
function hostSecrets(): Secrets {
  const ask = (op: SecretsOp, arg?: string) =>
    new Promise<unknown>((resolve, reject) => {
      const id = nextSecretId++;
      secretCalls.set(id, { resolve, reject });
      post({ t: 'secrets', id, op, ...(arg === undefined ? {} : { arg }) });
    });
  return {
    get: () => ask('get') as Promise<string | null>,
    set: async (token) => {
      await ask('set', token);
    },
    clear: async () => {
      await ask('clear');
    },
    source: () => ask('source') as Promise<TokenSource>,
  };
}

function secretsFor(cfg: WorkerConfig): Secrets {
  if (cfg.secrets.kind === 'memory') return createMemorySecrets(cfg.secrets.token, { env: cfg.env });
  return hostSecrets();
}

/** The host's keychain error, rebuilt as the class the engine recognises. */
function secretsError(error: { name: string; message: string; code?: string; reason?: string }): Error {
  if (error.code === 'KEYCHAIN_UNAVAILABLE')
    return new KeychainUnavailableError((error.reason ?? 'unknown') as KeychainProblem, error.message);
  if (error.code === 'INVALID_TOKEN') return new InvalidTokenError(error.message);
  return fromWire(error);
}

// Answers from the host's keychain arrive on the port from the start (createEngine reads the token).
port.on('message', (m: ToWorker) => {
  if (m.t !== 'secrets-result') return;
  const c = secretCalls.get(m.id);
  if (!c) return;
  secretCalls.delete(m.id);
  if (m.ok) c.resolve(m.value);
  else c.reject(secretsError(m.error));
});

async function main(): Promise<void> {
  let engine: Awaited<ReturnType<typeof createEngine>>;
  try {
    engine = await createEngine({
      dataDir: config.dataDir,
      env: config.env,
      gatewayUrl: config.gatewayUrl ?? undefined,
      sandbox: config.sandbox,
      secrets: secretsFor(config),
      log,
      // The app and web mode must own the folder: beside a running sender they refuse to start, with its sentence.
      owner: { what: config.owner ?? 'SMS Desk', long: true, ...(config.owner ? { need: 'write' as const } : {}) },
    });
  } catch (err) {
    post({ t: 'fatal', error: toWire(err) });
    return;
  }

  const aborts = new Map<number, AbortController>();
  let offEvents: (() => void) | null = null;
  let closing = false;

  function resolveMethod(method: string): (...args: unknown[]) => unknown {
    if (!isEngineMethod(method))
      throw Object.assign(new Error(`The engine has no method ${method}.`), { code: 'NOT_FOUND' });
    const dot = method.indexOf('.');
    const owner: object = dot < 0 ? engine : engine[method.slice(0, dot) as EngineGroup];
    const f: unknown = Reflect.get(owner, dot < 0 ? method : method.slice(dot + 1));
    if (typeof f !== 'function')
      throw Object.assign(new Error(`The engine has no method ${method}.`), { code: 'NOT_FOUND' });
    return (...args: unknown[]) => Reflect.apply(f, owner, args);
  }

  /** rebuilds the control argument: a real AbortSignal and a progress callback that posts back */
  function withCtl(id: number, method: string, args: unknown[]): unknown[] {
    const at = isEngineMethod(method) ? ctlArgOf(method) : undefined;
    if (at === undefined || !args[at]) return args;
    const wire = args[at] as WireCtl;
    const ctl: { signal?: AbortSignal; onProgress?: (p: unknown) => void } = {};
    if (wire.signal) {
      const ac = new AbortController();
      aborts.set(id, ac);
      ctl.signal = ac.signal;
    }
    if (wire.progress) ctl.onProgress = (value) => post({ t: 'progress', id, value });
    const out = args.slice();
    out[at] = { ...(wire as object), ...ctl };
    return out;
  }

  async function call(id: number, method: string, args: unknown[]): Promise<void> {
    // the token is an argument of token.set only: cut it out of any error text that quotes it
    const secrets = method === 'token.set' && typeof args[0] === 'string' ? [args[0], args[0].trim()] : [];
    try {
      if (closing)
        throw Object.assign(new Error('SMS Desk is shutting down: the engine no longer takes requests.'), {
          code: 'ENGINE_CLOSED',
        });
      const value = await resolveMethod(method)(...withCtl(id, method, args));
      post({ t: 'result', id, ok: true, value: value ?? null, sandbox: engine.sandbox });
    } catch (err) {
      const wire = toWire(err, secrets);
      // a bug (no code): its stack stays in this process's log, the caller gets the sentence only
      if (wire.code === undefined) log(`${method} failed: ${redact((err as Error)?.stack ?? String(err), secrets)}`);
      post({ t: 'result', id, ok: false, error: wire, sandbox: engine.sandbox });
    } finally {
      aborts.delete(id);
    }
  }

  port.on('message', (m: ToWorker) => {
    switch (m.t) {
      case 'call':
        return void call(m.id, m.method, m.args);
      case 'secrets-result':
        return; // the keychain's answers: the listener above takes them
      case 'abort':
        return aborts.get(m.id)?.abort();
      case 'events':
        // the engine computes a campaign's status for each event only while someone listens
        if (m.on && !offEvents) offEvents = engine.on((event) => post({ t: 'event', event }));
        if (!m.on && offEvents) {
          offEvents();
          offEvents = null;
        }
        return;
      case 'close':
        closing = true;
        for (const ac of aborts.values()) ac.abort();
        return void engine.close().then(
          () => post({ t: 'result', id: m.id, ok: true, value: null, sandbox: engine.sandbox }),
          (err) => post({ t: 'result', id: m.id, ok: false, error: toWire(err), sandbox: engine.sandbox }),
        );
    }
  });
  // the compiler holds METHODS to the Engine interface; this holds the engine actually built to it
  const missing = (Object.keys(METHODS) as EngineMethod[]).filter((m) => {
    try {
      resolveMethod(m);
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length) {
    post({ t: 'fatal', error: toWire(new Error(`The SMS Desk engine lacks ${missing.join(', ')} (a bug).`)) });
    return;
  }
  post({ t: 'ready', dataDir: engine.dataDir, sandbox: engine.sandbox });
}

void main();
