/** An error the user caused or can fix: `message` is one plain sentence saying what to do. */
export class UserError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

export function errorCode(e: unknown): string {
  const c = (e as { code?: unknown })?.code;
  return typeof c === 'string' ? c : 'INTERNAL';
}
