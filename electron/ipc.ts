import { ipcMain, type BrowserWindow } from 'electron';
import { CALL_CHANNEL, EVENT_CHANNEL } from '../shared/ipc/names.ts';
import type { Emit } from './handlers/events.ts';
import type { Handlers } from './handlers/index.ts';
import { createIpcRouter } from './handlers/ipc-router.ts';
import { APP_ORIGIN, isTrustedSender } from './security.ts';

/** One handler for every contract route: it checks the sending frame, then the route's handler parses the input. */
export function registerIpc(handlers: Handlers): () => void {
  const route = createIpcRouter(handlers, (url) => isTrustedSender(url, APP_ORIGIN));
  // senderFrame is null when the frame navigated away or was destroyed before the call arrived
  ipcMain.handle(CALL_CHANNEL, (event, name: unknown, input: unknown) =>
    route(name, event.senderFrame?.url ?? null, input),
  );
  return () => ipcMain.removeHandler(CALL_CHANNEL);
}

/** Sends contract events to the window's top frame, if it is showing our page. */
export function windowEmitter(window: () => BrowserWindow | null): Emit {
  return (name, payload) => {
    const win = window();
    if (!win || win.isDestroyed()) return;
    const wc = win.webContents;
    if (!isTrustedSender(wc.getURL(), APP_ORIGIN)) return;
    wc.send(EVENT_CHANNEL, name, payload);
  };
}
