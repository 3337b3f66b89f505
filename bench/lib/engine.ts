import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createEngine } from '../../electron/engine/engine.ts';
import { createMemorySecrets } from '../../electron/engine/secrets/index.ts';
import { MESSAGES_SEEN } from '../../electron/engine/queue/status.ts';

export const BENCH_TOKEN = 'bench-token-0123456789abcdef';
/** Nothing listens there: for jobs that never reach a gateway. */
export const NO_GATEWAY = 'http://127.0.0.1:9';

export function tempDir(prefix = 'smsdesk-bench-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** The real engine, in live mode against the given gateway (never the keychain, never the real 9bits). */
export async function benchEngine(dataDir: string, gatewayUrl = NO_GATEWAY, settings: Record<string, unknown> = {}) {
  const engine = await createEngine({ dataDir, secrets: createMemorySecrets(BENCH_TOKEN), gatewayUrl, env: {} });
  for (const [k, v] of Object.entries(settings)) engine.settings.set(k as never, v);
  return engine;
}

/** A fresh data folder holding a copy of a seeded database (seeding a big campaign once per figure, not per run). */
export function dataDirFrom(dbFile: string): string {
  const dir = tempDir();
  fs.copyFileSync(dbFile, path.join(dir, 'smsdesk.db'));
  return dir;
}

export function ms(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** How many of the campaign's messages have `status`; then the engine is closed and its folder gone. */
export async function countThenClose(
  engine: Awaited<ReturnType<typeof benchEngine>>,
  dir: string,
  campaignId: number,
  status: 'queued' | 'accepted',
): Promise<number> {
  const n = engine.db
    .prepare(`SELECT COUNT(*) FROM ${MESSAGES_SEEN} AS m WHERE campaign_id = ? AND status = ?`)
    .pluck()
    .get(campaignId, status) as number;
  await engine.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return n;
}
