/**
 * The desktop shell: lifecycle, window, tray, wiring. Everything with logic lives elsewhere
 * (engine/, handlers/, security.ts, close.ts, startup.ts, background.ts, smoke.ts) and is tested
 * without Electron.
 */
import { app, dialog, type BrowserWindow, type Tray } from 'electron';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { backgroundMode, statusNotifierHostPresent } from './background.ts';
import { CLOSE_BUTTONS, createCloseGuard, type BackgroundMode } from './close.ts';
import { createEngine } from './engine/engine.ts';
import { createKeychainSecrets } from './engine/secrets/index.ts';
import { createDialogFiles } from './files.ts';
import { createEventBridge, createHandlers, type EngineLike, type Handlers } from './handlers/index.ts';
import { startEngineHost } from './host/host.ts';
import { wantsInProcess } from './host/in-process.ts';
import { registerIpc, windowEmitter } from './ipc.ts';
import { applyRestore, restoreOffer } from './restore.ts';
import { runSmoke, smokeTimeoutMs, wantsSmoke } from './smoke.ts';
import { deferredHandlers, withTimeout } from './startup.ts';
import { createTray } from './tray.ts';
import { desktopNotices } from './notify.ts';
import { createMainWindow, hardenSession, registerAppScheme, serveRenderer } from './window.ts';

const root = app.getAppPath();
const log = (line: string) => {
  if (process.env.SMSDESK_DEBUG) console.error(line);
};

registerAppScheme();
// a separate data folder (tests, a second account); must be set before the single-instance lock
if (process.env.SMSDESK_DATA_DIR) app.setPath('userData', path.resolve(process.env.SMSDESK_DATA_DIR));
// smoke mode (smoke.ts) checks a build without touching the user's data: a fresh folder, removed after
const smoke = wantsSmoke(process.argv, process.env);
const smokeDir =
  smoke && !process.env.SMSDESK_DATA_DIR ? fs.mkdtempSync(path.join(os.tmpdir(), 'smsdesk-smoke-')) : null;
if (smokeDir) app.setPath('userData', smokeDir);

if (!app.requestSingleInstanceLock()) {
  // a second copy would open the same ledger: hand over to the first one instead
  app.quit();
} else {
  void run();
}

async function run(): Promise<void> {
  let win: BrowserWindow | null = null;
  let tray: Tray | null = null;
  let quitting = false;
  let engineClosed = false;
  /** the engine once created (closed at quit), and once started (the close prompt asks it) */
  let opened: EngineLike | null = null;
  let engine: EngineLike | null = null;

  await app.whenReady();
  hardenSession();
  serveRenderer(path.join(root, 'dist/renderer'));

  // The window opens at once; the engine starts behind it (opening the ledger, recovering an
  // interrupted send) and the page's calls wait for it meanwhile (startup.ts).
  const ready = (async (): Promise<Handlers> => {
    // no dialogs in smoke mode: a modal box would hold the run until its deadline
    const e = smoke ? await startEngine() : await startEngineOrRestore();
    opened = e;
    const handlers = createHandlers(e, {
      mode: 'electron',
      version: app.getVersion(),
      platform: process.platform,
      files: createDialogFiles(() => win),
      log,
    });
    createEventBridge(
      e,
      windowEmitter(() => win),
      { log },
    );
    // a click on "campaign sent" or "needs your decision" opens that campaign's dashboard
    createEventBridge(
      e,
      desktopNotices((id) => {
        show();
        void win?.webContents.executeJavaScript(`location.hash = '#/campaign/${Math.trunc(id)}'`).catch(() => {});
      }, log),
      { log },
    );
    try {
      await e.start();
    } catch (err) {
      if (!smoke) {
        dialog.showErrorBox('SMS Desk cannot start', (err as Error).message);
        app.exit(1);
      }
      throw err;
    }
    engine = e;
    return handlers;
  })();
  registerIpc(deferredHandlers(ready));

  const show = () => {
    if (!win || win.isDestroyed()) win = openWindow();
    win.show();
    win.focus();
  };
  const quit = () => {
    quitting = true;
    app.quit();
  };
  const icon = path.join(root, 'dist-electron/icon.png');
  // asked once, when first needed: whether this desktop shows tray icons at all (background.ts)
  let background: Promise<BackgroundMode> | null = null;
  const backgroundFor = () =>
    (background ??=
      process.platform === 'linux'
        ? statusNotifierHostPresent().then((host) => backgroundMode(process.platform, host))
        : Promise.resolve(backgroundMode(process.platform, null)));

  function openWindow(): BrowserWindow {
    const w = createMainWindow({
      preload: path.join(root, 'dist-electron/preload.cjs'),
      icon,
      packaged: app.isPackaged,
    });
    // close.ts: closes at once without an engine or when asking fails, one prompt at a time
    const guard = createCloseGuard({
      engine: () => engine,
      ask: async (prompt) =>
        (
          await dialog.showMessageBox(w, {
            type: 'question',
            message: prompt.message,
            detail: prompt.detail,
            buttons: prompt.buttons,
            defaultId: 0,
            cancelId: CLOSE_BUTTONS.length - 1,
            noLink: true,
          })
        ).response,
      background: backgroundFor,
      close: quit,
      hide: () => {
        try {
          tray ??= createTray(icon, { show, quit });
          w.hide();
        } catch (err) {
          log(`tray: ${(err as Error).message}; minimising instead`);
          w.minimize();
        }
      },
      minimize: () => w.minimize(),
      log,
    });
    w.on('close', (e) => {
      if (quitting) return;
      if (!guard.onClose()) e.preventDefault();
    });
    return w;
  }

  app.on('second-instance', show);
  app.on('activate', show);
  app.on('before-quit', () => {
    quitting = true;
  });
  app.on('window-all-closed', () => {
    if (!tray) app.quit();
  });
  // Quitting mid-send is safe: the ledger marks in-flight batches uncertain and resumes the rest next
  // start. A hung engine must not keep the app from quitting, hence the deadline.
  const closeEngine = () =>
    opened ? withTimeout(opened.close(), 10_000, 'the engine did not close within 10 s') : Promise.resolve();
  app.on('will-quit', (e) => {
    if (engineClosed || !opened) return;
    e.preventDefault();
    void closeEngine()
      .catch((err: Error) => log(`engine close: ${err.message}`))
      .finally(() => {
        engineClosed = true;
        app.quit();
      });
  });

  win = openWindow();
  if (smoke) void smokeRun(ready, win, closeEngine);
}

