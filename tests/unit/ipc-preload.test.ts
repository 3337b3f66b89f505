import { build } from 'esbuild';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { CALL_CHANNEL } from '../../shared/ipc/names.ts';

/**
 * Bundles electron/preload.ts exactly as scripts/build-electron.mjs does and runs it in a bare VM
 * context where `require('electron')` is the only module, as in a sandboxed renderer.
 */
async function runPreload() {
  const out = await build({
    entryPoints: ['electron/preload.ts'],
    bundle: true,
    format: 'cjs',
    platform: 'browser',
    target: 'chrome140',
    external: ['electron'],
    write: false,
    absWorkingDir: process.cwd(),
    logLevel: 'silent',
  });
  const code = out.outputFiles[0]!.text;
  const exposed: Record<string, unknown> = {};
  const invoked: unknown[][] = [];
  const required: string[] = [];
  const electron = {
    contextBridge: {
      exposeInMainWorld: (key: string, api: unknown) => {
        exposed[key] = api;
      },
    },
    ipcRenderer: {
      invoke: async (...args: unknown[]) => {
        invoked.push(args);
        return { ok: true, value: null };
      },
      on() {},
      removeListener() {},
    },
  };
  const module = { exports: {} };
  vm.runInNewContext(code, {
    module,
    exports: module.exports,
    require: (id: string) => {
      required.push(id);
      if (id === 'electron') return electron;
      throw new Error(`preload tried to require ${id}`);
    },
  });
  return { exposed, invoked, required, size: code.length };
}

describe('the built preload', () => {
  it('exposes only window.smsdesk, with call() and on()', async () => {
    const { exposed, required, size } = await runPreload();
    expect(Object.keys(exposed)).toEqual(['smsdesk']);
    const api = exposed.smsdesk as Record<string, unknown>;
    expect(Object.keys(api).sort()).toEqual(['call', 'on']);
    expect(Object.values(api).every((v) => typeof v === 'function')).toBe(true);
    expect(required).toEqual(['electron']);
    // no zod, no schemas: the sandboxed preload stays small
    expect(size).toBeLessThan(20_000);
  });

  it('calls go out on the one call channel, the route name as data', async () => {
    const { exposed, invoked } = await runPreload();
    const api = exposed.smsdesk as { call(route: string, i: unknown): Promise<unknown> };
    await api.call('lists.contacts', { listId: 1 });
    expect(invoked).toEqual([[CALL_CHANNEL, 'lists.contacts', { listId: 1 }]]);
  });
});
