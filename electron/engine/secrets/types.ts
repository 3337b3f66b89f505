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

/** The part of keytar we use; keytar's own module satisfies it. */
export interface KeytarLike {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
}

export const ENV_TOKEN_VAR = 'SMSDESK_TOKEN';
