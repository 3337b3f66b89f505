/**
 * The token store against the REAL OS keychain (gnome-keyring over D-Bus, through keytar).
 * Every keychain check runs a small Node child inside a D-Bus session made for it, so these tests
 * behave the same whether or not vitest itself runs inside a session, and never touch the
 * keyring of the person running them. The failure modes are provoked for real, too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  KeychainUnavailableError,
  createMemorySecrets,
  describeKeychainError,
} from '../../electron/engine/secrets/index.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SECRETS_DIR = path.join(ROOT, 'electron/engine/secrets');
const WITH_KEYRING = path.join(ROOT, 'scripts/with-keyring.sh');
const TOKEN = 'tok_live_7fQ2xZk9PmW4rT8v';

type Step = { op: 'get' | 'source' | 'clear' } | { op: 'set'; token: string };
type Outcome =
  | { ok: true; value: unknown }
  | { ok: false; name: string; code: string; reason?: string; message: string };
interface ChildConfig {
  steps: Step[];
  env?: Record<string, string>;
  /** import the secrets module from this index.ts instead of the repo's */
  index?: string;
}

let work: string;
let child: string;
let missing: string[] = [];

function have(bin: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A missing tool must fail the test, loudly: CI installs them, so absence is a setup bug. */
function requireKeyringTools(): void {
  if (missing.length > 0) {
    throw new Error(
      `Real keychain tests need ${missing.join(', ')}: install the Debian packages gnome-keyring dbus-x11 libsecret-tools (apt-get install gnome-keyring dbus-x11 libsecret-tools).`,
    );
  }
}

/** The environment of every child: nothing of the caller's desktop session, a fresh HOME. */
function baseEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, ...extra };
  for (const k of ['DBUS_SESSION_BUS_ADDRESS', 'DISPLAY', 'WAYLAND_DISPLAY', 'SMSDESK_TOKEN', 'XDG_RUNTIME_DIR',
    'XDG_DATA_HOME', 'XDG_CONFIG_HOME', 'XDG_CACHE_HOME', 'GNOME_KEYRING_CONTROL']) {
    if (!(k in extra)) delete env[k];
  }
  return env;
}

function tempDir(name: string): string {
  return fs.mkdtempSync(path.join(work, `${name}-`));
}

interface Ran { code: number; stdout: string; stderr: string; results: Outcome[][]; lookups: string[] }

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: ROOT, env, timeout: 45_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      const lines = stdout.split('\n');
      resolve({
        code,
        stdout,
        stderr,
        results: lines.filter((l) => l.startsWith('RESULT ')).map((l) => JSON.parse(l.slice(7)) as Outcome[]),
        lookups: lines.filter((l) => l.startsWith('LOOKUP ')).map((l) => l.slice(7)),
      });
    });
  });
}

const nodeChild = (cfg: ChildConfig) => ['node', '--import', 'tsx', child, JSON.stringify(cfg)];

/** Shell that runs each child config in turn (same D-Bus session), then asks secret-tool. */
function sequence(cfgs: ChildConfig[], lookup: boolean): string[] {
  const parts = cfgs.map((_, i) => `node --import tsx "${child}" "$${i + 1}"`);
  if (lookup) parts.push('printf "LOOKUP %s\\n" "$(secret-tool lookup service "SMS Desk" account api-token)"');
  return ['bash', '-c', parts.join(' && '), '_', ...cfgs.map((c) => JSON.stringify(c))];
}

/** Through scripts/with-keyring.sh: a fresh, unlocked keyring in a throwaway HOME. */
function withKeyring(cfgs: ChildConfig[], lookup = false): Promise<Ran> {
  requireKeyringTools();
  return run(WITH_KEYRING, sequence(cfgs, lookup), baseEnv(tempDir('caller-home')));
}

/**
 * with-keyring.sh on a HOME we keep, to reopen the same keyring: unlocked, or with the daemon
 * started without its password (the keyring then stays locked, or is never created).
 */
function withKeyringHome(home: string, unlock: boolean, argv: string[]): Promise<Ran> {
  requireKeyringTools();
  return run(WITH_KEYRING, argv, baseEnv(home, { WITH_KEYRING_HOME: home, WITH_KEYRING_UNLOCK: unlock ? '1' : '0' }));
}

