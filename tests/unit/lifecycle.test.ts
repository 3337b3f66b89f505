import { describe, expect, it } from 'vitest';
import {
  backgroundMode,
  parseHostRegistered,
  STATUS_NOTIFIER_QUERIES,
  statusNotifierHostPresent,
} from '../../electron/background.ts';
import { runSmoke, smokeTimeoutMs, wantsSmoke } from '../../electron/smoke.ts';
import { deferredHandlers, ENGINE_UNAVAILABLE, withTimeout } from '../../electron/startup.ts';
import type { Handlers } from '../../electron/handlers/index.ts';
import { ROUTE_NAMES } from '../../shared/ipc/contract.ts';

/**
 * Start-up, background and smoke decisions of the desktop shell (electron/main.ts wires them;
 * Electron itself cannot run here). The close prompt's guard runs against a real engine in
 * tests/engine/handlers-close.test.ts.
 */

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const info = { mode: 'electron', sandbox: true } as const;

describe('start-up: the window opens before the engine is ready', () => {
  it('a call made while the engine starts is answered once it is ready', async () => {
    const ready = deferred<Handlers>();
    const handlers = deferredHandlers(ready.promise);
    let answered = false;
    const call = handlers['app.info']().then((r) => {
      answered = true;
      return r;
    });
    await Promise.resolve();
    expect(answered).toBe(false);
    ready.resolve({ 'app.info': async () => ({ ok: true, value: info }) } as unknown as Handlers);
    expect(await call).toEqual({ ok: true, value: info });
  });

  it('after a failed start every route answers with one sentence saying what to do', async () => {
    const handlers = deferredHandlers(Promise.reject(new Error('The ledger file is damaged.')));
    expect(Object.keys(handlers).sort()).toEqual([...ROUTE_NAMES].sort());
    for (const name of ['app.info', 'campaigns.list', 'token.status'] as const) {
      const r = await handlers[name]();
      expect(r).toEqual({
        ok: false,
        error: {
          code: ENGINE_UNAVAILABLE,
          message: expect.stringMatching(
            /^SMS Desk could not start its engine: The ledger file is damaged\. Quit and open SMS Desk again/,
          ),
        },
      });
    }
  });

  it('a quit step that hangs gives up after its deadline, one that finishes keeps its result', async () => {
    await expect(withTimeout(new Promise(() => {}), 20, 'the engine did not close')).rejects.toThrow(
      'the engine did not close',
    );
    await expect(withTimeout(Promise.resolve(7), 1_000, 'never')).resolves.toBe(7);
  });
});

describe('"keep sending in the background": tray or minimise', () => {
  it('hides to the tray on Windows and macOS, and on Linux only where a StatusNotifier host runs', () => {
    expect(backgroundMode('win32', null)).toBe('tray');
    expect(backgroundMode('darwin', null)).toBe('tray');
    expect(backgroundMode('linux', true)).toBe('tray');
    // stock GNOME: no host, a hidden window could not be brought back
    expect(backgroundMode('linux', false)).toBe('minimize');
    expect(backgroundMode('linux', null)).toBe('minimize');
  });

  it('reads the answer of gdbus and of dbus-send', () => {
    expect(parseHostRegistered('(<true>,)\n')).toBe(true);
    expect(parseHostRegistered('(<false>,)\n')).toBe(false);
    expect(
      parseHostRegistered(
        'method return time=1.2 sender=:1.5 -> destination=:1.9 serial=8 reply_serial=2\n   variant       boolean true\n',
      ),
    ).toBe(true);
    expect(
      parseHostRegistered(
        'method return time=1.2 sender=:1.5 -> destination=:1.9 serial=8 reply_serial=2\n   variant       boolean false\n',
      ),
    ).toBe(false);
    expect(parseHostRegistered('')).toBeNull();
  });

  it('asks the session bus with the real clients: no bus or no watcher here means minimise', async () => {
    // whatever this machine has (gdbus, dbus-send, neither; a bus or not), the answer is a decision
    const host = await statusNotifierHostPresent();
    expect([true, false, null]).toContain(host);
    expect(STATUS_NOTIFIER_QUERIES.map((q) => q.cmd)).toEqual(['gdbus', 'dbus-send']);
    if (!process.env.DBUS_SESSION_BUS_ADDRESS) expect(host).not.toBe(true);
  });

  it('a client that is not installed is skipped; a bus that answers with an error means no host', async () => {
    const missing = Object.assign(new Error('spawn gdbus ENOENT'), { code: 'ENOENT' });
    const unknown = Object.assign(new Error('Error: GDBus.Error:org.freedesktop.DBus.Error.ServiceUnknown'), {
      code: 1,
    });
    const tried: string[] = [];
    expect(
      await statusNotifierHostPresent(async (cmd) => {
        tried.push(cmd);
        if (cmd === 'gdbus') throw missing;
        return { stdout: '   variant       boolean true\n' };
      }),
    ).toBe(true);
    expect(tried).toEqual(['gdbus', 'dbus-send']);
    expect(
      await statusNotifierHostPresent(async () => {
        throw unknown;
      }),
    ).toBe(false);
    expect(
      await statusNotifierHostPresent(async () => {
        throw missing;
      }),
    ).toBeNull();
    expect(
      await statusNotifierHostPresent(async () => {
        throw Object.assign(new Error('timed out'), { killed: true });
      }),
    ).toBeNull();
  });
});

