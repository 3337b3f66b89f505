import fs from 'node:fs';
import { afterEach } from 'vitest';
import os from 'node:os';
import path from 'node:path';
import { createEngine, type EngineDeps } from '../../electron/engine/engine.ts';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../electron/engine/sandbox/index.ts';
import { createMemorySecrets } from '../../electron/engine/secrets/index.ts';
import type { Engine, RawContactRow } from '../../electron/engine/api.ts';

export const TEST_TOKEN = 'test-token-0123456789abcdef';

export function tempDir(prefix = 'smsdesk-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export type TestEngine = Awaited<ReturnType<typeof createEngine>>;

/** A real engine on a temp data folder, talking live-mode HTTP to a sandbox on 127.0.0.1. */
export async function engineWithSandbox(
  opts: {
    sandbox?: SandboxOptions;
    engine?: Partial<EngineDeps>;
    settings?: Record<string, unknown>;
    dataDir?: string;
  } = {},
) {
  const sandbox = await startSandbox({
    tokens: [TEST_TOKEN],
    timing: { dispatchMs: 50, finalMs: 150 },
    ...opts.sandbox,
  });
  const dataDir = opts.dataDir ?? tempDir();
  const engine = await createEngine({
    dataDir,
    secrets: createMemorySecrets(TEST_TOKEN),
    gatewayUrl: sandbox.url,
    env: {},
    ...opts.engine,
  });
  const defaults: Record<string, unknown> = {
    'dlr.initialIntervalMs': 100,
    'dlr.maxIntervalMs': 400,
    'retry.initialMs': 50,
    'retry.maxMs': 400,
    'rate.requestsPerSecond': 1000,
    ...opts.settings,
  };
  for (const [k, v] of Object.entries(defaults)) engine.settings.set(k as never, v);
  return {
    engine,
    sandbox,
    dataDir,
    async close() {
      await engine.close();
      await sandbox.close();
    },
  };
}

/**
 * Engines a test file opens on data folders of their own (no token: the sandbox mode), each closed
 * (unless the test closed it) and its folder removed after its test. `lines` collects the log.
 */
export function useEngines(): (dir?: string, lines?: string[]) => Promise<TestEngine> {
  const open: Array<{ engine: TestEngine; dir: string }> = [];
  afterEach(async () => {
    for (const { engine, dir } of open.splice(0)) {
      if (engine.db.open) await engine.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
  return async (dir = tempDir(), lines: string[] = []) => {
    const engine = await createEngine({
      dataDir: dir,
      secrets: createMemorySecrets(null),
      env: {},
      log: (l) => lines.push(l),
    });
    open.push({ engine, dir });
    return engine;
  };
}

/** engineWithSandbox() for a test file: each engine and its sandbox are closed after its test. */
export function useSandboxEngines(): (
  opts?: Parameters<typeof engineWithSandbox>[0],
) => ReturnType<typeof engineWithSandbox> {
  const open: Array<() => Promise<void>> = [];
  afterEach(async () => {
    while (open.length) await open.pop()!();
  });
  return async (opts = {}) => {
    const t = await engineWithSandbox(opts);
    open.push(t.close);
    return t;
  };
}

/** Makes a list through the same import path the app uses (rows already parsed). */
export function makeList(
  engine: Engine,
  name: string,
  rows: Array<{ phone: string; [k: string]: string }>,
  fields?: string[],
) {
  const names = fields ?? Object.keys(rows[0] ?? { phone: '' }).filter((k) => k !== 'phone');
  const { importId } = engine.imports.begin({ list: name, fields: names, phoneColumn: 'phone', source: `${name}.csv` });
  for (let i = 0; i < rows.length; i += 2000) {
    const chunk: RawContactRow[] = rows.slice(i, i + 2000).map((r, j) => {
      const { phone, ...rest } = r;
      return { row: i + j + 2, phone, fields: rest };
    });
    engine.imports.add(importId, chunk);
  }
  return engine.imports.commit(importId);
}

/**
 * A data folder holding a list of `recipients` numbers and a draft to them, with no engine left
 * open on it: for a command (a child process) to take it from there. Returns the campaign's id.
 */
export async function draftInFolder(dir: string, recipients: number, text: string): Promise<number> {
  const engine = await createEngine({ dataDir: dir, secrets: createMemorySecrets(null), env: {} });
  try {
    makeList(
      engine,
      'draft list',
      numbers(recipients).map((phone) => ({ phone })),
    );
    return (await engine.campaigns.create({ list: 'draft list', from: 'ACME', text })).id;
  } finally {
    await engine.close();
  }
}

/** n distinct Nigerian mobile numbers in 234… form. */
export function numbers(n: number, start = 0): string[] {
  return Array.from({ length: n }, (_, i) => `234803${String(1_000_000 + start + i).slice(-7)}`);
}

/** Polls a condition until it holds (never a fixed sleep). */
export async function waitFor<T>(fn: () => T | Promise<T>, what: string, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await fn();
    if (last) return last as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export type { Sandbox };
