// names.ts only: the sandboxed preload bundle must not pull in zod and the schemas
import {
  EVENT_NAMES,
  ROUTE_NAMES,
  eventChannel,
  isEventName,
  routeChannel,
  type EventName,
  type RouteName,
  type SmsDeskBridge,
} from '../shared/ipc/names.ts';
import type { Result } from '../shared/ipc/contract.ts';

export type { SmsDeskBridge } from '../shared/ipc/names.ts';

/** The part of Electron's ipcRenderer the preload uses (a fake one in tests). */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

/**
 * What window.smsdesk holds: `smsdesk.<group>.<method>(input)` for each contract route and
 * `smsdesk.on(event, cb)` for the listed events. Only data crosses: the IPC event object (which
 * carries `sender`) never reaches the page, and no channel name can be chosen by the page.
 */
export function buildBridge(ipc: IpcRendererLike): SmsDeskBridge {
  const bridge: Record<string, Record<string, (input?: unknown) => Promise<Result<unknown>>>> = {};
  for (const name of ROUTE_NAMES) {
    const [group, method] = name.split('.') as [string, string];
    const channel = routeChannel(name as RouteName);
    bridge[group] ??= {};
    bridge[group][method] = (input?: unknown) => ipc.invoke(channel, input) as Promise<Result<unknown>>;
  }
  const on = (event: EventName, cb: (payload: unknown) => void): (() => void) => {
    if (!isEventName(event)) throw new Error(`Unknown event ${String(event)}; known: ${EVENT_NAMES.join(', ')}.`);
    if (typeof cb !== 'function') throw new Error('on(event, cb) needs a function.');
    const listener = (_e: unknown, payload: unknown) => cb(payload);
    const channel = eventChannel(event);
    ipc.on(channel, listener);
    return () => {
      ipc.removeListener(channel, listener);
    };
  };
  return Object.assign(bridge, { on }) as SmsDeskBridge;
}
