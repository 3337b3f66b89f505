/**
 * The desktop shell: lifecycle, window, tray, wiring. Everything with logic lives elsewhere
 * (engine/, handlers/, security.ts, close.ts) and is tested without Electron.
 */
import { app, dialog, type BrowserWindow, type Tray } from 'electron';
import path from 'node:path';
import { applyCloseChoice, CLOSE_BUTTONS, closePrompt } from './close.ts';
import { createEngine } from './engine/engine.ts';
import { createKeytarSecrets } from './engine/secrets/index.ts';
import { createDialogFiles } from './files.ts';
import { createEventBridge, createHandlers, type EngineLike } from './handlers/index.ts';
import { startEngineHost } from './host/host.ts';
import { wantsInProcess } from './host/in-process.ts';
import { registerIpc, windowEmitter } from './ipc.ts';
import { applyRestore, restoreOffer } from './restore.ts';
import { createTray } from './tray.ts';
import { createMainWindow, hardenSession, registerAppScheme, serveRenderer } from './window.ts';

const root = app.getAppPath();
const log = (line: string) => { if (process.env.SMSDESK_DEBUG) console.error(line); };

registerAppScheme();
// a separate data folder (tests, a second account); must be set before the single-instance lock
if (process.env.SMSDESK_DATA_DIR) app.setPath('userData', path.resolve(process.env.SMSDESK_DATA_DIR));

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

  await app.whenReady();
  hardenSession();
  serveRenderer(path.join(root, 'dist/renderer'));

  const engine = await startEngineOrRestore();
  const handlers = createHandlers(engine, {
    mode: 'electron', version: app.getVersion(), platform: process.platform, files: createDialogFiles(() => win), log,
  });
  registerIpc(handlers);
  createEventBridge(engine, windowEmitter(() => win), { log });
  await engine.start();

  const show = () => {
    if (!win || win.isDestroyed()) win = openWindow();
    win.show();
    win.focus();
  };
  const quit = () => { quitting = true; app.quit(); };

  function openWindow(): BrowserWindow {
    const w = createMainWindow({ preload: path.join(root, 'dist-electron/preload.cjs'), icon: path.join(root, 'dist-electron/icon.png') });
    let mayClose = false;
    w.on('close', (e) => {
      if (quitting || mayClose) return;
      // the engine answers asynchronously (it runs in a worker): hold the close, ask, then decide
      e.preventDefault();
      void (async () => {
        const prompt = await closePrompt(engine);
        if (!prompt) {
          mayClose = true;
          return w.close();
        }
        const { response } = await dialog.showMessageBox(w, {
          type: 'question', message: prompt.message, detail: prompt.detail, buttons: prompt.buttons,
          defaultId: 0, cancelId: CLOSE_BUTTONS.length - 1, noLink: true,
        });
        const outcome = await applyCloseChoice(engine, CLOSE_BUTTONS[response]?.choice ?? 'cancel', prompt.sending);
        if (outcome === 'hide') {
          tray ??= createTray(path.join(root, 'dist-electron/icon.png'), { show, quit });
          w.hide();
        } else if (outcome === 'close') {
          quit();
        }
      })().catch((err: Error) => log(`close: ${err.message}`));
    });
    return w;
  }

  app.on('second-instance', show);
  app.on('activate', show);
  app.on('before-quit', () => { quitting = true; });
  app.on('window-all-closed', () => { if (!tray) app.quit(); });
  // Quitting mid-send is safe: the ledger marks in-flight batches uncertain and resumes the rest next start.
  app.on('will-quit', (e) => {
    if (engineClosed) return;
    e.preventDefault();
    void engine.close().catch((err: Error) => log(`engine close: ${err.message}`)).finally(() => {
      engineClosed = true;
      app.quit();
    });
  });

  win = openWindow();
}

/** A damaged ledger with a backup: offer the backup (and start again on it) before giving up. */
async function startEngineOrRestore(): Promise<EngineLike> {
  for (;;) {
    try {
      return await startEngine();
    } catch (err) {
      const dataDir = app.getPath('userData');
      const offer = restoreOffer(err, dataDir);
      if (offer) {
        const { response } = await dialog.showMessageBox({
          type: 'error', title: 'SMS Desk cannot start', message: offer.message, detail: offer.detail,
          buttons: offer.buttons, defaultId: 0, cancelId: 1, noLink: true,
        });
        if (response === 0) {
          try {
            const done = await applyRestore(offer, dataDir);
            await dialog.showMessageBox({ type: 'info', title: 'Backup restored', message: done.message, buttons: ['Start SMS Desk'], noLink: true });
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
  const keychain = createKeytarSecrets({ loadKeytar: async () => require('keytar') });
  if (!wantsInProcess()) {
    return startEngineHost({ dataDir, env: process.env, workerFile: path.join(root, 'dist-electron/engine-worker.cjs'), log, keychain });
  }
  return createEngine({ dataDir, log, secrets: keychain });
}

