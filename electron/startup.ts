import { ROUTE_NAMES, type RouteName } from '../shared/ipc/contract.ts';
import type { Handler, Handlers } from './handlers/index.ts';

/**
 * Start-up that never leaves the user in front of nothing: the window opens at once while the engine
 * starts (opening the ledger, recovering an interrupted send can take seconds), and every call the
 * page makes meanwhile waits for the engine instead of failing. Pure apart from the promise it is
 * given, so tests/unit/lifecycle.test.ts runs it without Electron.
 */

export const ENGINE_UNAVAILABLE = 'ENGINE_UNAVAILABLE';

/** The sentence the page shows for every call once the engine could not start. */
export function engineUnavailableMessage(err: unknown): string {
  const why = err instanceof Error ? err.message : String(err);
  return `SMS Desk could not start its engine: ${why.replace(/[.\s]+$/, '')}. Quit and open SMS Desk again; if it keeps happening, see the log in the data folder.`;
}

/**
 * Handlers for every route that wait for the real ones. A call made while the engine starts is
 * answered once it is ready; after a failed start every call gets one clear sentence.
 */
export function deferredHandlers(ready: Promise<Handlers>, names: readonly RouteName[] = ROUTE_NAMES): Handlers {
  // a rejection nobody waits on yet must not become an unhandled rejection of the main process
  ready.catch(() => {});
  const out: Partial<Record<RouteName, Handler<RouteName>>> = {};
  for (const name of names) {
    out[name] = async (input: unknown) => {
      let handlers: Handlers;
      try {
        handlers = await ready;
      } catch (err) {
        return { ok: false, error: { code: ENGINE_UNAVAILABLE, message: engineUnavailableMessage(err) } };
      }
      return (handlers[name] as Handler<RouteName>)(input);
    };
  }
  return out as Handlers;
}

/** Settles like `p`, or rejects with `message` after `ms`: for steps that must not hold up a quit. */
export function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