function only(r: Ran): Outcome[] {
  expect(r.results, `child printed no result; exit ${r.code}\n${r.stderr}`).toHaveLength(1);
  return r.results[0]!;
}

function failure(o: Outcome | undefined): Extract<Outcome, { ok: false }> {
  expect(o, 'missing outcome').toBeDefined();
  if (o!.ok) throw new Error(`expected a failure, got ${JSON.stringify(o)}`);
  return o!;
}

beforeAll(() => {
  missing = ['dbus-run-session', 'dbus-send', 'gnome-keyring-daemon', 'secret-tool'].filter((b) => !have(b));
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'smsdesk-secrets-test-'));
  child = path.join(work, 'child.mts');
  // Steps run in order; each outcome is recorded, so one run shows a whole user flow.
  fs.writeFileSync(child, `
const cfg = JSON.parse(process.argv[2]);
const mod = await import(cfg.index ?? ${JSON.stringify(pathToFileURL(path.join(SECRETS_DIR, 'index.ts')).href)});
const s = mod.createKeytarSecrets({ env: cfg.env ?? {} });
const out = [];
for (const step of cfg.steps) {
  try {
    const value = step.op === 'set' ? await s.set(step.token) : await s[step.op]();
    out.push({ ok: true, value: value ?? null });
  } catch (e) {
    out.push({ ok: false, name: e.name, code: e.code, reason: e.reason, message: e.message });
  }
}
console.log('RESULT ' + JSON.stringify(out));
`);
});

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('real keychain (gnome-keyring through scripts/with-keyring.sh)', () => {
  it('stores, reads, reports and clears the token, and another process sees it in the keyring', async () => {
    const r = await withKeyring([
      { steps: [{ op: 'get' }, { op: 'source' }, { op: 'set', token: `  ${TOKEN}\n` }, { op: 'get' }, { op: 'source' }] },
      { steps: [{ op: 'get' }, { op: 'source' }] },
    ], true);
    expect(r.code, r.stderr).toBe(0);
    const [first, second] = r.results;
    expect(first).toEqual([
      { ok: true, value: null },
      { ok: true, value: null },
      { ok: true, value: null },
      { ok: true, value: TOKEN }, // trimmed before storing
      { ok: true, value: 'keychain' },
    ]);
    // A separate process reads it back: it is in the Secret Service, not in a process's memory.
    expect(second).toEqual([{ ok: true, value: TOKEN }, { ok: true, value: 'keychain' }]);
    // And libsecret's own tool finds it under the documented service/account names.
    expect(r.lookups).toEqual([TOKEN]);
  });

  it('clear() removes it from the keyring for every reader', async () => {
    const r = await withKeyring([
      { steps: [{ op: 'set', token: TOKEN }, { op: 'clear' }, { op: 'get' }, { op: 'source' }, { op: 'clear' }] },
      { steps: [{ op: 'get' }] },
    ], true);
    expect(r.code, r.stderr).toBe(0);
    expect(r.results[0]).toEqual([
      { ok: true, value: null },
      { ok: true, value: null },
      { ok: true, value: null },
      { ok: true, value: null },
      { ok: true, value: null }, // clearing when nothing is stored is not an error
    ]);
    expect(r.results[1]).toEqual([{ ok: true, value: null }]);
    expect(r.lookups).toEqual(['']);
  });

  it('set() replaces an earlier token', async () => {
    const r = await withKeyring([
      { steps: [{ op: 'set', token: 'first-token' }, { op: 'set', token: TOKEN }] },
      { steps: [{ op: 'get' }] },
    ], true);
    expect(r.code, r.stderr).toBe(0);
    expect(r.results[1]).toEqual([{ ok: true, value: TOKEN }]);
    expect(r.lookups).toEqual([TOKEN]);
  });

  it('refuses invalid tokens with a clear sentence, stores nothing, and never quotes the token', async () => {
    const bad = ['', '   ', 'abcSECRET def', 'abcSECRET\u0007def', 'abcSECRET\u201cdef', 'x'.repeat(4097)];
    const r = await withKeyring([{ steps: [...bad.map((token) => ({ op: 'set' as const, token })), { op: 'get' }] }], true);
    expect(r.code, r.stderr).toBe(0);
    const out = r.results[0]!;
    const msgs = bad.map((_, i) => failure(out[i]));
    for (const m of msgs) {
      expect(m.code).toBe('INVALID_TOKEN');
      expect(m.message).not.toMatch(/SECRET|xxxx/);
    }
    expect(msgs[0]!.message).toMatch(/empty/);
    expect(msgs[1]!.message).toMatch(/empty/);
    expect(msgs[2]!.message).toMatch(/space or line break at character 10/);
    expect(msgs[3]!.message).toMatch(/control character at character 10/);
    expect(msgs[4]!.message).toMatch(/not plain ASCII at character 10/);
    expect(msgs[5]!.message).toMatch(/4097 characters long, more than the 4096 allowed/);
    expect(out[bad.length]).toEqual({ ok: true, value: null });
    expect(r.lookups).toEqual(['']);
  });

  it('SMSDESK_TOKEN overrides the keychain for get(), while set/clear still act on the keychain', async () => {
    const env = { SMSDESK_TOKEN: '  env-token-123 ' };
    const r = await withKeyring([
      { env, steps: [{ op: 'source' }, { op: 'get' }, { op: 'set', token: TOKEN }, { op: 'get' }, { op: 'source' }] },
      { steps: [{ op: 'get' }, { op: 'source' }] },
      { env, steps: [{ op: 'clear' }, { op: 'get' }] },
      { steps: [{ op: 'get' }] },
      { env: { SMSDESK_TOKEN: '   ' }, steps: [{ op: 'source' }] },
      { env: { SMSDESK_TOKEN: 'env SECRET' }, steps: [{ op: 'get' }] },
    ]);
    expect(r.code, r.stderr).toBe(0);
    const [withEnv, without, cleared, afterClear, blank, badEnv] = r.results;
    expect(withEnv).toEqual([
      { ok: true, value: 'env' },
      { ok: true, value: 'env-token-123' },
      { ok: true, value: null },
      { ok: true, value: 'env-token-123' },
      { ok: true, value: 'env' },
    ]);
    expect(without).toEqual([{ ok: true, value: TOKEN }, { ok: true, value: 'keychain' }]);
    expect(cleared).toEqual([{ ok: true, value: null }, { ok: true, value: 'env-token-123' }]);
    expect(afterClear).toEqual([{ ok: true, value: null }]);
    expect(blank).toEqual([{ ok: true, value: null }]); // a blank variable counts as unset
    const e = failure(badEnv![0]);
    expect(e.code).toBe('INVALID_TOKEN');
    expect(e.message).toMatch(/SMSDESK_TOKEN environment variable contains a space/);
    expect(e.message).not.toContain('SECRET');
  });

  it('keeps the token across a restart of the keyring daemon, encrypted on disk', async () => {
    const home = tempDir('persist-home');
    const first = await withKeyringHome(home, true, nodeChild({ steps: [{ op: 'set', token: TOKEN }] }));
    expect(only(first)).toEqual([{ ok: true, value: null }]);
    const second = await withKeyringHome(home, true, nodeChild({ steps: [{ op: 'get' }] }));
    expect(only(second)).toEqual([{ ok: true, value: TOKEN }]);
    // Nothing in the user's HOME (keyring files included) holds the token in clear.
    const files = fs.readdirSync(home, { recursive: true, withFileTypes: true }).filter((d) => d.isFile());
    expect(files.map((f) => f.name)).toContain('login.keyring');
    for (const f of files) {
      expect(fs.readFileSync(path.join(f.parentPath, f.name)).includes(TOKEN), f.name).toBe(false);
    }
  });

});

