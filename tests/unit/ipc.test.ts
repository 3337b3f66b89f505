import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ApiError, createClient, type Transport } from '../../shared/ipc/client.ts';
import { EVENT_NAMES, ROUTE_NAMES, events, routes, type Result, type RouteName } from '../../shared/ipc/contract.ts';
import { CALL_CHANNEL, EVENT_CHANNEL } from '../../shared/ipc/names.ts';
import { MAX_IMPORT_CHUNK, MAX_PAGE } from '../../shared/ipc/schemas.ts';
import { buildBridge, type IpcRendererLike } from '../../electron/bridge.ts';
import { createHandlers } from '../../electron/handlers/index.ts';
import { createIpcRouter } from '../../electron/handlers/ipc-router.ts';
import { toApiError } from '../../electron/handlers/errors.ts';
import { fromWire, toWire } from '../../electron/host/protocol.ts';
import { APP_ORIGIN, isTrustedSender } from '../../electron/security.ts';
import { METHODS, ROUTED_METHODS, type Engine } from '../../electron/engine/api.ts';

/** every Engine method the UI reaches: the registry's routed methods (electron/engine/api.ts METHODS) */
const ENGINE_METHODS: readonly string[] = ROUTED_METHODS;

function fakeIpc() {
  const invoked: unknown[][] = [];
  const listeners = new Map<string, Set<(e: unknown, ...a: unknown[]) => void>>();
  const ipc: IpcRendererLike = {
    invoke: async (channel, ...args) => {
      invoked.push([channel, ...args]);
      return { ok: true, value: channel };
    },
    on: (channel, l) => {
      (listeners.get(channel) ?? listeners.set(channel, new Set()).get(channel)!).add(l);
    },
    removeListener: (channel, l) => {
      listeners.get(channel)?.delete(l);
    },
  };
  const fire = (channel: string, ...args: unknown[]) => {
    for (const l of listeners.get(channel) ?? []) l({ sender: 'secret ipc object' }, ...args);
  };
  return { ipc, invoked, fire, listeners };
}

/** an engine that fails the test if any route reaches it: input checks must come first */
const untouchable = new Proxy(
  {},
  {
    get: (_t, p) => {
      throw new Error(`the engine was reached (${String(p)}) for input that should have been refused`);
    },
  },
) as Engine;
const deps = {
  mode: 'electron' as const,
  version: '0.0.0',
  platform: 'linux',
  files: { savePath: async () => null, deliver: async () => ({ path: null, downloadUrl: null }) },
};

describe('contract', () => {
  it('names every route <group>.<method> and gives each an input and an output schema', () => {
    for (const name of ROUTE_NAMES) {
      expect(name).toMatch(/^[a-z]+\.[a-zA-Z]+$/);
      expect(routes[name].input).toBeInstanceOf(z.ZodType);
      expect(routes[name].output).toBeInstanceOf(z.ZodType);
    }
    for (const name of EVENT_NAMES) expect(events[name]).toBeInstanceOf(z.ZodType);
  });

  it('covers the Engine interface the UI needs, plus app.info', () => {
    expect(new Set(ROUTE_NAMES)).toEqual(new Set(['app.info', ...ENGINE_METHODS]));
    expect(new Set(EVENT_NAMES)).toEqual(
      new Set(['campaign', 'campaign-preparing', 'sending-blocked', 'engine-notice']),
    );
    // the registry leaves out only what the UI must not reach: the CLI's file imports, the send loop, waits
    expect(
      Object.keys(METHODS)
        .filter((m) => !ENGINE_METHODS.includes(m))
        .sort(),
    ).toEqual(['afterStart', 'lists.import', 'optouts.import', 'pollReports', 'settings.get', 'start', 'waitIdle']);
  });

  it('never lets the token out: no output schema has a field that could hold it', () => {
    const outputs = JSON.stringify(
      ROUTE_NAMES.map((n) => z.toJSONSchema(routes[n].output, { unrepresentable: 'any' })),
    );
    expect(outputs).not.toMatch(/"token"|"apiToken"|"secret"/i);
    const status = routes['token.status'].output.parse({
      set: true,
      source: 'keychain',
      sandbox: false,
      token: 'abcdefgh12345',
    } as never);
    expect(status).toEqual({ set: true, source: 'keychain', sandbox: false });
  });

  it('refuses oversized chunks and pages', () => {
    const row = { row: 1, phone: '08031234567', fields: {} };
    expect(
      routes['imports.add'].input.safeParse({ importId: 'i', rows: Array(MAX_IMPORT_CHUNK).fill(row) }).success,
    ).toBe(true);
    expect(
      routes['imports.add'].input.safeParse({ importId: 'i', rows: Array(MAX_IMPORT_CHUNK + 1).fill(row) }).success,
    ).toBe(false);
    expect(routes['campaigns.messages'].input.safeParse({ id: 1, limit: MAX_PAGE }).success).toBe(true);
    expect(routes['campaigns.messages'].input.safeParse({ id: 1, limit: MAX_PAGE + 1 }).success).toBe(false);
    expect(routes['optouts.add'].input.safeParse({ numbers: Array(5001).fill('0803') }).success).toBe(false);
    expect(
      routes['lists.contacts'].output.safeParse({
        total: 2000,
        rows: Array(MAX_PAGE + 1).fill({ seq: 1, row: 1, msisdn: '1', network: null, fields: {} }),
      }).success,
    ).toBe(false);
  });
});

