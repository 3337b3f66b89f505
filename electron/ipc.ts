import { ipcMain, type BrowserWindow } from 'electron';
import { ROUTE_NAMES, eventChannel, routeChannel } from '../shared/ipc/contract.ts';
import type { Emit } from './handlers/events.ts';
import type { Handlers } from './handlers/index.ts';
import { createIpcRouter } from './handlers/sender.ts';
import { APP_ORIGIN, isTrustedSender } from './security.ts';

/** One ipcMain.handle per contract route; each checks the sending frame, then the handler parses the input. */
export function registerIpc(handlers: Handlers): () => void {
  const route = createIpcRouter(handlers, (url) => isTrustedSender(url, APP_ORIGIN));
  for (const name of ROUTE_NAMES) {
    // senderFrame is null when the frame navigated away or was destroyed before the call arrived
    ipcMain.handle(routeChannel(name), (event, input: unknown) => route(name, event.senderFrame?.url ?? null, input));
  }
  return () => {
    for (const name of ROUTE_NAMES) ipcMain.removeHandler(routeChannel(name));
  };
}

/** Sends contract events to the window's top frame, if it is showing our page. */
export function windowEmitter(window: () => BrowserWindow | null): Emit {
  return (name, payload) => {
    const win = window();
    if (!win || win.isDestroyed()) return;
    const wc = win.webContents;
    if (!isTrustedSender(wc.getURL(), APP_ORIGIN)) return;
    wc.send(eventChannel(name), payload);
  };
}
