/** An error the user caused or can fix: `message` is one plain sentence saying what to do. */
export class UserError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function errorCode(e: unknown): string {
  const c = (e as { code?: unknown })?.code;
  return typeof c === 'string' ? c : 'INTERNAL';
}

/**
 * Errors only a bug produces (the engine's own refusals are Errors with a code): their text means
 * nothing to the user and may show internals. The worker protocol keeps these names across the
 * thread boundary, and the handlers answer them with INTERNAL; one list, so the two agree.
 */
export const BUG_ERROR_NAMES: ReadonlySet<string> = new Set([
  'TypeError',
  'ReferenceError',
  'SyntaxError',
  'EvalError',
  'URIError',
  'RangeError',
]);
