import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TOKEN = 'tok_live_host_9fQ2xZk9PmW4rT8v';
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'smsdesk-host-keychain-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/**
 * The engine in its worker thread reads and stores the token through the host thread's keychain
 * (real Secret Service: gnome-keyring in a private D-Bus session), across a worker restart in the
 * same process. The keychain module once lived in the worker: a second worker loading the
 * libsecret-based one hit GLib criticals (GLib types register once per process) and hung under
 * load; this test caught it.
 */
const SERVICE = `SMS Desk test ${process.pid}-${Date.now()}`;
const CHILD = `
import { execFileSync } from 'node:child_process';
import { startEngineHost } from ${JSON.stringify(path.join(ROOT, 'electron/host/index.ts'))};
// secret-tool exits 1 when nothing is stored
const lookup = () => { try { return execFileSync('secret-tool', ['lookup', 'service', process.env.SMSDESK_KEYCHAIN_SERVICE, 'username', 'api-token'], { encoding: 'utf8' }).trim() === ${JSON.stringify(TOKEN)}; } catch { return false; } };
const dataDir = process.argv[2];
const out = [];
let e = await startEngineHost({ dataDir, env: process.env });
out.push(await e.token.status());
await e.token.set(${JSON.stringify(TOKEN)});
out.push(await e.token.status(), e.sandbox, lookup());
await e.close();
e = await startEngineHost({ dataDir, env: process.env });
out.push(await e.token.status(), e.sandbox);
await e.token.clear();
out.push(await e.token.status());
await e.close();
out.push(lookup());
console.log('RESULT ' + JSON.stringify(out));
`;

function run(): Promise<{ code: number; stdout: string; stderr: string }> {
  const home = fs.mkdtempSync(path.join(work, 'home-'));
  // a test's own keychain entry, never the real "SMS Desk" one, even inside the private keyring
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, SMSDESK_KEYCHAIN_SERVICE: SERVICE };
  for (const k of [
    'DBUS_SESSION_BUS_ADDRESS',
    'DISPLAY',
    'WAYLAND_DISPLAY',
    'SMSDESK_TOKEN',
    'XDG_RUNTIME_DIR',
    'XDG_DATA_HOME',
    'XDG_CONFIG_HOME',
  ])
    delete env[k];
  const script = path.join(work, 'child.mts');
  fs.writeFileSync(script, CHILD);
  const args = ['node', '--import', 'tsx', script, fs.mkdtempSync(path.join(work, 'data-'))];
  return new Promise((resolve) => {
    execFile(
      path.join(ROOT, 'scripts/with-keyring.sh'),
      args,
      { cwd: ROOT, env, timeout: 60_000 },
      (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

describe('the keychain from inside the engine worker', () => {
  it('stores the token in the real keychain and a later worker reads it back', async () => {
    const r = await run();
    const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    expect(line, `child failed (${r.code}): ${r.stderr.slice(-2000)}`).toBeTruthy();
    const [before, afterSet, sandboxAfterSet, storedUnderOverride, reopened, sandboxReopened, cleared, stillStored] =
      JSON.parse(line!.slice(7));
    expect(before).toEqual({ set: false, source: null, sandbox: true });
    expect(afterSet).toEqual({ set: true, source: 'keychain', sandbox: false });
    expect(sandboxAfterSet).toBe(false);
    // the Secret Service holds it under the overridden service name and the library's attributes
    expect(storedUnderOverride).toBe(true);
    expect(reopened).toEqual({ set: true, source: 'keychain', sandbox: false });
    expect(sandboxReopened).toBe(false);
    expect(cleared).toEqual({ set: false, source: null, sandbox: true });
    expect(stillStored).toBe(false);
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
  });
});
