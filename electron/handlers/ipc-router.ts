import type { Result } from '../../shared/ipc/contract.ts';
import { dispatch } from './index.ts';
import type { Handlers } from './types.ts';

/**
 * Electron IPC entry: every call must come from our own page (a frame whose URL is our origin).
 * An injected iframe, a navigated-away page or a devtools-opened window is refused before the
 * route name or the input is even looked at; a name the contract does not list gets NOT_FOUND.
 */
export function createIpcRouter(handlers: Handlers, isTrusted: (frameUrl: string | null | undefined) => boolean) {
  return async (route: unknown, frameUrl: string | null | undefined, input: unknown): Promise<Result<unknown>> => {
    if (!isTrusted(frameUrl)) {
      return {
        ok: false,
        error: { code: 'FORBIDDEN', message: 'This call did not come from the SMS Desk window and was refused.' },
      };
    }
    return dispatch(handlers, route, input);
  };
}