describe('scripts/with-keyring.sh', () => {
  it('gives the command a private keyring HOME, removes it afterwards and passes the exit code on', async () => {
    requireKeyringTools();
    const r = await run(WITH_KEYRING, ['bash', '-c', 'echo "HOME=$HOME"; test -n "$DBUS_SESSION_BUS_ADDRESS" || exit 99; exit 7'],
      baseEnv(tempDir('caller-home')));
    expect(r.code, r.stderr).toBe(7);
    const home = /HOME=(.*)/.exec(r.stdout)?.[1];
    expect(home).toMatch(/smsdesk-keyring\./);
    expect(fs.existsSync(home!)).toBe(false);
  });

  it('says which Debian packages to install when dbus-run-session / gnome-keyring-daemon are missing', async () => {
    // A PATH with the basic tools but without the keyring ones, as on a bare CI image.
    const bin = tempDir('bin');
    for (const tool of ['bash', 'mktemp', 'rm', 'mkdir', 'node']) {
      fs.symlinkSync(execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim(), path.join(bin, tool));
    }
    const r = await run(WITH_KEYRING, ['node', '-e', 'process.exit(0)'], baseEnv(tempDir('h'), { PATH: bin }));
    expect(r.code).toBe(127);
    expect(r.stderr).toMatch(/dbus-run-session is not installed; install the Debian packages: apt-get install gnome-keyring dbus-x11/);
  });
});