describe('smoke mode of the built app', () => {
  it('is asked for with --smoke or SMSDESK_SMOKE=1, and has a deadline', () => {
    expect(wantsSmoke(['/opt/SMS Desk/smsdesk', '--smoke'], {})).toBe(true);
    expect(wantsSmoke(['/opt/SMS Desk/smsdesk'], { SMSDESK_SMOKE: '1' })).toBe(true);
    expect(wantsSmoke(['/opt/SMS Desk/smsdesk'], { SMSDESK_SMOKE: '0' })).toBe(false);
    expect(smokeTimeoutMs({})).toBe(60_000);
    expect(smokeTimeoutMs({ SMSDESK_SMOKE_TIMEOUT_MS: '5000' })).toBe(5_000);
    expect(smokeTimeoutMs({ SMSDESK_SMOKE_TIMEOUT_MS: 'soon' })).toBe(60_000);
  });

  it('prints one ok line with the time taken and exits 0 when both steps succeed', async () => {
    let t = 1_000;
    const window = deferred<void>();
    const run = runSmoke({
      engine: Promise.resolve({ sandbox: true }),
      window: window.promise,
      timeoutMs: 5_000,
      now: () => t,
    });
    t = 2_234;
    window.resolve();
    expect(await run).toEqual({ code: 0, line: 'smoke: ok engine ready, window loaded, sandbox, 1234 ms' });
  });

  it('names the step that failed in one sentence and exits 1', async () => {
    expect(
      await runSmoke({
        engine: Promise.reject(new Error('The data folder is read-only.\nat x')),
        window: Promise.resolve(),
        timeoutMs: 5_000,
      }),
    ).toEqual({ code: 1, line: 'smoke: FAILED the engine did not start: The data folder is read-only. at x' });
    expect(
      await runSmoke({
        engine: Promise.resolve({ sandbox: false }),
        window: Promise.reject(new Error('app://smsdesk/index.html did not load: ERR_FILE_NOT_FOUND (-6)')),
        timeoutMs: 5_000,
      }),
    ).toEqual({
      code: 1,
      line: 'smoke: FAILED the window did not load: app://smsdesk/index.html did not load: ERR_FILE_NOT_FOUND (-6)',
    });
  });

  it('a step that never finishes fails at the deadline, saying what it waited for', async () => {
    const r = await runSmoke({
      engine: Promise.resolve({ sandbox: true }),
      window: new Promise(() => {}),
      timeoutMs: 30,
    });
    expect(r).toEqual({ code: 1, line: 'smoke: FAILED timed out after 30 ms waiting for the window to load' });
  });
});