describe('preload bridge', () => {
  it('exposes call() and on() only: no route list to keep in step, no raw invoke or send', () => {
    const { ipc } = fakeIpc();
    const bridge = buildBridge(ipc);
    expect(Object.keys(bridge).sort()).toEqual(['call', 'on']);
  });

  it('sends every call on the one call channel with its route name as data, and nothing else', async () => {
    const { ipc, invoked } = fakeIpc();
    const bridge = buildBridge(ipc);
    await bridge.call('campaigns.status', { id: 7 });
    await bridge.call('app.info');
    expect(invoked).toEqual([
      [CALL_CHANNEL, 'campaigns.status', { id: 7 }],
      [CALL_CHANNEL, 'app.info', undefined],
    ]);
    // a name that is not a string, or absurdly long, never leaves the page
    const refused = await bridge.call('x'.repeat(500));
    expect(refused).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(invoked).toHaveLength(2);
  });

  it('passes event payloads only (never the IPC event), to the listeners of that event, and unsubscribes', () => {
    const { ipc, fire, listeners } = fakeIpc();
    const bridge = buildBridge(ipc);
    const got: unknown[][] = [];
    const other: unknown[] = [];
    const off = bridge.on('campaign', (...args) => got.push(args));
    const offOther = bridge.on('engine-notice', (p) => other.push(p));
    fire(EVENT_CHANNEL, 'campaign', { campaignId: 1 });
    off();
    fire(EVENT_CHANNEL, 'campaign', { campaignId: 2 });
    expect(got).toEqual([[{ campaignId: 1 }]]);
    expect(other).toEqual([]);
    offOther();
    expect(listeners.get(EVENT_CHANNEL)?.size).toBe(0);
    expect(() => bridge.on('campaign', 'nope' as never)).toThrow(/needs a function/);
  });
});

describe('Electron IPC router', () => {
  it('answers a route the contract does not list with NOT_FOUND, without reaching the engine', async () => {
    const handlers = createHandlers(untouchable as never, deps);
    const route = createIpcRouter(handlers, (url) => isTrustedSender(url, APP_ORIGIN));
    const r = await route('campaigns.drop', `${APP_ORIGIN}/index.html`, { id: 1 });
    expect(r).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect((await route('constructor', `${APP_ORIGIN}/index.html`, undefined)).ok).toBe(false);
  });
});

