/**
 * The token store against the REAL OS keychain (gnome-keyring over D-Bus, through
 * @napi-rs/keyring). Every keychain check runs a small Node child inside a D-Bus session made for
 * it, so these tests behave the same whether or not vitest itself runs inside a session, and never
 * touch the keyring of the person running them; each child also uses its own keychain entry name
 * (SMSDESK_KEYCHAIN_SERVICE). The failure modes are provoked for real, too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  DEFAULT_KEYCHAIN_SERVICE,
  KeychainUnavailableError,
  createKeychainSecrets,
  createMemorySecrets,
  describeKeychainError,
  keychainServiceName,
} from '../../electron/engine/secrets/index.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SECRETS_DIR = path.join(ROOT, 'electron/engine/secrets');
const WITH_KEYRING = path.join(ROOT, 'scripts/with-keyring.sh');
const TOKEN = 'tok_live_7fQ2xZk9PmW4rT8v';
/** this run's keychain entry: never the real "SMS Desk" one */
const SERVICE = `SMS Desk test ${process.pid}-${Date.now().toString(36)}`;

/**
 * 'stop-keyring' SIGSTOPs the Secret Service (its pid in KEYRING_PID); 'stall-keyring' does too,
 * and a process of its own SIGCONTs it `ms` later (the child's own timers cannot: the library's
 * connect blocks its thread); 'close-display' ends the
 * X server (XVFB_PID); 'get-when-free' retries get() while an earlier request still holds the
 * keychain; 'keys' records the lines of /proc/keys (the kernel keyring) that name this run's
 * service, or null where it is unreadable.
 */
type Step =
  | { op: 'get' | 'source' | 'clear' | 'stop-keyring' | 'close-display' | 'get-when-free' | 'keys' }
  | { op: 'set'; token: string }
  | { op: 'stall-keyring'; ms: number };
type Outcome =
  { ok: true; value: unknown } | { ok: false; name: string; code: string; reason?: string; message: string };
interface ChildConfig {
  steps: Step[];
  env?: Record<string, string>;
  /** import the secrets module from this index.ts instead of the repo's */
  index?: string;
  timeoutMs?: number;
}

let work: string;
/** Where this file's own Unix sockets go: see shortDir. */
let sockets: string;
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
  for (const k of [
    'DBUS_SESSION_BUS_ADDRESS',
    'DISPLAY',
    'WAYLAND_DISPLAY',
    'SMSDESK_TOKEN',
    'XDG_RUNTIME_DIR',
    'XDG_DATA_HOME',
    'XDG_CONFIG_HOME',
    'XDG_CACHE_HOME',
    'GNOME_KEYRING_CONTROL',
  ]) {
    if (!(k in extra)) delete env[k];
  }
  return env;
}

function tempDir(name: string): string {
  return fs.mkdtempSync(path.join(work, `${name}-`));
}

/**
 * A folder for Unix sockets. A socket path has at most 107 bytes; under a long TMPDIR (a
 * macOS-style /var/folders/…, a CI workspace) the paths inside `work` pass that, so the folder
 * goes to /tmp instead (as scripts/with-keyring.sh does for the keyring's control socket).
 */
function shortDir(): string {
  const base = path.join(os.tmpdir(), 'smsdesk-secrets-test-XXXXXX', 'x').length > 60 ? '/tmp' : os.tmpdir();
  return fs.mkdtempSync(path.join(base, 'sdk-'));
}

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
  results: Outcome[][];
  lookups: string[];
}

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
  if (lookup) parts.push(`printf "LOOKUP %s\\n" "$(secret-tool lookup service '${SERVICE}' username api-token)"`);
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

/** A session bus that knows no .service files, as on a machine without gnome-keyring/KeePassXC. */
function busWithoutSecrets(): string {
  const conf = path.join(work, 'bus-without-secrets.conf');
  if (!fs.existsSync(conf)) {
    fs.writeFileSync(
      conf,
      `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=${sockets}</listen>
  <servicedir>${tempDir('no-services')}</servicedir>
  <policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy>
</busconfig>
`,
    );
  }
  return conf;
}

