/**
 * The security pass, beside what tests/unit/security.test.ts (pure trust functions),
 * tests/unit/builder.test.ts (fuses) and tests/unit/ipc.test.ts (a sample of routes) assert:
 *  - every IPC route refuses a foreign frame and malformed input before the engine is reached;
 *  - window.ts really wires the rules: Electron replaced by recording fakes (the binary cannot
 *    start here), our own code runs unchanged;
 *  - main.ts calls the hardening before any window exists;
 *  - gateway URL: https only except loopback, in both places that decide it;
 *  - TLS: no switch to ignore certificate errors anywhere, and a self-signed server is refused;
 *  - exports: formula injection escaped in campaign CSV and XLSX and the rejects XLSX, read back.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import * as XLSX from '@e965/xlsx';
import { describe, expect, it, vi } from 'vitest';
import { ROUTE_NAMES, type RouteName } from '../../shared/ipc/contract.ts';
import { createHandlers } from '../../electron/handlers/index.ts';
import { createIpcRouter } from '../../electron/handlers/ipc-router.ts';
import { APP_ORIGIN, isTrustedSender } from '../../electron/security.ts';
import type { Engine } from '../../electron/engine/api.ts';
import { gatewayUrl } from '../../electron/engine/gateway/url.ts';
import { createGatewayClient } from '../../electron/engine/gateway/client.ts';
import { checkBaseUrl } from '../../electron/engine/db/settings.ts';
import { createEngine } from '../../electron/engine/engine.ts';
import { createMemorySecrets } from '../../electron/engine/secrets/index.ts';
import { defaultSettings, type SettingKey } from '../../shared/settings.ts';
import { makeList, numbers, tempDir } from '../helpers/engine.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

// ---------------------------------------------------------------- Electron, recorded
const rec = vi.hoisted(() => ({
  windows: [] as Array<{
    opts: Record<string, unknown>;
    handlers: Map<string, (...a: unknown[]) => unknown>;
    openHandler?: (d: { url: string }) => unknown;
    loaded?: string;
  }>,
  opened: [] as string[],
  permissionRequest: undefined as undefined | ((...a: unknown[]) => void),
  permissionCheck: undefined as undefined | ((...a: unknown[]) => unknown),
  headers: undefined as
    | undefined
    | ((
        d: { responseHeaders: Record<string, string[]> },
        cb: (r: { responseHeaders: Record<string, string[]> }) => void,
      ) => void),
  protocolHandler: undefined as undefined | ((req: { url: string }) => Promise<Response>),
  schemes: [] as unknown[],
}));

vi.mock('electron', () => {
  class BrowserWindow {
    webContents: Record<string, unknown>;
    constructor(opts: Record<string, unknown>) {
      const w: (typeof rec.windows)[number] = { opts, handlers: new Map() };
      rec.windows.push(w);
      this.webContents = {
        setWindowOpenHandler: (h: (d: { url: string }) => unknown) => {
          w.openHandler = h;
        },
        on: (name: string, h: (...a: unknown[]) => unknown) => {
          w.handlers.set(name, h);
        },
      };
    }
    once() {}
    show() {}
    loadURL(url: string) {
      rec.windows[rec.windows.length - 1].loaded = url;
      return Promise.resolve();
    }
  }
  const session = {
    defaultSession: {
      setPermissionRequestHandler: (h: (...a: unknown[]) => void) => {
        rec.permissionRequest = h;
      },
      setPermissionCheckHandler: (h: (...a: unknown[]) => unknown) => {
        rec.permissionCheck = h;
      },
      webRequest: {
        onHeadersReceived: (h: typeof rec.headers) => {
          rec.headers = h;
        },
      },
    },
  };
  const protocol = {
    registerSchemesAsPrivileged: (s: unknown[]) => {
      rec.schemes.push(...s);
    },
    handle: (_scheme: string, h: typeof rec.protocolHandler) => {
      rec.protocolHandler = h;
    },
  };
  const shell = {
    openExternal: async (url: string) => {
      rec.opened.push(url);
    },
  };
  return { BrowserWindow, session, protocol, shell, default: { BrowserWindow, session, protocol, shell } };
});

describe('IPC: every route', () => {
  const untouchable = new Proxy(
    {},
    {
      get: (_t, p) => {
        throw new Error(`engine reached (${String(p)})`);
      },
    },
  ) as Engine;
  const h = createHandlers(untouchable, {
    mode: 'electron',
    version: '0',
    platform: 'linux',
    files: { savePath: async () => null, deliver: async () => ({ path: null, downloadUrl: null }) },
  });
  const route = createIpcRouter(h, (url) => isTrustedSender(url, APP_ORIGIN));

  it.each(ROUTE_NAMES as readonly RouteName[])(
    '%s refuses foreign frames and malformed input before reaching the engine',
    async (name) => {
      for (const frame of [
        'https://evil.example/',
        'about:blank',
        'app://smsdesk.evil/index.html',
        'file:///index.html',
        null,
      ]) {
        const r = await route(name, frame, undefined);
        expect(r, String(frame)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      }
      for (const bad of [
        12345,
        'a string',
        [1, 2],
        { unexpected: true, id: 'x', token: 5 },
        { id: -1, listId: Number.MAX_SAFE_INTEGER + 2 },
      ]) {
        const r = await route(name, `${APP_ORIGIN}/index.html`, bad);
        expect(r, JSON.stringify(bad)).toMatchObject({
          ok: false,
          error: { code: 'BAD_INPUT', message: expect.any(String) },
        });
      }
    },
  );
});

describe('Electron shell wiring (window.ts with Electron recorded)', async () => {
  const win = await import('../../electron/window.ts');
  win.registerAppScheme();
  win.hardenSession();
  const rendererDir = tempDir('smsdesk-renderer-');
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>x</title>');
  fs.writeFileSync(path.join(path.dirname(rendererDir), 'secret.txt'), 'outside');
  win.serveRenderer(rendererDir);
  win.createMainWindow({ preload: '/app/preload.cjs' });
  const w = rec.windows[0];

  it('the window is context-isolated, sandboxed, without Node, and loads only our page', () => {
    expect(w.opts.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webviewTag: false,
      webSecurity: true,
    });
    expect(w.loaded).toBe(`${APP_ORIGIN}/index.html`);
  });

  it('window.open is always denied; only allowed https links go to the browser', () => {
    for (const url of ['https://evil.example/', 'javascript:alert(1)', 'file:///etc/passwd', 'https://9bits.net/']) {
      expect(w.openHandler!({ url })).toEqual({ action: 'deny' });
    }
    expect(rec.opened).toEqual(['https://9bits.net/']);
  });

  it('navigation away from our page is blocked (will-navigate, will-redirect, frames); webviews are refused', () => {
    const prevented = (event: string, ...args: unknown[]) => {
      let p = false;
      const e = {
        preventDefault: () => {
          p = true;
        },
        url: args[0],
      };
      w.handlers.get(event)!(e, ...args);
      return p;
    };
    for (const ev of ['will-navigate', 'will-redirect']) {
      expect(prevented(ev, 'https://evil.example/'), ev).toBe(true);
      expect(prevented(ev, 'file:///etc/passwd'), ev).toBe(true);
      expect(prevented(ev, `${APP_ORIGIN}/index.html#/campaigns`), ev).toBe(false);
    }
    expect(prevented('will-frame-navigate', 'https://ads.example/')).toBe(true);
    expect(prevented('will-attach-webview')).toBe(true);
  });

  it('every permission request and check is denied', () => {
    for (const perm of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'hid', 'serial']) {
      let granted: unknown = 'not called';
      rec.permissionRequest!(
        {},
        perm,
        (g: boolean) => {
          granted = g;
        },
        {},
      );
      expect(granted, perm).toBe(false);
      expect(rec.permissionCheck!({}, perm, 'app://smsdesk', {}), perm).toBe(false);
    }
  });

  it('the CSP is on every response, and the app:// protocol serves nothing outside the renderer folder', async () => {
    let headers: Record<string, string[]> = {};
    rec.headers!({ responseHeaders: { 'Content-Type': ['text/html'] } }, (r) => {
      headers = r.responseHeaders;
    });
    expect(headers['Content-Security-Policy'][0]).toMatch(/default-src 'self'/);
    const ok = await rec.protocolHandler!({ url: `${APP_ORIGIN}/index.html` });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('Content-Security-Policy')).toMatch(/script-src 'self'/);
    for (const url of [`${APP_ORIGIN}/../secret.txt`, `${APP_ORIGIN}/%2e%2e/secret.txt`, 'app://evil/index.html']) {
      expect((await rec.protocolHandler!({ url })).status, url).toBe(404);
    }
  });

  it('main.ts hardens the session and registers the scheme before any window, and checks IPC senders', () => {
    const main = fs.readFileSync(path.join(ROOT, 'electron/main.ts'), 'utf8');
    const at = (s: string) => main.indexOf(s);
    expect(at('registerAppScheme()')).toBeGreaterThan(-1);
    expect(at('hardenSession()')).toBeGreaterThan(-1);
    expect(at('hardenSession()')).toBeLessThan(at('createMainWindow('));
    const ipc = fs.readFileSync(path.join(ROOT, 'electron/ipc.ts'), 'utf8');
    expect(ipc).toMatch(/createIpcRouter\(handlers, \(url\) => isTrustedSender\(url, APP_ORIGIN\)\)/);
    expect(ipc).toMatch(/event\.senderFrame/);
  });
});

describe('gateway URL: https, except this computer', () => {
  const hostile = [
    'http://app.9bits.net:2096',
    'http://127.0.0.1.evil.example',
    'http://localhost.evil.example',
    'http://evil.example#@127.0.0.1',
    'http://127.0.0.1@evil.example',
    'https://user:pass@app.9bits.net',
    'ftp://127.0.0.1',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'ws://127.0.0.1:9',
    'http://10.0.0.1',
    'http://[fe80::1]',
    'http://192.168.1.1:2096',
    'not a url',
    '',
  ];
  it.each(hostile)('refuses %j (client and settings)', (url) => {
    expect(gatewayUrl(url, '/ng/v1/sendsms').ok).toBe(false);
    expect(() => checkBaseUrl(url)).toThrow();
  });
  it.each(['https://app.9bits.net:2096', 'http://127.0.0.1:9000', 'http://localhost:8080', 'http://[::1]:8080'])(
    'allows %s',
    (url) => {
      expect(gatewayUrl(url, '/ng/v1/sendsms').ok).toBe(true);
      expect(() => checkBaseUrl(url)).not.toThrow();
    },
  );
});

describe('TLS errors are never ignored', () => {
  it('no code turns certificate checks off', () => {
    let out = '';
    try {
      out = execFileSync(
        'grep',
        [
          '-rnE',
          'rejectUnauthorized|NODE_TLS_REJECT_UNAUTHORIZED|checkServerIdentity|--ignore-certificate-errors|certificate-error',
          'electron',
          'shared',
          'bin',
          'scripts',
          'renderer/src',
          'package.json',
        ],
        { cwd: ROOT, encoding: 'utf8' },
      );
    } catch (e) {
      if ((e as { status?: number }).status !== 1) throw e; // 1 = no line matched
    }
    expect(out.trim().split('\n').filter(Boolean)).toEqual([]);
  }, 30_000);

  it.skipIf(!fs.existsSync('/usr/bin/openssl'))(
    'a self-signed gateway on 127.0.0.1: refused as never sent, the request never reaches it',
    async () => {
      const dir = tempDir('smsdesk-tls-');
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-keyout',
          path.join(dir, 'k.pem'),
          '-out',
          path.join(dir, 'c.pem'),
          '-days',
          '1',
          '-subj',
          '/CN=127.0.0.1',
          '-addext',
          'subjectAltName=IP:127.0.0.1',
        ],
        { stdio: 'ignore' },
      );
      let reached = 0;
      const server = https.createServer(
        { key: fs.readFileSync(path.join(dir, 'k.pem')), cert: fs.readFileSync(path.join(dir, 'c.pem')) },
        (_req, res) => {
          reached++;
          res.end('{"status_code":200}');
        },
      );
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      try {
        const s = { ...defaultSettings(), 'gateway.connectTimeoutMs': 3000, 'gateway.answerTimeoutMs': 3000 };
        const client = createGatewayClient({
          settings: { get: (k: SettingKey) => s[k] },
          token: async () => 'tls-test-token',
          baseUrl: () => `https://127.0.0.1:${(server.address() as { port: number }).port}`,
        });
        const out = await client.send({ from: 'ACME', to: ['2348031234567'], text: 'x', clientRef: 'tls1' });
        expect(out).toMatchObject({ kind: 'retry', neverSent: true });
        expect((out as { reason: string }).reason).toMatch(/certificate|secure connection/i);
        expect(reached).toBe(0);
      } finally {
        await new Promise((r) => server.close(r));
      }
    },
    30_000,
  );
});

describe('exports never hold a formula: escaped in CSV, string cells in XLSX', () => {
  const hostile = [
    '=HYPERLINK("http://evil.example","click")',
    '+1+1',
    '-2+3',
    '@SUM(A1:A9)',
    '\t=1+1',
    '\r=1+1',
    "=cmd|' /C calc'!A0",
  ];

  it('campaign results CSV and XLSX, read back; rejected rows XLSX, read back', async () => {
    const dataDir = tempDir('smsdesk-formula-');
    const engine = await createEngine({ dataDir, secrets: createMemorySecrets(null), env: {} });
    try {
      const rows = numbers(hostile.length).map((phone, i) => ({ phone, note: hostile[i] }));
      makeList(engine, 'f', [...rows, { phone: '=1+2', note: '@evil' }], ['note']);
      const c = await engine.campaigns.create({ list: 'f', from: 'ACME', text: '{note}' });
      const csv = path.join(dataDir, 'r.csv');
      const xlsx = path.join(dataDir, 'r.xlsx');
      await engine.campaigns.export(c.id, csv, 'csv');
      await engine.campaigns.export(c.id, xlsx, 'xlsx');
      const csvWb = XLSX.read(fs.readFileSync(csv, 'utf8'), { type: 'string', raw: true });
      const xlsxWb = XLSX.read(fs.readFileSync(xlsx), { cellFormula: true });
      for (const [wb, format] of [
        [csvWb, 'csv'],
        [xlsxWb, 'xlsx'],
      ] as const) {
        const sheet = wb.Sheets[wb.SheetNames[0]];
        const data = XLSX.utils.sheet_to_json<Record<string, unknown>>(sheet, { raw: true });
        for (const col of ['note', 'text']) {
          const got = data.map((r) => String(r[col]));
          if (format === 'csv') {
            // Each starts with the apostrophe; behind it the value as given (a leading tab or CR may be
            // trimmed on the way, by the message renderer or by the CSV reader, escaped all the same;
            // the line after that CR or tab gets its own apostrophe, see shared/export.ts).
            for (const g of got) expect(g, col).toMatch(/^'/);
            expect(
              got.map((g) => g.replace(/(^|[\r\n\t])'/g, '$1').trim()),
              col,
            ).toEqual(hostile.map((v) => v.trim()));
          } else {
            // XLSX: text cells, the value exactly as given (the message renderer may trim a leading tab or CR)
            expect(
              got.map((g) => g.trim()),
              col,
            ).toEqual(hostile.map((v) => v.trim()));
          }
        }
        for (const cell of Object.values(sheet))
          if (cell && typeof cell === 'object' && 'f' in cell) expect.fail(`formula cell ${JSON.stringify(cell)}`);
        if (format === 'xlsx') {
          const cells = Object.entries(sheet)
            .filter(([ref]) => !ref.startsWith('!'))
            .map(([, c]) => c as XLSX.CellObject);
          expect(
            cells.filter((c) => typeof c.v === 'string' && /^[=+\-@\t\r]/.test(c.v)).every((c) => c.t === 's'),
            'hostile values are string cells',
          ).toBe(true);
        }
      }
      const rej = path.join(dataDir, 'rej.xlsx');
      await engine.lists.exportRejects(engine.lists.list()[0].id, rej, 'xlsx');
      const rejWb = XLSX.read(fs.readFileSync(rej), { cellFormula: true });
      const rejRows = XLSX.utils.sheet_to_json<Record<string, unknown>>(rejWb.Sheets[rejWb.SheetNames[0]], {
        raw: true,
      });
      expect(rejRows.map((r) => [r.phone, r.note])).toEqual([['=1+2', '@evil']]);
      for (const cell of Object.values(rejWb.Sheets[rejWb.SheetNames[0]]))
        if (cell && typeof cell === 'object' && 'f' in cell) expect.fail('formula cell in rejects');
    } finally {
      await engine.close();
    }
  });
});
