import type { Result } from './contract.ts';

/**
 * The route and event names alone, without their schemas: the preload imports only this file,
 * so the sandboxed preload bundle stays a few kilobytes (zod stays in the main process and the page).
 * contract.ts fails to compile unless its `routes` and `events` have exactly these keys.
 */
export const ROUTE_NAMES = [
  'app.info',
  'settings.all',
  'settings.set',
  'token.status',
  'token.set',
  'token.clear',
  'token.test',
  'lists.list',
  'lists.get',
  'lists.delete',
  'lists.contacts',
  'lists.rejects',
  'lists.exportRejects',
  'imports.begin',
  'imports.add',
  'imports.commit',
  'imports.cancel',
  'optouts.list',
  'optouts.add',
  'optouts.remove',
  'templates.list',
  'templates.save',
  'templates.delete',
  'campaigns.create',
  'campaigns.list',
  'campaigns.get',
  'campaigns.status',
  'campaigns.active',
  'campaigns.networks',
  'campaigns.retryNow',
  'campaigns.send',
  'campaigns.pause',
  'campaigns.resume',
  'campaigns.cancel',
  'campaigns.uncertain',
  'campaigns.resolve',
  'campaigns.resendFailed',
  'campaigns.preview',
  'campaigns.messages',
  'campaigns.export',
  'campaigns.chart',
  'campaigns.testSend',
] as const;

export const EVENT_NAMES = ['campaign', 'sending-blocked', 'engine-notice'] as const;

export type RouteName = (typeof ROUTE_NAMES)[number];
export type EventName = (typeof EVENT_NAMES)[number];

const routeSet: ReadonlySet<string> = new Set(ROUTE_NAMES);
const eventSet: ReadonlySet<string> = new Set(EVENT_NAMES);

export function isRouteName(name: unknown): name is RouteName {
  return typeof name === 'string' && routeSet.has(name);
}
export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && eventSet.has(name);
}

/** IPC channel names: one per route and one per event, so main registers each on its own. */
export const routeChannel = (name: RouteName) => `smsdesk:route:${name}`;
export const eventChannel = (name: EventName) => `smsdesk:event:${name}`;

/** window.smsdesk as the preload builds it (electron/bridge.ts) and the page reads it (renderer/src/api). */
export type SmsDeskBridge = Record<string, Record<string, (input?: unknown) => Promise<Result<unknown>>>> & {
  on(event: EventName, cb: (payload: unknown) => void): () => void;
};

/** Web mode: the header carrying the access key. Lower case, as Node hands headers to the server. */
export const KEY_HEADER = 'x-smsdesk-key';