describe('keychain unavailable: real failures, explained', () => {
  function expectExplained(e: Extract<Outcome, { ok: false }>, reason: string, detail: string | RegExp): void {
    expect(e.code).toBe('KEYCHAIN_UNAVAILABLE');
    expect(e.name).toBe('KeychainUnavailableError');
    expect(e.reason).toBe(reason);
    expect(e.message).toMatch(/SMSDESK_TOKEN/);
    expect(e.message).toMatch(detail);
    expect(e.message).not.toContain(TOKEN);
  }
  const allSteps: Step[] = [{ op: 'get' }, { op: 'set', token: TOKEN }, { op: 'source' }, { op: 'clear' }];

  it('no D-Bus session at all (no DBUS_SESSION_BUS_ADDRESS, no DISPLAY)', async () => {
    const r = await run(nodeChild({ steps: allSteps })[0]!, nodeChild({ steps: allSteps }).slice(1), baseEnv(tempDir('h')));
    const out = only(r);
    for (const o of out) expectExplained(failure(o), 'no-dbus', /Cannot autolaunch D-Bus without X11 \$DISPLAY/);
    expect(failure(out[0]).message).toMatch(/no D-Bus session bus .*dbus-run-session/);
  });

  it('a DISPLAY but no D-Bus session (dbus-launch autolaunch fails)', async () => {
    const argv = nodeChild({ steps: [{ op: 'set', token: TOKEN }] });
    const r = await run(argv[0]!, argv.slice(1), baseEnv(tempDir('h'), { DISPLAY: ':987' }));
    expectExplained(failure(only(r)[0]), 'no-dbus', /dbus-launch/);
  });

  it('a D-Bus address where nothing listens', async () => {
    const home = tempDir('h');
    const argv = nodeChild({ steps: [{ op: 'set', token: TOKEN }] });
    const r = await run(argv[0]!, argv.slice(1), baseEnv(home, { DBUS_SESSION_BUS_ADDRESS: `unix:path=${home}/no-bus` }));
    expectExplained(failure(only(r)[0]), 'no-dbus', /Could not connect: No such file or directory/);
  });

  it('a D-Bus session with no Secret Service provider', async () => {
    requireKeyringTools();
    const services = tempDir('no-services');
    const conf = path.join(work, 'bus-without-secrets.conf');
    // A session bus that knows no .service files, as on a machine without gnome-keyring/KeePassXC.
    fs.writeFileSync(conf, `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=${work}</listen>
  <servicedir>${services}</servicedir>
  <policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy>
</busconfig>
`);
    const r = await run('dbus-run-session', [`--config-file=${conf}`, '--', ...nodeChild({ steps: allSteps })],
      baseEnv(tempDir('h')));
    const out = only(r);
    for (const o of out) {
      expectExplained(failure(o), 'no-provider', /The name org\.freedesktop\.secrets was not provided by any \.service files/);
    }
    expect(failure(out[1]).message).toMatch(/gnome-keyring.*KeePassXC/);
  });

  it('a locked keyring (daemon started without unlocking, no prompt can be shown)', async () => {
    const home = tempDir('locked-home');
    const made = await withKeyringHome(home, true, nodeChild({ steps: [{ op: 'set', token: 'older-token' }] }));
    expect(only(made)).toEqual([{ ok: true, value: null }]);
    const r = await withKeyringHome(home, false, nodeChild({ steps: [{ op: 'set', token: TOKEN }, { op: 'get' }] }));
    const [set, get] = only(r);
    expectExplained(failure(set), 'locked', /Cannot create an item in a locked collection/);
    expect(failure(set).message).toMatch(/Unlock your login keyring/);
    // libsecret answers a lookup in a locked keyring with "nothing found", not an error: the app
    // can only learn it is locked when it tries to store. Pinned so a keytar change is noticed.
    expect(get).toEqual({ ok: true, value: null });
  });

  it('no login keyring yet and no way to prompt for creating one', async () => {
    const r = await withKeyringHome(tempDir('fresh-home'), false, nodeChild({ steps: [{ op: 'set', token: TOKEN }] }));
    expectExplained(failure(only(r)[0]), 'no-keyring',
      /Object does not exist at path .\/org\/freedesktop\/secrets\/collection\/login/);
    expect(failure(only(r)[0]).message).toMatch(/keyring named "login"/);
  });

  it('keytar native module missing: clear message, and SMSDESK_TOKEN still works', async () => {
    // A copy of the app's secrets module next to a keytar package whose build/ is missing, as after
    // an install that skipped the native build. The module's own default loader is exercised.
    const app = tempDir('app');
    fs.writeFileSync(path.join(app, 'package.json'), '{"type":"module"}');
    fs.cpSync(SECRETS_DIR, path.join(app, 'secrets'), { recursive: true });
    const keytarDir = path.join(app, 'node_modules/keytar');
    fs.mkdirSync(keytarDir, { recursive: true });
    fs.cpSync(path.join(ROOT, 'node_modules/keytar/package.json'), path.join(keytarDir, 'package.json'));
    fs.cpSync(path.join(ROOT, 'node_modules/keytar/lib'), path.join(keytarDir, 'lib'), { recursive: true });
    const index = pathToFileURL(path.join(app, 'secrets/index.ts')).href;

    const argv = nodeChild({ index, steps: [{ op: 'set', token: TOKEN }, { op: 'get' }] });
    const r = await run(argv[0]!, argv.slice(1), baseEnv(tempDir('h')));
    const [set, get] = only(r);
    expectExplained(failure(set), 'native-module', /Cannot find module '\.\.\/build\/Release\/keytar\.node'/);
    expect(failure(set).message).toMatch(/npm rebuild keytar/);
    expectExplained(failure(get), 'native-module', /keytar\.node/);

    const withEnv = nodeChild({ index, env: { SMSDESK_TOKEN: 'env-token-123' }, steps: [{ op: 'get' }, { op: 'source' }] });
    const r2 = await run(withEnv[0]!, withEnv.slice(1), baseEnv(tempDir('h')));
    expect(only(r2)).toEqual([{ ok: true, value: 'env-token-123' }, { ok: true, value: 'env' }]);
  });
});

