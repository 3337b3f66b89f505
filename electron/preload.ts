// Runs in the sandboxed preload (bundled to CommonJS by scripts/build-electron.mjs).
import { contextBridge, ipcRenderer } from 'electron';
import { buildBridge } from './bridge.ts';

contextBridge.exposeInMainWorld('smsdesk', buildBridge(ipcRenderer));
