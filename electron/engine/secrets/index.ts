export type { Secrets, TokenSource, KeytarLike } from './types.ts';
export { ENV_TOKEN_VAR } from './types.ts';
export { createKeytarSecrets, type KeytarSecretsOptions } from './keytar.ts';
export { createMemorySecrets } from './memory.ts';
export {
  KeychainUnavailableError,
  describeKeychainError,
  classifyKeychainError,
  type KeychainProblem,
} from './errors.ts';
export { InvalidTokenError, validateToken, MAX_TOKEN_LENGTH } from './token.ts';