beforeAll(() => {
  missing = ['dbus-run-session', 'dbus-send', 'gnome-keyring-daemon', 'secret-tool'].filter((b) => !have(b));
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'smsdesk-secrets-test-'));
  sockets = shortDir();
  child = path.join(work, 'child.mts');
  // Steps run in order; each outcome is recorded, so one run shows a whole user flow.
  fs.writeFileSync(
    child,
    `
const cfg = JSON.parse(process.argv[2]);
const mod = await import(cfg.index ?? ${JSON.stringify(pathToFileURL(path.join(SECRETS_DIR, 'index.ts')).href)});
import fs from 'node:fs';
import cp from 'node:child_process';
const s = mod.createKeychainSecrets({
  env: { SMSDESK_KEYCHAIN_SERVICE: ${JSON.stringify(SERVICE)}, ...cfg.env },
  ...(cfg.timeoutMs ? { timeoutMs: cfg.timeoutMs } : {}),
});
const keys = () => {
  try { return fs.readFileSync('/proc/keys', 'utf8').split('\\n').filter((l) => l.includes(${JSON.stringify(SERVICE)})); } catch { return null; }
};
async function getWhenFree() {
  for (const until = Date.now() + 20000; ;) {
    try { return await s.get(); } catch (e) {
      if (!/earlier request is still waiting/.test(e.message) || Date.now() > until) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
const out = [];
for (const step of cfg.steps) {
  try {
    const value = step.op === 'set' ? await s.set(step.token)
      : step.op === 'stop-keyring' ? process.kill(Number(process.env.KEYRING_PID), 'SIGSTOP') && null
      : step.op === 'stall-keyring'
        ? (cp.spawn('sh', ['-c', 'sleep ' + step.ms / 1000 + '; kill -CONT ' + process.env.KEYRING_PID], { detached: true, stdio: 'ignore' }).unref(),
          process.kill(Number(process.env.KEYRING_PID), 'SIGSTOP') && null)
      : step.op === 'close-display' ? process.kill(Number(process.env.XVFB_PID), 'SIGTERM') && null
      : step.op === 'get-when-free' ? await getWhenFree()
      : step.op === 'keys' ? keys()
      : await s[step.op]();
    out.push({ ok: true, value: value ?? null });
  } catch (e) {
    out.push({ ok: false, name: e.name, code: e.code, reason: e.reason, message: e.message });
  }
}
console.log('RESULT ' + JSON.stringify(out));
// Leave as soon as the results are out (a request still running in the native module holds the
// exit until it ends: see the unlock-dialog test).
process.exit(0);
`,
  );
});

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
  if (sockets) fs.rmSync(sockets, { recursive: true, force: true });
});