describe('messages for failures this machine cannot provoke', () => {
  it('an Electron/Node ABI mismatch of keytar.node asks for a rebuild', () => {
    // Node's own wording when keytar was built for another runtime (e.g. Node instead of Electron).
    const err = Object.assign(new Error("The module '/app/node_modules/keytar/build/Release/keytar.node'\n" +
      'was compiled against a different Node.js version using\nNODE_MODULE_VERSION 115. This version of Node.js requires\n' +
      'NODE_MODULE_VERSION 140. Please try re-compiling or re-installing\nthe module.'), { code: 'ERR_DLOPEN_FAILED' });
    const e = KeychainUnavailableError.from(err);
    expect(e.reason).toBe('native-module');
    expect(e.message).toMatch(/npm rebuild keytar.*SMSDESK_TOKEN/);
  });

  it('an unknown keychain error still says what to try, and the token is redacted from its details', () => {
    const msg = describeKeychainError(new Error(`weird backend failure near ${TOKEN}`), TOKEN);
    expect(msg).toMatch(/refused the request.*SMSDESK_TOKEN.*weird backend failure near \[token\]/);
    expect(msg).not.toContain(TOKEN);
  });
});

describe('createMemorySecrets (for the tests of other modules)', () => {
  it('behaves like the keychain version: validation, env override, source', async () => {
    const s = createMemorySecrets(null, { env: {} });
    expect(await s.source()).toBeNull();
    await expect(s.set('a b')).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
    await s.set(` ${TOKEN} `);
    expect(await s.get()).toBe(TOKEN);
    expect(await s.source()).toBe('keychain');
    await s.clear();
    expect(await s.get()).toBeNull();
    const e = createMemorySecrets('stored-token', { env: { SMSDESK_TOKEN: 'env-token' } });
    expect([await e.get(), await e.source()]).toEqual(['env-token', 'env']);
  });
});
