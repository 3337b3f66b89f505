/**
 * The one place in the UI that knows how it talks to the main process.
 * In Electron the preload exposes window.smsdesk; in a browser (`npm run web`) calls go over HTTP.
 *
 *   import { api, onEvent, mode, download, ApiError } from '../api';
 *   const s = await api.campaigns.status({ id });             // throws ApiError { code, message }
 *   const off = onEvent('campaign', ({ campaignId, status }) => …);
 *   const r = await api.campaigns.export({ id, format: 'csv' }); await download(r);
 */
import { ApiError, createClient, type Transport } from '../../../shared/ipc/client.ts';
import type { RouteName, RouteOutput } from '../../../shared/ipc/contract.ts';
import type { SmsDeskBridge } from '../../../shared/ipc/names.ts';
import { createWebTransport, takeKeyFromLocation } from './web.ts';

export { ApiError };
export type { Api } from '../../../shared/ipc/client.ts';
export type { EventName, EventPayload, RouteInput, RouteName, RouteOutput } from '../../../shared/ipc/contract.ts';

type Bridge = SmsDeskBridge;

declare global {
  interface Window {
    smsdesk?: Bridge;
  }
}

function electronTransport(bridge: Bridge): Transport {
  return {
    call: (route: RouteName, input: unknown) => bridge.call(route, input),
    subscribe: (event, cb) => bridge.on(event, cb),
  };
}

const bridge = typeof window !== 'undefined' ? window.smsdesk : undefined;
const web = bridge ? null : createWebTransport(typeof window !== 'undefined' ? takeKeyFromLocation(window) : null);

export const mode: 'electron' | 'web' = bridge ? 'electron' : 'web';
/**
 * Web mode: the browser asks once whether the page may notify, on the user's first send (a click,
 * so the browser shows the question), never on page load. The desktop app needs no permission.
 */
let askedToNotify = false;
function askToNotify(route: RouteName): void {
  if (askedToNotify || (route !== 'campaigns.send' && route !== 'campaigns.resume')) return;
  askedToNotify = true;
  if (typeof Notification === 'undefined' || Notification.permission !== 'default') return;
  Notification.requestPermission().catch(() => {
    /* refused or unsupported: the strip still shows progress */
  });
}
const webTransport: Transport | null = web && {
  ...web,
  call: (route, input) => {
    askToNotify(route);
    return web.call(route, input);
  },
};

const client = createClient(bridge ? electronTransport(bridge) : webTransport!);

export const api = client.api;
export const onEvent = client.onEvent;

type ExportResult = RouteOutput<'campaigns.export'>;

/**
 * Finishes an export for the user. In Electron the file is already where they chose (returns its path);
 * in web mode this fetches the one-time download and hands it to the browser (returns null).
 */
export async function download(result: ExportResult): Promise<string | null> {
  if (!result.saved) return null;
  if (result.downloadUrl && web) {
    try {
      await web.download(result.downloadUrl, result.name);
    } catch (err) {
      throw new ApiError('FAILED', (err as Error).message);
    }
    return null;
  }
  return result.path;
}
