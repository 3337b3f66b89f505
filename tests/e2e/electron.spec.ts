import { _electron as electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The desktop app itself, driven through Playwright's Electron support. Electron's binary cannot
 * be downloaded on every machine (the package installs without it): then these tests skip, saying
 * so, and run wherever the binary exists. Run: npx playwright test -c playwright.electron.config.ts
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** as scripts/electron.mjs electronBinary(): path.txt read directly, since require('electron') starts a download */
const binary = (() => {
  try {
    const dir = path.dirname(createRequire(path.join(root, 'package.json')).resolve('electron/package.json'));
    const exe = fs.readFileSync(path.join(dir, 'path.txt'), 'utf8').trim();
    const full = path.join(process.env.ELECTRON_OVERRIDE_DIST_PATH ?? path.join(dir, 'dist'), exe);
    return exe && fs.existsSync(full) ? full : null;
  } catch {
    return null;
  }
})();

test.skip(
  !binary,
  'no Electron binary here: node_modules/electron has no dist/ (npm start fetches it, and could not on this machine: its download host is unreachable); these specs run wherever `npm start` could fetch Electron',
);

type Smsdesk = {
  call(
    route: string,
    input?: unknown,
  ): Promise<{ ok: boolean; value?: any; error?: { code: string; message: string } }>;
};

let dataDir: string;

test.beforeAll(() => {
  // the app as npm start builds it: renderer, main + preload bundles (the native modules are N-API: one build for Node and Electron)
  for (const [cmd, args] of [
    ['npx', ['vite', 'build']],
    [process.execPath, ['scripts/build-electron.mjs']],
  ] as const) {
    const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed`);
  }
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsdesk-electron-'));
});
test.afterAll(() => {
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function launch(): Promise<{ app: ElectronApplication; page: Page }> {
  const app = await electron.launch({
    executablePath: binary!,
    args: [root],
    cwd: root,
    // no keychain on CI machines: the environment token source is the documented fallback. The
    // token round-trip sets and clears a token: in an entry of its own, never the user's real one.
    env: {
      ...process.env,
      SMSDESK_DATA_DIR: dataDir,
      SMSDESK_TOKEN: '',
      SMSDESK_KEYCHAIN_SERVICE: `SMS Desk e2e ${process.pid}-${Date.now().toString(36)}`,
    },
  });
  const page = await app.firstWindow();
  await page.waitForFunction(() => 'smsdesk' in window);
  return { app, page };
}

const call = (page: Page, route: string, input?: unknown) =>
  page.evaluate(([r, i]) => (window as unknown as { smsdesk: Smsdesk }).smsdesk.call(r as string, i), [
    route,
    input,
  ] as const);

test('the window opens on our page with the security settings in force', async () => {
  const { app, page } = await launch();
  try {
    expect(page.url()).toBe('app://smsdesk/index.html');
    await expect(page.getByText('SMS Desk').first()).toBeVisible();
    const globals = await page.evaluate(() => ({
      require: typeof (window as unknown as { require?: unknown }).require,
      process: typeof (window as unknown as { process?: unknown }).process,
      module: typeof (window as unknown as { module?: unknown }).module,
      ipc: 'ipcRenderer' in window,
      keys: Object.keys((window as unknown as { smsdesk: object }).smsdesk).sort(),
    }));
    expect(globals).toMatchObject({ require: 'undefined', process: 'undefined', module: 'undefined', ipc: false });
    expect(globals.keys).toEqual(['call', 'on']);
    // not in electron.d.ts, but present on WebContents: the preferences the renderer was really started with
    const prefs = await app.evaluate(({ BrowserWindow }) => {
      const wc = BrowserWindow.getAllWindows()[0]!.webContents as unknown as Record<
        string,
        (() => unknown) | undefined
      >;
      return (wc.getLastWebPreferences ?? wc._getLastWebPreferences)?.call(wc) ?? null;
    });
    expect(prefs, 'webPreferences of the running window').toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
    });
    // navigation away from our page is blocked
    await page.evaluate(() => {
      window.location.href = 'https://example.com/';
    });
    await expect.poll(() => page.url()).toBe('app://smsdesk/index.html');
    const info = await call(page, 'app.info');
    expect(info).toMatchObject({ ok: true, value: { mode: 'electron', sandbox: true } });
    expect([dataDir, fs.realpathSync(dataDir)]).toContain(info.value.dataDir);
  } finally {
    await app.close();
  }
});

test("smoke mode: the engine starts, the page renders, one line, exit code 0, the user's data untouched", () => {
  // what `npm run dist:smoke` runs against the packaged app, here against the app from source
  const before = fs.readdirSync(dataDir).sort();
  const r = spawnSync(binary!, [root, '--smoke'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, SMSDESK_DATA_DIR: '', SMSDESK_TOKEN: '', SMSDESK_SMOKE_TIMEOUT_MS: '60000' },
  });
  const line = r.stdout.split(/\r?\n/).find((l) => l.startsWith('smoke: '));
  expect(line, `stdout: ${r.stdout}\nstderr: ${r.stderr.slice(-2000)}`).toMatch(
    /^smoke: ok engine ready, window loaded, sandbox, \d+ ms$/,
  );
  expect(r.status).toBe(0);
  // it ran in a temporary folder of its own (SMSDESK_DATA_DIR is empty here), not in the data folder
  expect(fs.readdirSync(dataDir).sort()).toEqual(before);
});

test('token round-trip: set, status, clear; the token never comes back to the page', async () => {
  const { app, page } = await launch();
  const token = 'e2e-token-0a1b2c3d4e5f60718293';
  try {
    const set = await call(page, 'token.set', { token });
    if (!set.ok && set.error?.code === 'KEYCHAIN_UNAVAILABLE')
      test.skip(true, `no usable keychain on this machine: ${set.error.message}`);
    expect(set).toEqual({ ok: true, value: { set: true, source: 'keychain', sandbox: false } });
    expect(JSON.stringify(await call(page, 'token.status'))).not.toContain(token);
    expect(await page.content()).not.toContain(token);
    expect(await call(page, 'token.clear')).toEqual({ ok: true, value: { set: false, source: null, sandbox: true } });
  } finally {
    await app.close();
  }
});

test('quitting mid-send loses nothing: the campaign resumes on the next start', async () => {
  let { app, page } = await launch();
  const begin = await call(page, 'imports.begin', { list: 'Resume', fields: [], phoneColumn: 'phone' });
  const importId = begin.value.importId;
  const rows = Array.from({ length: 40 }, (_, i) => ({
    row: i + 2,
    phone: `234803${String(2_000_000 + i).slice(-7)}`,
    fields: {},
  }));
  await call(page, 'imports.add', { importId, rows });
  await call(page, 'imports.commit', { importId });
  await call(page, 'settings.set', { key: 'rate.requestsPerSecond', value: 2 });
  await call(page, 'settings.set', { key: 'rate.recipientsPerRequest', value: 2 });
  const c = (await call(page, 'campaigns.create', { list: 'Resume', from: 'Shop', text: 'Hello' })).value;
  await call(page, 'campaigns.send', { id: c.id });
  await expect
    .poll(async () => (await call(page, 'campaigns.status', { id: c.id })).value.counts.queued, { timeout: 30_000 })
    .toBeLessThan(40);
  const before = (await call(page, 'campaigns.status', { id: c.id })).value;
  expect(before.counts.queued).toBeGreaterThan(0);
  // quit without the close prompt: the shell closes the engine, the ledger keeps the rest queued
  await app.evaluate(({ app: a }) => a.quit());
  await app.waitForEvent('close');

  ({ app, page } = await launch());
  try {
    await expect
      .poll(
        async () => {
          const s = (await call(page, 'campaigns.status', { id: c.id })).value;
          return s.counts.queued + s.counts.submitting;
        },
        { timeout: 60_000 },
      )
      .toBe(0);
    const after = (await call(page, 'campaigns.status', { id: c.id })).value;
    const total = Object.values(after.counts as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(total).toBe(40);
  } finally {
    await app.close();
  }
});
