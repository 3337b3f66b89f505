import type { Result } from './contract.ts';

/**
 * What the sandboxed preload needs, without the schemas: the two IPC channels and the shape of
 * window.smsdesk. The preload imports only this file, so its bundle stays a few kilobytes (zod stays
 * in the main process and the page). The route and event names live in contract.ts alone: the
 * preload passes a call's route name through as data and main answers only the contract's routes.
 */

/** page → main: `invoke(CALL_CHANNEL, route, input)` answers with a Result */
export const CALL_CHANNEL = 'smsdesk:call';
/** main → page: `send(EVENT_CHANNEL, name, payload)` */
export const EVENT_CHANNEL = 'smsdesk:event';

/** window.smsdesk as the preload builds it (electron/bridge.ts) and the page reads it (renderer/src/api). */
export interface SmsDeskBridge {
  call(route: string, input?: unknown): Promise<Result<unknown>>;
  on(event: string, cb: (payload: unknown) => void): () => void;
}

/** Web mode: the header carrying the access key. Lower case, as Node hands headers to the server. */
export const KEY_HEADER = 'x-smsdesk-key';
