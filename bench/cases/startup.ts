import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createEngine } from '../../electron/engine/engine.ts';
import { createMemorySecrets } from '../../electron/engine/secrets/index.ts';
import { BENCH_TOKEN, NO_GATEWAY, ms } from '../lib/engine.ts';

/** createEngine() on a data folder holding a 1M-message database, until it resolves (ready). */
export async function startupEngine(a: { dataDir: string }) {
  const t0 = process.hrtime.bigint();
  const engine = await createEngine({
    dataDir: a.dataDir,
    secrets: createMemorySecrets(BENCH_TOKEN),
    gatewayUrl: NO_GATEWAY,
    env: {},
  });
  const wallMs = ms(t0);
  await engine.close();
  fs.rmSync(a.dataDir, { recursive: true, force: true });
  return { wallMs };
}

/** Baseline: open the same file and read one row. */
export async function startupBaseline(a: { dataDir: string }) {
  const t0 = process.hrtime.bigint();
  const db = new Database(path.join(a.dataDir, 'smsdesk.db'));
  const row = db.prepare('SELECT * FROM messages LIMIT 1').get();
  const wallMs = ms(t0);
  db.close();
  fs.rmSync(a.dataDir, { recursive: true, force: true });
  return { wallMs, ok: Boolean(row) };
}
