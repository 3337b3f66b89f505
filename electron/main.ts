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
import { createEventBridge, createHandlers } from './handlers/index.ts';
import { registerIpc, windowEmitter } from './ipc.ts';
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

  const engine = await createEngine({ dataDir: app.getPath('userData'), secrets: createKeytarSecrets({
    // a plain require: this file is bundled to CommonJS, and import() of a native module inside app.asar is fragile
    loadKeytar: async () => require('keytar'),
  }), log }).catch((err: Error) => {
    dialog.showErrorBox('SMS Desk cannot start', err.message);
    app.exit(1);
    throw err;
  });
  const handlers = createHandlers(engine, {
    mode: 'electron', version: app.getVersion(), platform: process.platform, files: createDialogFiles(() => win), log,
  });
  registerIpc(handlers);
  createEventBridge(engine, windowEmitter(() => win), { log });
  engine.start();

  const show = () => {
    if (!win || win.isDestroyed()) win = openWindow();
    win.show();
    win.focus();
  };
  const quit = () => { quitting = true; app.quit(); };

  function openWindow(): BrowserWindow {
    const w = createMainWindow({ preload: path.join(root, 'dist-electron/preload.cjs'), icon: path.join(root, 'dist-electron/icon.png') });
    w.on('close', (e) => {
      if (quitting) return;
      const prompt = closePrompt(engine);
      if (!prompt) return;
      e.preventDefault();
      void dialog.showMessageBox(w, {
        type: 'question', message: prompt.message, detail: prompt.detail, buttons: prompt.buttons,
        defaultId: 0, cancelId: CLOSE_BUTTONS.length - 1, noLink: true,
      }).then(({ response }) => {
        const outcome = applyCloseChoice(engine, CLOSE_BUTTONS[response]?.choice ?? 'cancel', prompt.sending);
        if (outcome === 'hide') {
          tray ??= createTray(path.join(root, 'dist-electron/icon.png'), { show, quit });
          w.hide();
        } else if (outcome === 'close') {
          quit();
        }
      });
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
