import { startEngineHost as startHost, type EngineHostOptions, type RemoteEngine } from './host.ts';

export type { EngineHostOptions, RemoteEngine } from './host.ts';
export type { HostSecrets } from './protocol.ts';

/**
 * The worker from TypeScript source, through tsx (tests, `npm run web`, the bench). The Electron
 * bundle imports host.ts directly with dist-electron/engine-worker.cjs: import.meta is empty in CommonJS.
 */
export const SOURCE_WORKER = new URL('./worker-boot.mjs', import.meta.url);

export function startEngineHost(
  opts: Omit<EngineHostOptions, 'workerFile'> & { workerFile?: string | URL } = {},
): Promise<RemoteEngine> {
  return startHost({ ...opts, workerFile: opts.workerFile ?? SOURCE_WORKER });
}

export { wantsInProcess } from './in-process.ts';
