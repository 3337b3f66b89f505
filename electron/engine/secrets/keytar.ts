import { KeychainUnavailableError, keychainMessage } from './errors.ts';
import { tokenFromEnv } from './env.ts';
import { validateToken } from './token.ts';
import type { KeytarLike, Secrets, TokenSource } from './types.ts';

export interface KeytarSecretsOptions {
  service?: string;
  account?: string;
  env?: Record<string, string | undefined>;
  /** Where keytar comes from; defaults to the installed package, loaded on first use. */
  loadKeytar?: () => Promise<unknown>;
}

/**
 * keytar is a native module: loading it at start-up would crash a machine whose build of it is
 * missing or for another ABI. Importing on first use turns that into a KeychainUnavailableError
 * the UI can show, while SMSDESK_TOKEN keeps working without it.
 */
async function importKeytar(): Promise<unknown> {
  return import('keytar');
}

function isKeytar(m: unknown): m is KeytarLike {
  const k = m as Partial<KeytarLike> | null | undefined;
  return !!k && typeof k.getPassword === 'function' && typeof k.setPassword === 'function'
    && typeof k.deletePassword === 'function';
}

/** keytar is CommonJS: through import() its functions sit on `default` (Node names only some of them). */
function asKeytar(mod: unknown): KeytarLike {
  const inner = (mod as { default?: unknown } | null)?.default;
  if (isKeytar(inner)) return inner;
  if (isKeytar(mod)) return mod;
  throw new Error('The keytar module loaded but lacks getPassword/setPassword/deletePassword (it is not the expected build).');
}

export function createKeytarSecrets(opts: KeytarSecretsOptions = {}): Secrets {
  const service = opts.service ?? 'SMS Desk';
  const account = opts.account ?? 'api-token';
  const env = opts.env ?? process.env;
  const load = opts.loadKeytar ?? importKeytar;
  let loaded: KeytarLike | null = null;

  async function keytar(): Promise<KeytarLike> {
    if (loaded) return loaded;
    try {
      loaded = asKeytar(await load());
      return loaded;
    } catch (err) {
      // Whatever went wrong while loading, the fix is on the module's side.
      throw new KeychainUnavailableError('native-module', keychainMessage('native-module', err));
    }
  }

  async function call<T>(fn: (k: KeytarLike) => Promise<T>, token?: string): Promise<T> {
    const k = await keytar();
    try {
      return await fn(k);
    } catch (err) {
      throw KeychainUnavailableError.from(err, token);
    }
  }

  async function fromKeychain(): Promise<string | null> {
    const stored = await call((k) => k.getPassword(service, account));
    return stored === null || stored === '' ? null : stored;
  }

  return {
    async get() {
      return tokenFromEnv(env) ?? fromKeychain();
    },
    async set(input: string) {
      const token = validateToken(input);
      await call((k) => k.setPassword(service, account, token), token);
    },
    async clear() {
      await call((k) => k.deletePassword(service, account));
    },
    async source(): Promise<TokenSource> {
      if (tokenFromEnv(env) !== null) return 'env';
      return (await fromKeychain()) === null ? null : 'keychain';
    },
  };
}
