import { describe, expect, it } from 'vitest';
import {
  APP_ORIGIN,
  contentSecurityPolicy,
  externalLinkAllowed,
  isAllowedNavigation,
  isTrustedSender,
  permissionCheckHandler,
  permissionRequestHandler,
  webPreferences,
} from '../../electron/security.ts';

describe('isAllowedNavigation: the window only ever shows our own page', () => {
  const allowed = [
    `${APP_ORIGIN}/index.html`,
    `${APP_ORIGIN}/`,
    `${APP_ORIGIN}/index.html#/campaigns/3`,
    'APP://SMSDESK/index.html',
  ];
  const denied = [
    'https://evil.example/',
    'http://127.0.0.1:5173/',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'app://smsdesk.evil.example/index.html',
    'app://evil/index.html',
    'app://user:pw@smsdesk/index.html',
    'app://smsdesk:8080/index.html',
    'about:blank',
    'app:\\\\smsdesk/index.html',
    ' app://smsdesk/index.html',
    '',
    'not a url',
  ];
  it.each(allowed)('allows %s', (url) => expect(isAllowedNavigation(url, APP_ORIGIN)).toBe(true));
  it.each(denied)('denies %s', (url) => expect(isAllowedNavigation(url, APP_ORIGIN)).toBe(false));
  it('refuses non-strings', () => {
    expect(isAllowedNavigation(undefined, APP_ORIGIN)).toBe(false);
    expect(isAllowedNavigation({ toString: () => APP_ORIGIN }, APP_ORIGIN)).toBe(false);
  });
});

describe('isTrustedSender: IPC answers only frames showing our page', () => {
  it.each([
    [`${APP_ORIGIN}/index.html`, true],
    [`${APP_ORIGIN}/index.html?x=1#y`, true],
    ['https://ads.example/frame.html', false],
    ['about:srcdoc', false],
    ['about:blank', false],
    ['data:text/html,hi', false],
    ['devtools://devtools/bundled/index.html', false],
    ['app://smsdesk@evil/index.html', false],
    [null, false],
    [undefined, false],
  ] as const)('%s → %s', (url, ok) => expect(isTrustedSender(url, APP_ORIGIN)).toBe(ok));
});

describe('externalLinkAllowed: links opened in the browser are https to a checked list', () => {
  const allowed = [
    'https://9bits.net/',
    'https://www.9bits.net/pricing',
    'https://app.9bits.net/login?next=/tokens',
    'https://DOCS.9bits.net/api#sms',
  ];
  const denied = [
    'http://9bits.net/', // plain http
    'javascript:alert(document.cookie)',
    'JaVaScRiPt:alert(1)',
    'java\tscript:alert(1)',
    'file:///C:/Windows/System32/calc.exe',
    'data:text/html;base64,PHNjcmlwdD4=',
    'https://user:pass@9bits.net/', // credentials in the URL
    'https://9bits.net@evil.example/', // looks like 9bits, goes to evil.example
    'https://9bits.net:8443/', // non-default port
    'https://app.9bits.net:2096/ng/v1/sendsms',
    'https://9bits.net.evil.example/',
    'https://evil9bits.net/',
    'https://xn--9bts-mve.net/', // IDN look-alike (Cyrillic і) in punycode
    'https://9bіts.net/', // the same look-alike as typed
    'https://９bits.net/', // full-width digit
    'https:\\\\9bits.net\\',
    'smb://9bits.net/share',
    'ms-msdt:/id PCWDiagnostic',
    'vbscript:msgbox(1)',
    '//9bits.net/',
    '',
  ];
  it.each(allowed)('allows %s', (url) => expect(externalLinkAllowed(url)).toBe(true));
  it.each(denied)('denies %s', (url) => expect(externalLinkAllowed(url)).toBe(false));
});

describe('contentSecurityPolicy', () => {
  it.each(['header', 'meta'] as const)("%s: strict, no inline or eval'd script", (delivery) => {
    const csp = contentSecurityPolicy(delivery);
    const directives = Object.fromEntries(
      csp
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([k, ...v]) => [k, v]),
    );
    expect(directives['default-src']).toEqual(["'self'"]);
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['object-src']).toEqual(["'none'"]);
    expect(directives['base-uri']).toEqual(["'none'"]);
    // a <meta> policy cannot carry frame-ancestors (the browser ignores it there); X-Frame-Options and the header do
    expect(directives['frame-ancestors']).toEqual(delivery === 'header' ? ["'none'"] : undefined);
    expect(directives['connect-src']).toEqual(["'self'"]);
    expect(csp).not.toMatch(/unsafe-eval|unsafe-inline|\*/);
  });
});

describe('webPreferences', () => {
  it('isolates the page from Node and sandboxes it', () => {
    const p = webPreferences('/app/preload.cjs', { packaged: true });
    expect(p).toMatchObject({
      preload: '/app/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
    });
  });

  it('a packaged build has no DevTools; running from source keeps them', () => {
    expect(webPreferences('/p.cjs', { packaged: true }).devTools).toBe(false);
    expect(webPreferences('/p.cjs', { packaged: false }).devTools).toBe(true);
  });
});

describe('permissions', () => {
  it.each(['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen'])(
    'denies %s',
    (perm) => {
      let granted: boolean | undefined;
      permissionRequestHandler(null, perm, (g) => {
        granted = g;
      });
      expect(granted).toBe(false);
      expect(permissionCheckHandler()).toBe(false);
    },
  );
});
