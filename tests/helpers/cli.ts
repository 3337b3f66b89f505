import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
export const BIN = path.join(ROOT, 'bin/smsdesk.js');

export interface CliRun {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: string | null; out: string; err: string }>;
}

/** A keychain entry of the test run's own: a child without SMSDESK_TOKEN never reads the developer's real token. */
const KEYCHAIN_SERVICE = `SMS Desk test ${process.pid}`;

/** `node bin/smsdesk.js --data-dir DIR --json ARGS…` as a child process. */
export function cli(
  dataDir: string,
  args: string[],
  env: Record<string, string | undefined> = {},
  opts: { json?: boolean } = {},
): CliRun {
  const child = spawn(
    process.execPath,
    [BIN, '--data-dir', dataDir, ...(opts.json === false ? [] : ['--json']), ...args],
    {
      cwd: ROOT,
      env: { ...process.env, SMSDESK_DEBUG: '', SMSDESK_KEYCHAIN_SERVICE: KEYCHAIN_SERVICE, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '',
    err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const done = new Promise<{ code: number | null; signal: string | null; out: string; err: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, out, err })),
  );
  return { child, done };
}

/**
 * `smsdesk --data-dir DIR ARGS…` in this process (electron/engine/cli/main.ts's runCli), with what
 * it printed: faster than a child where the test needs no real process (no crash, no signal).
 */
export async function cliHere(
  dataDir: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; out: string; err: string }> {
  const { runCli } = await import('../../electron/engine/cli/main.ts');
  let out = '',
    err = '';
  const code = await runCli(['--data-dir', dataDir, ...args], {
    out: (s) => {
      out += s;
    },
    err: (s) => {
      err += s;
    },
    stdin: async () => '',
    env,
  });
  return { code, out, err };
}
