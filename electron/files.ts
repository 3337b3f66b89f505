import { app, dialog, type BrowserWindow } from 'electron';
import path from 'node:path';
import type { FileSink } from './handlers/types.ts';

/** Exports in the desktop app: the user picks where in a save dialog; the file is written there directly. */
export function createDialogFiles(window: () => BrowserWindow | null): FileSink {
  return {
    async savePath(suggestedName, format) {
      const opts = {
        title: 'Save export',
        defaultPath: path.join(app.getPath('documents'), suggestedName),
        filters:
          format === 'xlsx'
            ? [{ name: 'Excel workbook', extensions: ['xlsx'] }]
            : [{ name: 'CSV file', extensions: ['csv'] }],
        properties: ['createDirectory', 'showOverwriteConfirmation'] as Array<
          'createDirectory' | 'showOverwriteConfirmation'
        >,
      };
      const win = window();
      const res = win ? await dialog.showSaveDialog(win, opts) : await dialog.showSaveDialog(opts);
      if (res.canceled || !res.filePath) return null;
      return path.extname(res.filePath) ? res.filePath : `${res.filePath}.${format}`;
    },
    async deliver(file) {
      return { path: file, downloadUrl: null };
    },
  };
}
