/**
 * Trust decisions of the desktop shell, as pure functions so a table of hostile inputs can test them
 * (tests/unit/security.test.ts). Nothing here imports 'electron'.
 */

/** The page is served from this custom protocol in Electron (see window.ts). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'smsdesk';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** https links the app may open in the user's browser; exact host names, no subdomain wildcards. */
export const EXTERNAL_HOSTS: ReadonlySet<string> = new Set([
  '9bits.net',
  'www.9bits.net',
  'app.9bits.net',
  'docs.9bits.net',
]);

function parse(url: unknown): URL | null {
  if (typeof url !== 'string' || url.length === 0 || url.length > 2048) return null;
  // Browsers repair these before parsing, which is how "java\tscript:" and "https:\\\\evil" sneak past checks.
  if (/[\x00-\x20\x7f\\]/.test(url)) return null;
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** `scheme://host[:port]`, also for custom schemes where URL.origin is "null" */
function originOf(u: URL): string {
  return `${u.protocol}//${u.host}`.toLowerCase();
}

/** Same origin as our page, and no user:password@ part that could disguise the host. */
export function isSameAppOrigin(url: unknown, appOrigin: string): boolean {
  const u = parse(url);
  const app = parse(appOrigin);
  if (!u || !app) return false;
  if (u.username || u.password) return false;
  return originOf(u) === originOf(app);
}

/** The window may only ever show our own page: every other navigation is blocked. */
export function isAllowedNavigation(url: unknown, appOrigin: string): boolean {
  return isSameAppOrigin(url, appOrigin);
}

/** IPC is answered only for frames showing our page (not an iframe or a page navigated elsewhere). */
export function isTrustedSender(frameUrl: unknown, appOrigin: string): boolean {
  return isSameAppOrigin(frameUrl, appOrigin);
}

/**
 * Links opened in the user's browser: https on the default port to a listed host, nothing else.
 * IDN look-alikes (e.g. Cyrillic "9bіts.net") arrive as xn-- punycode and fail the exact match.
 */
export function externalLinkAllowed(url: unknown): boolean {
  // Only plain ASCII as written: the parser would quietly fold full-width or look-alike characters.
  if (typeof url !== 'string' || /[^\x21-\x7e]/.test(url)) return false;
  const u = parse(url);
  if (!u) return false;
  if (u.protocol !== 'https:') return false;
  if (u.username || u.password) return false;
  if (u.port !== '') return false;
  return EXTERNAL_HOSTS.has(u.hostname.toLowerCase());
}

/**
 * The one Content-Security-Policy of the app, for Electron (app:// responses and the session) and the
 * web mode's server alike, and the one Vite writes into the built page (vite.config.ts). Everything
 * from our own origin, no inline or eval'd script. tests/unit/csp.test.ts checks all three use it.
 */
const CSP_DIRECTIVES: ReadonlyArray<readonly [string, string]> = [
  ['default-src', "'self'"],
  ['script-src', "'self'"],
  // React sets styles through the CSSOM, which style-src does not restrict; no inline <style> needed.
  ['style-src', "'self'"],
  ['img-src', "'self' data: blob:"],
  ['font-src', "'self'"],
  ['connect-src', "'self'"],
  // the CSV/XLSX parser runs in a module worker loaded from its own file
  ['worker-src', "'self'"],
  ['media-src', "'none'"],
  ['object-src', "'none'"],
  ['base-uri', "'none'"],
  ['form-action', "'none'"],
  ['frame-src', "'none'"],
  ['frame-ancestors', "'none'"],
];

/** Directives a <meta> policy may not carry (the browser ignores them there and logs an error). */
const HEADER_ONLY = new Set(['frame-ancestors', 'report-uri', 'sandbox']);

/**
 * The policy as sent in the Content-Security-Policy header ('header'), or as written into the page's
 * <meta http-equiv> ('meta': the same minus what only a header can carry).
 */
export function contentSecurityPolicy(delivery: 'header' | 'meta' = 'header'): string {
  return CSP_DIRECTIVES.filter(([name]) => delivery === 'header' || !HEADER_ONLY.has(name))
    .map(([name, value]) => `${name} ${value}`)
    .join('; ');
}

/**
 * BrowserWindow webPreferences: the renderer gets no Node, its own JS world, and the OS sandbox.
 * DevTools only when running from source (`npm start`), never in a packaged build.
 */
export function webPreferences(preload: string, opts: { packaged: boolean }) {
  return {
    preload,
    devTools: !opts.packaged,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    enableBlinkFeatures: '',
    navigateOnDragDrop: false,
    spellcheck: false,
    safeDialogs: true,
  } as const;
}

/** Camera, microphone, notifications, geolocation…: the app needs none, so every request is refused. */
export function permissionRequestHandler(
  _wc: unknown,
  _permission: string,
  callback: (granted: boolean) => void,
): void {
  callback(false);
}
export function permissionCheckHandler(): boolean {
  return false;
}
