// names.ts only: the sandboxed preload bundle must not pull in zod and the schemas
import { CALL_CHANNEL, EVENT_CHANNEL, type SmsDeskBridge } from '../shared/ipc/names.ts';
import type { Result } from '../shared/ipc/contract.ts';

export type { SmsDeskBridge } from '../shared/ipc/names.ts';

/** The part of Electron's ipcRenderer the preload uses (a fake one in tests). */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

/** no route or event name is longer; anything else is refused before it reaches main */
const MAX_NAME = 60;

/**
 * What window.smsdesk holds: `call(route, input)` and `on(event, cb)`, nothing else. Only data
 * crosses: the page can reach the one call channel (main answers only the contract's routes, from
 * our own frame), never choose a channel, and the IPC event object (which carries `sender`) never
 * reaches the page. A new route needs no change here: its name is data.
 */
export function buildBridge(ipc: IpcRendererLike): SmsDeskBridge {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let listening = false;
  const dispatch = (_e: unknown, name: unknown, payload: unknown) => {
    if (typeof name !== 'string') return;
    for (const cb of listeners.get(name) ?? []) cb(payload);
  };
  const call = (route: string, input?: unknown): Promise<Result<unknown>> => {
    if (typeof route !== 'string' || route.length > MAX_NAME) {
      return Promise.resolve({ ok: false, error: { code: 'NOT_FOUND', message: 'There is no such route.' } });
    }
    return ipc.invoke(CALL_CHANNEL, route, input) as Promise<Result<unknown>>;
  };
  const on = (event: string, cb: (payload: unknown) => void): (() => void) => {
    if (typeof event !== 'string' || event.length > MAX_NAME) throw new Error('on(event, cb) needs an event name.');
    if (typeof cb !== 'function') throw new Error('on(event, cb) needs a function.');
    const set = listeners.get(event) ?? listeners.set(event, new Set()).get(event)!;
    // a wrapper per subscription, so subscribing the same function twice gives two independent offs
    const one = (payload: unknown) => cb(payload);
    set.add(one);
    if (!listening) {
      listening = true;
      ipc.on(EVENT_CHANNEL, dispatch);
    }
    return () => {
      set.delete(one);
      if (set.size === 0) listeners.delete(event);
      if (listeners.size === 0 && listening) {
        listening = false;
        ipc.removeListener(EVENT_CHANNEL, dispatch);
      }
    };
  };
  return { call, on };
}
