import type { EngineEvent } from '../engine/api.ts';
import type { SandboxOptions } from '../engine/sandbox/index.ts';
import { redact } from '../engine/redact.ts';
import { BUG_ERROR_NAMES } from '../engine/errors.ts';

/**
 * How the worker finds the token: the OS keychain (the app), or a fixed value (tests, benchmarks).
 * The keychain stays on the host thread: a native module loaded there is loaded once per process,
 * not again by every restarted worker (the libsecret-based module used before hit GLib criticals
 * and hung on a second load). The worker asks the host over its port instead (`secrets` messages).
 */
export type HostSecrets = { kind: 'keychain' } | { kind: 'memory'; token: string | null };
export type SecretsOp = 'get' | 'set' | 'clear' | 'source';

/** Everything the worker needs to build the engine; it crosses as workerData, so plain data only. */
export interface WorkerConfig {
  dataDir?: string;
  env: Record<string, string | undefined>;
  gatewayUrl?: string | null;
  sandbox?: Omit<SandboxOptions, 'now'>;
  /** what owns the data folder, for the sentence others get ("SMS Desk app", "SMS Desk web") */
  owner?: string;
  secrets: HostSecrets;
}

/** An error as it crosses the thread boundary: what toApiError reads, never a stack. */
export interface WireError {
  name: string;
  message: string;
  code?: string;
}

/** Stand-ins for what cannot be cloned: an AbortSignal and a progress callback. */
export interface WireCtl {
  signal?: boolean;
  progress?: boolean;
}

export type ToWorker =
  | { t: 'call'; id: number; method: EngineMethod; args: unknown[] }
  | { t: 'abort'; id: number }
  | { t: 'events'; on: boolean }
  | { t: 'close'; id: number }
  | { t: 'secrets-result'; id: number; ok: true; value: unknown }
  | { t: 'secrets-result'; id: number; ok: false; error: WireError & { reason?: string } };

export type FromWorker =
  | { t: 'ready'; dataDir: string; sandbox: boolean }
  | { t: 'fatal'; error: WireError }
  | { t: 'result'; id: number; ok: true; value: unknown; sandbox: boolean }
  | { t: 'result'; id: number; ok: false; error: WireError; sandbox: boolean }
  | { t: 'progress'; id: number; value: unknown }
  | { t: 'event'; event: EngineEvent }
  | { t: 'log'; line: string }
  | { t: 'secrets'; id: number; op: SecretsOp; arg?: string };

/** The method registry lives beside the Engine interface, so the compiler checks it against it. */
export { METHODS, ctlArgOf, isEngineMethod, type EngineMethod } from '../engine/api.ts';
import type { EngineMethod } from '../engine/api.ts';

/** The message and code only; the token (when the call carried it) is cut out before it crosses. */
export function toWire(err: unknown, secrets: ReadonlyArray<string> = []): WireError {
  const e = err instanceof Error ? err : new Error(String(err));
  const message = redact(e.message, secrets);
  const code = (e as { code?: unknown }).code;
  // a bug's name matters to toApiError (it hides the text); anything else is a plain Error there
  return {
    name: BUG_ERROR_NAMES.has(e.name) ? e.name : 'Error',
    message,
    ...(typeof code === 'string' ? { code } : {}),
  };
}

export function fromWire(w: WireError): Error & { code?: string } {
  const Ctor =
    ({ TypeError, ReferenceError, SyntaxError, EvalError, URIError, RangeError } as Record<string, ErrorConstructor>)[
      w.name
    ] ?? Error;
  const err = new Ctor(w.message) as Error & { code?: string };
  if (w.code !== undefined) err.code = w.code;
  return err;
}
