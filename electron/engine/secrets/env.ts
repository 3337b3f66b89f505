import { validateToken } from './token.ts';
import { ENV_TOKEN_VAR } from './types.ts';

/** The SMSDESK_TOKEN override, trimmed; an empty or blank value counts as unset. */
export function tokenFromEnv(env: Record<string, string | undefined>): string | null {
  const raw = env[ENV_TOKEN_VAR];
  if (raw === undefined || raw.trim() === '') return null;
  return validateToken(raw, `The ${ENV_TOKEN_VAR} environment variable`);
}
