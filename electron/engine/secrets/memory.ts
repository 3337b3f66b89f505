import { tokenFromEnv } from './env.ts';
import { validateToken } from './token.ts';
import type { Secrets, TokenSource } from './types.ts';

/**
 * An in-memory Secrets for the tests of OTHER modules (engine, IPC, CLI) that only need
 * "some token store". It applies the same validation and SMSDESK_TOKEN rule as the keychain
 * version, but it is never used by the app: the secrets module itself is tested against a real
 * keychain (tests/engine/secrets.test.ts).
 */
export function createMemorySecrets(
  initial: string | null = null,
  opts: { env?: Record<string, string | undefined> } = {},
): Secrets {
  let stored: string | null = initial === null ? null : validateToken(initial);
  const env = opts.env ?? {};
  return {
    async get() {
      return tokenFromEnv(env) ?? stored;
    },
    async set(token: string) {
      stored = validateToken(token);
    },
    async clear() {
      stored = null;
    },
    async source(): Promise<TokenSource> {
      if (tokenFromEnv(env) !== null) return 'env';
      return stored === null ? null : 'keychain';
    },
  };
}
