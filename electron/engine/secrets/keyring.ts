import { KeychainUnavailableError, classifyKeychainError, keychainMessage } from './errors.ts';
import { tokenFromEnv } from './env.ts';
import { validateToken } from './token.ts';
import {
  DEFAULT_KEYCHAIN_SERVICE,
  KEYCHAIN_SERVICE_VAR,
  type KeyringEntry,
  type KeyringModule,
  type Secrets,
  type TokenSource,
} from './types.ts';

/** How long one keychain request may take before the user is told the keychain does not answer. */
export const KEYCHAIN_TIMEOUT_MS = 10_000;

export interface KeychainSecretsOptions {
  /** default: SMSDESK_KEYCHAIN_SERVICE from `env`, else "SMS Desk" */
  service?: string;
  account?: string;
  env?: Record<string, string | undefined>;
  /** Where @napi-rs/keyring comes from; defaults to the installed package, loaded on first use. */
  loadKeyring?: () => Promise<unknown>;
  /** per request; default KEYCHAIN_TIMEOUT_MS (tests shorten it) */
  timeoutMs?: number;
}

/**
 * The keychain module is native: loading it at start-up would crash a machine whose binary is
 * missing or built for another platform. Importing on first use turns that into a
 * KeychainUnavailableError the UI can show, while SMSDESK_TOKEN keeps working without it.
 */
async function importKeyring(): Promise<unknown> {
  return import('@napi-rs/keyring');
}

function asKeyring(mod: unknown): KeyringModule {
  const candidates = [mod, (mod as { default?: unknown } | null)?.default];
  const found = candidates.find((m) => typeof (m as Partial<KeyringModule> | null)?.AsyncEntry === 'function');
  if (!found)
    throw new Error('The @napi-rs/keyring module loaded but has no AsyncEntry (it is not the expected build).');
  const k = found as KeyringModule;
  // Without a pinned store the library silently falls back to the kernel keyring on Linux, which
  // is memory only: the token would be gone after a reboot. A build that cannot pin is refused.
  if (process.platform === 'linux' && typeof k.LinuxStore?.SecretService !== 'string') {
    throw new Error(
      'This build of @napi-rs/keyring cannot be limited to the Secret Service (it has no LinuxStore option; version 2.1.2 or later is needed).',
    );
  }
  return k;
}

/** Ignored off Linux; on Linux an unreachable Secret Service then fails instead of falling back. */
const SECRET_SERVICE_ONLY = { linux: { store: 'secret-service' } } as const;

/** The SMSDESK_KEYCHAIN_SERVICE override, so tests and second installs never touch the real entry. */
export function keychainServiceName(env: Record<string, string | undefined>): string {
  const v = env[KEYCHAIN_SERVICE_VAR]?.trim();
  return v ? v : DEFAULT_KEYCHAIN_SERVICE;
}

/** D-Bus's reply timeout as the keychain library meets it (libdbus's, about 2 s) */
const BUS_REPLY_MS = 2000;
/** thrown by a first try that met it, for call() to try once more */
const SLOW_BUS = Symbol('slow bus');

export function createKeychainSecrets(opts: KeychainSecretsOptions = {}): Secrets {
  const env = opts.env ?? process.env;
  const service = opts.service ?? keychainServiceName(env);
  const account = opts.account ?? 'api-token';
  const load = opts.loadKeyring ?? importKeyring;
  const timeoutMs = opts.timeoutMs ?? KEYCHAIN_TIMEOUT_MS;
  let loaded: KeyringModule | null = null;
  /** requests that outlived their time limit and still run in the native module */
  let hung = 0;

  async function keyring(): Promise<KeyringModule> {
    if (loaded) return loaded;
    try {
      loaded = asKeyring(await load());
      return loaded;
    } catch (err) {
      // Whatever went wrong while loading, the fix is on the module's side.
      throw new KeychainUnavailableError('native-module', keychainMessage('native-module', err));
    }
  }

  function noAnswer(detail: string): KeychainUnavailableError {
    return new KeychainUnavailableError('no-answer', keychainMessage('no-answer', detail, undefined, timeoutMs));
  }

  /**
   * D-Bus gives a request about 2 s for its reply. On a 2-core PC busy with a spreadsheet, a
   * browser and a send, a keychain that is only slow can miss that once: the request is made once
   * more (all four are safe to repeat) while the time limit leaves room for it. A hung keychain
   * still fails, in about twice the time.
   */
  async function call<T>(fn: (entry: KeyringEntry, signal: AbortSignal) => Promise<T>, token?: string): Promise<T> {
    const k = await keyring();
    const until = Date.now() + timeoutMs;
    try {
      return await once(k, fn, timeoutMs, token, true);
    } catch (err) {
      if (err !== SLOW_BUS) throw err;
      return await once(k, fn, Math.max(1, until - Date.now()), token, false);
    }
  }

  async function once<T>(
    k: KeyringModule,
    fn: (entry: KeyringEntry, signal: AbortSignal) => Promise<T>,
    limitMs: number,
    token: string | undefined,
    again: boolean,
  ): Promise<T> {
    const t0 = Date.now();
    /** D-Bus's own reply timeout, with room left for a second try */
    const retry = (err: unknown): unknown =>
      again && classifyKeychainError(err) === 'no-answer' && limitMs > BUS_REPLY_MS + (Date.now() - t0) + 500
        ? SLOW_BUS
        : KeychainUnavailableError.from(err, token);
    // A request the keychain never answers (e.g. behind an unlock dialog nobody sees) keeps one of
    // libuv's few pool threads busy until it ends; piling more on would stall Node's file I/O too.
    if (hung > 0) throw noAnswer('an earlier request is still waiting for the keychain');
    const abort = new AbortController();
    let work: Promise<T>;
    try {
      // A fresh entry per request: the Secret Service connection is opened here, so a keyring
      // daemon restarted since the last request is simply found again. The constructor connects
      // synchronously; the library bounds that with D-Bus's own reply timeout (about 2 s).
      const entry = new k.AsyncEntry(service, account, SECRET_SERVICE_ONLY);
      work = fn(entry, abort.signal);
    } catch (err) {
      throw retry(err);
    }
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), limitMs);
    });
    try {
      const first = await Promise.race([work.then((value) => ({ value })), late]);
      if (first !== 'late') return first.value;
    } catch (err) {
      throw retry(err);
    } finally {
      clearTimeout(timer);
    }
    // The native call cannot be interrupted once it runs; the signal only drops it if it is still queued.
    abort.abort();
    hung++;
    void work
      .then(
        () => {},
        () => {},
      )
      .finally(() => {
        hung--;
      });
    throw noAnswer('');
  }

  async function fromKeychain(): Promise<string | null> {
    const stored = await call((e, signal) => e.getPassword(signal));
    return stored === null || stored === '' ? null : stored;
  }

  return {
    async get() {
      return tokenFromEnv(env) ?? fromKeychain();
    },
    async set(input: string) {
      const token = validateToken(input);
      await call((e, signal) => e.setPassword(token, signal), token);
    },
    async clear() {
      await call((e, signal) => e.deletePassword(signal));
    },
    async source(): Promise<TokenSource> {
      if (tokenFromEnv(env) !== null) return 'env';
      return (await fromKeychain()) === null ? null : 'keychain';
    },
  };
}