describe('real keychain (gnome-keyring through scripts/with-keyring.sh)', () => {
  it('stores, reads, reports and clears the token, and another process sees it in the keyring', async () => {
    const r = await withKeyring(
      [
        {
          steps: [
            { op: 'get' },
            { op: 'source' },
            { op: 'set', token: `  ${TOKEN}\n` },
            { op: 'get' },
            { op: 'source' },
          ],
        },
        { steps: [{ op: 'get' }, { op: 'source' }] },
      ],
      true,
    );
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
    expect(second).toEqual([
      { ok: true, value: TOKEN },
      { ok: true, value: 'keychain' },
    ]);
    // And libsecret's own tool (as another program would) finds it under the service/username attributes.
    expect(r.lookups).toEqual([TOKEN]);
  });

  it('clear() removes it from the keyring for every reader', async () => {
    const r = await withKeyring(
      [
        { steps: [{ op: 'set', token: TOKEN }, { op: 'clear' }, { op: 'get' }, { op: 'source' }, { op: 'clear' }] },
        { steps: [{ op: 'get' }] },
      ],
      true,
    );
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
    const r = await withKeyring(
      [
        {
          steps: [
            { op: 'set', token: 'first-token' },
            { op: 'set', token: TOKEN },
          ],
        },
        { steps: [{ op: 'get' }] },
      ],
      true,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.results[1]).toEqual([{ ok: true, value: TOKEN }]);
    expect(r.lookups).toEqual([TOKEN]);
  });

  it('refuses invalid tokens with a clear sentence, stores nothing, and never quotes the token', async () => {
    const bad = ['', '   ', 'abcSECRET def', 'abcSECRET\u0007def', 'abcSECRET\u201cdef', 'x'.repeat(4097)];
    const r = await withKeyring(
      [{ steps: [...bad.map((token) => ({ op: 'set' as const, token })), { op: 'get' }] }],
      true,
    );
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
    expect(without).toEqual([
      { ok: true, value: TOKEN },
      { ok: true, value: 'keychain' },
    ]);
    expect(cleared).toEqual([
      { ok: true, value: null },
      { ok: true, value: 'env-token-123' },
    ]);
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
    const r = await run(
      WITH_KEYRING,
      ['bash', '-c', 'echo "HOME=$HOME"; test -n "$DBUS_SESSION_BUS_ADDRESS" || exit 99; exit 7'],
      baseEnv(tempDir('caller-home')),
    );
    expect(r.code, r.stderr).toBe(7);
    const home = /HOME=(.*)/.exec(r.stdout)?.[1];
    expect(home).toMatch(/smsdesk-keyring\./);
    expect(fs.existsSync(home!)).toBe(false);
  });

  it('works under a TMPDIR too long for a Unix socket path, time after time, and leaves nothing behind', async () => {
    requireKeyringTools();
    // 110 bytes: the keyring's control socket under it would be cut at 107, and the second
    // daemon's cut path would be the first one's ("Address already in use": it never comes up).
    let long = tempDir('long');
    while (long.length < 110) long = path.join(long, 'deeper-folder');
    fs.mkdirSync(long, { recursive: true });
    const before = fs.readdirSync('/tmp').filter((f) => f.startsWith('skr.'));
    for (const value of ['first', 'second']) {
      const r = await run(
        WITH_KEYRING,
        [
          'bash',
          '-c',
          `printf ${value} | secret-tool store --label=t service smsdesk-long username u && secret-tool lookup service smsdesk-long username u`,
        ],
        baseEnv(tempDir('caller-home'), { TMPDIR: long }),
      );
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe(value);
    }
    expect(fs.readdirSync('/tmp').filter((f) => f.startsWith('skr.'))).toEqual(before);
  });

  it('says which Debian packages to install when dbus-run-session / gnome-keyring-daemon are missing', async () => {
    // A PATH with the basic tools but without the keyring ones, as on a bare CI image.
    const bin = tempDir('bin');
    for (const tool of ['bash', 'mktemp', 'rm', 'mkdir', 'node']) {
      fs.symlinkSync(
        execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim(),
        path.join(bin, tool),
      );
    }
    const r = await run(WITH_KEYRING, ['node', '-e', 'process.exit(0)'], baseEnv(tempDir('h'), { PATH: bin }));
    expect(r.code).toBe(127);
    expect(r.stderr).toMatch(
      /dbus-run-session is not installed; install the Debian packages: apt-get install gnome-keyring dbus-x11/,
    );
  });
});

