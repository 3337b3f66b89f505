export type { Secrets, TokenSource, KeyringModule, KeyringEntry } from './types.ts';
export { ENV_TOKEN_VAR, KEYCHAIN_SERVICE_VAR, DEFAULT_KEYCHAIN_SERVICE } from './types.ts';
export {
  createKeychainSecrets,
  keychainServiceName,
  KEYCHAIN_TIMEOUT_MS,
  type KeychainSecretsOptions,
} from './keyring.ts';
export { createMemorySecrets } from './memory.ts';
export {
  KeychainUnavailableError,
  describeKeychainError,
  classifyKeychainError,
  type KeychainProblem,
} from './errors.ts';
export { InvalidTokenError, validateToken, MAX_TOKEN_LENGTH } from './token.ts';
