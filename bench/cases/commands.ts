// Figures 10 and 11: how long a person waits for the command and for the web mode. Both time whole
// processes, as a user starts them (fresh Node, bundle already built), against a baseline process
// that does only what the answer needs: open the database and run the same query.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(root, 'bin/smsdesk.js');

function wall(args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, SMSDESK_TOKEN: '' },
  });
  const ms = performance.now() - t0;
  if (r.status !== 0)
    throw new Error(`${args.join(' ')} failed (exit ${r.status}): ${(r.stderr || r.stdout).trim().split('\n')[0]}`);
  return ms;
}

/** `smsdesk ARGS --data-dir DIR` from start to exit. */
export function commandWall(dataDir: string, args: string[]): number {
  return wall([BIN, ...args, '--data-dir', dataDir]);
}

/** Baseline: a Node process that opens the ledger read-only and runs `sql` once. */
export function queryWall(dataDir: string, sql: string): number {
  const code = `const D=require('better-sqlite3');const db=new D(${JSON.stringify(path.join(dataDir, 'smsdesk.db'))},{readonly:true});console.log(JSON.stringify(db.prepare(${JSON.stringify(sql)}).all()).length);db.close();`;
  return wall(['-e', code]);
}

/** `npm run web`'s script, from spawn to the first answered API call over HTTP. */
export async function webFirstAnswer(dataDir: string): Promise<number> {
  const key = 'bench-web-key-0123456789abcdef';
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [path.join(root, 'scripts/web.mjs'), '--no-open', '--port', '0', '--data-dir', dataDir],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SMSDESK_WEB_KEY: key, SMSDESK_TOKEN: '' } },
  );
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  try {
    for (const deadline = t0 + 60_000; performance.now() < deadline;) {
      const port = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(out)?.[1];
      if (port) {
        const r = await fetch(`http://127.0.0.1:${port}/api/call`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-SMSDesk-Key': key },
          body: JSON.stringify({ route: 'app.info', input: null }),
        })
          .then((res) => res.json() as Promise<{ ok: boolean }>)
          .catch(() => null);
        if (r?.ok) return performance.now() - t0;
      }
      await new Promise((res) => setTimeout(res, 5));
    }
    throw new Error(`the web mode did not answer within 60 s: ${out.trim().split('\n').pop()}`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((res) => child.once('exit', res));
  }
}

/**
 * The desktop window (figure 11e): the built app's smoke mode (`--smoke`: the engine started, the
 * page loaded and rendered, then it quits; electron/smoke.ts) from spawn to its `smoke: ok` line.
 * Null with the reason where no window can open (no Electron binary, no display).
 */
export async function electronWindow(): Promise<number | { skip: string }> {
  type Scripts = {
    electronBinary(): string | null;
    noDisplayReason(): string | null;
    buildIfStale(name: string): boolean;
  };
  // plain .mjs scripts without type declarations: typed here by what this uses of them
  const { electronBinary, noDisplayReason } = (await import('../../scripts/electron.mjs' as string)) as Scripts;
  const { buildIfStale } = (await import('../../scripts/stale.mjs' as string)) as Scripts;
  const bin = electronBinary();
  if (!bin) return { skip: 'no Electron binary here: npm start fetches it, and could not on this machine' };
  const noDisplay = noDisplayReason();
  if (noDisplay) return { skip: noDisplay };
  if (!buildIfStale('page') || !buildIfStale('shell')) throw new Error('the app build failed');
  const t0 = performance.now();
  const child = spawn(bin, [root, '--smoke'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    // a keychain entry of its own: the bench never reads or writes the user's real token
    env: { ...process.env, SMSDESK_TOKEN: '', SMSDESK_KEYCHAIN_SERVICE: `SMS Desk bench ${process.pid}` },
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const code = await new Promise<number | null>((res) => child.once('exit', res));
  const ms = performance.now() - t0;
  const line = /smoke: (ok|FAILED)[^\n]*/.exec(out)?.[0];
  if (code !== 0 || !line?.startsWith('smoke: ok'))
    throw new Error(`the packaged window did not start: ${line ?? out.trim().split('\n').pop()}`);
  return ms;
}
