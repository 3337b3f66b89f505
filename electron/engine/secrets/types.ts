import type { AsyncEntry, EntryOptions } from '@napi-rs/keyring';

export type TokenSource = 'env' | 'keychain' | null;

/** Where the 9bits API token lives. The engine only ever talks to this interface. */
export interface Secrets {
  /** The token to use: SMSDESK_TOKEN when set, else the keychain's; null when neither has one. */
  get(): Promise<string | null>;
  /** Validates and stores the token in the keychain (even while SMSDESK_TOKEN overrides it). */
  set(token: string): Promise<void>;
  /** Removes the token from the keychain; SMSDESK_TOKEN, if set, still applies. */
  clear(): Promise<void>;
  source(): Promise<TokenSource>;
}

/** The part of an @napi-rs/keyring entry we use. */
export type KeyringEntry = Pick<AsyncEntry, 'getPassword' | 'setPassword' | 'deletePassword'>;

/** The part of the @napi-rs/keyring module we use. */
export interface KeyringModule {
  AsyncEntry: new (service: string, username: string, options?: EntryOptions) => KeyringEntry;
  /** The Linux stores an entry can be pinned to; absent from builds that cannot pin one. */
  LinuxStore?: { SecretService?: unknown };
}

export const ENV_TOKEN_VAR = 'SMSDESK_TOKEN';
/** The keychain entry's service name; SMSDESK_KEYCHAIN_SERVICE replaces it (tests, side-by-side installs). */
export const DEFAULT_KEYCHAIN_SERVICE = 'SMS Desk';
export const KEYCHAIN_SERVICE_VAR = 'SMSDESK_KEYCHAIN_SERVICE';
