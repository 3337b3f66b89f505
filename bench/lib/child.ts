import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const WORKER = path.join(here, '..', 'worker.ts');
export const SANDBOX_PROC = path.join(here, '..', 'sandbox-proc.ts');

/** What every measuring child reports besides its own figures. */
export interface ChildStats {
  maxRssMb: number;
  cpuUserMs: number;
  cpuSystemMs: number;
}

/**
 * Runs one measurement in a fresh Node process so peak RSS and CPU time belong to that
 * measurement alone (and nothing warmed up by an earlier one carries over).
 */
export function runChild<T>(
  job: string,
  args: Record<string, unknown> = {},
  timeoutMs = 300_000,
): Promise<T & ChildStats> {
  return new Promise((resolve, reject) => {
    const child = fork(WORKER, [job, JSON.stringify(args)], {
      execArgv: ['--import', 'tsx', '--max-old-space-size=4096'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let result: (T & ChildStats) | null = null;
    let error: string | null = null;
    const timer = setTimeout(() => {
      error = `${job}: no result within ${timeoutMs / 1000} s`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('message', (m: { ok: boolean; value?: T & ChildStats; error?: string }) => {
      if (m.ok) result = m.value!;
      else error = m.error ?? 'failed';
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (result) resolve(result);
      else reject(new Error(error ?? `${job}: the child exited with code ${code} and no result`));
    });
  });
}

/** A sandbox gateway in its own process, so its CPU time is not the sender's. */
export async function startSandboxProcess(
  opts: Record<string, unknown>,
): Promise<{ url: string; arrivals(): Promise<number[]>; close(): Promise<void> }> {
  const child = fork(SANDBOX_PROC, [JSON.stringify(opts)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, (v: unknown) => void>();
  let nextId = 1;
  const url = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (c) => reject(new Error(`sandbox process exited (${c})`)));
    child.once('message', (m: { url: string }) => resolve(m.url));
  });
  child.on('message', (m: { id?: number; value?: unknown }) => {
    if (m.id) {
      pending.get(m.id)?.(m.value);
      pending.delete(m.id);
    }
  });
  const ask = (cmd: string) =>
    new Promise<unknown>((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      child.send({ id, cmd });
    });
  return {
    url,
    arrivals: async () => (await ask('arrivals')) as number[],
    async close() {
      child.removeAllListeners('exit');
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.send({ id: nextId++, cmd: 'close' });
      await exited;
    },
  };
}