/** `--smoke`: engine up, page rendered, one line on stdout, exit code 0 or 1 (smoke.ts). */
async function smokeRun(ready: Promise<Handlers>, w: BrowserWindow, closeEngine: () => Promise<void>): Promise<void> {
  const result = await runSmoke({
    engine: ready.then(async (handlers) => {
      const info = await handlers['app.info']();
      if (!info.ok) throw new Error(info.error.message);
      return { sandbox: info.value.sandbox };
    }),
    window: pageRendered(w),
    timeoutMs: smokeTimeoutMs(process.env),
  });
  process.stdout.write(`${result.line}\n`);
  await closeEngine().catch(() => {});
  if (smokeDir) fs.rmSync(smokeDir, { recursive: true, force: true });
  app.exit(result.code);
}

/** Resolves once our page has loaded and React has put something on it. */
function pageRendered(w: BrowserWindow): Promise<void> {
  return new Promise((resolve, reject) => {
    const wc = w.webContents;
    wc.once('did-fail-load', (_e, code, description, url) =>
      reject(new Error(`${url} did not load: ${description} (${code})`)),
    );
    wc.once('render-process-gone', (_e, details) => reject(new Error(`the page's process ended (${details.reason})`)));
    const check = () => {
      if (w.isDestroyed()) return reject(new Error('the window was closed'));
      wc.executeJavaScript("document.getElementById('root')?.childElementCount ?? 0").then((n: number) => {
        if (n > 0) resolve();
        else setTimeout(check, 100);
      }, reject);
    };
    if (wc.isLoading()) wc.once('did-finish-load', check);
    else check();
  });
}

/** A damaged ledger with a backup: offer the backup (and start again on it) before giving up. */
async function startEngineOrRestore(): Promise<EngineLike> {
  for (;;) {
    try {
      return await startEngine();
    } catch (startErr) {
      let err = startErr; // the restore's own error, when it fails, is the one the user sees
      const dataDir = app.getPath('userData');
      const offer = restoreOffer(err, dataDir);
      if (offer) {
        const { response } = await dialog.showMessageBox({
          type: 'error',
          title: 'SMS Desk cannot start',
          message: offer.message,
          detail: offer.detail,
          buttons: offer.buttons,
          defaultId: 0,
          cancelId: 1,
          noLink: true,
        });
        if (response === 0) {
          try {
            const done = await applyRestore(offer, dataDir);
            await dialog.showMessageBox({
              type: 'info',
              title: 'Backup restored',
              message: done.message,
              buttons: ['Start SMS Desk'],
              noLink: true,
            });
            continue;
          } catch (restoreErr) {
            err = restoreErr;
          }
        }
      }
      dialog.showErrorBox('SMS Desk cannot start', (err as Error).message);
      app.exit(1);
      throw err;
    }
  }
}

/**
 * The engine in a worker thread (electron/host), so a 1M-row insert never freezes the window;
 * SMSDESK_ENGINE_INPROCESS=1 runs it on this thread again, for debugging with one stack.
 */
function startEngine(): Promise<EngineLike> {
  const dataDir = app.getPath('userData');
  // The keychain lives on this thread (the worker asks for it): a plain require, since this file is
  // bundled to CommonJS and import() of a native module inside app.asar is fragile.
  const keychain = createKeychainSecrets({ loadKeyring: async () => require('@napi-rs/keyring') });
  if (!wantsInProcess()) {
    return startEngineHost({
      dataDir,
      env: process.env,
      workerFile: path.join(root, 'dist-electron/engine-worker.cjs'),
      log,
      keychain,
      owner: 'SMS Desk app',
    });
  }
  return createEngine({ dataDir, log, secrets: keychain, owner: { what: 'SMS Desk app', long: true, need: 'write' } });
}
