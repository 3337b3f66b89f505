import { BrowserWindow, protocol, session, shell } from 'electron';
import fs from 'node:fs';
import { resolveStatic } from './web/static.ts';
import {
  APP_HOST,
  APP_ORIGIN,
  APP_SCHEME,
  contentSecurityPolicy,
  externalLinkAllowed,
  isAllowedNavigation,
  permissionCheckHandler,
  permissionRequestHandler,
  webPreferences,
} from './security.ts';

/** Must run before app 'ready': app:// behaves like https (secure context, fetch, its own origin). */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

/** Serves the built renderer on app://smsdesk/ with the CSP header; nothing outside that folder. */
export function serveRenderer(rendererDir: string): void {
  const csp = contentSecurityPolicy();
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    const hit = url.host === APP_HOST ? resolveStatic(rendererDir, url.pathname) : null;
    if (!hit) return new Response('Not found', { status: 404, headers: { 'Content-Type': 'text/plain' } });
    return new Response(await fs.promises.readFile(hit.file), {
      headers: { 'Content-Type': hit.type, 'Content-Security-Policy': csp, 'X-Content-Type-Options': 'nosniff' },
    });
  });
}

/** Session-wide rules: no permission is ever granted, and every response carries the CSP. */
export function hardenSession(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler(permissionRequestHandler);
  ses.setPermissionCheckHandler(permissionCheckHandler);
  const csp = contentSecurityPolicy();
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
  });
}

/** packaged: app.isPackaged (DevTools only when running from source); unknown counts as packaged */
export function createMainWindow(opts: { preload: string; icon?: string; packaged?: boolean }): BrowserWindow {
  const win = new BrowserWindow({
    width: 1200,
    height: 820,
    minWidth: 760,
    minHeight: 560,
    show: false,
    title: 'SMS Desk',
    icon: opts.icon,
    backgroundColor: '#ffffff',
    webPreferences: webPreferences(opts.preload, { packaged: opts.packaged ?? true }),
  });
  const wc = win.webContents;
  wc.setWindowOpenHandler(({ url }) => {
    if (externalLinkAllowed(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  const guard = (e: { preventDefault(): void }, url: string) => {
    if (!isAllowedNavigation(url, APP_ORIGIN)) {
      e.preventDefault();
      if (externalLinkAllowed(url)) void shell.openExternal(url);
    }
  };
  wc.on('will-navigate', guard);
  wc.on('will-redirect', guard);
  wc.on('will-frame-navigate', (e) => {
    if (!isAllowedNavigation(e.url, APP_ORIGIN)) e.preventDefault();
  });
  wc.on('will-attach-webview', (e) => e.preventDefault());
  win.once('ready-to-show', () => win.show());
  void win.loadURL(`${APP_ORIGIN}/index.html`);
  return win;
}