describe('the keychain entry name', () => {
  it('is "SMS Desk" unless SMSDESK_KEYCHAIN_SERVICE names another (blank counts as unset)', () => {
    expect(DEFAULT_KEYCHAIN_SERVICE).toBe('SMS Desk');
    expect(keychainServiceName({})).toBe('SMS Desk');
    expect(keychainServiceName({ SMSDESK_KEYCHAIN_SERVICE: '   ' })).toBe('SMS Desk');
    expect(keychainServiceName({ SMSDESK_KEYCHAIN_SERVICE: ' SMS Desk (staging) ' })).toBe('SMS Desk (staging)');
  });

  it("SMSDESK_KEYCHAIN_SERVICE picks the entry the token is stored under, so one never sees another's", async () => {
    const other = `${SERVICE} other`;
    const r = await withKeyring(
      [
        { steps: [{ op: 'set', token: TOKEN }] },
        {
          env: { SMSDESK_KEYCHAIN_SERVICE: other },
          steps: [{ op: 'get' }, { op: 'set', token: 'other-token' }, { op: 'clear' }],
        },
        { steps: [{ op: 'get' }] },
      ],
      true,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.results[1]).toEqual([
      { ok: true, value: null },
      { ok: true, value: null },
      { ok: true, value: null },
    ]);
    expect(r.results[2]).toEqual([{ ok: true, value: TOKEN }]); // clearing the other entry left this one alone
    expect(r.lookups).toEqual([TOKEN]);
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
    expect(e.message).not.toMatch(/keytar|libsecret/i);
  }
  const allSteps: Step[] = [{ op: 'get' }, { op: 'set', token: TOKEN }, { op: 'source' }, { op: 'clear' }];

  it('no D-Bus session at all (no DBUS_SESSION_BUS_ADDRESS, no DISPLAY)', async () => {
    const r = await run(
      nodeChild({ steps: allSteps })[0]!,
      nodeChild({ steps: allSteps }).slice(1),
      baseEnv(tempDir('h')),
    );
    const out = only(r);
    for (const o of out) {
      expectExplained(
        failure(o),
        'no-dbus',
        /autolaunch was disabled at compile time, set your DBUS_SESSION_BUS_ADDRESS instead/,
      );
    }
    expect(failure(out[0]).message).toMatch(/no D-Bus session bus .*dbus-run-session/);
  });

  it('a DISPLAY but no D-Bus session: the library never autolaunches a bus through X11', async () => {
    const argv = nodeChild({ steps: [{ op: 'set', token: TOKEN }] });
    const r = await run(argv[0]!, argv.slice(1), baseEnv(tempDir('h'), { DISPLAY: ':987' }));
    expectExplained(failure(only(r)[0]), 'no-dbus', /Using X11 for dbus-daemon autolaunch was disabled/);
  });

  it('a D-Bus address where nothing listens', async () => {
    const home = tempDir('h');
    const argv = nodeChild({ steps: [{ op: 'set', token: TOKEN }] });
    const r = await run(
      argv[0]!,
      argv.slice(1),
      baseEnv(home, { DBUS_SESSION_BUS_ADDRESS: `unix:path=${sockets}/no-bus` }),
    );
    expectExplained(failure(only(r)[0]), 'no-dbus', /Failed to connect to socket .*no-bus: No such file or directory/);
  });

  it('a D-Bus address that is malformed, or a TCP one that refuses', async () => {
    const argv = nodeChild({ steps: [{ op: 'set', token: TOKEN }] });
    for (const [address, detail] of [
      ['garbage', /Address does not contain a colon/],
      ['tcp:host=127.0.0.1,port=1', /Connection refused/],
    ] as const) {
      const r = await run(argv[0]!, argv.slice(1), baseEnv(tempDir('h'), { DBUS_SESSION_BUS_ADDRESS: address }));
      expectExplained(failure(only(r)[0]), 'no-dbus', detail);
    }
  });

  it('a D-Bus session with no Secret Service provider', async () => {
    requireKeyringTools();
    const r = await run(
      'dbus-run-session',
      [`--config-file=${busWithoutSecrets()}`, '--', ...nodeChild({ steps: allSteps })],
      baseEnv(tempDir('h')),
    );
    const out = only(r);
    for (const o of out) {
      expectExplained(
        failure(o),
        'no-provider',
        /The name org\.freedesktop\.secrets was not provided by any \.service files/,
      );
    }
    expect(failure(out[1]).message).toMatch(/gnome-keyring.*KeePassXC/);
  });

  it('a locked keyring (daemon started without unlocking, no prompt can be shown)', async () => {
    const home = tempDir('locked-home');
    const made = await withKeyringHome(home, true, nodeChild({ steps: [{ op: 'set', token: 'older-token' }] }));
    expect(only(made)).toEqual([{ ok: true, value: null }]);
    const r = await withKeyringHome(
      home,
      false,
      nodeChild({ steps: [{ op: 'set', token: TOKEN }, { op: 'get' }, { op: 'clear' }] }),
    );
    const [set, get, clear] = only(r);
    expectExplained(failure(set), 'locked', /Secret Service: unlock prompt was dismissed/);
    expect(failure(set).message).toMatch(/Unlock your login keyring/);
    // Reading a stored item needs it unlocked too: locked is reported, not "no token".
    expectExplained(failure(get), 'locked', /unlock prompt was dismissed/);
    expectExplained(failure(clear), 'locked', /unlock prompt was dismissed/);
    // And the older token is still there once the keyring is unlocked again.
    const after = await withKeyringHome(home, true, nodeChild({ steps: [{ op: 'get' }] }));
    expect(only(after)).toEqual([{ ok: true, value: 'older-token' }]);
  });

  it('no login keyring yet and no way to prompt for creating one', async () => {
    const r = await withKeyringHome(
      tempDir('fresh-home'),
      false,
      nodeChild({ steps: [{ op: 'set', token: TOKEN }, { op: 'get' }] }),
    );
    const [set, get] = only(r);
    expectExplained(failure(set), 'no-keyring', /Secret Service: no result found/);
    expect(failure(set).message).toMatch(/keyring named "login"/);
    expect(get).toEqual({ ok: true, value: null }); // nothing stored, nothing to read
  });

  it('keychain native module missing: clear message, and SMSDESK_TOKEN still works', async () => {
    // A copy of the app's secrets module next to an @napi-rs/keyring package without its
    // platform binary, as after an install that skipped optional dependencies. The module's own
    // default loader is exercised.
    const app = tempDir('app');
    fs.writeFileSync(path.join(app, 'package.json'), '{"type":"module"}');
    fs.cpSync(SECRETS_DIR, path.join(app, 'secrets'), { recursive: true });
    fs.cpSync(path.join(SECRETS_DIR, '../redact.ts'), path.join(app, 'redact.ts')); // errors.ts redacts with it
    const keyringDir = path.join(app, 'node_modules/@napi-rs/keyring');
    fs.mkdirSync(keyringDir, { recursive: true });
    for (const f of ['package.json', 'index.js'])
      fs.cpSync(path.join(ROOT, 'node_modules/@napi-rs/keyring', f), path.join(keyringDir, f));
    const index = pathToFileURL(path.join(app, 'secrets/index.ts')).href;

    const argv = nodeChild({ index, steps: [{ op: 'set', token: TOKEN }, { op: 'get' }] });
    const r = await run(argv[0]!, argv.slice(1), baseEnv(tempDir('h')));
    const [set, get] = only(r);
    expectExplained(
      failure(set),
      'native-module',
      /Cannot find native binding: Cannot find module '@napi-rs\/keyring-linux-x64-gnu'/,
    );
    expect(failure(set).message).toMatch(/Reinstall SMS Desk; when running from source, run `npm install`/);
    // npm's own advice (delete package-lock.json) would break a pinned install: not passed on
    expect(failure(set).message).not.toMatch(/package-lock/);
    expectExplained(failure(get), 'native-module', /Cannot find native binding/);

    const withEnv = nodeChild({
      index,
      env: { SMSDESK_TOKEN: 'env-token-123' },
      steps: [{ op: 'get' }, { op: 'source' }],
    });
    const r2 = await run(withEnv[0]!, withEnv.slice(1), baseEnv(tempDir('h')));
    expect(only(r2)).toEqual([
      { ok: true, value: 'env-token-123' },
      { ok: true, value: 'env' },
    ]);
  });
});

describe('no Secret Service: the token never lands in a store that forgets it on reboot', () => {
  const procKeys = fs.existsSync('/proc/keys');
  /** keyctl's syscall number, for perl to join a session keyring (KEYCTL_JOIN_SESSION_KEYRING = 1) */
  const keyctl = ({ x64: 250, arm64: 219 } as Record<string, number>)[process.arch];
  /** the child in a session keyring of its own, where the kernel keyring works without a login session */
  const inOwnSessionKeyring = (argv: string[]) =>
    keyctl === undefined
      ? argv
      : ['perl', '-e', `syscall(${keyctl}, 1, 0) >= 0 or die "keyctl: $!"; exec @ARGV or die "exec: $!"`, ...argv];

  it.skipIf(!procKeys || keyctl === undefined)(
    'control: the library left to choose puts a secret in the kernel keyring and says it worked',
    async () => {
      // This is why the adapter pins the Secret Service: with no D-Bus, @napi-rs/keyring's default
      // falls back to keyutils (memory only), reporting success. A dummy value; deleted again.
      const service = `${SERVICE} control`;
      const script = `
      const fs = require('node:fs');
      const { AsyncEntry } = require(${JSON.stringify(path.join(ROOT, 'node_modules/@napi-rs/keyring'))});
      const keys = () => fs.readFileSync('/proc/keys', 'utf8').split('\\n').filter((l) => l.includes(${JSON.stringify(service)}));
      (async () => {
        const e = new AsyncEntry(${JSON.stringify(service)}, 'api-token');
        const out = { set: await e.setPassword('dummy-value').then(() => 'ok', (x) => x.message) };
        out.keys = keys();
        out.read = await e.getPassword();
        out.deleted = await e.deletePassword();
        console.log('RESULT ' + JSON.stringify([out]));
      })();`;
      const argv = inOwnSessionKeyring(['node', '-e', script]);
      const r = await run(argv[0]!, argv.slice(1), baseEnv(tempDir('h')));
      const [out] = only(r) as unknown as [{ set: string; keys: string[]; read: string; deleted: boolean }];
      expect(out.set).toBe('ok');
      expect(out.read).toBe('dummy-value');
      expect(out.keys).toHaveLength(1);
      expect(out.keys[0]).toMatch(/ user +keyring:api-token@SMS Desk test/);
      expect(out.deleted).toBe(true);
    },
  );

  for (const [name, wrap] of [
    ['no D-Bus session', (argv: string[]) => argv],
    [
      'a D-Bus session without a Secret Service',
      (argv: string[]) => ['dbus-run-session', `--config-file=${busWithoutSecrets()}`, '--', ...argv],
    ],
  ] as const) {
    it(`${name}: set() fails with the sentence, and nothing was stored anywhere`, async () => {
      requireKeyringTools();
      const steps: Step[] = [{ op: 'set', token: TOKEN }, { op: 'keys' }, { op: 'get' }, { op: 'source' }];
      // In its own session keyring the kernel store would work here (see the control): any
      // fallback to it would show up in /proc/keys.
      const argv = inOwnSessionKeyring(wrap(nodeChild({ steps })));
      const r = await run(argv[0]!, argv.slice(1), baseEnv(tempDir('h')));
      const [set, keys, get, source] = only(r);
      const reason = name === 'no D-Bus session' ? 'no-dbus' : 'no-provider';
      const e = failure(set);
      expect(e.reason).toBe(reason);
      expect(e.message).toMatch(reason === 'no-dbus' ? /no D-Bus session bus/ : /no Secret Service is running/);
      expect(failure(get).reason).toBe(reason);
      expect(failure(source).reason).toBe(reason);
      if (procKeys) {
        expect(keys).toEqual({ ok: true, value: [] });
        expect(fs.readFileSync('/proc/keys', 'utf8')).not.toContain(SERVICE);
      }
    });
  }

  it.skipIf(process.platform !== 'linux')(
    'a library build that cannot be limited to the Secret Service is refused before anything is stored',
    async () => {
      const { AsyncEntry } = await import('@napi-rs/keyring');
      // As an older @napi-rs/keyring: the same entries, but no LinuxStore to pin one with.
      const s = createKeychainSecrets({
        env: { SMSDESK_KEYCHAIN_SERVICE: SERVICE },
        loadKeyring: async () => ({ AsyncEntry }),
      });
      const err = await s.set(TOKEN).then(
        () => null,
        (e: unknown) => e as KeychainUnavailableError,
      );
      expect(err?.reason).toBe('native-module');
      expect(err!.message).toMatch(/Reinstall SMS Desk.*cannot be limited to the Secret Service/s);
      if (fs.existsSync('/proc/keys')) expect(fs.readFileSync('/proc/keys', 'utf8')).not.toContain(SERVICE);
    },
  );
});

describe('a keychain that does not answer', () => {
  /** Runs the child with the Secret Service's pid in KEYRING_PID, and wakes the daemon afterwards. */
  const WITH_KEYRING_PID = `pid=$(dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \\
      org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.secrets | awk '/uint32/ {print $2}')
    KEYRING_PID=$pid node --import tsx "$1" "$2"; rc=$?
    kill -CONT "$pid"; exit $rc`;

  it('a stopped gnome-keyring-daemon: D-Bus gives up, and the user is told what to do', async () => {
    requireKeyringTools();
    const cfg: ChildConfig = {
      steps: [{ op: 'set', token: TOKEN }, { op: 'stop-keyring' }, { op: 'get' }, { op: 'set', token: 'new-token' }],
    };
    const r = await run(
      WITH_KEYRING,
      ['bash', '-c', WITH_KEYRING_PID, '_', child, JSON.stringify(cfg)],
      baseEnv(tempDir('caller-home')),
    );
    const [set, stopped, get, set2] = only(r);
    expect(set).toEqual({ ok: true, value: null });
    expect(stopped).toEqual({ ok: true, value: null });
    for (const o of [get, set2]) {
      const e = failure(o);
      expect(e.code).toBe('KEYCHAIN_UNAVAILABLE');
      expect(e.reason).toBe('no-answer');
      expect(e.message).toMatch(
        /did not answer.*if a keyring password dialog is open, answer it; otherwise restart the keyring service.*SMSDESK_TOKEN.*Did not receive a reply/,
      );
    }
  });

  it("a keychain too busy to answer within D-Bus's 2 s (a loaded PC): the request is made once more and succeeds", async () => {
    requireKeyringTools();
    // the daemon answers nothing for 2.5 s: past D-Bus's reply timeout, well within the 10 s limit
    const cfg: ChildConfig = {
      steps: [{ op: 'set', token: TOKEN }, { op: 'stall-keyring', ms: 2500 }, { op: 'get' }, { op: 'source' }],
    };
    const r = await run(
      WITH_KEYRING,
      ['bash', '-c', WITH_KEYRING_PID, '_', child, JSON.stringify(cfg)],
      baseEnv(tempDir('caller-home')),
    );
    expect(only(r)).toEqual([
      { ok: true, value: null },
      { ok: true, value: null },
      { ok: true, value: TOKEN },
      { ok: true, value: 'keychain' },
    ]);
  });

  it('an unlock dialog nobody answers: the request gives up after its time limit, and later ones do not pile up', async () => {
    requireKeyringTools();
    if (!have('Xvfb'))
      throw new Error(
        'This test shows a real unlock dialog on a virtual display: install the Debian package xvfb (apt-get install xvfb).',
      );
    const home = tempDir('prompt-home');
    const made = await withKeyringHome(home, true, nodeChild({ steps: [{ op: 'set', token: 'older-token' }] }));
    expect(only(made)).toEqual([{ ok: true, value: null }]);
    // A private X display for gcr-prompter (activated by the bus, so the bus must know DISPLAY):
    // gnome-keyring then really shows its unlock dialog, and nobody types the password. Once the
    // child has seen the time limit pass it closes the display, which dismisses the dialog and
    // ends the waiting request (until then the child could not even exit: libuv waits for the
    // native request still running in its thread pool).
    const script = `d=$(mktemp -d)
      Xvfb -displayfd 3 -nolisten tcp 3>"$d/display" >/dev/null 2>&1 & x=$!
      for _ in $(seq 200); do [ -s "$d/display" ] && break; sleep 0.05; done
      export DISPLAY=:$(cat "$d/display")
      dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \\
        org.freedesktop.DBus.UpdateActivationEnvironment dict:string:string:DISPLAY,"$DISPLAY" >/dev/null
      XVFB_PID=$x node --import tsx "$1" "$2"; rc=$?
      kill $x 2>/dev/null; wait $x; rm -rf "$d"; exit $rc`;
    const cfg: ChildConfig = {
      timeoutMs: 1500,
      steps: [
        { op: 'set', token: TOKEN },
        { op: 'get' },
        { op: 'source' },
        { op: 'close-display' },
        { op: 'get-when-free' },
      ],
    };
    const r = await run(
      WITH_KEYRING,
      ['bash', '-c', script, '_', child, JSON.stringify(cfg)],
      baseEnv(home, { WITH_KEYRING_HOME: home, WITH_KEYRING_UNLOCK: '0' }),
    );
    const [set, get, source, closed, later] = only(r);
    const e = failure(set);
    expect(e.reason).toBe('no-answer');
    expect(e.message).toMatch(
      /^The system keychain did not answer within 1\.5 s\. It may be waiting behind an unlock dialog/,
    );
    expect(e.message).toMatch(/SMSDESK_TOKEN/);
    expect(e.message).not.toContain(TOKEN);
    // The dialog is still up: the next requests fail at once instead of queueing behind it.
    for (const o of [get, source]) {
      expect(failure(o).reason).toBe('no-answer');
      expect(failure(o).message).toMatch(/an earlier request is still waiting for the keychain/);
    }
    // Once the dialog is gone the keychain is asked again, and answers (locked: no dialog can be shown now).
    expect(closed).toEqual({ ok: true, value: null });
    expect(failure(later).reason).toBe('locked');
    expect(r.code, r.stderr).toBe(0);
  });
});

describe('messages for failures this machine cannot provoke', () => {
  it('a keychain binary that does not load (wrong platform, too old a C library) asks for a reinstall', () => {
    // Node's wording when the prebuilt binary cannot be loaded here.
    const err = Object.assign(
      new Error(
        "/lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.33' not found " +
          '(required by /app/node_modules/@napi-rs/keyring-linux-x64-gnu/keyring.linux-x64-gnu.node)',
      ),
      { code: 'ERR_DLOPEN_FAILED' },
    );
    const e = KeychainUnavailableError.from(err);
    expect(e.reason).toBe('native-module');
    expect(e.message).toMatch(/Reinstall SMS Desk.*`npm install`.*SMSDESK_TOKEN.*GLIBC_2\.33/);
    expect(e.message).not.toMatch(/keytar|rebuild|libsecret/);
  });

  it('an unknown keychain error still says what to try, and the token is redacted from its details', () => {
    const msg = describeKeychainError(new Error(`weird backend failure near ${TOKEN}`), TOKEN);
    expect(msg).toMatch(/refused the request.*SMSDESK_TOKEN.*weird backend failure near \u2022\u2022\u2022/);
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