describe('client', () => {
  const transport = (answer: Result<unknown>): Transport & { calls: Array<[RouteName, unknown]> } => {
    const calls: Array<[RouteName, unknown]> = [];
    return {
      calls,
      call: async (r, i) => {
        calls.push([r, i]);
        return answer;
      },
      subscribe: () => () => {},
    };
  };

  it('resolves with the value of ok results', async () => {
    const t = transport({ ok: true, value: { set: false, source: null, sandbox: true } });
    const { api } = createClient(t);
    await expect(api.token.status()).resolves.toEqual({ set: false, source: null, sandbox: true });
    expect(t.calls).toEqual([['token.status', undefined]]);
  });

  it('throws ApiError with code and message on failures', async () => {
    const { api } = createClient(
      transport({ ok: false, error: { code: 'NOT_FOUND', message: 'There is no campaign 9.' } }),
    );
    const err = await api.campaigns.status({ id: 9 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'NOT_FOUND', message: 'There is no campaign 9.' });
  });
});

describe('handlers: input is checked before the engine sees it', () => {
  const h = createHandlers(untouchable, deps);

  it.each([
    ['campaigns.status', { id: 'one' }],
    ['campaigns.status', { id: -1 }],
    ['campaigns.status', undefined],
    ['campaigns.send', { id: 1, extra: true }],
    ['settings.set', { key: 'no.such.setting', value: 1 }],
    ['imports.add', { importId: 'x', rows: [{ row: 1, phone: 5, fields: {} }] }],
    ['lists.contacts', { listId: 1, limit: 1_000_000 }],
    ['token.set', { token: 42 }],
    ['campaigns.create', { list: 1, from: '', text: 'hi' }],
  ] as Array<[RouteName, unknown]>)('%s(%j) → BAD_INPUT', async (route, input) => {
    const res = await h[route](input);
    expect(res.ok).toBe(false);
    if (!res.ok) {
      expect(res.error.code).toBe('BAD_INPUT');
      expect(res.error.message).toMatch(/\.\)?$/);
      expect(res.error.message).not.toMatch(/\n\s+at /);
    }
  });

  it('a user-readable sentence from the contract reaches the user as is', async () => {
    const res = await h['campaigns.create']({ list: 1, from: '', text: 'hi' });
    expect(res).toEqual({ ok: false, error: { code: 'BAD_INPUT', message: 'Enter a sender ID.' } });
  });

  it('the message of a refused token never quotes it', async () => {
    const token = 'x'.repeat(100_001);
    const res = await h['token.set']({ token });
    expect(res.ok).toBe(false);
    expect(JSON.stringify(res)).not.toContain('xxxxxxxx');
  });
});

describe('errors: a bug is a bug in this thread and from the worker', () => {
  it('one list of bug names: each is INTERNAL (no internals shown) whether thrown here or across the worker port', () => {
    for (const Bug of [TypeError, ReferenceError, SyntaxError, RangeError]) {
      const here = toApiError(
        'campaigns.status',
        new Bug("Cannot read properties of undefined (reading 'x') at /src/engine.ts:12"),
      );
      const crossed = toApiError('campaigns.status', fromWire(toWire(new Bug('Invalid time value'))));
      expect(here.code, Bug.name).toBe('INTERNAL');
      expect(crossed.code, Bug.name).toBe('INTERNAL');
      expect(here.message + crossed.message).not.toMatch(/engine\.ts|undefined|Invalid time/);
    }
    // the engine's own refusal keeps its code and sentence on both paths
    const refusal = Object.assign(new Error('There is no campaign 9: it may have been deleted.'), {
      code: 'NOT_FOUND',
    });
    expect(toApiError('campaigns.status', fromWire(toWire(refusal)))).toEqual({
      code: 'NOT_FOUND',
      message: refusal.message,
    });
  });
});

describe('IPC router: the sender frame must be our page', () => {
  const h = createHandlers(untouchable, deps);
  const route = createIpcRouter(h, (url) => isTrustedSender(url, APP_ORIGIN));

  it.each(['https://evil.example/', 'about:blank', null, 'app://other/index.html'])(
    'refuses %s with FORBIDDEN',
    async (frame) => {
      const res = await route('token.clear', frame, undefined);
      expect(res).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: expect.stringMatching(/refused/) } });
    },
  );

  it('passes our own frame on to the handler (which then checks the input)', async () => {
    const res = await route('campaigns.status', `${APP_ORIGIN}/index.html`, { id: 'x' });
    expect(res).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
  });
});
